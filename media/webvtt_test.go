package media

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFormatVTTTimestamp(t *testing.T) {
	t.Parallel()
	require.Equal(t, "00:00:00.000", FormatVTTTimestamp(0))
	require.Equal(t, "00:00:01.500", FormatVTTTimestamp(1500*time.Millisecond))
	require.Equal(t, "00:01:01.001", FormatVTTTimestamp(61*time.Second+1*time.Millisecond))
	require.Equal(t, "01:02:03.457", FormatVTTTimestamp(time.Hour+2*time.Minute+3*time.Second+456700*time.Microsecond))
	require.Equal(t, "27:46:40.000", FormatVTTTimestamp(100_000*time.Second))
	require.Equal(t, "00:00:00.000", FormatVTTTimestamp(-time.Second))
}

func TestWriteWebVTT(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, WriteWebVTT(&b, []Cue{
		{Start: 0, End: 5 * time.Second, Text: "sprite_000.jpg#xywh=0,0,160,90"},
		{ID: "caption-2", Start: 5 * time.Second, End: 7500 * time.Millisecond, Settings: "line:90% align:center", Text: "Two lines\nof text"},
		// A blank line would end the cue early and "-->" would read as a
		// timing line: both are neutralised.
		{Start: 8 * time.Second, End: 9 * time.Second, Text: "before\n\nafter --> arrow"},
	}))
	golden(t, "cues.vtt", b.Bytes())
	require.Error(t, WriteWebVTT(&b, []Cue{{Start: 2 * time.Second, End: time.Second}}))
}
