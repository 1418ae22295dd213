package video_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/video"
)

func TestEmbedOriginsAcceptsOnlyOrigins(t *testing.T) {
	t.Parallel()
	got, err := video.EmbedOrigins([]string{" https://Blog.Example.com/ ", "http://127.0.0.1:8443", "https://blog.example.com"})
	require.NoError(t, err)
	require.Equal(t, []string{"https://blog.example.com", "http://127.0.0.1:8443"}, got)
	got, err = video.EmbedOrigins(nil)
	require.NoError(t, err)
	require.NotNil(t, got, "an empty list, not nil: it clears the origins")
	for _, bad := range []string{"blog.example.com", "https://blog.example.com/path", "ftp://x.example", "https://x.example?y=1",
		"https://*.example.com", "https://user@x.example", "https://x.example; script-src *", "https://x.example:port", "*", "https://"} {
		_, err := video.EmbedOrigins([]string{bad})
		var ie *video.InputError
		require.True(t, errors.As(err, &ie), bad)
		require.Equal(t, "embedOrigins", ie.Field)
	}
	many := make([]string, video.MaxEmbedOrigins+1)
	for i := range many {
		many[i] = "https://example.com"
	}
	_, err = video.EmbedOrigins(many)
	require.Error(t, err)
}
