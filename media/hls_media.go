package media

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MediaPlaylist is a parsed HLS media playlist: the tags clipcut needs to
// measure renditions and to know how far an encode has got.
type MediaPlaylist struct {
	// Version is EXT-X-VERSION (0 if absent).
	Version int
	// TargetDuration is EXT-X-TARGETDURATION in seconds.
	TargetDuration int
	// MediaSequence is EXT-X-MEDIA-SEQUENCE, the first segment's number.
	MediaSequence int
	// PlaylistType is EXT-X-PLAYLIST-TYPE: "EVENT", "VOD" or "".
	PlaylistType string
	// IndependentSegments reports EXT-X-INDEPENDENT-SEGMENTS.
	IndependentSegments bool
	// Segments are in playlist order. Every segment listed in a playlist
	// written by LadderArgs' ffmpeg is complete on disk (see LadderArgs).
	Segments []Segment
	// EndList reports EXT-X-ENDLIST: no segment will be added; for an
	// encode, ffmpeg finished this rendition.
	EndList bool
}

// Segment is one media segment.
type Segment struct {
	// URI is as written in the playlist, relative to the playlist.
	URI string
	// Duration is the EXTINF duration in seconds.
	Duration float64
}

// Duration is the sum of the segment durations in seconds.
func (p *MediaPlaylist) Duration() float64 {
	var d float64
	for _, s := range p.Segments {
		d += s.Duration
	}
	return d
}

// ParseMediaPlaylist reads a media playlist. Unknown tags are ignored, as
// RFC 8216 asks of clients. A master playlist is an error.
func ParseMediaPlaylist(r io.Reader) (*MediaPlaylist, error) {
	sc := bufio.NewScanner(r)
	p := &MediaPlaylist{}
	first := true
	var pending *float64
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if first {
			if line != "#EXTM3U" {
				return nil, errors.New("media playlist: missing #EXTM3U header")
			}
			first = false
			continue
		}
		tag, value, _ := strings.Cut(line, ":")
		switch {
		case tag == "#EXT-X-VERSION":
			p.Version, _ = strconv.Atoi(value)
		case tag == "#EXT-X-TARGETDURATION":
			p.TargetDuration, _ = strconv.Atoi(value)
		case tag == "#EXT-X-MEDIA-SEQUENCE":
			p.MediaSequence, _ = strconv.Atoi(value)
		case tag == "#EXT-X-PLAYLIST-TYPE":
			p.PlaylistType = value
		case tag == "#EXT-X-INDEPENDENT-SEGMENTS":
			p.IndependentSegments = true
		case tag == "#EXT-X-ENDLIST":
			p.EndList = true
		case tag == "#EXT-X-STREAM-INF":
			return nil, errors.New("media playlist: this is a master playlist")
		case tag == "#EXTINF":
			durText, _, _ := strings.Cut(value, ",")
			d, err := strconv.ParseFloat(strings.TrimSpace(durText), 64)
			if err != nil || d < 0 {
				return nil, fmt.Errorf("media playlist: invalid %s", line)
			}
			pending = &d
		case strings.HasPrefix(line, "#"):
			// Another tag or a comment.
		default:
			if pending == nil {
				return nil, fmt.Errorf("media playlist: segment %q has no #EXTINF", line)
			}
			p.Segments = append(p.Segments, Segment{URI: line, Duration: *pending})
			pending = nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("media playlist: %w", err)
	}
	if first {
		return nil, errors.New("media playlist: empty")
	}
	return p, nil
}

// ReadMediaPlaylist parses the media playlist file at path. Polling it
// during an encode is safe: ffmpeg replaces it atomically.
func ReadMediaPlaylist(path string) (*MediaPlaylist, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("media playlist: %w", err)
	}
	defer f.Close()
	return ParseMediaPlaylist(f)
}

// FinalizeMediaPlaylist copies a finished EVENT playlist from r to w as a
// VOD playlist: EXT-X-PLAYLIST-TYPE becomes VOD (or is added) and
// EXT-X-ENDLIST is guaranteed at the end. VOD tells players the playlist
// will never change, so they stop reloading it and allow seeking anywhere
// from the start. Every other line is kept as is; finalising twice gives
// the same bytes. Only call it once the encode has succeeded.
func FinalizeMediaPlaylist(r io.Reader, w io.Writer) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("finalize playlist: %w", err)
	}
	p, err := ParseMediaPlaylist(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("finalize playlist: %w", err)
	}
	if len(p.Segments) == 0 {
		return errors.New("finalize playlist: no segments")
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var out []string
	typed := false
	for _, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case t == "" || t == "#EXT-X-ENDLIST":
			continue // ENDLIST is re-added last
		case strings.HasPrefix(t, "#EXT-X-PLAYLIST-TYPE:"):
			line, typed = "#EXT-X-PLAYLIST-TYPE:VOD", true
		case !typed && (strings.HasPrefix(t, "#EXTINF") || !strings.HasPrefix(t, "#")):
			// No type tag before the first segment: add one there, where
			// the playlist header ends.
			out = append(out, "#EXT-X-PLAYLIST-TYPE:VOD")
			typed = true
		}
		out = append(out, line)
	}
	out = append(out, "#EXT-X-ENDLIST", "")
	_, err = io.WriteString(w, strings.Join(out, "\n"))
	return err
}

// FinalizeMediaPlaylistFile finalises the playlist at path in place (see
// FinalizeMediaPlaylist), through a temporary file and a rename so a
// server reading it concurrently sees the old or the new playlist, never
// half of one.
func FinalizeMediaPlaylistFile(path string) error {
	in, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("finalize playlist: %w", err)
	}
	var out bytes.Buffer
	if err := FinalizeMediaPlaylist(bytes.NewReader(in), &out); err != nil {
		return fmt.Errorf("finalize playlist %s: %w", path, err)
	}
	return writeFileAtomic(path, out.Bytes())
}

// writeFileAtomic writes data to a temporary file next to path and renames
// it over path.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
