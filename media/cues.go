package media

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CueOptions tunes BuildCues. The zero value gives the defaults, which
// follow common broadcast and streaming caption guidelines.
type CueOptions struct {
	// MaxLineWidth is the longest line in characters (default 42; wide
	// CJK characters count two, so such lines hold 21).
	MaxLineWidth int
	// MaxLines is the most lines a cue shows (default 2).
	MaxLines int
	// MinDuration is the shortest time a cue stays up (default 1 s),
	// taken from the silence around it when there is room.
	MinDuration time.Duration
	// MaxDuration is the longest time a cue stays up (default 7 s).
	MaxDuration time.Duration
	// MaxCharsPerSecond is the reading speed cues are extended towards,
	// into the following silence only (default 20).
	MaxCharsPerSecond float64
	// PauseBreak is the pause that always ends a cue (default 1.5 s):
	// captions should not stay up across a silence.
	PauseBreak time.Duration
}

func (o CueOptions) withDefaults() CueOptions {
	if o.MaxLineWidth <= 0 {
		o.MaxLineWidth = 42
	}
	if o.MaxLines <= 0 {
		o.MaxLines = 2
	}
	if o.MinDuration <= 0 {
		o.MinDuration = time.Second
	}
	if o.MaxDuration <= 0 {
		o.MaxDuration = 7 * time.Second
	}
	o.MaxDuration = max(o.MaxDuration, o.MinDuration)
	if o.MaxCharsPerSecond <= 0 {
		o.MaxCharsPerSecond = 20
	}
	if o.PauseBreak <= 0 {
		o.PauseBreak = 1500 * time.Millisecond
	}
	return o
}

// Break strengths after a word, weakest first.
const (
	breakWord     = 1
	breakClause   = 2 // , ; : or a short pause
	breakSegment  = 3 // the engine's segment ended
	breakSentence = 4 // . ? ! and their CJK forms
)

// shortPause is a pause that counts as a clause break.
const shortPause = 300 * time.Millisecond

// minVisible is the least a cue keeps when overlaps are resolved.
const minVisible = 300 * time.Millisecond

// cueUnit is a word (or a piece of an over-long word) to lay out.
type cueUnit struct {
	text       string // plain text
	start, end time.Duration
	width      int
	space      bool // a space separates it from the unit before
	brk        int  // strength of a break after it
	hard       bool // a break after it is forced (long pause)
}

// BuildCues lays a transcript out as readable captions: at most MaxLines
// lines of MaxLineWidth characters, on screen between MinDuration and
// MaxDuration, never overlapping, in time order.
//
// Words keep their engine timings; segments without word timings have
// their duration shared out by word length. A cue ends at a sentence end
// (unless it would be too short and the next sentence fits too), at a
// pause of PauseBreak or more, and otherwise where the next word no
// longer fits; then the break is placed at the strongest boundary in
// the cue (sentence end, then the engine's segment end, then a comma or a
// pause, then any word), preferring later ones. Lines are split
// at the most balanced point, preferring punctuation. Cue text is WebVTT
// cue text (& < > escaped). The result depends only on the input.
func BuildCues(t *Transcript, opts CueOptions) []Cue {
	if t == nil {
		return nil
	}
	o := opts.withDefaults()
	units := cueUnits(t, o)
	var cues []Cue
	for _, g := range groupUnits(units, o) {
		lines, ok := wrapLines(g, o.MaxLineWidth, o.MaxLines)
		if !ok {
			lines = []string{joinUnits(g)} // a single over-wide unit; cannot happen after splitting
		}
		cues = append(cues, Cue{Start: g[0].start, End: g[len(g)-1].end, Text: escapeCueText(strings.Join(lines, "\n"))})
	}
	fixTimings(cues, o)
	return cues
}

// cueUnits flattens the transcript into units with break strengths.
func cueUnits(t *Transcript, o CueOptions) []cueUnit {
	segs := slices.Clone(t.Segments)
	slices.SortStableFunc(segs, func(a, b TranscriptSegment) int { return cmp.Compare(a.Start, b.Start) })
	var units []cueUnit
	for _, s := range segs {
		if strings.TrimSpace(s.Text) == "" {
			continue
		}
		words := segmentWords(s)
		first := len(units)
		for _, w := range words {
			for _, u := range splitWide(w, o.MaxLineWidth) {
				if k := len(units); k > 0 {
					u.start = max(u.start, units[k-1].start)
					u.end = max(u.end, u.start)
				}
				units = append(units, u)
			}
		}
		if len(units) > first {
			units[len(units)-1].brk = max(units[len(units)-1].brk, breakSegment)
		}
	}
	for i := range units {
		if i > 0 && units[i].space {
			units[i].space = needsSpace(units[i-1].text, units[i].text)
		}
		if i+1 < len(units) {
			gap := units[i+1].start - units[i].end
			if gap >= o.PauseBreak {
				units[i].hard = true
			} else if gap >= shortPause {
				units[i].brk = max(units[i].brk, breakClause)
			}
		}
	}
	return units
}

// segmentWords returns a segment's words as units: the engine's when they
// have usable timings, otherwise the text's words with the segment's time
// shared out by length.
func segmentWords(s TranscriptSegment) []cueUnit {
	usable := len(s.Words) > 0
	for _, w := range s.Words {
		if w.End < w.Start || strings.TrimSpace(w.Text) == "" {
			usable = false
			break
		}
	}
	var units []cueUnit
	if usable {
		for _, w := range s.Words {
			for _, f := range strings.Fields(w.Text) {
				units = append(units, cueUnit{text: f, start: w.Start, end: w.End})
			}
		}
	} else {
		fields := strings.Fields(s.Text)
		total := 0
		for _, f := range fields {
			total += textWidth(f) + 1
		}
		span := max(s.End-s.Start, 0)
		acc := 0
		for _, f := range fields {
			start := s.Start + time.Duration(float64(span)*float64(acc)/float64(total))
			acc += textWidth(f) + 1
			end := s.Start + time.Duration(float64(span)*float64(acc-1)/float64(total))
			units = append(units, cueUnit{text: f, start: start, end: end})
		}
	}
	for i := range units {
		units[i].width = textWidth(units[i].text)
		units[i].space = true
		units[i].brk = punctuationBreak(units[i].text)
	}
	return units
}

// splitWide cuts a unit wider than a line (a sentence of Chinese or
// Japanese is one "word") into pieces that fit, sharing its time out:
// after clause and sentence punctuation first, then at the width limit,
// never starting a piece with punctuation (moving a character down
// instead, as CJK line breaking rules ask).
func splitWide(u cueUnit, maxWidth int) []cueUnit {
	if u.width <= maxWidth {
		return []cueUnit{u}
	}
	var texts []string
	var cur []rune
	w := 0
	runes := []rune(u.text)
	for i, r := range runes {
		rw := runeWidth(r)
		if w+rw > maxWidth && len(cur) > 0 {
			if isPunctOnly(string(r)) && len(cur) > 1 {
				carry := cur[len(cur)-1]
				texts = append(texts, string(cur[:len(cur)-1]))
				cur, w = []rune{carry}, runeWidth(carry)
			} else {
				texts = append(texts, string(cur))
				cur, w = nil, 0
			}
		}
		cur = append(cur, r)
		w += rw
		if i+1 < len(runes) && punctuationBreak(string(r)) >= breakClause && !isPunctOnly(string(runes[i+1])) {
			texts = append(texts, string(cur))
			cur, w = nil, 0
		}
	}
	if len(cur) > 0 {
		texts = append(texts, string(cur))
	}
	pieces := make([]cueUnit, 0, len(texts))
	total, done := float64(u.width), 0
	span := float64(u.end - u.start)
	for i, text := range texts {
		pw := textWidth(text)
		p := cueUnit{
			text:  text,
			start: u.start + time.Duration(span*float64(done)/total),
			end:   u.start + time.Duration(span*float64(done+pw)/total),
			width: pw,
			space: i == 0 && u.space,
			brk:   punctuationBreak(text),
		}
		if p.brk < breakClause {
			p.brk = 0 // mid-word: the weakest break, but still possible
		}
		pieces = append(pieces, p)
		done += pw
	}
	pieces[len(pieces)-1].brk = max(u.brk, pieces[len(pieces)-1].brk)
	return pieces
}

// functionWords should not end a line or a cue: they belong with the word
// after them ("the / subtitles" reads badly). English only; elsewhere the
// rule simply never fires.
var functionWords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "in": true, "on": true, "at": true,
	"by": true, "for": true, "from": true, "with": true, "into": true, "my": true, "your": true,
	"his": true, "her": true, "its": true, "our": true, "their": true, "and": true, "or": true,
}

func isFunctionWord(u cueUnit) bool {
	return u.brk == breakWord && functionWords[strings.ToLower(u.text)]
}

// punctuationBreak is the break strength after a word from its final
// punctuation (closing quotes and brackets looked through).
func punctuationBreak(word string) int {
	s := strings.TrimRight(word, "\"'”’»)]}」』】")
	r, _ := utf8.DecodeLastRuneInString(s)
	switch r {
	case '.', '?', '!', '…', '。', '？', '！', '‼', '⁇':
		return breakSentence
	case ',', ';', ':', '、', '，', '；', '：', '—', '–':
		return breakClause
	}
	return breakWord
}

// groupUnits splits the units into cues (see BuildCues).
func groupUnits(units []cueUnit, o CueOptions) [][]cueUnit {
	var groups [][]cueUnit
	var cur []cueUnit
	emit := func(n int) {
		groups = append(groups, slices.Clone(cur[:n]))
		cur = slices.Clone(cur[n:])
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		for len(cur) > 0 && !fitsCue(concatUnits(cur, u), o) {
			emit(bestBreak(cur, u, o))
		}
		cur = append(cur, u)
		switch {
		case u.hard:
			emit(len(cur))
		case u.brk >= breakSegment && i+1 < len(units):
			// A new sentence starts a new cue, unless this one is too
			// short to stand alone and the next sentence fits with it.
			if groupDuration(cur) >= o.MinDuration || !fitsCue(concatUnits(cur, nextSentence(units[i+1:])...), o) {
				emit(len(cur))
			}
		}
	}
	if len(cur) > 0 {
		emit(len(cur))
	}
	return groups
}

func concatUnits(a []cueUnit, b ...cueUnit) []cueUnit {
	out := make([]cueUnit, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// nextSentence is the units up to and including the next strong break.
func nextSentence(units []cueUnit) []cueUnit {
	for i, u := range units {
		if u.brk >= breakSegment || u.hard {
			return units[:i+1]
		}
	}
	return units
}

func groupDuration(g []cueUnit) time.Duration { return g[len(g)-1].end - g[0].start }

// fitsCue reports whether units make one cue: they wrap into the allowed
// lines and last no longer than MaxDuration (a single unit always fits).
func fitsCue(units []cueUnit, o CueOptions) bool {
	if len(units) <= 1 {
		return true
	}
	if groupDuration(units) > o.MaxDuration {
		return false
	}
	_, ok := wrapLines(units, o.MaxLineWidth, o.MaxLines)
	return ok
}

// bestBreak chooses how many units of cur (which cannot take next) go
// into the cue being closed: the break with the highest strength plus
// fill (the share of the cue's capacity used before it), so a sentence
// end beats a comma, which beats a plain word boundary unless the comma
// comes very early (under a fifth of the capacity).
func bestBreak(cur []cueUnit, next cueUnit, o CueOptions) int {
	capacity := float64(o.MaxLineWidth * o.MaxLines)
	best, bestScore := len(cur), math.Inf(-1)
	for k := len(cur); k >= 1; k-- {
		if k < len(cur) && !fitsCue(concatUnits(cur[k:], next), o) {
			continue
		}
		fill := float64(lineWidth(cur[:k])) / capacity
		score := float64(cur[k-1].brk) + fill
		if fill < 0.2 && cur[k-1].brk < breakSentence {
			score -= 1
		}
		if isFunctionWord(cur[k-1]) {
			score -= 0.5
		}
		if score > bestScore {
			best, bestScore = k, score
		}
	}
	return best
}

// wrapLines splits units into at most maxLines lines of maxWidth: one line
// when it fits, otherwise the fewest lines, choosing the split that is
// most balanced, where ending a line at punctuation is worth 12
// characters of imbalance (24 at a sentence end), ending it on an article
// or preposition costs 8, and a longer top line costs 2 (captions read
// best bottom-heavy).
func wrapLines(units []cueUnit, maxWidth, maxLines int) ([]string, bool) {
	n := len(units)
	if n == 0 {
		return nil, true
	}
	if lineWidth(units) <= maxWidth {
		return []string{joinUnits(units)}, true
	}
	for lines := 2; lines <= maxLines && lines <= n; lines++ {
		avg := float64(lineWidth(units)) / float64(lines)
		// cost[l][j]: best cost of units[:j] in l lines; from[l][j] the
		// start of the last of those lines.
		inf := math.Inf(1)
		cost := make([][]float64, lines+1)
		from := make([][]int, lines+1)
		for l := range cost {
			cost[l] = make([]float64, n+1)
			from[l] = make([]int, n+1)
			for j := range cost[l] {
				cost[l][j] = inf
			}
		}
		cost[0][0] = 0
		for l := 1; l <= lines; l++ {
			for j := l; j <= n; j++ {
				for i := l - 1; i < j; i++ {
					if cost[l-1][i] == inf {
						continue
					}
					w := lineWidth(units[i:j])
					if w > maxWidth {
						continue
					}
					c := cost[l-1][i] + math.Abs(float64(w)-avg)
					if j < n {
						c -= 12 * float64(max(units[j-1].brk-breakWord, 0)) // punctuation at the line end
						if isFunctionWord(units[j-1]) {
							c += 8
						}
						if l == 1 && lines == 2 && float64(w) > avg {
							c += 2 // top-heavy
						}
					}
					if c < cost[l][j] {
						cost[l][j], from[l][j] = c, i
					}
				}
			}
		}
		if cost[lines][n] == inf {
			continue
		}
		out := make([]string, lines)
		j := n
		for l := lines; l >= 1; l-- {
			i := from[l][j]
			out[l-1] = joinUnits(units[i:j])
			j = i
		}
		return out, true
	}
	return nil, false
}

// lineWidth is the width of units set on one line.
func lineWidth(units []cueUnit) int {
	w := 0
	for i, u := range units {
		if i > 0 && u.space {
			w++
		}
		w += u.width
	}
	return w
}

func joinUnits(units []cueUnit) string {
	var b strings.Builder
	for i, u := range units {
		if i > 0 && u.space {
			b.WriteByte(' ')
		}
		b.WriteString(u.text)
	}
	return b.String()
}

// fixTimings makes cue times valid and readable, in order: starts never
// decrease; overlaps are removed (the earlier cue ends when the later
// starts, keeping at least minVisible, else the later one starts later);
// short cues are lengthened into the following silence towards
// MinDuration and the reading speed, then, if still short, started up to
// half a second earlier; no cue exceeds MaxDuration.
func fixTimings(cues []Cue, o CueOptions) {
	for i := range cues {
		c := &cues[i]
		if i > 0 {
			c.Start = max(c.Start, cues[i-1].Start)
		}
		c.End = max(c.End, c.Start)
	}
	for i := 1; i < len(cues); i++ {
		prev, c := &cues[i-1], &cues[i]
		if c.Start < prev.End {
			prev.End = max(c.Start, prev.Start+minVisible)
			if c.Start < prev.End {
				c.Start = prev.End
				c.End = max(c.End, c.Start+minVisible)
			}
		}
	}
	for i := range cues {
		c := &cues[i]
		next := time.Duration(math.MaxInt64)
		if i+1 < len(cues) {
			next = cues[i+1].Start
		}
		prevEnd := time.Duration(0)
		if i > 0 {
			prevEnd = cues[i-1].End
		}
		reading := time.Duration(float64(utf8.RuneCountInString(PlainText(c.Text))) / o.MaxCharsPerSecond * float64(time.Second))
		want := min(max(o.MinDuration, reading), o.MaxDuration)
		if c.End-c.Start < want {
			c.End = max(c.End, min(c.Start+want, next))
		}
		if c.End-c.Start < o.MinDuration {
			c.Start = max(prevEnd, c.End-o.MinDuration, c.Start-500*time.Millisecond, 0)
		}
		if c.End-c.Start > o.MaxDuration {
			c.End = c.Start + o.MaxDuration
		}
	}
}

// textWidth is the display width of s in character cells.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// runeWidth is 2 for East Asian wide characters, 0 for combining marks,
// 1 otherwise.
func runeWidth(r rune) int {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul),
		r >= 0x3000 && r <= 0x303F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
		return 2
	}
	return 1
}
