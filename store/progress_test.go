package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// legacyMediaInfo is media_info exactly as clipcut wrote it before the
// probe result had a version: media.Probe's SourceInfo marshalled as is
// (from a 640x360 H.264 + AAC clip).
const legacyMediaInfo = `{"format":"mov,mp4,m4a,3gp,3g2,mj2","duration":2,"size":455203,"bitrate":1820812,` +
	`"video":{"index":0,"codec":"h264","profile":"Constrained Baseline","width":640,"height":360,` +
	`"display_width":640,"display_height":360,"sample_aspect_ratio":"1","frame_rate":"25","avg_frame_rate":"25",` +
	`"r_frame_rate":"25","pixel_format":"yuv420p","bitrate":1739912},` +
	`"audio":{"index":1,"codec":"aac","channels":1,"channel_layout":"mono","sample_rate":48000,"bitrate":69937}}`

func TestProbeResultIsStoredTypedAndReadBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	processing := func() uuid.UUID {
		owner, err := s.CreateUser(ctx, uuid.NewString()+"@example.com", "Owner", "hash")
		require.NoError(t, err)
		v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "t"})
		require.NoError(t, err)
		_, err = s.Pool().Exec(ctx, `UPDATE videos SET status = 'PROCESSING' WHERE id = $1`, v.ID)
		require.NoError(t, err)
		return v.ID
	}
	setRaw := func(id uuid.UUID, raw *string) {
		_, err := s.Pool().Exec(ctx, `UPDATE videos SET media_info = $2 WHERE id = $1`, id, raw)
		require.NoError(t, err)
	}

	t.Run("round trip", func(t *testing.T) {
		id := processing()
		_, err := s.ProbeResult(ctx, id)
		require.ErrorIs(t, err, store.ErrNoProbeResult, "not probed yet")

		info := media.SourceInfo{Format: "mov,mp4,m4a,3gp,3g2,mj2", Duration: 12.48, Size: 1 << 20, Bitrate: 800_000,
			Video: &media.VideoStream{Index: 0, Codec: "hevc", Profile: "Main 10", Width: 1920, Height: 1080, Rotation: 90,
				DisplayWidth: 1080, DisplayHeight: 1920, SampleAspectRatio: media.Rational{Num: 1, Den: 1},
				FrameRate: media.Rational{Num: 30000, Den: 1001}, AvgFrameRate: media.Rational{Num: 2987, Den: 100},
				RealFrameRate: media.Rational{Num: 30, Den: 1}, VFR: true, PixelFormat: "yuv420p10le", Interlaced: true,
				ColorTransfer: "arib-std-b67", ColorPrimaries: "bt2020", ColorSpace: "bt2020nc", HDR: true},
			Audio: &media.AudioStream{Index: 1, Codec: "aac", Channels: 2, ChannelLayout: "stereo", SampleRate: 48000},
		}
		require.NoError(t, s.InTx(ctx, func(tx pgx.Tx) error { return s.SetProbeResultTx(ctx, tx, id, info) }))
		got, err := s.ProbeResult(ctx, id)
		require.NoError(t, err)
		require.Equal(t, info, got)

		v, err := s.VideoByID(ctx, id)
		require.NoError(t, err)
		require.Equal(t, 12.48, *v.Duration)
		require.Equal(t, 1080, *v.Width, "the display size, rotated")
		require.Equal(t, 1920, *v.Height)
		require.Equal(t, store.StageTranscode, v.Stage)

		var version int
		require.NoError(t, s.Pool().QueryRow(ctx, `SELECT (media_info->>'version')::int FROM videos WHERE id = $1`, id).Scan(&version))
		require.Equal(t, store.ProbeResultVersion, version)
	})

	t.Run("audio only", func(t *testing.T) {
		id := processing()
		info := media.SourceInfo{Format: "mp3", Duration: 3, Size: 4096, Audio: &media.AudioStream{Codec: "mp3", Channels: 1, SampleRate: 44100}}
		require.NoError(t, s.InTx(ctx, func(tx pgx.Tx) error { return s.SetProbeResultTx(ctx, tx, id, info) }))
		got, err := s.ProbeResult(ctx, id)
		require.NoError(t, err)
		require.Equal(t, info, got)
		v, err := s.VideoByID(ctx, id)
		require.NoError(t, err)
		require.Nil(t, v.Width)
	})

	t.Run("rows written before the version field", func(t *testing.T) {
		id := processing()
		setRaw(id, ptr(legacyMediaInfo))
		got, err := s.ProbeResult(ctx, id)
		require.NoError(t, err)
		require.Equal(t, 2.0, got.Duration)
		require.NotNil(t, got.Video)
		require.Equal(t, 640, got.Video.DisplayWidth)
		require.Equal(t, media.Rational{Num: 25, Den: 1}, got.Video.FrameRate)
		require.NotNil(t, got.Audio)
		require.Equal(t, 1, got.Audio.Index)
	})

	for name, raw := range map[string]*string{
		"absent":             nil,
		"JSON null":          ptr("null"),
		"not an object":      ptr(`[1, 2]`),
		"wrong types":        ptr(`{"duration": "long", "video": {"width": 640}}`),
		"no streams":         ptr(`{"format": "mp4", "duration": 2}`),
		"a newer layout":     ptr(`{"version": 99, "duration": 2, "audio": {"codec": "aac"}}`),
		"a negative version": ptr(`{"version": -1, "duration": 2, "audio": {"codec": "aac"}}`),
		"an invalid rate":    ptr(`{"duration": 2, "video": {"frame_rate": "fast"}}`),
		"an operator's note": ptr(`{"note": "re-uploaded by hand"}`),
	} {
		t.Run("unusable: "+name, func(t *testing.T) {
			id := processing()
			setRaw(id, raw)
			_, err := s.ProbeResult(ctx, id)
			require.ErrorIs(t, err, store.ErrNoProbeResult)
		})
	}

	_, err := s.ProbeResult(ctx, uuid.New())
	require.ErrorIs(t, err, store.ErrNotFound)
}
