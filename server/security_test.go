package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseOriginsAcceptsOnlyOrigins(t *testing.T) {
	t.Parallel()
	got, err := parseOrigins(" https://App.example.com , http://localhost:5173/,*")
	require.NoError(t, err)
	require.Equal(t, []string{"https://app.example.com", "http://localhost:5173", "*"}, got)
	for _, bad := range []string{"app.example.com", "https://app.example.com/path", "ftp://x", "https://x?y=1"} {
		_, err := parseOrigins(bad)
		require.Error(t, err, bad)
	}
}

func TestCORSLetsListedOriginsCallTheAPIWithoutCredentials(t *testing.T) {
	t.Parallel()
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := withCORS([]string{"https://app.example.com"}, next)
	tests := []struct {
		name, method, path, origin string
		status                     int
		allow                      string
	}{
		{"listed origin", "POST", "/graphql", "https://app.example.com", http.StatusTeapot, "https://app.example.com"},
		{"preflight", "OPTIONS", "/graphql", "https://app.example.com", http.StatusNoContent, "https://app.example.com"},
		{"REST", "GET", "/api/v1/videos/x/status", "https://app.example.com", http.StatusTeapot, "https://app.example.com"},
		{"other origin", "POST", "/graphql", "https://evil.example", http.StatusTeapot, ""},
		{"other origin preflight is not answered", "OPTIONS", "/graphql", "https://evil.example", http.StatusTeapot, ""},
		{"not an API path", "GET", "/", "https://app.example.com", http.StatusTeapot, ""},
		{"same origin", "POST", "/graphql", "", http.StatusTeapot, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.method == "OPTIONS" {
				req.Header.Set("Access-Control-Request-Method", "POST")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.status, rec.Code)
			require.Equal(t, tc.allow, rec.Header().Get("Access-Control-Allow-Origin"))
			require.Empty(t, rec.Header().Get("Access-Control-Allow-Credentials"), "cookies never cross origins")
			if tc.status == http.StatusNoContent {
				require.Contains(t, rec.Header().Get("Access-Control-Allow-Headers"), "Authorization")
			}
		})
	}
	require.Equal(t, "*", func() string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/graphql", nil)
		req.Header.Set("Origin", "https://any.example")
		withCORS([]string{"*"}, next).ServeHTTP(rec, req)
		return rec.Header().Get("Access-Control-Allow-Origin")
	}())
}

func TestSecurityHeadersAndHSTSBehindHTTPS(t *testing.T) {
	t.Parallel()
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	serve := func(publicURL string, trustProxy bool, proto string) http.Header {
		req := httptest.NewRequest("GET", "/videos/x", nil)
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		rec := httptest.NewRecorder()
		withSecurityHeaders(publicURL, trustProxy, next).ServeHTTP(rec, req)
		return rec.Header()
	}
	h := serve("", false, "https")
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	require.Equal(t, "strict-origin-when-cross-origin", h.Get("Referrer-Policy"))
	require.Equal(t, "frame-ancestors 'none'", h.Get("Content-Security-Policy"))
	require.Empty(t, h.Get("Strict-Transport-Security"), "an untrusted X-Forwarded-Proto is ignored")
	require.NotEmpty(t, serve("", true, "https").Get("Strict-Transport-Security"), "behind a trusted HTTPS proxy")
	require.NotEmpty(t, serve("https://video.example.com", false, "").Get("Strict-Transport-Security"), "an https public URL")
	require.Empty(t, serve("http://localhost:8080", false, "").Get("Strict-Transport-Security"))
}
