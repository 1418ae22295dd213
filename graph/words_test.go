package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

// SubtitleTrack.words: the recognised words of a generated track, timed
// for the video as it plays (through its edit), null for the owner's.
func TestSubtitleWordsFollowTheEdit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("words@example.com", "Owner")
	id := e.makeVideos("words@example.com", 1, "PUBLIC", true)[0]
	ctx := context.Background()
	vid := uuid.MustParse(id)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	require.NoError(t, e.store.PutSubtitleTrack(ctx, store.SubtitleTrack{VideoID: vid, Language: "en", Label: "English (auto-generated)",
		Provenance: store.ProvenanceGenerated, VTTKey: "videos/" + id + "/subtitles/en.vtt", SRTKey: "videos/" + id + "/subtitles/en.srt"},
		[]store.SubtitleCue{{Start: ms(1000), End: ms(4000), Text: "We cut the boring part."}}))
	require.NoError(t, e.store.PutSubtitleWords(ctx, vid, "en", []store.SubtitleWord{
		{Start: ms(1000), End: ms(1200), Text: "We"},
		{Start: ms(1300), End: ms(1500), Text: "cut"},
		{Start: ms(1600), End: ms(1700), Text: "the"},
		{Start: ms(1800), End: ms(2400), Text: "boring"},
		{Start: ms(2500), End: ms(3000), Text: "part."},
	}))
	type word struct {
		Start, End float64
		Text       string
	}
	words := func() []word {
		var out struct {
			Video struct {
				Subtitles []struct {
					Language string
					Words    []word
				}
			}
		}
		e.decode(e.query(`query($id: ID!) { video(id: $id) { subtitles { language words { start end text } } } }`,
			map[string]any{"id": id}, bearer(owner.Token)), &out)
		require.Len(t, out.Video.Subtitles, 1)
		return out.Video.Subtitles[0].Words
	}
	original := []word{{1, 1.2, "We"}, {1.3, 1.5, "cut"}, {1.6, 1.7, "the"}, {1.8, 2.4, "boring"}, {2.5, 3, "part."}}
	require.Equal(t, original, words())

	// The edit cuts "the boring" (1.6 to 2.4) and the first half second:
	// the words in the cut are gone, later ones shifted by what was cut
	// before them.
	setEdit := func(keep string) {
		_, err := e.store.Pool().Exec(ctx, `UPDATE videos SET edit = $2::jsonb WHERE id = $1`, vid, keep)
		require.NoError(t, err)
	}
	setEdit(`[{"start": 0.5, "end": 1.6}, {"start": 2.4, "end": 10}]`)
	require.Equal(t, []word{{0.5, 0.7, "We"}, {0.8, 1, "cut"}, {1.2, 1.7, "part."}}, words())

	// A cut through a word keeps it when its middle is kept, clipped.
	setEdit(`[{"start": 0, "end": 1.45}, {"start": 2, "end": 10}]`)
	require.Equal(t, []word{{1, 1.2, "We"}, {1.3, 1.45, "cut"}, {1.45, 1.85, "boring"}, {1.95, 2.45, "part."}}, words())

	// Undo restores them.
	_, err := e.store.Pool().Exec(ctx, `UPDATE videos SET edit = NULL WHERE id = $1`, vid)
	require.NoError(t, err)
	require.Equal(t, original, words())

	// Corrected by the owner, the track's words would disagree with its
	// cues: none are shown.
	r := e.query(`mutation($id: ID!) { updateSubtitles(videoId: $id, language: "en", vtt: "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nWe cut it.\n") { provenance words { text } } }`,
		map[string]any{"id": id}, bearer(owner.Token))
	var upd struct {
		UpdateSubtitles struct {
			Provenance string
			Words      []word
		}
	}
	e.decode(r, &upd)
	require.Equal(t, "EDITED", upd.UpdateSubtitles.Provenance)
	require.Nil(t, upd.UpdateSubtitles.Words)
	require.Nil(t, words())
}
