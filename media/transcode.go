package media

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Progress is one block of ffmpeg's -progress output.
type Progress struct {
	// OutTime is how far into the output ffmpeg has encoded.
	OutTime time.Duration
	// Frame is the number of frames output so far (of the first stream).
	Frame int64
	// Speed is the encode speed relative to real time (2.5 means 2.5x);
	// 0 when ffmpeg has not measured it yet.
	Speed float64
	// Done is set on the last block, when ffmpeg reports progress=end
	// after writing everything.
	Done bool
}

// Fraction returns OutTime as a fraction of total, clamped to [0, 1];
// Done always reports 1.
func (p Progress) Fraction(total time.Duration) float64 {
	if p.Done {
		return 1
	}
	if total <= 0 {
		return 0
	}
	return min(max(float64(p.OutTime)/float64(total), 0), 1)
}

// Transcode runs ffmpeg with args (as built by LadderArgs, which include
// -progress pipe:1) without a shell, bounded by ctx: on cancellation the
// whole process group is killed and the context's error returned.
//
// onProgress, when not nil, is called for every progress block ffmpeg
// prints (about twice a second), in order, with OutTime never decreasing,
// and last with Done set when ffmpeg finishes successfully. It runs on the
// goroutine reading ffmpeg's output, so it must be quick; throttling
// database writes or notifications is the caller's business.
//
// Failures that mean the input is unusable (corrupt data, undecodable
// codec) come back as *RejectError; anything else (ffmpeg missing, disk
// full, killed) is a plain error with the last stderr line.
func Transcode(ctx context.Context, ffmpegPath string, args []string, onProgress func(Progress)) error {
	parser := &progressParser{emit: onProgress}
	// An unrecognised ffmpeg failure after a successful probe is more
	// likely ours than the file's, so it stays a plain (retryable) error.
	_, err := runTool(ctx, "ffmpeg", ffmpegPath, args, &lineWriter{fn: parser.line})
	return err
}

// progressParser turns ffmpeg's -progress key=value lines into Progress
// blocks; a block ends with a progress=continue or progress=end line.
type progressParser struct {
	emit    func(Progress)
	cur     Progress
	lastOut time.Duration
}

func (p *progressParser) line(line string) {
	key, value, ok := strings.Cut(strings.TrimSpace(line), "=")
	if !ok {
		return
	}
	value = strings.TrimSpace(value)
	switch key {
	case "out_time_us", "out_time_ms":
		// ffmpeg prints both; despite its name out_time_ms is in
		// microseconds too (a long-standing ffmpeg quirk), and either may
		// be N/A or negative before the first packet.
		if us, err := strconv.ParseInt(value, 10, 64); err == nil && us >= 0 {
			p.cur.OutTime = time.Duration(us) * time.Microsecond
		}
	case "frame":
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			p.cur.Frame = n
		}
	case "speed":
		if f, err := strconv.ParseFloat(strings.TrimSuffix(value, "x"), 64); err == nil {
			p.cur.Speed = f
		}
	case "progress":
		p.cur.Done = value == "end"
		// Keep OutTime monotonic for callers computing percentages: the
		// first blocks of a multi-output encode can report N/A or jitter.
		if p.cur.OutTime < p.lastOut {
			p.cur.OutTime = p.lastOut
		}
		p.lastOut = p.cur.OutTime
		if p.emit != nil {
			p.emit(p.cur)
		}
		p.cur.Done = false
	}
}
