package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
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
	"github.com/clipcut/clipcut/video"
	"github.com/clipcut/clipcut/webhook"
)

// testBase is the public base URL payloads' playback URLs are built on.
const testBase = "https://clipcut.example"

// signedMedia is jobs.WebhookMedia as the server builds it: public paths
// for public and unlisted videos, paths signed for ttl with a real signer
// for private ones.
type signedMedia struct{ signer *auth.Signer }

func newSignedMedia(t *testing.T) signedMedia {
	s, err := auth.NewSigner([][]byte{bytes.Repeat([]byte("s"), 32)})
	require.NoError(t, err)
	return signedMedia{signer: s}
}

func (m signedMedia) WebhookPrefix(id uuid.UUID, privacy string, ttl time.Duration) (string, *time.Time) {
	if privacy != store.PrivacyPrivate {
		return testBase + layout.PublicPath(id), nil
	}
	expires := time.Now().Add(ttl)
	_, path := delivery.SignedPath(m.signer, id, expires)
	return testBase + path, &expires
}

// timestampField matches every "*_at" string in a JSON body.
var timestampField = regexp.MustCompile(`"[a-z_]+_at":"([^"]*)"`)

// requireZTimestamps checks that every timestamp in a raw webhook body is
// RFC 3339 in UTC with a "Z".
func requireZTimestamps(t *testing.T, body []byte) {
	t.Helper()
	ms := timestampField.FindAllSubmatch(body, -1)
	require.NotEmpty(t, ms, "%s", body)
	for _, m := range ms {
		ts := string(m[1])
		_, err := time.Parse(time.RFC3339Nano, ts)
		require.NoError(t, err, "%s in %s", ts, body)
		require.True(t, strings.HasSuffix(ts, "Z"), "%s in %s", ts, body)
	}
}

func TestWebhookPayloadsCarrySignedPlaybackOfPrivateVideos(t *testing.T) {
	t.Parallel()
	media := newSignedMedia(t)
	settings := fastRetries(loopback, time.Minute)
	settings.Media, settings.PlaybackTTL = media, 2*time.Hour
	st, _, owner := newWebhookWorkers(t, settings)
	ctx := context.Background()
	secret := webhook.NewSecret()
	recv := newReceiver(t, secret)
	_, err := st.CreateWebhook(ctx, owner, recv.srv.URL, []string{webhook.VideoCreated, webhook.VideoPlayable, webhook.VideoReady}, secret)
	require.NoError(t, err)

	v, err := st.CreateVideo(ctx, store.NewVideo{OwnerID: owner, Title: "Private", Privacy: store.PrivacyPrivate})
	require.NoError(t, err)
	renditions := `[{"name":"360p","width":640,"height":360,"bandwidth":800000,"codecs":"avc1","playlist":"` +
		layout.RenditionPrefix(v.ID, "360p") + `/index.m3u8"}]`
	_, err = st.Pool().Exec(ctx, `UPDATE videos SET playable = true, renditions = $2, poster_key = $3, passthrough = 'order-4711' WHERE id = $1`,
		v.ID, renditions, layout.Poster(v.ID))
	require.NoError(t, err)
	_, err = st.Pool().Exec(ctx, `UPDATE videos SET status = 'READY' WHERE id = $1`, v.ID)
	require.NoError(t, err)
	recv.waitFor(webhook.VideoCreated, webhook.VideoPlayable, webhook.VideoReady)

	recv.mu.Lock()
	requests := append([]received(nil), recv.requests...)
	recv.mu.Unlock()
	for _, req := range requests {
		requireZTimestamps(t, req.body)
		var data struct {
			Video map[string]json.RawMessage `json:"video"`
		}
		require.NoError(t, json.Unmarshal(req.envelope.Data, &data))
		if req.envelope.Type != webhook.VideoCreated {
			require.JSONEq(t, `"order-4711"`, string(data.Video["passthrough"]), "%s echoes the passthrough", req.envelope.Type)
		}
		raw, has := data.Video["playback"]
		if req.envelope.Type == webhook.VideoCreated {
			require.False(t, has, "video.created carries no playback")
			continue
		}
		require.True(t, has, "%s carries playback: %s", req.envelope.Type, req.body)
		var p map[string]any
		require.NoError(t, json.Unmarshal(raw, &p))
		hls := p["hls_url"].(string)
		signedPrefix := testBase + layout.BasePath + "t/"
		require.True(t, strings.HasPrefix(hls, signedPrefix), hls)
		require.True(t, strings.HasSuffix(hls, "/videos/"+v.ID.String()+"/hls/master.m3u8"), hls)
		token := strings.SplitN(strings.TrimPrefix(hls, signedPrefix), "/", 2)[0]
		require.NoError(t, delivery.VerifyToken(media.signer, v.ID, token), "a real signature for this video")
		require.Error(t, delivery.VerifyToken(media.signer, uuid.New(), token), "for this video only")
		require.Equal(t, strings.TrimSuffix(hls, "hls/master.m3u8")+"poster.jpg", p["poster_url"])
		require.Contains(t, p, "preview_url")
		require.Nil(t, p["preview_url"], "no preview made")
		require.Nil(t, p["storyboard_url"])
		require.Equal(t, []any{map[string]any{"name": "360p", "width": 640.0, "height": 360.0, "bandwidth": 800000.0}},
			p["renditions"], "renditions without storage keys")
		require.Equal(t, []any{}, p["captions"])
		expires, err := time.Parse(time.RFC3339Nano, p["expires_at"].(string))
		require.NoError(t, err)
		require.True(t, expires.After(time.Now().Add(time.Hour)) && expires.Before(time.Now().Add(3*time.Hour)),
			"valid for the configured two hours: %s", expires)
	}
}

func TestWebhookSecretRotationSignsWithBothDuringTheGracePeriod(t *testing.T) {
	t.Parallel()
	st, client, owner := newWebhookWorkers(t, fastRetries(loopback, time.Minute))
	ctx := context.Background()
	old := webhook.NewSecret()
	recv := newReceiver(t, old)
	hook, err := st.CreateWebhook(ctx, owner, recv.srv.URL, []string{webhook.VideoReady}, old)
	require.NoError(t, err)
	videos := video.New(video.Config{Store: st, Queue: jobs.NewQueue(client)})
	// send delivers a test event and returns its request as received.
	send := func() received {
		t.Helper()
		d, err := videos.SendTestWebhook(ctx, hook.ID, owner)
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			recv.mu.Lock()
			defer recv.mu.Unlock()
			n := len(recv.requests)
			return n > 0 && recv.requests[n-1].envelope.ID == d.EventID
		}, time.Minute, 20*time.Millisecond)
		recv.mu.Lock()
		defer recv.mu.Unlock()
		return recv.requests[len(recv.requests)-1]
	}
	v1s := func(r received) int { return strings.Count(r.header.Get(webhook.SignatureHeader), "v1=") }
	require.Equal(t, 1, v1s(send()))

	// Rotated with a grace period: both secrets sign, so the receiver
	// still holding the old one accepts, and so does one switched to
	// the new one.
	newer := webhook.NewSecret()
	hook, err = st.RotateWebhookSecret(ctx, hook.ID, owner, newer, time.Hour)
	require.NoError(t, err)
	require.Equal(t, newer, hook.Secret)
	require.NotNil(t, hook.GraceEnds(time.Now()))
	r := send()
	require.Equal(t, 2, v1s(r), r.header.Get(webhook.SignatureHeader))
	require.NoError(t, webhook.Verify(newer, r.header, r.body, time.Now()))
	require.NoError(t, webhook.Verify(old, r.header, r.body, time.Now()))
	recv.secret.Store(&newer)
	require.Equal(t, 2, v1s(send()))

	// The grace period over, the old secret signs no more.
	_, err = st.Pool().Exec(ctx, `UPDATE webhooks SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, hook.ID)
	require.NoError(t, err)
	r = send()
	require.Equal(t, 1, v1s(r))
	require.ErrorIs(t, webhook.Verify(old, r.header, r.body, time.Now()), webhook.ErrSignatureMismatch)

	// Rotated without a grace period: only the newest signs at once.
	newest := webhook.NewSecret()
	hook, err = st.RotateWebhookSecret(ctx, hook.ID, owner, newest, 0)
	require.NoError(t, err)
	require.Nil(t, hook.PreviousSecret)
	recv.secret.Store(&newest)
	r = send()
	require.Equal(t, 1, v1s(r))
	require.ErrorIs(t, webhook.Verify(newer, r.header, r.body, time.Now()), webhook.ErrSignatureMismatch)

	_, err = st.RotateWebhookSecret(ctx, hook.ID, uuid.New(), webhook.NewSecret(), time.Hour)
	require.ErrorIs(t, err, store.ErrNotFound, "not someone else's webhook")
}
