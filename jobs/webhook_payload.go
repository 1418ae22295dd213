package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/webhook"
)

// DefaultWebhookPlaybackTTL is how long the signed playback URLs in a
// webhook payload stay valid (private videos' URLs; others' never expire).
const DefaultWebhookPlaybackTTL = 24 * time.Hour

// WebhookMedia builds the absolute media prefix of a video for webhook
// payloads: stable for public videos, signed for ttl (then expires is
// set) for unlisted ones (whose public id may be rotated) and private
// ones. server's media links implement it
// over the instance's public (or media) base URL.
type WebhookMedia interface {
	WebhookPrefix(id uuid.UUID, privacy string, ttl time.Duration) (prefix string, expires *time.Time)
}

// playbackEvents are the event types whose payload carries
// data.video.playback, built when the delivery is sent (so a redelivery
// carries URLs valid from then).
var playbackEvents = map[string]bool{
	webhook.VideoPlayable: true, webhook.VideoReady: true, webhook.VideoEdited: true,
}

// WebhookPlayback is data.video.playback: where to play the video, with
// absolute URLs (signed for private videos, valid until expires_at).
type WebhookPlayback struct {
	HLSURL        string             `json:"hls_url"`
	PosterURL     *string            `json:"poster_url"`
	PreviewURL    *string            `json:"preview_url"`
	StoryboardURL *string            `json:"storyboard_url"`
	Captions      []WebhookCaption   `json:"captions"`
	Renditions    []WebhookRendition `json:"renditions"`
	ExpiresAt     *time.Time         `json:"expires_at"`
}

// WebhookCaption is one subtitle track of a payload's playback.
type WebhookCaption struct {
	Language string `json:"language"`
	Label    string `json:"label"`
	VTTURL   string `json:"vtt_url"`
}

// WebhookRendition is one HLS rendition of a payload's playback.
type WebhookRendition struct {
	Name      string `json:"name"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Bandwidth int    `json:"bandwidth"`
}

// webhookPlayback builds the playback of the event's video as it is now;
// nil when the video is gone or not playable (a later event says more).
func (w *WebhookDeliveryWorker) webhookPlayback(ctx context.Context, o store.OutgoingDelivery) (*WebhookPlayback, error) {
	if w.settings.Media == nil || o.Event.VideoID == nil {
		return nil, nil
	}
	v, err := w.deps.Store.VideoByID(ctx, *o.Event.VideoID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !v.Playable {
		return nil, nil
	}
	prefix, expires := w.settings.Media.WebhookPrefix(v.ID, v.Privacy, w.settings.PlaybackTTL)
	l := layout.Playback(prefix, v.ID, v.PlaybackObjects())
	p := &WebhookPlayback{HLSURL: l.HLS, PosterURL: l.Poster, PreviewURL: l.Preview, StoryboardURL: l.Storyboard,
		Captions: []WebhookCaption{}, Renditions: []WebhookRendition{}}
	if expires != nil {
		t := expires.UTC()
		p.ExpiresAt = &t
	}
	for _, r := range v.Renditions {
		p.Renditions = append(p.Renditions, WebhookRendition{Name: r.Name, Width: r.Width, Height: r.Height, Bandwidth: r.Bandwidth})
	}
	tracks, err := w.deps.Store.SubtitleTracksByVideos(ctx, []uuid.UUID{v.ID})
	if err != nil {
		return nil, err
	}
	for _, t := range tracks[v.ID] {
		p.Captions = append(p.Captions, WebhookCaption{Language: t.Language, Label: t.Label, VTTURL: layout.URL(prefix, v.ID, t.VTTKey)})
	}
	return p, nil
}

// webhookData is the payload's data as sent: the outbox's data with every
// timestamp in RFC 3339 UTC ("Z", as the envelope's created_at; the
// database writes "+00:00"), and data.video.playback for playbackEvents.
func (w *WebhookDeliveryWorker) webhookData(ctx context.Context, o store.OutgoingDelivery) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(o.Event.Data))
	dec.UseNumber()
	var data map[string]any
	if err := dec.Decode(&data); err != nil || data == nil {
		return o.Event.Data, nil //nolint:nilerr // not an object: sent as written
	}
	normalizeTimes(data)
	if video, ok := data["video"].(map[string]any); ok && playbackEvents[o.Event.Type] {
		p, err := w.webhookPlayback(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("webhook playback: %w", err)
		}
		video["playback"] = p
	}
	out, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("webhook data: %w", err)
	}
	return out, nil
}

// normalizeTimes rewrites, in place, every "*_at" string holding an
// RFC 3339 timestamp to UTC with a "Z".
func normalizeTimes(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && strings.HasSuffix(k, "_at") {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					v[k] = t.UTC().Format(time.RFC3339Nano)
				}
				continue
			}
			normalizeTimes(x)
		}
	case []any:
		for _, x := range v {
			normalizeTimes(x)
		}
	}
}
