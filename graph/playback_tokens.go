package graph

import (
	"context"
	"errors"
	"time"

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

// Bounds of createPlaybackToken's ttl, in seconds.
const (
	minPlaybackTTL     = 60
	maxPlaybackTTL     = 7 * 86400
	defaultPlaybackTTL = 86400
)

// playbackTokenArgs validates createPlaybackToken's ttl and
// allowedOrigins: the expiry, whole seconds (what the token signs and the
// row keeps agree), and the origins normalised as embed origins are.
func playbackTokenArgs(ttl *int, allowedOrigins []string) (time.Time, []string, error) {
	seconds := defaultPlaybackTTL
	if ttl != nil {
		seconds = *ttl
	}
	if seconds < minPlaybackTTL || seconds > maxPlaybackTTL {
		return time.Time{}, nil, badInput("ttl", "ttl must be between %d and %d seconds (7 days).", minPlaybackTTL, maxPlaybackTTL)
	}
	origins, err := video.EmbedOrigins(allowedOrigins)
	var ie *video.InputError
	if errors.As(err, &ie) {
		return time.Time{}, nil, badInput("allowedOrigins", "%s", ie.Message)
	}
	if err != nil {
		return time.Time{}, nil, err
	}
	return time.Now().Add(time.Duration(seconds) * time.Second).Truncate(time.Second), origins, nil
}

// playbackToken is a share link's answer: its token (signed again, the
// same text while the signing key is) and playback URLs under it.
func (r *Resolver) playbackToken(ctx context.Context, t store.PlaybackToken, v store.Video) *model.PlaybackToken {
	token, prefix := r.Media.SignedLink(ctx, t.VideoID, t.ID, t.ExpiresAt)
	expires := t.ExpiresAt
	return &model.PlaybackToken{ID: t.ID, Token: token, CreatedAt: t.CreatedAt, ExpiresAt: expires,
		AllowedOrigins: t.AllowedOrigins, Playback: playbackAt(prefix, &expires, model.VideoFrom(v))}
}
