package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// postEvents POSTs body to the analytics endpoint as contentType and
// returns the status, the Retry-After header and the body; header holds
// extra header names and values.
func postEvents(t *testing.T, p *process, contentType, body string, header ...string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+p.addr+"/api/v1/analytics/events", strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

// eventBatch is a batch of n events of a new session of a new viewer.
func eventBatch(video string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"videoId":%q,"viewerId":%q,"sessionId":%q,"seq":0,"events":[`, video, uuid.NewString(), uuid.NewString())
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		switch i {
		case 0:
			b.WriteString(`{"seq":0,"type":"play","t":0,"pos":0}`)
		case 1:
			b.WriteString(`{"seq":1,"type":"first_frame","t":250,"pos":0,"rendition":"360p"}`)
		default:
			fmt.Fprintf(&b, `{"seq":%d,"type":"heartbeat","t":%d,"pos":%d,"rendition":"360p","buffer":4}`, i, 250+i*10, i/100)
		}
	}
	b.WriteString("]}")
	return b.String()
}

// metric reads one sample of clipcut's /metrics (0 when absent).
func metric(t *testing.T, p *process, sample string) float64 {
	t.Helper()
	code, body := p.get(t, "/metrics")
	require.Equal(t, http.StatusOK, code)
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			require.NoError(t, err)
			return f
		}
	}
	return 0
}

// TestAnalyticsEventsEndpoint drives POST /api/v1/analytics/events of the
// real binary as players and sendBeacon do, and with every kind of bad
// request.
func TestAnalyticsEventsEndpoint(t *testing.T) {
	t.Parallel()
	// 10 events per second from one address, bursts of 100.
	p := startClipcut(t, traversableTempDir(t), "CLIPCUT_ANALYTICS_IP_RATE=10")
	p.waitReady(t)
	out, _ := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := out["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	// The ingester only needs the video to exist: an upload not yet sent
	// will do.
	video, _ := createUpload(t, p, token, "Clip", 1000)

	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		want                    string
	}{
		{"JSON", "application/json", eventBatch(video, 3), http.StatusAccepted, `{"accepted":3,"dropped":0}`},
		{"sendBeacon's text/plain", "text/plain;charset=UTF-8", eventBatch(video, 3), http.StatusAccepted, `{"accepted":3,"dropped":0}`},
		{"no content type", "", eventBatch(video, 2), http.StatusAccepted, `{"accepted":2,"dropped":0}`},
		{"unknown video: ignored", "application/json", eventBatch(uuid.NewString(), 3), http.StatusAccepted, `{"accepted":0,"dropped":3}`},
		{"oversize", "application/json", eventBatch(video, 2)[:20] + strings.Repeat(" ", 64<<10) + `"x"}`, http.StatusRequestEntityTooLarge, "64 KiB"},
		{"wrong type", "application/x-www-form-urlencoded", eventBatch(video, 3), http.StatusUnsupportedMediaType, "application/json or text/plain"},
		{"unparseable type", "text/", eventBatch(video, 3), http.StatusUnsupportedMediaType, "application/json or text/plain"},
		{"not JSON", "application/json", `{"videoId":`, http.StatusBadRequest, "not a JSON batch"},
		{"not a batch", "application/json", `[1, 2, 3]`, http.StatusBadRequest, "not a JSON batch"},
		{"viewer id not a UUID", "application/json", strings.Replace(eventBatch(video, 3), `"viewerId":"`, `"viewerId":"alice-`, 1), http.StatusBadRequest, "viewerId"},
		{"no events", "application/json", eventBatch(video, 0), http.StatusBadRequest, "event"},
	} {
		code, _, body := postEvents(t, p, tc.contentType, tc.body)
		require.Equal(t, tc.status, code, "%s: %s", tc.name, body)
		if tc.status == http.StatusAccepted {
			require.JSONEq(t, tc.want, body, tc.name)
		} else {
			require.Contains(t, body, tc.want, tc.name)
		}
	}
	require.Equal(t, 3.0, metric(t, p, `clipcut_analytics_events_dropped_total{reason="unknown_video"}`), "events of unknown videos are counted")
	require.Equal(t, 8.0, metric(t, p, "clipcut_analytics_events_accepted_total"))
	deadline := time.Now().Add(60 * time.Second)
	for metric(t, p, "clipcut_analytics_events_written_total") < 8 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, 8.0, metric(t, p, "clipcut_analytics_events_written_total"), "accepted events reach the database")

	// A flood from one address: refused with 429 and Retry-After once
	// the burst is spent, and counted.
	var code int
	var retryAfter, body string
	for range 10 {
		if code, retryAfter, body = postEvents(t, p, "text/plain", eventBatch(video, 40)); code != http.StatusAccepted {
			break
		}
	}
	require.Equal(t, http.StatusTooManyRequests, code, body)
	secs, err := strconv.Atoi(retryAfter)
	require.NoError(t, err, "Retry-After is a number of seconds: %q", retryAfter)
	require.Positive(t, secs)
	require.Contains(t, body, "slow down")
	require.Equal(t, 40.0, metric(t, p, `clipcut_analytics_events_dropped_total{reason="rate_limited"}`))
}

// TestAnalyticsEventsOfAPrivateVideo: the endpoint takes no credentials, so
// events of a PRIVATE video are dropped (and counted) unless they come with
// its owner's.
func TestAnalyticsEventsOfAPrivateVideo(t *testing.T) {
	t.Parallel()
	p := startClipcut(t, traversableTempDir(t))
	p.waitReady(t)
	out, _ := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := out["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	video, _ := createUpload(t, p, token, "Clip", 1000)
	out, _ = p.graphql(t, `mutation { updateVideo(input: {id: "`+video+`", privacy: PRIVATE}) { privacy } }`, "Authorization", "Bearer "+token)
	require.Equal(t, map[string]any{"updateVideo": map[string]any{"privacy": "PRIVATE"}}, out["data"], "%v", out)

	code, _, body := postEvents(t, p, "text/plain", eventBatch(video, 3))
	require.Equal(t, http.StatusAccepted, code, body)
	require.JSONEq(t, `{"accepted":0,"dropped":3}`, body, "answered like an unknown video")
	require.Equal(t, 3.0, metric(t, p, `clipcut_analytics_events_dropped_total{reason="not_visible"}`))

	code, _, body = postEvents(t, p, "application/json", eventBatch(video, 3), "Authorization", "Bearer "+token)
	require.Equal(t, http.StatusAccepted, code, body)
	require.JSONEq(t, `{"accepted":3,"dropped":0}`, body, "the owner's own events count")
}
