package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

const trackFields = `language label generated provenance vttUrl srtUrl`

func TestSubtitleEditingUploadingAndSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	other := e.signUp("other@example.com", "Other")
	id := e.makeVideos("owner@example.com", 1, "PUBLIC", true)[0]

	const upload = `mutation($id: ID!, $lang: String!, $content: String!) { uploadSubtitles(videoId: $id, language: $lang, content: $content) { ` + trackFields + ` } }`
	const update = `mutation($id: ID!, $lang: String!, $vtt: String!) { updateSubtitles(videoId: $id, language: $lang, vtt: $vtt) { ` + trackFields + ` } }`

	// A malformed file is refused, naming the line.
	r := e.query(update, map[string]any{"id": id, "lang": "en", "vtt": "WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nbackwards\n"}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Equal(t, "vtt", r.Errors[0].Extensions["field"])
	require.Contains(t, r.Errors[0].Message, "line 3")
	r = e.query(upload, map[string]any{"id": id, "lang": "en", "content": "1\n00:00:01,000 --> nonsense\nhi\n"}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Contains(t, r.Errors[0].Message, "line 2")

	// Only the owner may change subtitles.
	r = e.query(upload, map[string]any{"id": id, "lang": "en", "content": "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n"}, bearer(other.Token))
	require.Equal(t, "FORBIDDEN", r.code())
	r = e.query(upload, map[string]any{"id": id, "lang": "not a language!", "content": "WEBVTT\n"}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Equal(t, "language", r.Errors[0].Extensions["field"])

	// An SRT upload becomes a track with both formats.
	var out struct {
		UploadSubtitles struct {
			Language, Label, Provenance, VttURL, SrtURL string
			Generated                                   bool
		}
	}
	e.decode(e.query(upload, map[string]any{"id": id, "lang": "fr",
		"content": "1\n00:00:01,000 --> 00:00:03,000\nBonjour tout le monde\n\n2\n00:00:04,000 --> 00:00:06,000\nLes rivières coulent\n"}, bearer(owner.Token)), &out)
	require.Equal(t, "fr", out.UploadSubtitles.Language)
	require.Equal(t, "UPLOADED", out.UploadSubtitles.Provenance)
	require.False(t, out.UploadSubtitles.Generated)
	// File names are versioned by content: cached copies of an older
	// version can never be served for a newer one.
	require.Regexp(t, `^http://media\.test/media/videos/`+id+`/subtitles/fr\.[0-9a-f]{10}\.vtt$`, out.UploadSubtitles.VttURL)
	require.Equal(t, strings.TrimSuffix(out.UploadSubtitles.VttURL, ".vtt")+".srt", out.UploadSubtitles.SrtURL)

	// An edit of a track keeps it and records the edit.
	var edited struct{ UpdateSubtitles struct{ Provenance string } }
	e.decode(e.query(update, map[string]any{"id": id, "lang": "en", "vtt": "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello rivers\n"}, bearer(owner.Token)), &edited)
	require.Equal(t, "EDITED", edited.UpdateSubtitles.Provenance)

	var video struct {
		Video struct {
			Subtitles     []struct{ Language, Provenance string }
			SubtitleState struct{ Status string }
		}
	}
	e.decode(e.query(`query($id: ID!) { video(id: $id) { subtitles { language provenance } subtitleState { status } } }`, map[string]any{"id": id}), &video)
	require.Len(t, video.Video.Subtitles, 2)
	require.Equal(t, "en", video.Video.Subtitles[0].Language)
	require.Equal(t, "ready", video.Video.SubtitleState.Status)

	var found struct {
		SearchTranscripts []struct {
			Video struct{ ID string }
			Cues  []struct {
				Start float64
				Text  string
			}
		}
	}
	e.decode(e.query(`{ searchTranscripts(query: "rivières") { video { id } cues { start text } } }`, nil), &found)
	require.Len(t, found.SearchTranscripts, 1)
	require.Equal(t, id, found.SearchTranscripts[0].Video.ID)
	require.Equal(t, 4.0, found.SearchTranscripts[0].Cues[0].Start)
	r = e.query(`{ searchTranscripts(query: "") { cues { text } } }`, nil)
	require.Equal(t, "BAD_USER_INPUT", r.code())

	// Regenerating needs a READY video and queues the job.
	r = e.query(`mutation($id: ID!) { regenerateSubtitles(videoId: $id) { subtitleState { status } } }`, map[string]any{"id": id}, bearer(owner.Token))
	require.Empty(t, r.Errors)
	require.JSONEq(t, `{"regenerateSubtitles":{"subtitleState":{"status":"pending"}}}`, string(r.Data))
}

// A label that cannot stand in the master playlist's NAME="..." is refused
// before anything is written, and a label stored before that check (or by
// any other path) never breaks later subtitle writes.
func TestSubtitleLabelsAreValidatedAndNeverBreakLaterWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	id := e.makeVideos("owner@example.com", 1, "PUBLIC", true)[0]
	// A transcoded video: subtitle writes republish its master playlist.
	_, err := e.store.Pool().Exec(context.Background(), `UPDATE videos SET renditions = $2 WHERE id = $1`, id,
		[]store.Rendition{{Name: "360p", Width: 640, Height: 360, Bandwidth: 800000, Codecs: "avc1.4d401e,mp4a.40.2", FrameRate: 30, Playlist: "videos/" + id + "/hls/360p/index.m3u8"}})
	require.NoError(t, err)

	const upload = `mutation($id: ID!, $lang: String!, $content: String!, $label: String) { uploadSubtitles(videoId: $id, language: $lang, content: $content, label: $label) { language label } }`
	const content = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n"
	tracks := func() int {
		var n int
		require.NoError(t, e.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM subtitle_tracks WHERE video_id = $1`, id).Scan(&n))
		return n
	}
	for _, label := range []string{`The "director's" cut`, "two\nlines", "tab\there", "bell\x07", strings.Repeat("x", 81)} {
		r := e.query(upload, map[string]any{"id": id, "lang": "en", "content": content, "label": label}, bearer(owner.Token))
		require.Equal(t, "BAD_USER_INPUT", r.code(), "label %q", label)
		require.Equal(t, "label", r.Errors[0].Extensions["field"], "label %q", label)
		require.Zero(t, tracks(), "a refused upload (label %q) wrote a track", label)
	}

	// Later uploads still work, and so do they when a stored label holds
	// what the playlist cannot (a row from before the check).
	r := e.query(upload, map[string]any{"id": id, "lang": "en", "content": content, "label": "English, director's cut"}, bearer(owner.Token))
	require.Empty(t, r.Errors)
	_, err = e.store.Pool().Exec(context.Background(), `UPDATE subtitle_tracks SET label = $2 WHERE video_id = $1`, id, "A \"quoted\"\r\nlabel")
	require.NoError(t, err)
	r = e.query(upload, map[string]any{"id": id, "lang": "fr", "content": content, "label": "Français"}, bearer(owner.Token))
	require.Empty(t, r.Errors)
	const update = `mutation($id: ID!, $lang: String!, $vtt: String!) { updateSubtitles(videoId: $id, language: $lang, vtt: $vtt) { label } }`
	r = e.query(update, map[string]any{"id": id, "lang": "en", "vtt": content}, bearer(owner.Token))
	require.Empty(t, r.Errors)
	require.Equal(t, 2, tracks())
}
