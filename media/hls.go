package media

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode"
)

// RenditionResult is a rendition as it appears in the master playlist:
// either measured from the produced files (MeasureRendition) or, while the
// encode is still running, estimated from the plan (Rendition.PlannedResult).
type RenditionResult struct {
	// Name is the rendition's name ("720p").
	Name string `json:"name"`
	// URI is the media playlist, relative to the master ("720p/index.m3u8").
	URI string `json:"uri"`
	// Width and Height are the frame size.
	Width  int `json:"width"`
	Height int `json:"height"`
	// FrameRate is frames per second.
	FrameRate float64 `json:"frame_rate"`
	// Bandwidth is the peak segment bit rate in bits/s as RFC 8216
	// defines it for BANDWIDTH (see MeasureRendition).
	Bandwidth int `json:"bandwidth"`
	// AverageBandwidth is total bits over total duration, in bits/s.
	AverageBandwidth int `json:"average_bandwidth"`
	// Codecs is the RFC 6381 list, e.g. "avc1.640028,mp4a.40.2".
	Codecs string `json:"codecs"`
	// Segments and Duration (seconds) describe the media playlist measured;
	// zero for planned results.
	Segments int     `json:"segments,omitempty"`
	Duration float64 `json:"duration,omitempty"`
	// StartTime is the MPEG-TS presentation time (seconds) of the first
	// video frame, i.e. of the source's time zero: ffmpeg starts TS output
	// at about 1.4 s plus the B-frame delay. WebVTT subtitles played
	// alongside need X-TIMESTAMP-MAP=MPEGTS:<StartTime*90000>,LOCAL:00:00:00.000
	// to line up in Safari. Zero for planned results.
	StartTime float64 `json:"start_time,omitempty"`
}

// PlannedResult is the master-playlist entry for r before it has been
// measured: BANDWIDTH is the planned peak (PlannedBandwidth), and CODECS is
// exact because the profile and level are set explicitly. Used to publish a
// master playlist while the encode is still running.
func (r Rendition) PlannedResult() RenditionResult {
	return RenditionResult{
		Name:             r.Name,
		URI:              r.Name + "/" + MediaPlaylistName,
		Width:            r.Width,
		Height:           r.Height,
		FrameRate:        r.FrameRate.Float(),
		Bandwidth:        r.PlannedBandwidth(),
		AverageBandwidth: r.VideoBitrate + r.AudioBitrate,
		Codecs:           r.Codecs(),
	}
}

// SubtitleTrack is one subtitles rendition in the master playlist.
type SubtitleTrack struct {
	// Name is what players list, e.g. "English (auto-generated)".
	Name string `json:"name"`
	// Language is a BCP 47 tag, e.g. "en".
	Language string `json:"language"`
	// URI is the subtitles media playlist relative to the master (HLS wants
	// a playlist of WebVTT segments, not a bare .vtt file; see
	// WriteSubtitlePlaylist).
	URI string `json:"uri"`
}

// subtitlesGroup is the GROUP-ID tying subtitle tracks to variants.
const subtitlesGroup = "subs"

// WriteMasterPlaylist writes clipcut's HLS master playlist: playback starts
// at the beginning (EXT-X-START, see below), every rendition
// as an EXT-X-STREAM-INF sorted by BANDWIDTH (lowest first, so clients that
// start with the first variant start cheaply), with AVERAGE-BANDWIDTH,
// RESOLUTION, CODECS and FRAME-RATE, and, when subtitles exist, a
// SUBTITLES group that every variant references.
//
// clipcut writes its own master instead of ffmpeg's because ffmpeg's
// BANDWIDTH is its configured rate, not what the segments measure, and it
// knows nothing of the subtitles added later.
func WriteMasterPlaylist(w io.Writer, renditions []RenditionResult, subtitles []SubtitleTrack) error {
	if len(renditions) == 0 {
		return errors.New("master playlist: no renditions")
	}
	for _, r := range renditions {
		if r.Bandwidth <= 0 || r.Width <= 0 || r.Height <= 0 {
			return fmt.Errorf("master playlist: rendition %q: bandwidth and resolution are required", r.Name)
		}
		if err := checkQuoted(r.URI, r.Codecs); err != nil || r.URI == "" {
			return fmt.Errorf("master playlist: rendition %q: invalid URI or CODECS", r.Name)
		}
	}
	subtitles = slices.Clone(subtitles)
	for i, s := range subtitles {
		// A name is only shown, so one HLS cannot hold is made fit rather
		// than refused: a stored label must never stop the master (and so
		// every later subtitle save) from being written.
		subtitles[i].Name = QuotedName(s.Name)
		if subtitles[i].Name == "" {
			subtitles[i].Name = s.Language
		}
		if err := checkQuoted(subtitles[i].Name, s.Language, s.URI); err != nil || subtitles[i].Name == "" || s.URI == "" {
			return fmt.Errorf("master playlist: subtitles %q: invalid name, language or URI", s.Name)
		}
	}
	sorted := slices.Clone(renditions)
	slices.SortStableFunc(sorted, func(a, b RenditionResult) int { return a.Bandwidth - b.Bandwidth })

	bw := bufio.NewWriter(w)
	// EXT-X-START at 0: while the encode runs the media playlists are
	// EVENT playlists without ENDLIST, which players otherwise treat like
	// live streams and join near the end. For a finished VOD it is the
	// default anyway.
	fmt.Fprint(bw, "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-START:TIME-OFFSET=0\n")
	if len(subtitles) > 0 {
		fmt.Fprintln(bw)
		for _, s := range subtitles {
			fmt.Fprintf(bw, "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=%s,NAME=%s,", quote(subtitlesGroup), quote(s.Name))
			if s.Language != "" {
				fmt.Fprintf(bw, "LANGUAGE=%s,", quote(s.Language))
			}
			fmt.Fprintf(bw, "DEFAULT=NO,AUTOSELECT=YES,URI=%s\n", quote(s.URI))
		}
	}
	for _, r := range sorted {
		fmt.Fprintln(bw)
		fmt.Fprintf(bw, "#EXT-X-STREAM-INF:BANDWIDTH=%d", r.Bandwidth)
		if r.AverageBandwidth > 0 {
			fmt.Fprintf(bw, ",AVERAGE-BANDWIDTH=%d", r.AverageBandwidth)
		}
		fmt.Fprintf(bw, ",RESOLUTION=%dx%d", r.Width, r.Height)
		if r.Codecs != "" {
			fmt.Fprintf(bw, ",CODECS=%s", quote(r.Codecs))
		}
		if r.FrameRate > 0 {
			fmt.Fprintf(bw, ",FRAME-RATE=%.3f", r.FrameRate)
		}
		if len(subtitles) > 0 {
			fmt.Fprintf(bw, ",SUBTITLES=%s", quote(subtitlesGroup))
		}
		// Without this Safari may wait for CEA-608 captions that never
		// come; Apple's authoring spec asks for it.
		fmt.Fprint(bw, ",CLOSED-CAPTIONS=NONE\n")
		fmt.Fprintln(bw, r.URI)
	}
	return bw.Flush()
}

// WriteSubtitlePlaylist writes the media playlist HLS needs around one
// WebVTT file covering the whole video (duration in seconds): a VOD
// playlist with a single segment.
func WriteSubtitlePlaylist(w io.Writer, vttURI string, duration float64) error {
	if vttURI == "" || strings.ContainsAny(vttURI, "\r\n") || duration <= 0 {
		return fmt.Errorf("subtitle playlist: invalid URI %q or duration %.3f", vttURI, duration)
	}
	_, err := fmt.Fprintf(w, "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:%.3f,\n%s\n#EXT-X-ENDLIST\n",
		int(math.Ceil(duration)), duration, vttURI)
	return err
}

// QuotedName makes a display name fit an HLS quoted-string, which has no
// escapes and cannot hold a double quote, CR or LF (RFC 8216, 4.2): double
// quotes become single quotes, control characters and line separators
// become spaces, and the ends are trimmed.
func QuotedName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return ' '
		}
		return r
	}, name)
	return strings.TrimSpace(name)
}

// quote makes an HLS quoted-string. Unlike Go's %q it escapes nothing:
// HLS has no escapes, so values are checked by checkQuoted first.
func quote(s string) string { return `"` + s + `"` }

// checkQuoted rejects values that cannot appear in an HLS quoted-string
// (no double quotes, CR or LF), which would corrupt the playlist.
func checkQuoted(values ...string) error {
	for _, v := range values {
		if strings.ContainsAny(v, "\"\r\n") {
			return fmt.Errorf("invalid quoted-string %q", v)
		}
	}
	return nil
}
