package main

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/store"
)

// mediaLinks builds playback URLs (graph.MediaLinks): under
// CLIPCUT_MEDIA_BASE_URL when set (a CDN in front of /media/), otherwise
// under the URL the request came to.
type mediaLinks struct {
	signer *auth.Signer
	// base is CLIPCUT_MEDIA_BASE_URL or, when empty, CLIPCUT_PUBLIC_URL.
	base string
	// privateTTL is how long the signed URLs handed to a private video's
	// viewers stay valid.
	privateTTL time.Duration
}

func (l *mediaLinks) baseFor(ctx context.Context) string {
	if l.base != "" {
		return strings.TrimSuffix(l.base, "/")
	}
	return auth.ClientFrom(ctx).BaseURL
}

// Prefix implements graph.MediaLinks.
func (l *mediaLinks) Prefix(ctx context.Context, id uuid.UUID, privacy, publicID string) (string, *time.Time) {
	switch privacy {
	case store.PrivacyPublic:
		return l.baseFor(ctx) + layout.PublicPath(id), nil
	case store.PrivacyUnlisted:
		// The public id form without the video id (layout.PublicIDPath):
		// strangers must not learn the id, and the public id is what
		// rotatePublicId revokes. The owner gets it too: it is the link
		// they share.
		return l.baseFor(ctx) + layout.PublicIDPath(publicID), nil
	}
	// Rounded up to the hour so that repeated requests for the same video
	// share URLs that the browser and a CDN can cache.
	expires := time.Now().Add(l.privateTTL).Truncate(time.Hour).Add(time.Hour)
	_, path := delivery.SignedPath(l.signer, id, expires)
	return l.baseFor(ctx) + path, &expires
}

// Signed implements graph.MediaLinks.
func (l *mediaLinks) Signed(ctx context.Context, id uuid.UUID, ttl time.Duration) (string, string, time.Time) {
	expires := time.Now().Add(ttl)
	token, path := delivery.SignedPath(l.signer, id, expires)
	return token, l.baseFor(ctx) + path, expires
}

// WebhookPrefix implements jobs.WebhookMedia: under the configured base
// URL (webhook payloads have no request to take one from), signed for ttl
// for private videos.
func (l *mediaLinks) WebhookPrefix(id uuid.UUID, privacy string, ttl time.Duration) (string, *time.Time) {
	base := strings.TrimSuffix(l.base, "/")
	if privacy == store.PrivacyPublic {
		return base + layout.PublicPath(id), nil
	}
	// UNLISTED too: the receiver gets a signed URL, not the public id,
	// which rotatePublicId may replace.
	expires := time.Now().Add(ttl)
	_, path := delivery.SignedPath(l.signer, id, expires)
	return base + path, &expires
}

// SignedLink implements graph.MediaLinks.
func (l *mediaLinks) SignedLink(ctx context.Context, id, linkID uuid.UUID, expires time.Time) (string, string) {
	token, path := delivery.SignedLinkPath(l.signer, id, linkID, expires)
	return token, l.baseFor(ctx) + path
}
