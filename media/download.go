package media

import (
	"context"
	"fmt"
	"os"
)

// DownloadMP4 remuxes a finished rendition (its local HLS media playlist)
// into a progressive MP4 at out, for people who want a file rather than a
// stream. Nothing is re-encoded: the H.264 and AAC streams are copied (AAC
// moves from ADTS in MPEG-TS to MP4's format), and the index goes first
// (faststart) so the file plays, and seeks by byte range, while it
// downloads. out is written through a temporary file, so it is either
// absent or complete.
func DownloadMP4(ctx context.Context, ffmpegPath, playlist, out string) error {
	tmp := out + ".tmp.mp4"
	args := []string{"-hide_banner", "-nostdin", "-v", "error", "-y",
		"-protocol_whitelist", "file", "-i", playlist,
		"-map", "0", "-c", "copy", "-bsf:a", "aac_adtstoasc",
		"-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", tmp}
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, args, nil); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mp4 download: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mp4 download: %w", err)
	}
	return nil
}
