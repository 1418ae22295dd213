package media

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// RejectError reports an input that can never be processed: not a media
// file, truncated, empty, an image, absurd dimensions, too long. Retrying
// cannot help, so jobs should fail the video for good (River's JobCancel)
// and show Reason to the uploader.
type RejectError struct {
	// Reason is one or two sentences a person can act on, e.g. "The file is
	// empty (0 bytes): the upload did not complete. Upload it again.". It
	// never contains server paths or raw tool output.
	Reason string
	// Detail is the tool output or value that led to the decision, for logs
	// and support; it may contain paths and is not meant for end users.
	Detail string
}

// Error returns Reason, so an error surfaced unchanged is still readable.
func (e *RejectError) Error() string { return e.Reason }

// AsReject reports whether err is, or wraps, a *RejectError and returns it.
func AsReject(err error) (*RejectError, bool) {
	var rej *RejectError
	if errors.As(err, &rej) {
		return rej, true
	}
	return nil, false
}

func reject(detail, format string, args ...any) *RejectError {
	return &RejectError{Reason: fmt.Sprintf(format, args...), Detail: detail}
}

// stderrRule maps a recognisable ffmpeg/ffprobe stderr line to an error.
// Rules are tried in order, so operational problems (disk, memory,
// permissions) win over input problems that can be their side effect.
type stderrRule struct {
	match func(line string) bool
	// build turns the matching line into the error; a nil result means the
	// line is recognised as an operational failure (plain error).
	build func(line string) *RejectError
	// operational marks failures of our environment, not of the input.
	operational bool
}

func contains(subs ...string) func(string) bool {
	return func(line string) bool {
		for _, s := range subs {
			if !strings.Contains(line, s) {
				return false
			}
		}
		return true
	}
}

var (
	demuxerNameRE = regexp.MustCompile(`^\[([a-z0-9_,]+) @ 0x[0-9a-f]+\]`)
	pictureSizeRE = regexp.MustCompile(`Picture size (\d+x\d+) is invalid`)
	decoderRE     = regexp.MustCompile(`Decoder \(codec ([a-z0-9_]+)\) not found`)
)

// stderrRules is the table of known failures. The Reasons are phrased for the
// uploader; the matched line goes into Detail.
var stderrRules = []stderrRule{
	{match: contains("No space left on device"), operational: true},
	{match: contains("Cannot allocate memory"), operational: true},
	{match: contains("Resource temporarily unavailable"), operational: true},
	{match: contains("Permission denied"), operational: true},
	{match: contains("No such file or directory"), operational: true},
	{match: contains("Too many open files"), operational: true},
	{match: contains("Error while opening encoder"), operational: true},
	{match: contains("Unknown encoder"), operational: true},
	{
		match: contains("moov atom not found"),
		build: func(line string) *RejectError {
			return reject(line, "The file is not a video ffmpeg can read (moov atom not found: the upload may be truncated). Upload the complete file again.")
		},
	},
	{
		match: contains("Format not on whitelist"),
		build: func(line string) *RejectError {
			name := "unknown"
			if m := demuxerNameRE.FindStringSubmatch(line); m != nil {
				name = m[1]
			}
			return reject(line, "The file's format (%s) is not a supported video or audio format. Upload a common format such as MP4, MOV, MKV, WebM or MP3.", name)
		},
	},
	{
		match: pictureSizeRE.MatchString,
		build: func(line string) *RejectError {
			return reject(line, "The video's frame size (%s) is invalid or far too large. Export it at a standard resolution such as 1920x1080.", pictureSizeRE.FindStringSubmatch(line)[1])
		},
	},
	{
		match: contains("EBML header parsing failed"),
		build: func(line string) *RejectError {
			return reject(line, "The file is not a video ffmpeg can read (its Matroska/WebM header is damaged). Export or upload it again.")
		},
	},
	{
		match: decoderRE.MatchString,
		build: func(line string) *RejectError {
			return reject(line, "The file uses a codec clipcut cannot decode (%s). Export it as H.264 or H.265 video with AAC audio.", decoderRE.FindStringSubmatch(line)[1])
		},
	},
	{
		match: contains("no decoder found"),
		build: func(line string) *RejectError {
			return reject(line, "The file uses a codec clipcut cannot decode. Export it as H.264 or H.265 video with AAC audio.")
		},
	},
	{
		match: func(line string) bool {
			return strings.Contains(line, "unspecified size") || strings.Contains(line, "Invalid frame dimensions 0x0")
		},
		build: func(line string) *RejectError {
			return reject(line, "The video stream is damaged: its frame size cannot be determined. Export or upload it again.")
		},
	},
	{
		match: contains("does not contain any stream"),
		build: func(line string) *RejectError {
			return reject(line, "The file contains no video or audio. Upload a video or audio file.")
		},
	},
	{
		match: contains("partial file"),
		build: func(line string) *RejectError {
			return reject(line, "The file is incomplete (its data ends early: the upload may be truncated). Upload the complete file again.")
		},
	},
	{
		match: contains("Invalid data found when processing input"),
		build: func(line string) *RejectError {
			return reject(line, "The file is not a video or audio file ffmpeg can read (it may be damaged or in an unsupported format).")
		},
	},
	{
		match: contains("Error while decoding stream"),
		build: func(line string) *RejectError {
			return reject(line, "The video could not be decoded (the file is damaged). Export or upload it again.")
		},
	},
}

// classifyStderr looks for a known failure in a tool's last stderr lines.
// It returns a *RejectError for input problems, a plain error for
// operational ones, and nil when nothing is recognised. Operational rules
// are checked over all lines first, because a full disk can also produce
// follow-on "Invalid data" noise.
func classifyStderr(tool string, lines []string) error {
	for pass := 0; pass < 2; pass++ {
		for _, rule := range stderrRules {
			if rule.operational != (pass == 0) {
				continue
			}
			for _, line := range lines {
				if !rule.match(line) {
					continue
				}
				if rule.operational {
					return fmt.Errorf("%s: %s", tool, line)
				}
				return rule.build(line)
			}
		}
	}
	return nil
}

// lastLine returns the last non-empty line, for error messages.
func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" {
			return s
		}
	}
	return ""
}
