package media

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The poster's recorded time is the frame the thumbnail filter picked,
// not where its search started.
func TestPosterTimeIsThePickedFrame(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	ctx := testContext(t, 2*time.Minute)
	src := bitsSource(t, ffmpeg, 30, 10)
	info, err := Probe(ctx, ffprobe, src)
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "poster.jpg")
	img, err := Poster(ctx, ffmpeg, src, *info, out)
	require.NoError(t, err)
	shown := frameNumbers(t, ffmpeg, out)
	require.Len(t, shown, 1)
	require.GreaterOrEqual(t, img.Time, PosterTime(*info), "the search starts at PosterTime")
	require.InDelta(t, float64(shown[0])/10, img.Time, 0.051, "Time is the time of the frame the poster shows (frame %d)", shown[0])
}
