package delivery

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
)

func TestLinkTokens(t *testing.T) {
	t.Parallel()
	signer, err := auth.NewSigner([][]byte{bytes.Repeat([]byte("k"), 32)})
	require.NoError(t, err)
	video, other, link := uuid.New(), uuid.New(), uuid.New()
	token, path := SignedLinkPath(signer, video, link, time.Now().Add(time.Hour))
	require.True(t, strings.HasPrefix(path, "/media/t/"+token+"/videos/"+video.String()))

	got, signed, isLink, ok := splitToken(token)
	require.True(t, ok)
	require.True(t, isLink)
	require.Equal(t, link, got)
	require.NoError(t, VerifyToken(signer, video, token))
	require.ErrorIs(t, VerifyToken(signer, other, token), auth.ErrBadSignature, "made for another video")

	// The MAC covers the link: the same signature under another link id
	// fails, and so does a plain media token's text without the link.
	forged := "l" + linkIDEncoding.EncodeToString(other[:]) + "." + signed
	require.ErrorIs(t, VerifyToken(signer, video, forged), auth.ErrBadSignature)
	require.ErrorIs(t, VerifyToken(signer, video, signed), auth.ErrBadSignature)

	// One spelling per link: stray bits in the id's last character, a
	// short id or no signature are not link tokens.
	enc := token[1:23]
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", enc[21])
	alt := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last^1]
	for _, bad := range []string{"l" + enc[:21] + string(alt) + token[23:], "l" + enc[:20] + token[23:], "l" + enc} {
		_, _, _, ok := splitToken(bad)
		require.False(t, ok, bad)
		require.True(t, errors.Is(VerifyToken(signer, video, bad), auth.ErrBadSignature), bad)
	}

	// The expiry a link token claims is read for the redirect's bound.
	req, ok := parsePath(path + "/hls/master.m3u8")
	require.True(t, ok)
	require.WithinDuration(t, time.Now().Add(time.Hour), req.tokenExpiry, time.Minute)
}

func TestRequestOrigin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ origin, referer, want string }{
		{"https://Blog.example.com", "", "https://blog.example.com"},
		{"", "https://blog.example.com:8443/post?x=1", "https://blog.example.com:8443"},
		{"null", "https://blog.example.com/post", "https://blog.example.com"},
		{"", "/relative", ""},
		{"", "", ""},
	} {
		r := httptest.NewRequest("GET", "/media/", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if tc.referer != "" {
			r.Header.Set("Referer", tc.referer)
		}
		require.Equal(t, tc.want, requestOrigin(r), "%+v", tc)
	}
}
