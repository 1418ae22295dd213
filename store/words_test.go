package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestSubtitleWords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	owner, err := s.CreateUser(ctx, "words@example.com", "Owner", "hash")
	require.NoError(t, err)
	v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "t", Privacy: store.PrivacyPublic})
	require.NoError(t, err)

	_, err = s.SubtitleWords(ctx, v.ID, "en")
	require.ErrorIs(t, err, store.ErrNotFound, "no words before any are stored")
	require.Error(t, s.PutSubtitleWords(ctx, v.ID, "en", []store.SubtitleWord{{Text: "x"}}),
		"words belong to a track: none without it")

	require.NoError(t, s.PutSubtitleTrack(ctx, store.SubtitleTrack{VideoID: v.ID, Language: "en", Label: "English",
		Provenance: store.ProvenanceGenerated, VTTKey: "k.vtt", SRTKey: "k.srt"},
		[]store.SubtitleCue{{Start: time.Second, End: 2 * time.Second, Text: "Hello, “world”"}}))
	words := []store.SubtitleWord{
		{Start: 1000 * time.Millisecond, End: 1400 * time.Millisecond, Text: "Hello,"},
		{Start: 1450 * time.Millisecond, End: 1990 * time.Millisecond, Text: "“world”"},
	}
	require.NoError(t, s.PutSubtitleWords(ctx, v.ID, "en", words))
	got, err := s.SubtitleWords(ctx, v.ID, "en")
	require.NoError(t, err)
	require.Equal(t, words, got, "times to the millisecond and the text as recognised")

	// Generating again replaces them.
	require.NoError(t, s.PutSubtitleWords(ctx, v.ID, "en", words[1:]))
	got, err = s.SubtitleWords(ctx, v.ID, "en")
	require.NoError(t, err)
	require.Equal(t, words[1:], got)
	require.NoError(t, s.PutSubtitleWords(ctx, v.ID, "en", nil))
	got, err = s.SubtitleWords(ctx, v.ID, "en")
	require.NoError(t, err)
	require.Empty(t, got, "a track can have no words")

	// They go with their video.
	require.NoError(t, s.PutSubtitleWords(ctx, v.ID, "en", words))
	_, err = s.Pool().Exec(ctx, `DELETE FROM videos WHERE id = $1`, v.ID)
	require.NoError(t, err)
	_, err = s.SubtitleWords(ctx, v.ID, "en")
	require.ErrorIs(t, err, store.ErrNotFound)
}
