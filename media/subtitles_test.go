package media

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// sampleCues exercise the writers: markup, entities, two lines, an hour
// mark.
var sampleCues = []Cue{
	{Start: ms(1000), End: ms(3500), Text: "Hello, world."},
	{Start: ms(3500), End: ms(6250), Text: "Two lines of text\nwith <i>italics</i> &amp; an ampersand."},
	{ID: "speaker", Start: ms(7000), End: ms(9000), Settings: "line:90%", Text: "<v Bob>Voices are dropped in SRT</v>, 3 &lt; 4."},
	{Start: time.Hour + ms(2003), End: time.Hour + ms(4500), Text: "After an hour."},
}

func TestWriteSRTGolden(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, WriteSRT(&b, sampleCues))
	golden(t, "subs_sample.srt", b.Bytes())

	// What WriteSRT writes, ParseSRT reads back to the same times and
	// (SRT-representable) text.
	cues, err := ParseSRT(&b)
	require.NoError(t, err)
	require.Len(t, cues, len(sampleCues))
	for i, c := range cues {
		require.Equal(t, sampleCues[i].Start, c.Start)
		require.Equal(t, sampleCues[i].End, c.End)
	}
	require.Equal(t, "Two lines of text\nwith <i>italics</i> &amp; an ampersand.", cues[1].Text)
	require.Equal(t, "Voices are dropped in SRT, 3 &lt; 4.", cues[2].Text)

	require.Error(t, WriteSRT(&b, []Cue{{Start: 2 * time.Second, End: time.Second}}))
}

func TestWriteSubtitleVTTForHLSGolden(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	// ffmpeg's MPEG-TS output starts at 1.4 s plus the B-frame delay.
	require.NoError(t, WriteSubtitleVTTForHLS(&b, sampleCues, ms(1466)))
	golden(t, "subs_hls.vtt", b.Bytes())
	require.Contains(t, b.String(), "X-TIMESTAMP-MAP=MPEGTS:131940,LOCAL:00:00:00.000\n")

	// The file is valid WebVTT: it parses back to the same cues.
	cues, err := ParseVTT(&b)
	require.NoError(t, err)
	require.Equal(t, sampleCues, cues)

	require.Error(t, WriteSubtitleVTTForHLS(&b, sampleCues, -time.Second))
}

func TestParseVTT(t *testing.T) {
	t.Parallel()
	in := "\uFEFFWEBVTT - a title\r\nKind: captions\r\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\r\n\r\n" +
		"NOTE a comment\r\nspanning lines\r\n\r\n" +
		"STYLE\r\n::cue { color: yellow }\r\n\r\n" +
		"intro\r\n00:01.000 --> 00:02.500 align:start line:0\r\n<v Ann>Hi</v> &amp; welcome\r\nsecond line\r\n\r\n\r\n" +
		"00:00:00.500 --> 00:00:03.000\r\noverlapping, earlier\r\n\r\n" +
		"01:00:00.000 --> 01:00:01.000\r\n"
	cues, err := ParseVTT(strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, []Cue{
		{Start: ms(500), End: ms(3000), Text: "overlapping, earlier"},
		{ID: "intro", Start: ms(1000), End: ms(2500), Settings: "align:start line:0", Text: "<v Ann>Hi</v> &amp; welcome\nsecond line"},
		{Start: time.Hour, End: time.Hour + time.Second, Text: ""},
	}, cues)

	// Lone CRs end lines too (old Mac files).
	cues, err = ParseVTT(strings.NewReader("WEBVTT\r\r00:00.000 --> 00:01.000\rhi\r"))
	require.NoError(t, err)
	require.Equal(t, []Cue{{Start: 0, End: time.Second, Text: "hi"}}, cues)

	// A header with no cues is a valid, empty file.
	cues, err = ParseVTT(strings.NewReader("WEBVTT\n"))
	require.NoError(t, err)
	require.Empty(t, cues)
}

func TestParseVTTErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"empty", "", 1, "the file is empty"},
		{"no header", "00:00.000 --> 00:01.000\nhi\n", 1, "missing WEBVTT header"},
		{"text before header", "subtitles\nWEBVTT\n", 1, "missing WEBVTT header"},
		{"header run-on", "WEBVTTX\n", 1, "missing WEBVTT header"},
		{"no blank after header", "WEBVTT\n00:00.000 --> 00:01.000\nhi\n", 2, "a blank line is missing between the WEBVTT header"},
		{"end before start", "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nok\n\n2\n00:00:02.000 --> 00:00:01.000\nbad\n", 8,
			"end time 00:00:01.000 is before start 00:00:02.000"},
		{"zero length", "WEBVTT\n\n00:00:01.000 --> 00:00:01.000\nx\n", 3, "equals the start time"},
		{"comma separator", "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nx\n", 3, `malformed start time "00:00:01,000" (expected hh:mm:ss.mmm)`},
		{"short millis", "WEBVTT\n\n00:00:01.000 --> 00:00:02.5\nx\n", 3, `malformed end time "00:00:02.5"`},
		{"minutes over 59", "WEBVTT\n\n00:61:00.000 --> 01:00:00.000\nx\n", 3, "malformed start time"},
		{"one-digit minutes", "WEBVTT\n\n0:01.000 --> 0:02.000\nx\n", 3, "malformed start time"},
		{"no end", "WEBVTT\n\n00:00:01.000 -->\nx\n", 3, "no end time"},
		{"missing blank line between cues", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\none\n00:00:03.000 --> 00:00:04.000\ntwo\n", 5,
			"is a blank line missing before this cue?"},
		{"missing blank line after id", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\none\nid2\n00:00:03.000 --> 00:00:04.000\n", 6,
			"is a blank line missing before this cue?"},
		{"garbage block", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\none\n\nhello there\nfriend\n", 6, "expected a cue timing line"},
		{"not utf-8", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ncaf\xe9\n", 4, "not UTF-8"},
		{"binary", "WEBVTT\n\x00\x01", 2, "NUL bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseVTT(strings.NewReader(tc.in))
			var se *SubtitleError
			require.True(t, errors.As(err, &se), "want *SubtitleError, got %v", err)
			require.Equal(t, tc.line, se.Line, se.Error())
			require.Contains(t, se.Msg, tc.msg)
			require.True(t, strings.HasPrefix(err.Error(), "line "))
		})
	}
	var se *SubtitleError
	_, err := ParseVTT(strings.NewReader("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nx\n"))
	require.ErrorAs(t, err, &se)
	require.Equal(t, "line 3: end time 00:00:01.000 is before start 00:00:02.000", err.Error())
}

func TestParseSRT(t *testing.T) {
	t.Parallel()
	in := "\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello</i> <font color=\"#ff0\">there</font>\r\n{\\an8}Tom & Jerry <3\r\n\r\n" +
		"2\r\n0:00:03.5 --> 0:00:04,000 X1:10 X2:20 Y1:5 Y2:9\r\nAT&amp;T\r\n\r\n\r\n" +
		// No number line: tolerated.
		"00:00:00,200 --> 00:00:00,900\r\nfirst, out of order\r\n"
	cues, err := ParseSRT(strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, []Cue{
		{Start: ms(200), End: ms(900), Text: "first, out of order"},
		{Start: ms(1000), End: ms(2500), Text: "<i>Hello</i> there\nTom &amp; Jerry &lt;3"},
		{Start: ms(3500), End: ms(4000), Text: "AT&amp;T"},
	}, cues)
	require.Equal(t, "Hello there Tom & Jerry <3", PlainText(cues[1].Text))

	cues, err = ParseSRT(strings.NewReader("\n\n"))
	require.NoError(t, err)
	require.Empty(t, cues)
}

func TestParseSRTErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nx\n", 1, "this is a WebVTT file"},
		{"prose", "Hello there\n", 1, "expected a cue number or a timing line"},
		{"number without timing", "1\nHello\n", 2, "expected a timing line"},
		{"end before start", "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:05,000 --> 00:00:04,000\nbad\n", 6,
			"end time 00:00:04.000 is before start 00:00:05.000"},
		{"bad timestamp", "1\n00:00:01 --> 00:00:02,000\nx\n", 2, `malformed start time "00:00:01" (expected hh:mm:ss,mmm)`},
		{"missing blank line", "1\n00:00:01,000 --> 00:00:02,000\none\n2\n00:00:03,000 --> 00:00:04,000\ntwo\n", 4,
			"a blank line is missing before cue 2"},
		{"missing blank and number", "1\n00:00:01,000 --> 00:00:02,000\none\n00:00:03,000 --> 00:00:04,000\ntwo\n", 4,
			"a blank line is missing before this cue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSRT(strings.NewReader(tc.in))
			var se *SubtitleError
			require.True(t, errors.As(err, &se), "want *SubtitleError, got %v", err)
			require.Equal(t, tc.line, se.Line, se.Error())
			require.Contains(t, se.Msg, tc.msg)
		})
	}
}

func TestParseSubtitlesDetectsFormat(t *testing.T) {
	t.Parallel()
	cues, format, err := ParseSubtitles(strings.NewReader("\uFEFFWEBVTT\n\n00:01.000 --> 00:02.000\nhi\n"))
	require.NoError(t, err)
	require.Equal(t, "vtt", format)
	require.Len(t, cues, 1)
	cues, format, err = ParseSubtitles(strings.NewReader("1\n00:00:01,000 --> 00:00:02,000\nhi\n"))
	require.NoError(t, err)
	require.Equal(t, "srt", format)
	require.Len(t, cues, 1)
}

func TestConvertSRTtoVTT(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, ConvertSRTtoVTT(strings.NewReader("1\r\n00:00:01,000 --> 00:00:02,000\r\n<b>Bold</b> & brave\r\n"), &b))
	require.Equal(t, "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<b>Bold</b> &amp; brave\n", b.String())
	b.Reset()
	err := ConvertSRTtoVTT(strings.NewReader("1\n00:00:02,000 --> 00:00:01,000\nx\n"), &b)
	var se *SubtitleError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 2, se.Line)
	require.Zero(t, b.Len())
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Hi & bye <3 done", PlainText("<v.loud Bob>Hi</v> &amp; <00:00:01.000>bye &lt;3\n<c.x>done</c>"))
	require.Equal(t, "a b", PlainText("a&nbsp;b"))
}
