package layout

import "github.com/google/uuid"

// PlaybackObjects are the stored objects a video's playback points at
// beside its master playlist; a nil key is an object not made (yet).
type PlaybackObjects struct {
	Poster     *string
	Storyboard *string
	// Preview is the short animated preview; nil until one exists.
	Preview *string
}

// PlaybackLinks are a video's playback URLs under one media prefix.
type PlaybackLinks struct {
	HLS        string
	Poster     *string
	Storyboard *string
	Preview    *string
}

// Playback builds the playback URLs of video id under prefix (its public
// or signed path, absolute behind a base URL: see URL). It is the one
// place the GraphQL Playback type and webhook payloads get their URLs
// from, so an object added here appears in both.
func Playback(prefix string, id uuid.UUID, o PlaybackObjects) PlaybackLinks {
	at := func(key *string) *string {
		if key == nil {
			return nil
		}
		u := URL(prefix, id, *key)
		return &u
	}
	return PlaybackLinks{HLS: URL(prefix, id, Master(id)), Poster: at(o.Poster),
		Storyboard: at(o.Storyboard), Preview: at(o.Preview)}
}
