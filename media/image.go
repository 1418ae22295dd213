package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"os"
)

// ErrBadImage is an uploaded image that is not a JPEG, PNG or WebP, or
// does not decode.
var ErrBadImage = errors.New("the image is not a JPEG, PNG or WebP that decodes")

// imageMaxPixels bounds the pictures PosterFromImage decodes (ffmpeg's
// max_pixels): a 10 MB PNG can claim a billion pixels, and decoding it
// would take gigabytes.
const imageMaxPixels = 50_000_000

// ImageFormat names the format of an image from its first bytes: "jpeg",
// "png" or "webp" (a still WebP; the container is RIFF), or "" for
// anything else. Twelve bytes are enough.
func ImageFormat(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return "webp"
	}
	return ""
}

// PosterFromImage decodes the JPEG, PNG or WebP image at in with ffmpeg
// and writes it to out as a JPEG poster, scaled down (never up) to fit
// the posters of processing, through a temporary file so out is either
// absent or complete. The demuxer is chosen from the image's first bytes
// and is the only one allowed, so a video or playlist renamed .png is
// refused rather than read. An image that is not one of the three or
// does not decode gives ErrBadImage.
func PosterFromImage(ctx context.Context, ffmpegPath, in, out string) (Image, error) {
	head := make([]byte, 12)
	f, err := os.Open(in)
	if err != nil {
		return Image{}, fmt.Errorf("poster from image: %w", err)
	}
	n, _ := f.Read(head)
	f.Close()
	format := ImageFormat(head[:n])
	if format == "" {
		return Image{}, ErrBadImage
	}
	demuxer := format + "_pipe"
	tmp := out + ".tmp.jpg"
	defer os.Remove(tmp)
	scale := fmt.Sprintf("scale=w='min(%[1]d,iw)':h='min(%[1]d,ih)':force_original_aspect_ratio=decrease:flags=bicubic,setsar=1", posterMaxSide)
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error",
		"-protocol_whitelist", "file", "-format_whitelist", demuxer, "-f", demuxer,
		"-max_pixels", fmt.Sprint(imageMaxPixels),
		"-i", inputURL(in), "-map", "0:v:0", "-vf", scale,
		"-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", tmp}
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, args, nil); err != nil {
		if ctx.Err() != nil {
			return Image{}, fmt.Errorf("poster from image: %w", err)
		}
		return Image{}, fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	jf, err := os.Open(tmp)
	if err != nil {
		return Image{}, fmt.Errorf("%w: ffmpeg wrote no picture", ErrBadImage)
	}
	cfg, err := jpeg.DecodeConfig(jf)
	jf.Close()
	if err != nil {
		return Image{}, fmt.Errorf("poster from image: ffmpeg wrote no JPEG: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return Image{}, fmt.Errorf("poster from image: %w", err)
	}
	return Image{Path: out, Width: cfg.Width, Height: cfg.Height}, nil
}
