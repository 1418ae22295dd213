package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/store"
)

func TestWebhookPrefixIsAbsoluteAndSignedForPrivateVideos(t *testing.T) {
	t.Parallel()
	signer, err := auth.NewSigner([][]byte{bytes.Repeat([]byte("w"), 32)})
	require.NoError(t, err)
	var links jobs.WebhookMedia = &mediaLinks{signer: signer, base: "https://video.example.com/"}
	id := uuid.New()
	prefix, expires := links.WebhookPrefix(id, store.PrivacyPublic, time.Hour)
	require.Equal(t, "https://video.example.com"+layout.PublicPath(id), prefix)
	require.Nil(t, expires)
	// An unlisted video's id opens nothing, and its public id may be
	// rotated: its webhooks carry signed URLs, as a private video's.
	for _, privacy := range []string{store.PrivacyUnlisted, store.PrivacyPrivate} {
		prefix, expires := links.WebhookPrefix(id, privacy, 3*time.Hour)
		signed := "https://video.example.com" + layout.BasePath + "t/"
		require.True(t, strings.HasPrefix(prefix, signed), prefix)
		token := strings.SplitN(strings.TrimPrefix(prefix, signed), "/", 2)[0]
		require.NoError(t, delivery.VerifyToken(signer, id, token))
		require.NotNil(t, expires)
		require.True(t, expires.After(time.Now().Add(2*time.Hour)) && expires.Before(time.Now().Add(4*time.Hour)), "%s", expires)
	}
}
