package media

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// Cue is one WebVTT cue.
type Cue struct {
	// ID is the optional cue identifier line.
	ID string
	// Start and End bound the cue; End must not be before Start.
	Start, End time.Duration
	// Settings are optional cue settings after the timing, e.g.
	// "line:90% align:center".
	Settings string
	// Text is the payload. Line breaks are kept, but blank lines (which
	// would end the cue early) are dropped and "-->" (which would make a
	// line read as a timing) is defused.
	Text string
}

// WriteWebVTT writes a WebVTT file: the header, then the cues in the order
// given. Storyboards use it for their thumbnail map; captions build on it.
func WriteWebVTT(w io.Writer, cues []Cue) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("WEBVTT\n")
	for i, c := range cues {
		if c.End < c.Start || c.Start < 0 {
			return fmt.Errorf("webvtt: cue %d: invalid timing %v --> %v", i, c.Start, c.End)
		}
		bw.WriteString("\n")
		if id := singleLine(c.ID); id != "" {
			bw.WriteString(id + "\n")
		}
		bw.WriteString(FormatVTTTimestamp(c.Start) + " --> " + FormatVTTTimestamp(c.End))
		if s := singleLine(c.Settings); s != "" {
			bw.WriteString(" " + s)
		}
		bw.WriteString("\n")
		for _, line := range strings.Split(strings.ReplaceAll(c.Text, "\r\n", "\n"), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			bw.WriteString(strings.ReplaceAll(line, "-->", "->") + "\n")
		}
	}
	return bw.Flush()
}

// FormatVTTTimestamp formats d as WebVTT's HH:MM:SS.mmm (hours always
// present, which every parser accepts), rounding to the millisecond.
func FormatVTTTimestamp(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	ms := d.Round(time.Millisecond).Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

// singleLine keeps an ID or settings value on its line.
func singleLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r", " ", "\n", " ", "-->", "->").Replace(s))
}
