package media

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// spoken makes a segment from text spoken from start at a steady pace:
// each word lasts 250 ms plus 40 ms per character, words 80 ms apart.
func spoken(start time.Duration, text string) TranscriptSegment {
	s := TranscriptSegment{Start: start, Text: text}
	at := start
	for _, w := range strings.Fields(text) {
		d := 250*time.Millisecond + time.Duration(utf8.RuneCountInString(w))*40*time.Millisecond
		s.Words = append(s.Words, Word{Start: at, End: at + d, Text: w, Prob: 0.9})
		at += d + 80*time.Millisecond
	}
	s.End = at - 80*time.Millisecond
	return s
}

func cueTexts(cues []Cue) []string {
	var out []string
	for _, c := range cues {
		out = append(out, c.Text)
	}
	return out
}

// checkCueInvariants asserts what every cue list must satisfy.
func checkCueInvariants(t *testing.T, cues []Cue, o CueOptions) {
	t.Helper()
	o = o.withDefaults()
	for i, c := range cues {
		require.Less(t, c.Start, c.End, "cue %d %q", i, c.Text)
		require.LessOrEqual(t, c.End-c.Start, o.MaxDuration, "cue %d %q", i, c.Text)
		if i > 0 {
			require.LessOrEqual(t, cues[i-1].End, c.Start, "cue %d overlaps the previous one", i)
		}
		lines := strings.Split(c.Text, "\n")
		require.LessOrEqual(t, len(lines), o.MaxLines, "cue %d %q", i, c.Text)
		for _, l := range lines {
			require.LessOrEqual(t, textWidth(PlainText(l)), o.MaxLineWidth, "cue %d line %q", i, l)
			require.NotEmpty(t, strings.TrimSpace(l))
		}
	}
}

func TestBuildCues(t *testing.T) {
	t.Parallel()
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	for _, tc := range []struct {
		name  string
		segs  []TranscriptSegment
		opts  CueOptions
		texts []string
		check func(t *testing.T, cues []Cue)
	}{
		{
			name:  "empty",
			segs:  nil,
			texts: nil,
		},
		{
			name:  "one short sentence lingers for reading",
			segs:  []TranscriptSegment{spoken(sec(2), "Hi!")},
			texts: []string{"Hi!"},
			check: func(t *testing.T, cues []Cue) {
				require.Equal(t, sec(2), cues[0].Start)
				require.Equal(t, sec(3), cues[0].End, "extended to the minimum duration")
			},
		},
		{
			name: "sentences start new cues",
			segs: []TranscriptSegment{spoken(0, "This is the first sentence of the talk. And here comes the second one, which is longer.")},
			texts: []string{
				"This is the first sentence of the talk.",
				"And here comes the second one,\nwhich is longer.",
			},
		},
		{
			name:  "a sentence too short to stand alone joins the next",
			segs:  []TranscriptSegment{spoken(0, "Hi. I'm Bob.")},
			texts: []string{"Hi. I'm Bob."},
		},
		{
			name: "long sentences break at commas, lines balanced",
			segs: []TranscriptSegment{spoken(0, "When we started building the platform in the spring, nobody on the team expected that the hardest part would be the subtitles, but it was.")},
			texts: []string{
				"When we started building\nthe platform in the spring,",
				"nobody on the team expected that\nthe hardest part would be the subtitles,",
				"but it was.",
			},
		},
		{
			name: "a long pause always ends a cue",
			segs: []TranscriptSegment{{Start: 0, End: sec(5), Text: "well then we go", Words: []Word{
				{Start: 0, End: sec(0.3), Text: "well"}, {Start: sec(0.4), End: sec(0.7), Text: "then"},
				{Start: sec(3), End: sec(3.3), Text: "we"}, {Start: sec(3.4), End: sec(3.7), Text: "go"},
			}}},
			texts: []string{"well then", "we go"},
			check: func(t *testing.T, cues []Cue) {
				require.Equal(t, Cue{Start: 0, End: sec(1), Text: "well then"}, cues[0])
				require.Equal(t, sec(3), cues[1].Start)
			},
		},
		{
			name: "no word timings: time shared by length",
			segs: []TranscriptSegment{
				{Start: sec(10), End: sec(14), Text: "Segments without words still get split when they are much too long for a single caption line."},
			},
			texts: []string{
				"Segments without words still get split\nwhen they are much too long for a single",
				"caption line.",
			},
			check: func(t *testing.T, cues []Cue) {
				require.Equal(t, sec(10), cues[0].Start)
				require.InDelta(t, sec(13.4).Seconds(), cues[1].Start.Seconds(), 0.1)
				require.Equal(t, cues[1].Start+sec(1), cues[1].End, "the last words run to 14 s, then linger to the minimum")
			},
		},
		{
			name: "slow speech is cut at the maximum duration",
			segs: []TranscriptSegment{func() TranscriptSegment {
				s := TranscriptSegment{Start: 0, End: sec(12), Text: "one two three four five six seven eight nine ten"}
				for i, w := range strings.Fields(s.Text) {
					s.Words = append(s.Words, Word{Start: sec(float64(i) * 1.2), End: sec(float64(i)*1.2 + 1), Text: w})
				}
				return s
			}()},
			texts: []string{"one two three four five six", "seven eight nine ten"},
		},
		{
			name: "overlapping segments never overlap as cues",
			segs: []TranscriptSegment{
				{Start: sec(1), End: sec(4), Text: "First speaker talks."},
				{Start: sec(3), End: sec(5), Text: "Second interrupts."},
			},
			texts: []string{"First speaker talks.", "Second interrupts."},
			check: func(t *testing.T, cues []Cue) {
				require.Equal(t, sec(3), cues[0].End)
				require.Equal(t, sec(3), cues[1].Start)
			},
		},
		{
			name: "identical start times still leave each cue visible",
			segs: []TranscriptSegment{
				{Start: sec(1), End: sec(1), Text: "A."},
				{Start: sec(1), End: sec(1), Text: "B."},
			},
			texts: []string{"A. B."},
		},
		{
			name:  "markup characters are escaped",
			segs:  []TranscriptSegment{spoken(0, "AT&T says 3 <4 and >2.")},
			texts: []string{"AT&amp;T says 3 &lt;4 and &gt;2."},
		},
		{
			name: "Chinese without spaces is split by width",
			segs: []TranscriptSegment{{Start: 0, End: sec(6),
				Text: "今天我们来谈谈字幕是如何从语音中自动生成的，这个过程其实并不复杂，但有很多细节需要注意。"}},
			texts: []string{
				// Pieces end at punctuation; no line starts with it.
				"今天我们来谈谈字幕是如何从语音中自动生成\n的，这个过程其实并不复杂，",
				"但有很多细节需要注意。",
			},
		},
		{
			name: "Japanese word tokens join without spaces",
			segs: []TranscriptSegment{{Start: 0, End: sec(2), Text: "こんにちは世界。", Words: []Word{
				{Start: 0, End: sec(1), Text: "こんにちは"}, {Start: sec(1), End: sec(2), Text: "世界。"},
			}}},
			texts: []string{"こんにちは世界。"},
		},
		{
			name:  "one line of 20 characters",
			opts:  CueOptions{MaxLineWidth: 20, MaxLines: 1},
			segs:  []TranscriptSegment{spoken(0, "A narrower layout for small screens and phones.")},
			texts: []string{"A narrower layout", "for small screens", "and phones."},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cues := BuildCues(&Transcript{Segments: tc.segs}, tc.opts)
			require.Equal(t, tc.texts, cueTexts(cues))
			checkCueInvariants(t, cues, tc.opts)
			if tc.check != nil {
				tc.check(t, cues)
			}
			require.Equal(t, cues, BuildCues(&Transcript{Segments: tc.segs}, tc.opts), "deterministic")
		})
	}
	require.Nil(t, BuildCues(nil, CueOptions{}))
}

// A long, messy transcript: every invariant holds everywhere.
func TestBuildCuesInvariants(t *testing.T) {
	t.Parallel()
	var segs []TranscriptSegment
	at := time.Duration(0)
	for i := range 60 {
		text := fmt.Sprintf("Segment %d says something, then more words follow without much punctuation at all and", i)
		if i%3 == 0 {
			text += " ends here."
		}
		if i%7 == 0 {
			text = "Ok."
		}
		s := spoken(at, text)
		if i%5 == 0 {
			s.Words = nil // no word timings
		}
		if i%11 == 0 {
			s.Start -= 500 * time.Millisecond // overlaps the previous one
		}
		segs = append(segs, s)
		at = s.End + time.Duration(i%4)*400*time.Millisecond
	}
	for _, o := range []CueOptions{{}, {MaxLineWidth: 32}, {MaxLines: 3, MaxDuration: 5 * time.Second}} {
		cues := BuildCues(&Transcript{Segments: segs}, o)
		require.NotEmpty(t, cues)
		checkCueInvariants(t, cues, o)
		// Every word made it into a cue, in order.
		var got []string
		for _, c := range cues {
			got = append(got, strings.Fields(PlainText(c.Text))...)
		}
		var want []string
		for _, s := range segs {
			want = append(want, strings.Fields(s.Text)...)
		}
		require.Equal(t, want, got)
	}
}
