package video

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/store"
)

// Update changes a video's title, description, privacy and embed origins
// (nil fields keep their value) for its owner or an administrator.
func (s *Service) Update(ctx context.Context, id uuid.UUID, viewer store.Viewer, c store.VideoChanges) (store.Video, error) {
	if c.EmbedOrigins != nil {
		origins, err := EmbedOrigins(c.EmbedOrigins)
		if err != nil {
			return store.Video{}, err
		}
		c.EmbedOrigins = origins
	}
	v, err := s.store.UpdateVideo(ctx, id, viewer, c)
	if err != nil || c.Description == nil {
		return v, err
	}
	return v, s.publishChapters(ctx, v) // the description's chapters may have changed
}

// MaxEmbedOrigins is how many origins a video may list as allowed to embed it.
const MaxEmbedOrigins = 20

// EmbedOrigins checks and normalises the origins allowed to frame a
// video's embed page: each https://host[:port] (http:// too, for local
// sites), lower case, without path, query, user or wildcard, since each
// becomes a frame-ancestors source. Duplicates are dropped; the result is
// never nil.
func EmbedOrigins(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	if len(in) > MaxEmbedOrigins {
		return nil, badInput("embedOrigins", "At most %d origins may embed a video.", MaxEmbedOrigins)
	}
	for _, raw := range in {
		o := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(raw), "/"))
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" ||
			u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
			strings.ContainsAny(u.Host, "*;, '\"") || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#") {
			return nil, badInput("embedOrigins", "%q is not an origin like https://blog.example.com or https://example.com:8443.", raw)
		}
		if port := u.Port(); port == "" && strings.HasSuffix(u.Host, ":") {
			return nil, badInput("embedOrigins", "%q is not an origin like https://blog.example.com or https://example.com:8443.", raw)
		}
		o = u.Scheme + "://" + u.Host
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Delete deletes a video the viewer owns (or any, for administrators)
// and, in the same transaction, queues the removal of its upload and
// everything stored for it: the row cannot go without its files following.
// An administrator deleting someone else's video is audited as
// AdminDeleteVideo is.
func (s *Service) Delete(ctx context.Context, id uuid.UUID, viewer store.Viewer) error {
	return s.deleteVideo(ctx, viewer, id, nil, false)
}
