package media

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// argsGolden renders an argv one argument per line, so golden diffs read
// like a review.
func argsGolden(args []string) []byte {
	return []byte(strings.Join(args, "\n") + "\n")
}

func TestLadderArgsGolden(t *testing.T) {
	t.Parallel()
	hdr := video(3840, 2160, Rational{60000, 1001}, 90)
	hdr.Index = 0
	hdr.HDR, hdr.Interlaced = true, false
	hdr.ColorTransfer, hdr.ColorPrimaries, hdr.ColorSpace = "arib-std-b67", "bt2020", "bt2020nc"
	interlaced := video(1920, 1080, Rational{25, 1}, 0)
	interlaced.Interlaced = true

	tests := []struct {
		name string
		src  SourceInfo
		opts EncodeOptions
	}{
		{"ladder_1080p", SourceInfo{Duration: 60, Video: video(1920, 1080, Rational{30, 1}, 0), Audio: stereo48k}, EncodeOptions{}},
		{"ladder_hdr_phone", SourceInfo{Duration: 60, Video: hdr, Audio: stereo48k}, EncodeOptions{}},
		{"ladder_interlaced_abr", SourceInfo{Duration: 60, Video: interlaced}, EncodeOptions{Preset: "fast", SegmentSeconds: 6, RateControl: AverageBitrate, Threads: 2}},
		{"ladder_audio_only", SourceInfo{Duration: 12.5, Audio: stereo48k}, EncodeOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ladder := PlanLadder(tt.src, LadderOptions{})
			args := LadderArgs("/uploads/source.mov", tt.src, ladder, "/media/v1", tt.opts)
			golden(t, tt.name+".args", argsGolden(args))
		})
	}
}

// TestTranscodeLadder runs the real single-decode ladder on a small clip
// and checks what players depend on: every rendition decodes at its planned
// size, keyframes sit on identical timestamps in every rendition, segments
// are ~4 s, playlists only ever list finished segments, and progress is
// monotonic and ends with Done.
func TestTranscodeLadder(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	ctx := testContext(t, 90*time.Second)
	in := fixture(t, "src480")
	src, err := Probe(ctx, ffprobe, in)
	require.NoError(t, err)
	ladder := PlanLadder(*src, LadderOptions{})
	require.Equal(t, []string{"480p", "360p", "240p"}, names(ladder))

	out := t.TempDir()
	var (
		mu        sync.Mutex
		progress  []Progress
		snapshots int
		problems  []string
	)
	// Runs on the goroutine reading ffmpeg's output, so it records
	// problems instead of failing the test from the wrong goroutine.
	onProgress := func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		progress = append(progress, p)
		// Playable early: whatever a playlist lists at any moment must be
		// complete on disk (no half-written segment is ever listed).
		for _, r := range ladder {
			pl, err := ReadMediaPlaylist(filepath.Join(out, r.Name, MediaPlaylistName))
			if err != nil {
				continue // not written yet
			}
			snapshots++
			for _, s := range pl.Segments {
				fi, err := os.Stat(filepath.Join(out, r.Name, s.URI))
				switch {
				case err != nil:
					problems = append(problems, "listed segment missing: "+err.Error())
				case strings.HasSuffix(s.URI, ".tmp") || fi.Size() == 0 || fi.Size()%188 != 0:
					problems = append(problems, "listed segment incomplete: "+s.URI)
				}
			}
		}
	}
	start := time.Now()
	err = Transcode(ctx, ffmpeg, LadderArgs(in, *src, ladder, out, EncodeOptions{}), onProgress)
	require.NoError(t, err)
	require.Empty(t, problems)
	t.Logf("ladder transcode of %.1fs source: %v, %d playlist snapshots", src.Duration, time.Since(start), snapshots)

	require.NotEmpty(t, progress)
	require.True(t, progress[len(progress)-1].Done, "last progress is Done")
	for i := 1; i < len(progress); i++ {
		require.GreaterOrEqual(t, progress[i].OutTime, progress[i-1].OutTime, "monotonic")
		require.False(t, progress[i-1].Done, "only the last is Done")
	}
	require.InDelta(t, src.Duration, progress[len(progress)-1].OutTime.Seconds(), 0.5)

	var keyframes [][]string
	var results []RenditionResult
	for _, r := range ladder {
		dir := filepath.Join(out, r.Name)
		playlist := filepath.Join(dir, MediaPlaylistName)
		pl, err := ReadMediaPlaylist(playlist)
		require.NoError(t, err)
		require.Equal(t, "EVENT", pl.PlaylistType)
		require.True(t, pl.EndList)
		require.True(t, pl.IndependentSegments)
		// Fast start: the first 4 s in 1-second segments, then 4 s ones
		// (the 6 s source ends after 2 s of its second 4 s segment).
		require.Len(t, pl.Segments, 5, "6 s in 1+1+1+1+2 s segments")
		for i, want := range []float64{1, 1, 1, 1, 2} {
			require.InDelta(t, want, pl.Segments[i].Duration, 0.05, "segment %d", i)
		}
		require.InDelta(t, src.Duration, pl.Duration(), 0.1)
		leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
		require.Empty(t, leftovers)

		require.NoError(t, FinalizeMediaPlaylistFile(playlist))
		pl, err = ReadMediaPlaylist(playlist)
		require.NoError(t, err)
		require.Equal(t, "VOD", pl.PlaylistType)
		require.True(t, pl.EndList)

		// Decodes cleanly at the planned size.
		require.Empty(t, decodeErrors(t, ffmpeg, playlist))
		var streams struct {
			Streams []struct {
				CodecType string `json:"codec_type"`
				Width     int    `json:"width"`
				Height    int    `json:"height"`
				Profile   string `json:"profile"`
				Level     int    `json:"level"`
				Channels  int    `json:"channels"`
			} `json:"streams"`
		}
		probeJSON(t, ffprobe, &streams, "-show_streams", filepath.Join(dir, pl.Segments[0].URI))
		require.Len(t, streams.Streams, 2)
		require.Equal(t, "video", streams.Streams[0].CodecType)
		require.Equal(t, r.Width, streams.Streams[0].Width)
		require.Equal(t, r.Height, streams.Streams[0].Height)
		require.Equal(t, r.Level, streams.Streams[0].Level)
		require.Equal(t, "audio", streams.Streams[1].CodecType)
		require.Equal(t, 2, streams.Streams[1].Channels)

		// Keyframes of the whole rendition (segments concatenated, as a
		// player sees them).
		var all bytes.Buffer
		for _, s := range pl.Segments {
			b, err := os.ReadFile(filepath.Join(dir, s.URI))
			require.NoError(t, err)
			all.Write(b)
		}
		joined := filepath.Join(t.TempDir(), r.Name+".ts")
		require.NoError(t, os.WriteFile(joined, all.Bytes(), 0o644))
		keyframes = append(keyframes, keyframeTimes(t, ffprobe, joined))

		res, err := MeasureRendition(ctx, ffprobe, playlist)
		require.NoError(t, err)
		require.Equal(t, r.Name, res.Name)
		require.Equal(t, r.Name+"/index.m3u8", res.URI)
		require.Equal(t, [2]int{r.Width, r.Height}, [2]int{res.Width, res.Height})
		require.Equal(t, r.Codecs(), res.Codecs, "planned CODECS must match the stream")
		require.InDelta(t, 30.0, res.FrameRate, 0.001)
		require.InDelta(t, 1.4, res.StartTime, 0.2, "ffmpeg's MPEG-TS start offset")
		require.GreaterOrEqual(t, res.Bandwidth, res.AverageBandwidth)
		require.Positive(t, res.AverageBandwidth)
		require.LessOrEqual(t, res.Bandwidth, r.PlannedBandwidth()*2, "peak within reason of the plan")
		results = append(results, res)
	}

	// Aligned keyframes: the same timestamps in every rendition, one per
	// segment: every second for the fast-start segments, then every 4 s.
	require.Len(t, keyframes[0], 5)
	for i := 1; i < len(keyframes); i++ {
		require.Equal(t, keyframes[0], keyframes[i], "keyframes of %s vs %s", ladder[0].Name, ladder[i].Name)
	}
	for i := 1; i < len(keyframes[0]); i++ {
		require.InDelta(t, 1.0, atof(t, keyframes[0][i])-atof(t, keyframes[0][i-1]), 0.001)
	}

	var master bytes.Buffer
	require.NoError(t, WriteMasterPlaylist(&master, results, nil))
	require.Equal(t, 3, strings.Count(master.String(), "#EXT-X-STREAM-INF"))
	require.NoError(t, os.WriteFile(filepath.Join(out, "master.m3u8"), master.Bytes(), 0o644))
	// ffmpeg itself can play the master (it picks a variant).
	require.Empty(t, decodeErrors(t, ffmpeg, filepath.Join(out, "master.m3u8")))
}

// TestTranscodeFastStartCadence checks the segment and keyframe cadence
// past the fast-start segments: 1 s segments for the first 4 s, then 4 s
// ones, with a keyframe starting each.
func TestTranscodeFastStartCadence(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	ctx := testContext(t, 60*time.Second)
	in := fixture(t, "tiny11")
	src, err := Probe(ctx, ffprobe, in)
	require.NoError(t, err)
	ladder := PlanLadder(*src, LadderOptions{})
	require.Len(t, ladder, 1)
	out := t.TempDir()
	require.NoError(t, Transcode(ctx, ffmpeg, LadderArgs(in, *src, ladder, out, EncodeOptions{Preset: "ultrafast"}), nil))

	playlist := filepath.Join(out, ladder[0].Name, MediaPlaylistName)
	pl, err := ReadMediaPlaylist(playlist)
	require.NoError(t, err)
	want := []float64{1, 1, 1, 1, 4, 3}
	require.Len(t, pl.Segments, len(want))
	var all bytes.Buffer
	for i, s := range pl.Segments {
		require.InDelta(t, want[i], s.Duration, 0.05, "segment %d", i)
		b, err := os.ReadFile(filepath.Join(out, ladder[0].Name, s.URI))
		require.NoError(t, err)
		all.Write(b)
	}
	joined := filepath.Join(t.TempDir(), "all.ts")
	require.NoError(t, os.WriteFile(joined, all.Bytes(), 0o644))
	kf := keyframeTimes(t, ffprobe, joined)
	require.Len(t, kf, len(want), "one keyframe per segment")
	for i, gap := range []float64{1, 1, 1, 1, 4} {
		require.InDelta(t, gap, atof(t, kf[i+1])-atof(t, kf[i]), 0.001, "keyframe %d", i+1)
	}
}

// TestTranscodeSpecialSources runs one-rung ladders for sources that take
// special paths through the filter graph.
func TestTranscodeSpecialSources(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	tests := []struct {
		fixture      string
		rungs        []int
		wantW, wantH int
		wantAudio    bool
	}{
		// autorotate must apply inside -filter_complex: portrait output.
		{"rotated", []int{240}, 240, 426, false},
		// Audio-only: a still background picture plus the audio.
		{"audioonly", nil, 640, 360, true},
		// HLG tone-mapped to SDR and converted to 8-bit.
		{"hdr", []int{180}, 320, 180, false},
		{"interlaced", []int{240}, 320, 240, false},
		// VFR normalised to a constant rate.
		{"vfr", []int{240}, 320, 240, false},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t, 60*time.Second)
			in := fixture(t, tt.fixture)
			src, err := Probe(ctx, ffprobe, in)
			require.NoError(t, err)
			ladder := PlanLadder(*src, LadderOptions{Rungs: tt.rungs})
			require.Len(t, ladder, 1)
			out := t.TempDir()
			require.NoError(t, Transcode(ctx, ffmpeg, LadderArgs(in, *src, ladder, out, EncodeOptions{}), nil))

			playlist := filepath.Join(out, ladder[0].Name, MediaPlaylistName)
			require.Empty(t, decodeErrors(t, ffmpeg, playlist))
			pl, err := ReadMediaPlaylist(playlist)
			require.NoError(t, err)
			require.InDelta(t, src.Duration, pl.Duration(), 0.25)

			var streams struct {
				Streams []struct {
					CodecType    string `json:"codec_type"`
					Width        int    `json:"width"`
					Height       int    `json:"height"`
					PixFmt       string `json:"pix_fmt"`
					AvgFrameRate string `json:"avg_frame_rate"`
				} `json:"streams"`
			}
			probeJSON(t, ffprobe, &streams, "-show_streams", filepath.Join(out, ladder[0].Name, pl.Segments[0].URI))
			var sawAudio bool
			for _, s := range streams.Streams {
				switch s.CodecType {
				case "video":
					require.Equal(t, [2]int{tt.wantW, tt.wantH}, [2]int{s.Width, s.Height})
					require.Equal(t, "yuv420p", s.PixFmt)
				case "audio":
					sawAudio = true
				}
			}
			require.Equal(t, tt.wantAudio, sawAudio)

			res, err := MeasureRendition(ctx, ffprobe, playlist)
			require.NoError(t, err)
			require.Equal(t, ladder[0].Codecs(), res.Codecs)
			require.InDelta(t, ladder[0].FrameRate.Float(), res.FrameRate, 0.001, "constant output rate")
		})
	}
}

func TestTranscodeRejectsCorruptInput(t *testing.T) {
	t.Parallel()
	ffmpeg, _ := tools(t)
	// A probe result for a file that has since turned out to be garbage
	// (or a probe that was fooled): ffmpeg's failure must read as a
	// rejection, not as something to retry.
	src := SourceInfo{Duration: 4, Video: video(1280, 720, Rational{25, 1}, 0)}
	ladder := PlanLadder(src, LadderOptions{Rungs: []int{240}})
	err := Transcode(testContext(t, 30*time.Second), ffmpeg,
		LadderArgs(fixture(t, "truncated"), src, ladder, t.TempDir(), EncodeOptions{}), nil)
	rej, ok := AsReject(err)
	require.True(t, ok, "want RejectError, got %v", err)
	require.Contains(t, rej.Reason, "moov atom not found")
}

func TestTranscodeCancelKillsFFmpeg(t *testing.T) {
	t.Parallel()
	ffmpeg, _ := tools(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// An endless encode; cancel as soon as it reports progress.
	args := []string{"-hide_banner", "-nostdin", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30",
		"-c:v", "libx264", "-preset", "ultrafast", "-f", "null", "-progress", "pipe:1", "-nostats", "-"}
	// The encode never ends on its own: Transcode returning at all shows
	// that cancelling killed ffmpeg.
	var once sync.Once
	err := Transcode(ctx, ffmpeg, args, func(p Progress) { once.Do(cancel) })
	require.ErrorIs(t, err, context.Canceled)
	_, isReject := AsReject(err)
	require.False(t, isReject)
}

func TestTranscodeMissingFFmpeg(t *testing.T) {
	t.Parallel()
	err := Transcode(t.Context(), filepath.Join(t.TempDir(), "ffmpeg"), []string{"-version"}, nil)
	require.Error(t, err)
	_, isReject := AsReject(err)
	require.False(t, isReject)
}

func TestProgressParser(t *testing.T) {
	t.Parallel()
	var got []Progress
	p := &progressParser{emit: func(pr Progress) { got = append(got, pr) }}
	w := &lineWriter{fn: p.line}
	// Real ffmpeg 5.1 output, including its N/A values, the padded speed
	// and out_time_ms that is really microseconds; split mid-line on
	// purpose.
	out := "frame=0\nfps=0.00\nstream_0_0_q=0.0\nbitrate=N/A\ntotal_size=N/A\nout_time_us=N/A\nout_time_ms=N/A\nout_time=N/A\ndup_frames=0\ndrop_frames=0\nspeed=N/A\nprogress=continue\n" +
		"frame=60\nfps=0.00\nout_time_us=2000000\nout_time_ms=2000000\nout_time=00:00:02.000000\nspeed=   4x\nprogress=continue\n" +
		"frame=50\nout_time_us=1900000\nspeed=3.9x\nprogress=continue\n" +
		"frame=120\nout_time_ms=4017044\nspeed=4.02x\nprogress=end\n"
	for i := 0; i < len(out); i += 7 {
		_, _ = w.Write([]byte(out[i:min(i+7, len(out))]))
	}
	require.Equal(t, []Progress{
		{OutTime: 0, Frame: 0, Speed: 0},
		{OutTime: 2 * time.Second, Frame: 60, Speed: 4},
		{OutTime: 2 * time.Second, Frame: 50, Speed: 3.9}, // clamped: never goes back
		{OutTime: 4017044 * time.Microsecond, Frame: 120, Speed: 4.02, Done: true},
	}, got)
	require.Equal(t, 1.0, got[3].Fraction(time.Second))
	require.InDelta(t, 0.5, got[1].Fraction(4*time.Second), 1e-9)
	require.Zero(t, got[0].Fraction(0))
	require.False(t, math.IsNaN(got[1].Fraction(0)))
}

func names(ladder []Rendition) []string {
	var out []string
	for _, r := range ladder {
		out = append(out, r.Name)
	}
	return out
}

// TestTranscodeSharedAudio checks that rungs with the same audio settings
// share one AAC encode (identical audio packets in their segments) while
// each rung's segments still carry audio, and that an output directory
// with characters the tee muxer treats specially works.
func TestTranscodeSharedAudio(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	ctx := testContext(t, 90*time.Second)
	in, src, ladder := plannedFixture(ctx, t, "hd720", "720p", "480p", "360p", "240p")

	args := LadderArgs(in, *src, ladder, "/out", EncodeOptions{})
	audioMaps := 0
	for i, a := range args {
		if a == "-map" && args[i+1] == "0:1" {
			audioMaps++
		}
	}
	require.Equal(t, 2, audioMaps, "one AAC encode per distinct bit rate (128k, 96k), not one per rung")

	out := filepath.Join(t.TempDir(), `it's: a [weird] | dir\ `)
	require.NoError(t, Transcode(ctx, ffmpeg, LadderArgs(in, *src, ladder, out, EncodeOptions{Preset: "ultrafast"}), nil))

	// audioPackets lists the audio packets of a rendition's first segment
	// as "pts size" lines: equal lists mean one encoder produced both.
	audioPackets := func(r Rendition) string {
		t.Helper()
		seg := filepath.Join(out, r.Name, "seg_00000.ts")
		cmd := exec.CommandContext(ctx, ffprobe, "-v", "error", "-select_streams", "a",
			"-show_entries", "packet=pts,size", "-of", "csv=p=0", seg)
		b, err := cmd.Output()
		require.NoError(t, err, "ffprobe %s", seg)
		require.NotEmpty(t, strings.TrimSpace(string(b)), "%s has audio", r.Name)
		return string(b)
	}
	byRung := map[string]string{}
	for _, r := range ladder {
		byRung[r.Name] = audioPackets(r)
		res, err := MeasureRendition(ctx, ffprobe, filepath.Join(out, r.Name, MediaPlaylistName))
		require.NoError(t, err)
		require.Contains(t, res.Codecs, AACLCCodec, "%s measures with audio", r.Name)
	}
	require.Equal(t, byRung["720p"], byRung["480p"], "128 kbit/s rungs share an encode")
	require.Equal(t, byRung["360p"], byRung["240p"], "96 kbit/s rungs share an encode")
	require.NotEqual(t, byRung["720p"], byRung["360p"], "different bit rates are different encodes")
}

// TestTranscodeTaggedSource runs a whole ladder from a full-range BT.601
// source: every rung, those resized from other rungs included, decodes at
// its planned size in limited range.
func TestTranscodeTaggedSource(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	ctx := testContext(t, 90*time.Second)
	in, src, ladder := plannedFixture(ctx, t, "fullrange", "720p", "480p", "360p", "240p")
	out := t.TempDir()
	require.NoError(t, Transcode(ctx, ffmpeg, LadderArgs(in, *src, ladder, out, EncodeOptions{Preset: "ultrafast"}), nil))
	for _, r := range ladder {
		var streams struct {
			Streams []struct {
				Width      int    `json:"width"`
				Height     int    `json:"height"`
				ColorRange string `json:"color_range"`
			} `json:"streams"`
		}
		probeJSON(t, ffprobe, &streams, "-show_streams", "-select_streams", "v", filepath.Join(out, r.Name, "seg_00000.ts"))
		require.Len(t, streams.Streams, 1)
		require.Equal(t, [2]int{r.Width, r.Height}, [2]int{streams.Streams[0].Width, streams.Streams[0].Height}, r.Name)
		require.NotEqual(t, "pc", streams.Streams[0].ColorRange, "%s is limited range", r.Name)
		require.Empty(t, decodeErrors(t, ffmpeg, filepath.Join(out, r.Name, MediaPlaylistName)), r.Name)
	}
}

// plannedFixture probes a fixture and plans its default ladder, which
// must have the rungs named.
func plannedFixture(ctx context.Context, t *testing.T, name string, rungs ...string) (string, *SourceInfo, []Rendition) {
	t.Helper()
	_, ffprobe := tools(t)
	in := fixture(t, name)
	src, err := Probe(ctx, ffprobe, in)
	require.NoError(t, err)
	ladder := PlanLadder(*src, LadderOptions{})
	require.Equal(t, rungs, names(ladder))
	return in, src, ladder
}
