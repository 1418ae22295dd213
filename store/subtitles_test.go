package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestSubtitleTracksAndTranscriptSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	owner, err := s.CreateUser(ctx, "owner@example.com", "Owner", "hash")
	require.NoError(t, err)
	other, err := s.CreateUser(ctx, "other@example.com", "Other", "hash")
	require.NoError(t, err)
	mk := func(privacy string, lines ...string) store.Video {
		v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "t", Privacy: privacy})
		require.NoError(t, err)
		_, err = s.Pool().Exec(ctx, "UPDATE videos SET playable = true WHERE id = $1", v.ID)
		require.NoError(t, err)
		var cues []store.SubtitleCue
		for i, l := range lines {
			cues = append(cues, store.SubtitleCue{Start: time.Duration(i*2) * time.Second, End: time.Duration(i*2+2) * time.Second, Text: l})
		}
		require.NoError(t, s.PutSubtitleTrack(ctx, store.SubtitleTrack{VideoID: v.ID, Language: "en", Label: "English",
			Provenance: store.ProvenanceGenerated, VTTKey: "k.vtt", SRTKey: "k.srt"}, cues))
		return v
	}
	public := mk(store.PrivacyPublic, "the weather is nice today", "let us talk about rivers", "rivers flow to the sea")
	unlisted := mk(store.PrivacyUnlisted, "secret rivers of the north")
	private := mk(store.PrivacyPrivate, "private rivers")

	got, err := s.SearchTranscripts(ctx, "rivers", store.Viewer{UserID: other.ID}, 10, 10)
	require.NoError(t, err)
	require.Len(t, got, 1, "others find public videos only")
	require.Equal(t, public.ID, got[0].VideoID)
	require.Len(t, got[0].Cues, 2)
	require.Equal(t, 2*time.Second, got[0].Cues[0].Start, "cues in time order with their start")

	got, err = s.SearchTranscripts(ctx, "rivers", store.Viewer{UserID: owner.ID}, 10, 10)
	require.NoError(t, err)
	require.Len(t, got, 3, "the owner finds all of theirs")
	_ = unlisted
	_ = private

	got, err = s.SearchTranscripts(ctx, `"talk about" -sea`, store.Viewer{}, 10, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "let us talk about rivers", got[0].Cues[0].Text)

	// Replacing a track replaces its cues.
	require.NoError(t, s.PutSubtitleTrack(ctx, store.SubtitleTrack{VideoID: public.ID, Language: "en", Label: "English",
		Provenance: store.ProvenanceEdited, VTTKey: "k.vtt", SRTKey: "k.srt"}, []store.SubtitleCue{{End: time.Second, Text: "edited"}}))
	got, err = s.SearchTranscripts(ctx, "weather", store.Viewer{}, 10, 10)
	require.NoError(t, err)
	require.Empty(t, got)
	tracks, err := s.SubtitleTracksByVideos(ctx, []uuid.UUID{public.ID, private.ID})
	require.NoError(t, err)
	require.Equal(t, store.ProvenanceEdited, tracks[public.ID][0].Provenance)
	require.Equal(t, 1, tracks[public.ID][0].CueCount)
	status, _, err := s.SubtitlesStatus(ctx, public.ID)
	require.NoError(t, err)
	require.Equal(t, store.SubtitlesReady, status)
}
