package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// TestInstrumentLabels checks the request counter's labels: the route
// pattern, a bounded method (anything unusual is OTHER, so a client
// cannot create series at will) and the status.
func TestInstrumentLabels(t *testing.T) {
	t.Parallel()
	m := newMetrics()
	h := m.instrument("/media/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	for _, method := range []string{"GET", "GET", "HEAD", "FROB", "X-ANYTHING-1", "X-ANYTHING-2"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/media/x", nil))
	}
	require.Equal(t, 2.0, testutil.ToFloat64(m.requests.WithLabelValues("/media/", "GET", "200")))
	require.Equal(t, 1.0, testutil.ToFloat64(m.requests.WithLabelValues("/media/", "HEAD", "404")))
	require.Equal(t, 3.0, testutil.ToFloat64(m.requests.WithLabelValues("/media/", "OTHER", "200")))
	require.Equal(t, 3, testutil.CollectAndCount(m.requests), "one series per route, method and status")
	require.Equal(t, 1, testutil.CollectAndCount(m.latency))
}
