package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// request sends one REST request to the instance and returns the answer's
// status, header and body. bearer, when set, is a token or a whole
// "Bearer …" credential (a test may send a malformed one); contentType,
// when set, is the request's Content-Type.
func (p *process) request(t *testing.T, method, url, bearer, contentType string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+p.addr+url, body)
	require.NoError(t, err)
	if bearer != "" {
		if !strings.HasPrefix(bearer, "Bearer ") {
			bearer = "Bearer " + bearer
		}
		req.Header.Set("Authorization", bearer)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}
