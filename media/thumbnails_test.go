package media

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPoster(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	tests := []struct {
		fixture string
		w, h    int
	}{
		{"landscape1080", 1280, 720}, // scaled down to fit 1280
		{"portrait", 720, 1280},      // already fits: no upscaling
		{"rotated", 360, 640},        // display orientation
		{"hdr", 320, 180},
		{"audioonly", 1280, 720}, // waveform picture
		{"coverart", 1280, 720},  // audio with cover art: still a waveform
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t, 60*time.Second)
			in := fixture(t, tt.fixture)
			src, err := Probe(ctx, ffprobe, in)
			require.NoError(t, err)
			out := filepath.Join(t.TempDir(), "poster.jpg")
			img, err := Poster(ctx, ffmpeg, in, *src, out)
			require.NoError(t, err)
			require.Equal(t, Image{Path: out, Width: tt.w, Height: tt.h}, Image{Path: img.Path, Width: img.Width, Height: img.Height})
			w, h, codec := imageSize(t, ffprobe, out)
			require.Equal(t, "mjpeg", codec)
			require.Equal(t, [2]int{tt.w, tt.h}, [2]int{w, h})
			leftovers, _ := filepath.Glob(out + ".tmp*")
			require.Empty(t, leftovers)
		})
	}
}

func TestStoryboard(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	tests := []struct {
		name         string
		fixture      string
		opts         StoryboardOptions
		interval     time.Duration
		tiles        int
		cols, rows   int
		sheets       int
		tileW, tileH int
	}{
		// 6 s: one thumbnail a second, one row.
		{"short", "src480", StoryboardOptions{}, time.Second, 6, 6, 1, 1, 160, 90},
		// Small grid: the thumbnails spill onto a second sheet.
		{"several sheets", "src480", StoryboardOptions{Columns: 2, Rows: 2}, time.Second, 6, 2, 2, 2, 160, 90},
		{"portrait", "portrait", StoryboardOptions{}, time.Second, 2, 2, 1, 1, 160, 284},
		// 1000 s: at most 100 thumbnails, every 10 s, keyframes only.
		{"long", "long", StoryboardOptions{}, 10 * time.Second, 100, 10, 10, 1, 96, 54},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t, 60*time.Second)
			in := fixture(t, tt.fixture)
			src, err := Probe(ctx, ffprobe, in)
			require.NoError(t, err)
			dir := t.TempDir()
			sb, err := Storyboard(ctx, ffmpeg, in, *src, dir, tt.opts)
			require.NoError(t, err)
			require.Equal(t, tt.interval, sb.Interval)
			require.Equal(t, tt.tiles, sb.Tiles)
			require.Equal(t, [2]int{tt.cols, tt.rows}, [2]int{sb.Columns, sb.Rows})
			require.Equal(t, [2]int{tt.tileW, tt.tileH}, [2]int{sb.TileWidth, sb.TileHeight})
			require.Len(t, sb.Sheets, tt.sheets)
			for _, sheet := range sb.Sheets {
				w, h, codec := imageSize(t, ffprobe, sheet)
				require.Equal(t, "mjpeg", codec)
				require.Equal(t, [2]int{tt.cols * tt.tileW, tt.rows * tt.tileH}, [2]int{w, h})
			}
			extra, _ := filepath.Glob(filepath.Join(dir, "sprite_*.jpg"))
			require.Len(t, extra, tt.sheets, "no sheet beyond the planned ones")

			// The VTT covers the whole duration without gaps, and every
			// cue points inside an existing sheet.
			cues := readVTT(t, sb.VTT)
			require.Len(t, cues, tt.tiles)
			var prevEnd time.Duration
			for i, c := range cues {
				require.Equal(t, prevEnd, c.Start, "cue %d starts where the previous ended", i)
				require.Greater(t, c.End, c.Start)
				prevEnd = c.End
				m := regexp.MustCompile(`^(sprite_\d{3}\.jpg)#xywh=(\d+),(\d+),(\d+),(\d+)$`).FindStringSubmatch(c.Text)
				require.NotNil(t, m, c.Text)
				require.FileExists(t, filepath.Join(dir, m[1]))
				x, _ := strconv.Atoi(m[2])
				y, _ := strconv.Atoi(m[3])
				require.Less(t, x, tt.cols*tt.tileW)
				require.Less(t, y, tt.rows*tt.tileH)
				require.Equal(t, strconv.Itoa(tt.tileW), m[4])
				require.Equal(t, strconv.Itoa(tt.tileH), m[5])
			}
			require.InDelta(t, src.Duration, prevEnd.Seconds(), 0.001, "last cue ends at the end")
		})
	}

	t.Run("audio only", func(t *testing.T) {
		t.Parallel()
		src := SourceInfo{Duration: 5, Audio: stereo48k}
		_, err := Storyboard(t.Context(), ffmpeg, fixture(t, "audioonly"), src, t.TempDir(), StoryboardOptions{})
		require.ErrorIs(t, err, ErrNoVideo)
	})
}

// readVTT is a minimal WebVTT reader for the storyboard's simple cues.
func readVTT(t *testing.T, path string) []Cue {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	require.True(t, sc.Scan())
	require.Equal(t, "WEBVTT", sc.Text())
	var cues []Cue
	for sc.Scan() {
		line := sc.Text()
		start, end, ok := strings.Cut(line, " --> ")
		if !ok {
			continue
		}
		require.True(t, sc.Scan())
		cues = append(cues, Cue{Start: parseVTTTime(t, start), End: parseVTTTime(t, end), Text: sc.Text()})
	}
	return cues
}

func parseVTTTime(t *testing.T, s string) time.Duration {
	t.Helper()
	var h, m, sec, ms int
	_, err := fmt.Sscanf(s, "%02d:%02d:%02d.%03d", &h, &m, &sec, &ms)
	require.NoError(t, err, s)
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond
}
