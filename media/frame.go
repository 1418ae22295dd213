package media

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// FrameArgs are the arguments of the ffmpeg run that writes the frame of
// src shown at second at, as a JPEG poster (the size and colour handling
// of Poster) to out. Seeking before -i is fast (keyframe index) and
// frame-accurate: ffmpeg decodes from the keyframe before at and drops
// the frames before it.
func FrameArgs(in string, src SourceInfo, at float64, out string) ([]string, error) {
	input, graph, _, err := frameGraph(src, at)
	if err != nil {
		return nil, err
	}
	return posterArgs(in, input, graph, out), nil
}

func frameGraph(src SourceInfo, at float64) (input, graph []string, img Image, err error) {
	v := src.Video
	if v == nil {
		return nil, nil, Image{}, ErrNoVideo
	}
	if at < 0 || (src.Duration > 0 && at >= src.Duration) {
		return nil, nil, Image{}, fmt.Errorf("frame: %.3f s is outside the video (0 to %.3f s)", at, src.Duration)
	}
	img.Width, img.Height = fitWithin(v.DisplayWidth, v.DisplayHeight, posterMaxSide)
	var chain []string
	if v.Interlaced {
		chain = append(chain, "yadif=mode=send_frame:deint=interlaced")
	}
	chain = append(chain, fmt.Sprintf("scale=%d:%d:flags=bicubic,setsar=1", img.Width, img.Height))
	if v.HDR {
		chain = append(chain, toneMapChain(v)...)
	}
	input = []string{"-ss", strconv.FormatFloat(at, 'f', 6, 64)}
	graph = []string{"-map", fmt.Sprintf("0:%d", v.Index), "-vf", strings.Join(chain, ",")}
	return input, graph, img, nil
}

// Frame writes the frame of src shown at second at to out as a JPEG
// poster (FrameArgs), through a temporary file so out is either absent or
// complete. A source without video gives ErrNoVideo.
func Frame(ctx context.Context, ffmpegPath, in string, src SourceInfo, at float64, out string) (Image, error) {
	input, graph, img, err := frameGraph(src, at)
	if err != nil {
		return Image{}, err
	}
	tmp := out + ".tmp.jpg"
	defer os.Remove(tmp)
	if err := posterRun(ctx, ffmpegPath, in, input, graph, tmp); err != nil {
		if errors.Is(err, errNoImage) {
			return Image{}, fmt.Errorf("frame: no frame at %.3f s (the video stream ends earlier): %w", at, err)
		}
		return Image{}, fmt.Errorf("frame: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return Image{}, fmt.Errorf("frame: %w", err)
	}
	img.Path = out
	return img, nil
}
