package outbound_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/outbound"
)

// The guarded transport refuses a refused address before connecting, with
// an error that names it; the same transport reaches it once allowed.
func TestTransportRefusesAtDialTime(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()

	def := &http.Client{Transport: outbound.Policy{}.Transport(time.Second)}
	_, err := def.Get(srv.URL)
	var blocked *outbound.BlockedError
	require.ErrorAs(t, err, &blocked)
	require.ErrorIs(t, err, outbound.ErrBlockedAddress)
	require.Equal(t, "127.0.0.1", blocked.Addr.String())
	require.Contains(t, err.Error(), "127.0.0.1 is private, loopback, link-local or reserved")
	require.Zero(t, hits.Load())

	allowed := outbound.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	resp, err := (&http.Client{Transport: allowed.Transport(time.Second)}).Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	require.EqualValues(t, 1, hits.Load())
}

// Redirects are followed to http and https only, a bounded number of
// times, and each hop's address goes through the dialer's check.
func TestFollowRedirects(t *testing.T) {
	t.Parallel()
	allowed := outbound.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	mux := http.NewServeMux()
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/a", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(r.Host, "127.0.0.1", "http://127.0.0.2", 1)+"/x", http.StatusFound)
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/final", http.StatusFound) })
	mux.HandleFunc("/final", func(http.ResponseWriter, *http.Request) {})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := &http.Client{Transport: allowed.Transport(time.Second), CheckRedirect: outbound.FollowRedirects(3)}

	resp, err := c.Get(srv.URL + "/ok")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "/final", resp.Request.URL.Path)
	for path, want := range map[string]error{"/ftp": outbound.ErrRedirect, "/loop": outbound.ErrRedirect, "/private": outbound.ErrBlockedAddress} {
		_, err := c.Get(srv.URL + path)
		require.True(t, errors.Is(err, want), "%s: %v", path, err)
	}
}
