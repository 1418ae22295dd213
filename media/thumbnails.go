package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNoVideo is returned by Storyboard for audio-only sources, which have
// nothing to preview; callers skip the storyboard.
var ErrNoVideo = errors.New("media: source has no video")

// Image is a picture written to disk.
type Image struct {
	// Path is where it was written.
	Path string `json:"path"`
	// Width and Height are its size in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Time is the second of the source the picture shows, when it is a
	// frame Poster picked (0 otherwise).
	Time float64 `json:"time,omitempty"`
}

// posterMaxSide bounds the poster: big enough for a full-width player on a
// laptop, small enough to load instantly in a grid.
const posterMaxSide = 1280

// posterBatch is how many consecutive frames the thumbnail filter compares
// to pick the most representative one (frames are scaled first, so this
// holds at most ~50 poster-sized frames in memory).
const posterBatch = 50

// Poster writes a JPEG poster for src to out (written through a temporary
// file, so out is either absent or complete).
//
// For video it seeks to 10% of the duration (past black openings, fades
// and title cards) and lets ffmpeg's thumbnail filter pick the most
// representative of the next frames, scaled to fit 1280x1280 (no
// upscaling, even dimensions); Image.Time is the picked frame's time
// (read from the showinfo filter after it), up to posterBatch frames
// after the search's start (PosterTime). For audio-only sources it draws the
// waveform of the whole file over the same background colour as the
// audio-only rendition.
func Poster(ctx context.Context, ffmpegPath, in string, src SourceInfo, out string) (Image, error) {
	var img Image
	var input, graph []string // options before -i, and what follows it
	switch {
	case src.Video != nil:
		v := src.Video
		img.Width, img.Height = fitWithin(v.DisplayWidth, v.DisplayHeight, posterMaxSide)
		var chain []string
		if v.Interlaced {
			chain = append(chain, "yadif=mode=send_frame:deint=interlaced")
		}
		// Scale first: the thumbnail filter holds a batch of frames, and
		// tone-mapping is cheaper at poster size.
		chain = append(chain, fmt.Sprintf("scale=%d:%d:flags=bicubic,setsar=1", img.Width, img.Height))
		if v.HDR {
			chain = append(chain, toneMapChain(v)...)
		}
		chain = append(chain, fmt.Sprintf("thumbnail=%d", posterBatch), "showinfo")
		graph = []string{"-map", fmt.Sprintf("0:%d", v.Index), "-vf", strings.Join(chain, ",")}
		if at := PosterTime(src); at > 0 {
			// Input seeking is fast (keyframe index) and frame-accurate.
			input = []string{"-ss", strconv.FormatFloat(at, 'f', 3, 64)}
		}
	case src.Audio != nil:
		img.Width, img.Height = 1280, 720
		waveH := img.Height * 2 / 3
		graph = []string{"-filter_complex", fmt.Sprintf(
			"[0:%d]aformat=channel_layouts=mono,showwavespic=s=%dx%d:colors=0x9fb3c8[w];"+
				"color=c=%s:s=%dx%d[bg];[bg][w]overlay=x=0:y=%d:format=auto:shortest=1",
			src.Audio.Index, img.Width, waveH,
			EncodeOptions{}.withDefaults().BackgroundColor, img.Width, img.Height,
			(img.Height-waveH)/2)}
	default:
		return Image{}, errors.New("poster: source has neither video nor audio")
	}

	tmp := out + ".tmp.jpg"
	defer os.Remove(tmp)
	from := PosterTime(src)
	lines, err := posterPick(ctx, ffmpegPath, in, input, graph, tmp)
	if errors.Is(err, errNoImage) && input != nil {
		// The video stream ends before 10% of the file's duration (audio
		// runs longer): take the poster from the start instead.
		from = 0
		lines, err = posterPick(ctx, ffmpegPath, in, nil, graph, tmp)
	}
	if err != nil {
		return Image{}, fmt.Errorf("poster: %w", err)
	}
	if src.Video != nil {
		// Timestamps start at zero where the input was seeked to.
		img.Time = from
		if t, ok := shownAt(lines); ok {
			img.Time = math.Round((from+t)*1000) / 1000
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		return Image{}, fmt.Errorf("poster: %w", err)
	}
	img.Path = out
	return img, nil
}

var errNoImage = errors.New("ffmpeg wrote no image")

// PosterTime is the second of src that Poster samples its frame from (10%
// of the duration; 0 for very short videos): the frame follows an edit
// that cuts it out.
func PosterTime(src SourceInfo) float64 {
	if at := src.Duration * 0.1; at >= 0.1 {
		return math.Round(at*1000) / 1000
	}
	return 0
}

// posterArgs are the arguments of an ffmpeg run writing one JPEG frame:
// input are options before -i, graph what follows it.
func posterArgs(in string, input, graph []string, out string) []string {
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning"}
	args = append(args, input...)
	args = append(args, inputHardening()...)
	args = append(args, "-i", inputURL(in))
	args = append(args, graph...)
	return append(args, "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", out)
}

// posterPick is posterRun at log level info, so that a showinfo filter
// in graph reports the frame written; it returns ffmpeg's last stderr
// lines.
func posterPick(ctx context.Context, ffmpegPath, in string, input, graph []string, out string) ([]string, error) {
	_ = os.Remove(out)
	args := posterArgs(in, input, graph, out)
	for i := range args {
		if args[i] == "-loglevel" {
			args[i+1] = "info"
			break
		}
	}
	lines, err := runTool(ctx, "ffmpeg", ffmpegPath, append([]string{"-nostats"}, args...), nil)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		return nil, errNoImage
	}
	return lines, nil
}

// showinfoTime matches the time of a frame in a showinfo filter's line.
var showinfoTime = regexp.MustCompile(`Parsed_showinfo.* pts_time:\s*(-?[0-9.]+)`)

// shownAt is the time of the last frame a showinfo filter reported.
func shownAt(lines []string) (float64, bool) {
	for i := len(lines) - 1; i >= 0; i-- {
		if m := showinfoTime.FindStringSubmatch(lines[i]); m != nil {
			t, err := strconv.ParseFloat(m[1], 64)
			return t, err == nil
		}
	}
	return 0, false
}

func posterRun(ctx context.Context, ffmpegPath, in string, input, graph []string, out string) error {
	_ = os.Remove(out)
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, posterArgs(in, input, graph, out), nil); err != nil {
		return err
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		return errNoImage
	}
	return nil
}

// fitWithin scales w x h down (never up) to fit a box x box square, with
// even dimensions.
func fitWithin(w, h, box int) (int, int) {
	if w <= 0 || h <= 0 {
		return box, box * 9 / 16
	}
	scale := math.Min(1, math.Min(float64(box)/float64(w), float64(box)/float64(h)))
	return evenFloor(float64(w) * scale), evenFloor(float64(h) * scale)
}

// evenFloor rounds down to an even integer, at least 2, so a scaled side
// never exceeds its bound.
func evenFloor(f float64) int {
	return max(int(math.Floor(f+1e-9))&^1, 2)
}

// StoryboardOptions tunes Storyboard. The zero value is the default.
type StoryboardOptions struct {
	// TileWidth is each thumbnail's width in pixels (default 160; heights
	// follow the aspect ratio).
	TileWidth int
	// Columns and Rows bound a sprite sheet's grid (default 10 x 10).
	Columns, Rows int
	// MaxTiles bounds the number of thumbnails (default 100): the interval
	// between thumbnails is the smallest whole number of seconds (at least
	// 1) that keeps the count at or under it. Raising it above Columns x
	// Rows spreads a long video over several sheets.
	MaxTiles int
}

func (o StoryboardOptions) withDefaults() StoryboardOptions {
	if o.TileWidth <= 0 {
		o.TileWidth = 160
	}
	if o.Columns <= 0 {
		o.Columns = 10
	}
	if o.Rows <= 0 {
		o.Rows = 10
	}
	if o.MaxTiles <= 0 {
		o.MaxTiles = 100
	}
	return o
}

// StoryboardInfo describes a storyboard written by Storyboard.
type StoryboardInfo struct {
	// VTT is the WebVTT file mapping time ranges to sheet regions
	// ("sprite_000.jpg#xywh=160,0,160,90"), with URIs relative to itself.
	VTT string `json:"vtt"`
	// Sheets are the sprite sheet JPEGs, in order.
	Sheets []string `json:"sheets"`
	// Interval is the time each thumbnail stands for.
	Interval time.Duration `json:"interval"`
	// Tiles is the number of thumbnails.
	Tiles int `json:"tiles"`
	// TileWidth and TileHeight are one thumbnail's size.
	TileWidth  int `json:"tile_width"`
	TileHeight int `json:"tile_height"`
	// Columns and Rows are each sheet's grid; the last sheet may be only
	// partly filled (the rest is black).
	Columns int `json:"columns"`
	Rows    int `json:"rows"`
}

// Storyboard file names inside outDir.
const (
	StoryboardVTTName     = "storyboard.vtt"
	storyboardSheetFormat = "sprite_%03d.jpg"
)

// keyframeOnlyInterval is the thumbnail interval from which Storyboard
// decodes only keyframes. With one thumbnail per 10 s or more, the nearest
// keyframe (typically within 1-2 s) is as good as the exact frame, and
// skipping the rest makes long videos 10-50x faster to process.
const keyframeOnlyInterval = 10

// Storyboard writes seek-preview sprite sheets and their WebVTT map into
// outDir with one ffmpeg run (fps + scale + tile filters). Audio-only
// sources return ErrNoVideo.
//
// The clip is padded by cloning its last frame and trimmed to exactly the
// planned number of thumbnails, so the VTT and the sheets always agree no
// matter how ffmpeg rounds the final interval.
func Storyboard(ctx context.Context, ffmpegPath, in string, src SourceInfo, outDir string, opts StoryboardOptions) (*StoryboardInfo, error) {
	v := src.Video
	if v == nil {
		return nil, ErrNoVideo
	}
	if src.Duration <= 0 {
		return nil, errors.New("storyboard: unknown duration")
	}
	l := PlanStoryboard(src, opts)
	interval, tiles, tw, th, cols, rows := l.Interval, l.Tiles, l.TileWidth, l.TileHeight, l.Columns, l.Rows
	sheets := l.Sheets()

	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("storyboard: %w", err)
	}
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning"}
	if interval >= keyframeOnlyInterval {
		args = append(args, "-skip_frame", "nokey")
	}
	args = append(args, inputHardening()...)
	var chain []string
	if v.Interlaced {
		chain = append(chain, "yadif=mode=send_frame:deint=interlaced")
	}
	chain = append(chain,
		// Clone the last frame past the end so the final interval always
		// has a frame, then cut to exactly `tiles` thumbnails.
		fmt.Sprintf("tpad=stop_mode=clone:stop_duration=%d", interval+10),
		fmt.Sprintf("fps=1/%d", interval),
		fmt.Sprintf("trim=end_frame=%d", tiles))
	if v.HDR {
		chain = append(chain, toneMapChain(v)...)
	}
	chain = append(chain,
		fmt.Sprintf("scale=%d:%d:flags=bicubic,setsar=1", tw, th),
		fmt.Sprintf("tile=%dx%d", cols, rows))
	args = append(args,
		"-i", inputURL(in),
		"-map", fmt.Sprintf("0:%d", v.Index),
		"-vf", strings.Join(chain, ","),
		"-q:v", "4",
		"-f", "image2",
		"-start_number", "0",
		filepath.Join(outDir, storyboardSheetFormat))
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, args, nil); err != nil {
		return nil, fmt.Errorf("storyboard: %w", err)
	}

	info := &StoryboardInfo{
		VTT:        filepath.Join(outDir, StoryboardVTTName),
		Interval:   time.Duration(interval) * time.Second,
		Tiles:      tiles,
		TileWidth:  tw,
		TileHeight: th,
		Columns:    cols,
		Rows:       rows,
	}
	for i := range sheets {
		p := filepath.Join(outDir, fmt.Sprintf(storyboardSheetFormat, i))
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("storyboard: sheet %d missing: %w", i, err)
		}
		info.Sheets = append(info.Sheets, p)
	}
	var vtt bytes.Buffer
	if err := WriteWebVTT(&vtt, storyboardCues(info, src.Duration)); err != nil {
		return nil, fmt.Errorf("storyboard: %w", err)
	}
	if err := writeFileAtomic(info.VTT, vtt.Bytes()); err != nil {
		return nil, fmt.Errorf("storyboard: %w", err)
	}
	return info, nil
}

// StoryboardLayout is a storyboard's plan: how often a thumbnail is
// taken, how many there are, their size and the sheets' grid.
type StoryboardLayout struct {
	// Interval is the seconds each thumbnail stands for: thumbnail k
	// shows the frame at k*Interval.
	Interval int `json:"interval"`
	// Tiles is the number of thumbnails.
	Tiles int `json:"tiles"`
	// TileWidth and TileHeight are one thumbnail's size.
	TileWidth  int `json:"tile_width"`
	TileHeight int `json:"tile_height"`
	// Columns and Rows are each sheet's grid.
	Columns int `json:"columns"`
	Rows    int `json:"rows"`
}

// Sheets is how many sprite sheets the storyboard has.
func (l StoryboardLayout) Sheets() int {
	per := l.Columns * l.Rows
	return (l.Tiles + per - 1) / per
}

// PlanStoryboard lays out the storyboard of src (which has video and a
// known duration), as Storyboard makes it.
func PlanStoryboard(src SourceInfo, opts StoryboardOptions) StoryboardLayout {
	opts = opts.withDefaults()
	v := src.Video
	interval := max(int(math.Ceil(src.Duration/float64(opts.MaxTiles)-1e-9)), 1)
	tiles := max(int(math.Ceil(src.Duration/float64(interval)-1e-9)), 1)
	tw := min(opts.TileWidth, v.DisplayWidth&^1)
	th := evenRound(float64(tw) * float64(v.DisplayHeight) / float64(v.DisplayWidth))
	cols := min(opts.Columns, tiles)
	rows := min(opts.Rows, (tiles+cols-1)/cols)
	return StoryboardLayout{Interval: interval, Tiles: tiles, TileWidth: tw, TileHeight: th, Columns: cols, Rows: rows}
}

// StoryboardTilesDir is the folder under a chunk's output directory where
// ChunkArgs writes the chunk's storyboard thumbnails, one JPEG each,
// named by StoryboardTileName.
const StoryboardTilesDir = "storyboard"

// StoryboardTileName is the file name of thumbnail k.
func StoryboardTileName(k int) string { return fmt.Sprintf("tile_%06d.jpg", k) }

// StoryboardTileIndex reads the thumbnail number from a StoryboardTileName.
func StoryboardTileIndex(name string) (int, bool) {
	var k int
	if _, err := fmt.Sscanf(name, "tile_%06d.jpg", &k); err != nil || StoryboardTileName(k) != name {
		return 0, false
	}
	return k, true
}

// storyboardTileQuality is the JPEG quality of sheets made from tiles:
// about what ffmpeg's -q:v 4 gives the sheets Storyboard makes.
const storyboardTileQuality = 85

// StoryboardFromTiles writes the storyboard of a video of duration
// seconds laid out as l into outDir, as Storyboard does, from
// thumbnails made already (tiles: thumbnail number to JPEG file; chunked
// encodes make them from their smallest rung, see ChunkArgs). A
// thumbnail missing (a chunk's frame-rate filter rounds its first or
// last tick to a neighbour's) takes the nearest one before it, or after
// it at the start. No tile at all is an error.
func StoryboardFromTiles(tiles map[int]string, duration float64, l StoryboardLayout, outDir string) (*StoryboardInfo, error) {
	if len(tiles) == 0 {
		return nil, errors.New("storyboard from tiles: no tiles")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("storyboard from tiles: %w", err)
	}
	known := make([]int, 0, len(tiles))
	for k := range tiles {
		known = append(known, k)
	}
	slices.Sort(known)
	nearest := func(k int) int {
		i, found := slices.BinarySearch(known, k)
		switch {
		case found:
			return known[i]
		case i > 0:
			return known[i-1]
		default:
			return known[0]
		}
	}
	info := &StoryboardInfo{
		VTT:        filepath.Join(outDir, StoryboardVTTName),
		Interval:   time.Duration(l.Interval) * time.Second,
		Tiles:      l.Tiles,
		TileWidth:  l.TileWidth,
		TileHeight: l.TileHeight,
		Columns:    l.Columns,
		Rows:       l.Rows,
	}
	per := l.Columns * l.Rows
	decoded := map[int]image.Image{}
	for sheet := range l.Sheets() {
		img := image.NewRGBA(image.Rect(0, 0, l.Columns*l.TileWidth, l.Rows*l.TileHeight))
		draw.Draw(img, img.Bounds(), image.Black, image.Point{}, draw.Src)
		for pos := range min(per, l.Tiles-sheet*per) {
			k := nearest(sheet*per + pos)
			tile, ok := decoded[k]
			if !ok {
				var err error
				if tile, err = readJPEG(tiles[k]); err != nil {
					return nil, fmt.Errorf("storyboard from tiles: %w", err)
				}
				decoded[k] = tile
			}
			at := image.Pt(pos%l.Columns*l.TileWidth, pos/l.Columns*l.TileHeight)
			draw.Draw(img, image.Rectangle{Min: at, Max: at.Add(image.Pt(l.TileWidth, l.TileHeight))}, tile, tile.Bounds().Min, draw.Src)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: storyboardTileQuality}); err != nil {
			return nil, fmt.Errorf("storyboard from tiles: %w", err)
		}
		path := filepath.Join(outDir, fmt.Sprintf(storyboardSheetFormat, sheet))
		if err := writeFileAtomic(path, buf.Bytes()); err != nil {
			return nil, fmt.Errorf("storyboard from tiles: %w", err)
		}
		info.Sheets = append(info.Sheets, path)
	}
	var vtt bytes.Buffer
	if err := WriteWebVTT(&vtt, storyboardCues(info, duration)); err != nil {
		return nil, fmt.Errorf("storyboard from tiles: %w", err)
	}
	if err := writeFileAtomic(info.VTT, vtt.Bytes()); err != nil {
		return nil, fmt.Errorf("storyboard from tiles: %w", err)
	}
	return info, nil
}

func readJPEG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return img, nil
}

// storyboardCues maps each thumbnail's time range to its sheet region; the
// last cue ends at the video's end.
func storyboardCues(info *StoryboardInfo, duration float64) []Cue {
	end := time.Duration(duration * float64(time.Second))
	perSheet := info.Columns * info.Rows
	cues := make([]Cue, 0, info.Tiles)
	for k := range info.Tiles {
		start := time.Duration(k) * info.Interval
		stop := min(start+info.Interval, end)
		pos := k % perSheet
		cues = append(cues, Cue{
			Start: start,
			End:   stop,
			Text: fmt.Sprintf("%s#xywh=%d,%d,%d,%d",
				fmt.Sprintf(storyboardSheetFormat, k/perSheet),
				pos%info.Columns*info.TileWidth, pos/info.Columns*info.TileHeight,
				info.TileWidth, info.TileHeight),
		})
	}
	return cues
}
