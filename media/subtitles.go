package media

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Cue text conventions: Cue.Text is always WebVTT cue text, whatever the
// file it came from. ParseSRT converts SRT's markup to it (keeping <i>,
// <b>, <u>, escaping stray & and <), WriteSRT converts back, and
// PlainText strips it for search.

// SubtitleError is a problem found while parsing a subtitle file, at a
// line (1-based) a person can go to.
type SubtitleError struct {
	Line int
	Msg  string
}

func (e *SubtitleError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func subErr(line int, format string, args ...any) error {
	return &SubtitleError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Parser limits: uploads are bounded by the caller, these keep a hostile
// file from making millions of tiny cues or one enormous line.
const (
	maxSubtitleLine = 64 << 10
	maxSubtitleCues = 100_000
)

// subtitleLines splits a file into lines: a UTF-8 byte order mark is
// dropped, and CRLF, LF and lone CR all end a line (WebVTT allows all
// three; SRT files come from every platform).
func subtitleLines(r io.Reader) ([]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		return nil, subErr(line, "the file is not UTF-8 text (save it as UTF-8)")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, subErr(1+bytes.Count(data[:bytes.IndexByte(data, 0)], []byte("\n")), "the file contains NUL bytes: it is not a text file")
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil, nil
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if len(l) > maxSubtitleLine {
			return nil, subErr(i+1, "line is longer than %d bytes", maxSubtitleLine)
		}
	}
	return lines, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// vttTimestampRE is WebVTT's timestamp: optional hours (two or more
// digits), minutes and seconds of exactly two digits, three-digit
// milliseconds.
var vttTimestampRE = regexp.MustCompile(`^(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})$`)

// parseVTTTimestamp reads one WebVTT timestamp.
func parseVTTTimestamp(s string) (time.Duration, bool) {
	m := vttTimestampRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	var h int64
	if m[1] != "" {
		var err error
		if h, err = strconv.ParseInt(m[1], 10, 32); err != nil {
			return 0, false
		}
	}
	mi, _ := strconv.Atoi(m[2])
	sec, _ := strconv.Atoi(m[3])
	ms, _ := strconv.Atoi(m[4])
	if mi > 59 || sec > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond, true
}

// ParseVTT reads a WebVTT file into cues, validating it: the WEBVTT
// header first, header lines then a blank line, cues separated by blank
// lines, timestamps in hh:mm:ss.mmm (hours optional) with minutes and
// seconds under 60, and every cue ending after it starts. Errors are
// *SubtitleError naming the line. NOTE, STYLE and REGION blocks are
// skipped; cue identifiers, settings and markup are kept. Overlapping
// cues are allowed (two people talking); cues are returned sorted by
// start time, as players expect.
func ParseVTT(r io.Reader) ([]Cue, error) {
	lines, err := subtitleLines(r)
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, subErr(1, "the file is empty (a WebVTT file starts with the line WEBVTT)")
	}
	if h := lines[0]; h != "WEBVTT" && !strings.HasPrefix(h, "WEBVTT ") && !strings.HasPrefix(h, "WEBVTT\t") {
		return nil, subErr(1, "missing WEBVTT header: the file must start with the line WEBVTT, found %q", truncate(h, 40))
	}
	i := 1
	// Header lines (X-TIMESTAMP-MAP, Kind:, Language:) run to a blank line.
	for ; i < len(lines) && !isBlank(lines[i]); i++ {
		if strings.Contains(lines[i], "-->") {
			return nil, subErr(i+1, "a blank line is missing between the WEBVTT header and the first cue")
		}
	}
	var cues []Cue
	for i < len(lines) {
		if isBlank(lines[i]) {
			i++
			continue
		}
		start := i
		end := i
		for end < len(lines) && !isBlank(lines[end]) {
			end++
		}
		block := lines[start:end]
		i = end
		first := block[0]
		if first == "NOTE" || strings.HasPrefix(first, "NOTE ") || strings.HasPrefix(first, "NOTE\t") ||
			first == "STYLE" || first == "REGION" {
			continue
		}
		cue, err := parseVTTCue(block, start+1)
		if err != nil {
			return nil, err
		}
		if len(cues) == maxSubtitleCues {
			return nil, subErr(start+1, "more than %d cues", maxSubtitleCues)
		}
		cues = append(cues, cue)
	}
	slices.SortStableFunc(cues, func(a, b Cue) int { return cmp.Compare(a.Start, b.Start) })
	return cues, nil
}

// parseVTTCue parses one cue block; lineNo is the block's first line.
func parseVTTCue(block []string, lineNo int) (Cue, error) {
	var c Cue
	timing := 0
	if !strings.Contains(block[0], "-->") {
		if len(block) < 2 || !strings.Contains(block[1], "-->") {
			return c, subErr(lineNo, "expected a cue timing line such as \"00:00:01.000 --> 00:00:04.000\", found %q", truncate(block[0], 60))
		}
		c.ID = strings.TrimSpace(block[0])
		timing = 1
	}
	tl := lineNo + timing
	start, end, settings, err := parseTimingLine(block[timing], tl, parseVTTTimestamp, "hh:mm:ss.mmm")
	if err != nil {
		return c, err
	}
	c.Start, c.End, c.Settings = start, end, settings
	payload := block[timing+1:]
	for k, l := range payload {
		if strings.Contains(l, "-->") {
			return c, subErr(tl+1+k, "cue text contains \"-->\": is a blank line missing before this cue?")
		}
	}
	c.Text = strings.Join(payload, "\n")
	return c, nil
}

// parseTimingLine parses "start --> end [settings]".
func parseTimingLine(line string, lineNo int, parse func(string) (time.Duration, bool), format string) (start, end time.Duration, settings string, err error) {
	left, right, _ := strings.Cut(line, "-->")
	startText := strings.TrimSpace(left)
	fields := strings.Fields(right)
	if len(fields) == 0 {
		return 0, 0, "", subErr(lineNo, "cue timing has no end time (expected %s --> %s)", format, format)
	}
	endText := fields[0]
	var ok bool
	if start, ok = parse(startText); !ok {
		return 0, 0, "", subErr(lineNo, "malformed start time %q (expected %s)", truncate(startText, 30), format)
	}
	if end, ok = parse(endText); !ok {
		return 0, 0, "", subErr(lineNo, "malformed end time %q (expected %s)", truncate(endText, 30), format)
	}
	if end < start {
		return 0, 0, "", subErr(lineNo, "end time %s is before start %s", FormatVTTTimestamp(end), FormatVTTTimestamp(start))
	}
	if end == start {
		return 0, 0, "", subErr(lineNo, "end time %s equals the start time: the cue would never show", FormatVTTTimestamp(end))
	}
	return start, end, strings.Join(fields[1:], " "), nil
}

// srtTimestampRE is SRT's hh:mm:ss,mmm, tolerating what real files
// contain: one-digit hours, a dot for the comma, one to three
// millisecond digits.
var srtTimestampRE = regexp.MustCompile(`^(\d{1,3}):(\d{2}):(\d{2})[,.](\d{1,3})$`)

func parseSRTTimestamp(s string) (time.Duration, bool) {
	m := srtTimestampRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	sec, _ := strconv.Atoi(m[3])
	frac := m[4] + strings.Repeat("0", 3-len(m[4]))
	ms, _ := strconv.Atoi(frac)
	if mi > 59 || sec > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond, true
}

var srtIndexRE = regexp.MustCompile(`^\d+$`)

// ParseSRT reads a SubRip file into cues (Text converted to WebVTT cue
// text, see the package's cue text conventions), validating it: each cue
// is an optional number line, a timing line "hh:mm:ss,mmm -->
// hh:mm:ss,mmm" (SRT position coordinates after it are ignored), and text
// lines, with blank lines between cues. Errors are *SubtitleError naming
// the line. Overlaps are allowed; cues are returned sorted by start time.
func ParseSRT(r io.Reader) ([]Cue, error) {
	lines, err := subtitleLines(r)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(firstNonBlank(lines), "WEBVTT") {
		return nil, subErr(1, "this is a WebVTT file, not SRT")
	}
	var cues []Cue
	i := 0
	for i < len(lines) {
		if isBlank(lines[i]) {
			i++
			continue
		}
		start := i
		timing := i
		if srtIndexRE.MatchString(strings.TrimSpace(lines[i])) {
			timing = i + 1
		}
		if timing >= len(lines) || !strings.Contains(lines[timing], "-->") {
			if timing < len(lines) && timing != i {
				return nil, subErr(timing+1, "expected a timing line such as \"00:00:01,000 --> 00:00:04,000\" after cue number %s, found %q", strings.TrimSpace(lines[i]), truncate(lines[timing], 60))
			}
			return nil, subErr(start+1, "expected a cue number or a timing line such as \"00:00:01,000 --> 00:00:04,000\", found %q", truncate(lines[start], 60))
		}
		// SRT may append "X1:100 X2:200 Y1:10 Y2:50"; it is not kept.
		cueStart, cueEnd, _, err := parseTimingLine(lines[timing], timing+1, parseSRTTimestamp, "hh:mm:ss,mmm")
		if err != nil {
			return nil, err
		}
		j := timing + 1
		var text []string
		for ; j < len(lines) && !isBlank(lines[j]); j++ {
			if strings.Contains(lines[j], "-->") {
				return nil, subErr(j+1, "a blank line is missing before this cue (cue text cannot contain \"-->\")")
			}
			if srtIndexRE.MatchString(strings.TrimSpace(lines[j])) && j+1 < len(lines) && strings.Contains(lines[j+1], "-->") {
				return nil, subErr(j+1, "a blank line is missing before cue %s", strings.TrimSpace(lines[j]))
			}
			text = append(text, lines[j])
		}
		if len(cues) == maxSubtitleCues {
			return nil, subErr(start+1, "more than %d cues", maxSubtitleCues)
		}
		cues = append(cues, Cue{Start: cueStart, End: cueEnd, Text: srtToVTTText(strings.Join(text, "\n"))})
		i = j
	}
	slices.SortStableFunc(cues, func(a, b Cue) int { return cmp.Compare(a.Start, b.Start) })
	return cues, nil
}

func firstNonBlank(lines []string) string {
	for _, l := range lines {
		if !isBlank(l) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// ParseSubtitles reads a WebVTT or SRT file, telling them apart by the
// WEBVTT header; format is "vtt" or "srt".
func ParseSubtitles(r io.Reader) (cues []Cue, format string, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", err
	}
	if bytes.HasPrefix(bytes.TrimPrefix(data, []byte("\uFEFF")), []byte("WEBVTT")) {
		cues, err = ParseVTT(bytes.NewReader(data))
		return cues, "vtt", err
	}
	cues, err = ParseSRT(bytes.NewReader(data))
	return cues, "srt", err
}

// srtTagRE matches the markup SRT files use: HTML-like tags and ASS
// override blocks such as {\an8}.
var srtTagRE = regexp.MustCompile(`</?([a-zA-Z]+)(?:\s[^<>]*)?>|\{\\[^{}]*\}`)

// srtToVTTText converts SRT cue text to WebVTT cue text: <i>, <b> and <u>
// are kept, <font> and ASS overrides dropped, and what WebVTT would read
// as markup (a stray < or &) escaped.
func srtToVTTText(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range srtTagRE.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(escapeLooseText(s[last:m[0]]))
		tag := s[m[0]:m[1]]
		if m[2] >= 0 {
			switch name := strings.ToLower(s[m[2]:m[3]]); name {
			case "i", "b", "u":
				if strings.HasPrefix(tag, "</") {
					b.WriteString("</" + name + ">")
				} else {
					b.WriteString("<" + name + ">")
				}
			case "font":
			default:
				b.WriteString(escapeLooseText(tag))
			}
		}
		last = m[1]
	}
	b.WriteString(escapeLooseText(s[last:]))
	return b.String()
}

// knownEntityRE matches character references WebVTT understands, which
// SRT files written by web tools often contain already.
var knownEntityRE = regexp.MustCompile(`^&(?:amp|lt|gt|nbsp|lrm|rlm|quot|apos|#\d+|#x[0-9a-fA-F]+);`)

// escapeLooseText escapes < and & in plain text, leaving character
// references alone.
func escapeLooseText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			b.WriteString("&lt;")
		case '&':
			if knownEntityRE.MatchString(s[i:]) {
				b.WriteByte('&')
			} else {
				b.WriteString("&amp;")
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// escapeCueText makes plain text safe as WebVTT cue text.
func escapeCueText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// vttTagRE matches WebVTT cue markup: <i>, </i>, <c.loud>, <v Bob>,
// <lang en>, <ruby>, <rt>, timestamps <00:00:01.000>.
var vttTagRE = regexp.MustCompile(`<[^<>]*>`)

// PlainText strips WebVTT cue text to what is read out: tags removed,
// character references decoded, lines joined by spaces. For transcript
// search and reading-speed checks.
func PlainText(cueText string) string {
	s := vttTagRE.ReplaceAllString(cueText, "")
	s = html.UnescapeString(s)
	s = strings.NewReplacer("\u00a0", " ", "\u200e", "", "\u200f", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// vttToSRTText converts WebVTT cue text to SRT: <i>, <b>, <u> kept, other
// tags (voices, classes, ruby, timestamps) dropped, references decoded.
func vttToSRTText(s string) string {
	s = vttTagRE.ReplaceAllStringFunc(s, func(tag string) string {
		name := strings.ToLower(strings.Trim(tag, "</>"))
		if i := strings.IndexAny(name, " .\t"); i >= 0 {
			name = name[:i]
		}
		switch name {
		case "i", "b", "u":
			if strings.HasPrefix(tag, "</") {
				return "</" + name + ">"
			}
			return "<" + name + ">"
		}
		return ""
	})
	return strings.NewReplacer("\u00a0", " ", "\u200e", "", "\u200f", "").Replace(html.UnescapeString(s))
}

// FormatSRTTimestamp formats d as SRT's HH:MM:SS,mmm.
func FormatSRTTimestamp(d time.Duration) string {
	return strings.Replace(FormatVTTTimestamp(d), ".", ",", 1)
}

// WriteSRT writes cues (Text in WebVTT cue text, see ParseSRT) as a
// SubRip file numbered from 1. Like WriteWebVTT it drops blank lines
// inside a cue and defuses "-->", and refuses invalid timings.
func WriteSRT(w io.Writer, cues []Cue) error {
	bw := bufio.NewWriter(w)
	n := 0
	for i, c := range cues {
		if c.End < c.Start || c.Start < 0 {
			return fmt.Errorf("srt: cue %d: invalid timing %v --> %v", i, c.Start, c.End)
		}
		var lines []string
		for _, line := range strings.Split(strings.ReplaceAll(vttToSRTText(c.Text), "\r\n", "\n"), "\n") {
			if strings.TrimSpace(line) != "" {
				lines = append(lines, strings.ReplaceAll(line, "-->", "->"))
			}
		}
		if len(lines) == 0 {
			continue // an empty SRT cue reads as a missing blank line
		}
		if n > 0 {
			bw.WriteString("\n")
		}
		n++
		fmt.Fprintf(bw, "%d\n%s --> %s\n", n, FormatSRTTimestamp(c.Start), FormatSRTTimestamp(c.End))
		for _, l := range lines {
			bw.WriteString(l + "\n")
		}
	}
	return bw.Flush()
}

// ConvertSRTtoVTT reads SRT from r and writes WebVTT to w; a malformed
// input returns its *SubtitleError and writes nothing.
func ConvertSRTtoVTT(r io.Reader, w io.Writer) error {
	cues, err := ParseSRT(r)
	if err != nil {
		return err
	}
	return WriteWebVTT(w, cues)
}

// mpegtsClock is MPEG-TS's 90 kHz presentation clock.
const mpegtsClock = 90_000

// WriteSubtitleVTTForHLS writes the WebVTT file an HLS subtitles
// rendition points at: WriteWebVTT's output with
// X-TIMESTAMP-MAP=MPEGTS:<mpegtsStart in 90 kHz ticks>,LOCAL:00:00:00.000
// in the header. Cue times are video times (0 = the first frame), but the
// MPEG-TS segments start at about 1.4 s (RenditionResult.StartTime); the
// map tells Safari and hls.js which TS time cue time zero is, without it
// captions show 1.4 s early. The header is harmless elsewhere, so the
// same file also serves as the downloadable .vtt.
func WriteSubtitleVTTForHLS(w io.Writer, cues []Cue, mpegtsStart time.Duration) error {
	if mpegtsStart < 0 {
		return errors.New("webvtt: negative MPEG-TS start")
	}
	var body bytes.Buffer
	if err := WriteWebVTT(&body, cues); err != nil {
		return err
	}
	ticks := int64(math.Round(mpegtsStart.Seconds() * mpegtsClock))
	header := fmt.Sprintf("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:%d,LOCAL:00:00:00.000\n", ticks)
	if _, err := io.WriteString(w, header); err != nil {
		return err
	}
	_, err := w.Write(bytes.TrimPrefix(body.Bytes(), []byte("WEBVTT\n")))
	return err
}
