// Command hlsload simulates HLS viewers for the scale benchmark: each
// viewer fetches the master playlist, one media playlist (by default the
// rendition closest to 720p), then that playlist's segments at real-time pace after a fast
// start, the way hls.js keeps a few segments buffered. It runs as its own
// process so that its CPU is not the server's, and prints one JSON line.
//
// A stall is a segment that arrives after its playback deadline: the moment
// the player, having started when the first segment arrived, would have
// played everything before it. After a stall the viewer's clock moves on
// by the stall's length, as a player's does after rebuffering.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	master := flag.String("url", "", "master playlist URL")
	viewers := flag.Int("viewers", 100, "simulated viewers")
	duration := flag.Duration("duration", 40*time.Second, "how long every viewer watches")
	ramp := flag.Duration("ramp", 5*time.Second, "viewers start evenly spread over this")
	ahead := flag.Int("ahead", 3, "segments a viewer keeps buffered ahead of playback")
	height := flag.Int("height", 720, "play the variant whose RESOLUTION height is closest to this (0: the highest bandwidth)")
	flag.Parse()
	if *master == "" {
		fmt.Fprintln(os.Stderr, "hlsload: -url is required")
		os.Exit(2)
	}
	res := run(context.Background(), *master, *viewers, *duration, *ramp, *ahead, *height)
	json.NewEncoder(os.Stdout).Encode(res)
}

// Result is what hlsload prints.
type Result struct {
	Viewers int `json:"viewers"`
	// Stalled viewers had at least one stall; Failed ones could not start
	// (an error fetching a playlist or the first segment).
	Stalled  int `json:"stalled"`
	Failed   int `json:"failed"`
	Stalls   int `json:"stalls"`
	Segments int `json:"segments"`
	Errors   int `json:"errors"`
	// Segment fetch latencies (request to last byte), milliseconds.
	SegP50 float64 `json:"seg_p50_ms"`
	SegP99 float64 `json:"seg_p99_ms"`
	SegMax float64 `json:"seg_max_ms"`
	// Startup: master request to first segment received, milliseconds.
	StartP50 float64 `json:"start_p50_ms"`
	StartP99 float64 `json:"start_p99_ms"`
	Bytes    int64   `json:"bytes"`
	FirstErr string  `json:"first_error,omitempty"`
}

type viewerResult struct {
	failed   bool
	stalls   int
	segments []time.Duration
	startup  time.Duration
	errors   int
	bytes    int64
	firstErr string
}

func run(ctx context.Context, master string, n int, duration, ramp time.Duration, ahead, height int) Result {
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: n + 16, MaxIdleConnsPerHost: n + 16,
			DisableCompression: true, IdleConnTimeout: time.Minute,
		},
	}
	results := make([]viewerResult, n)
	var wg sync.WaitGroup
	begin := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := begin.Add(ramp * time.Duration(i) / time.Duration(max(n, 1)))
			time.Sleep(time.Until(start))
			vctx, cancel := context.WithDeadline(ctx, start.Add(duration))
			defer cancel()
			results[i] = watch(vctx, client, master, ahead, height)
		}()
	}
	wg.Wait()
	return summarize(results)
}

func summarize(results []viewerResult) Result {
	r := Result{Viewers: len(results)}
	var segs, starts []float64
	for _, v := range results {
		if v.failed {
			r.Failed++
		} else {
			starts = append(starts, ms(v.startup))
		}
		if v.stalls > 0 {
			r.Stalled++
		}
		r.Stalls += v.stalls
		r.Errors += v.errors
		r.Bytes += v.bytes
		r.Segments += len(v.segments)
		for _, d := range v.segments {
			segs = append(segs, ms(d))
		}
		if r.FirstErr == "" {
			r.FirstErr = v.firstErr
		}
	}
	r.SegP50, r.SegP99, r.SegMax = percentile(segs, 0.50), percentile(segs, 0.99), percentile(segs, 1)
	r.StartP50, r.StartP99 = percentile(starts, 0.50), percentile(starts, 0.99)
	return r
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentile is the nearest-rank percentile p (0..1] of xs; 0 when empty.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// segment is one media segment of a playlist.
type segment struct {
	url      string
	duration time.Duration
}

// watch is one viewer, until ctx ends.
func watch(ctx context.Context, c *http.Client, master string, ahead, height int) viewerResult {
	var v viewerResult
	fail := func(err error) viewerResult {
		v.failed = true
		v.errors++
		if v.firstErr == "" {
			v.firstErr = err.Error()
		}
		return v
	}
	t0 := time.Now()
	body, _, err := get(ctx, c, master)
	if err != nil {
		return fail(err)
	}
	variant, err := pickVariant(master, body, height)
	if err != nil {
		return fail(err)
	}
	body, _, err = get(ctx, c, variant)
	if err != nil {
		return fail(err)
	}
	segs, err := parseMedia(variant, body)
	if err != nil {
		return fail(err)
	}
	// The viewer watches the video on a loop until its time is up.
	var playStart time.Time // when the first segment arrived
	var played time.Duration
	for i := 0; ; i++ {
		seg := segs[i%len(segs)]
		if i > 0 {
			// Keep ahead segments buffered: fetch segment i when playback
			// reaches the end of segment i-ahead-1.
			fetchAt := playStart.Add(played - time.Duration(ahead)*seg.duration)
			select {
			case <-ctx.Done():
				return v
			case <-time.After(time.Until(fetchAt)):
			}
		}
		began := time.Now()
		n, err := fetch(ctx, c, seg.url)
		arrived := time.Now()
		if ctx.Err() != nil {
			return v
		}
		v.bytes += n
		if err != nil {
			if i == 0 {
				return fail(err)
			}
			v.errors++
			if v.firstErr == "" {
				v.firstErr = err.Error()
			}
			v.stalls++
			continue
		}
		v.segments = append(v.segments, arrived.Sub(began))
		if i == 0 {
			playStart, v.startup = arrived, arrived.Sub(t0)
		} else if deadline := playStart.Add(played); arrived.After(deadline) {
			v.stalls++
			playStart = playStart.Add(arrived.Sub(deadline))
		}
		played += seg.duration
	}
}

func get(ctx context.Context, c *http.Client, u string) (string, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", int64(len(b)), err
	}
	if resp.StatusCode != http.StatusOK {
		return "", int64(len(b)), fmt.Errorf("GET %s: %s", req.URL.Path, resp.Status)
	}
	return string(b), int64(len(b)), nil
}

func fetch(ctx context.Context, c *http.Client, u string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", req.URL.Path, resp.Status)
	}
	return n, err
}

// pickVariant returns the absolute URL of the master playlist's variant
// whose RESOLUTION height is closest to height (ties and height 0: the
// highest BANDWIDTH), the way a player on a screen of that size settles.
func pickVariant(base, playlist string, height int) (string, error) {
	best, bestBW, bestDist := "", -1, -1
	bw, h := -1, 0
	sc := bufio.NewScanner(strings.NewReader(playlist))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#EXT-X-STREAM-INF:"):
			bw, h = attrInt(line, "BANDWIDTH"), resolutionHeight(line)
		case line != "" && !strings.HasPrefix(line, "#") && bw >= 0:
			dist := 0
			if height > 0 {
				dist = abs(h - height)
			}
			if best == "" || dist < bestDist || dist == bestDist && bw > bestBW {
				best, bestBW, bestDist = line, bw, dist
			}
			bw = -1
		}
	}
	if best == "" {
		return "", fmt.Errorf("master playlist lists no variant")
	}
	return resolve(base, best)
}

func abs(x int) int { return max(x, -x) }

// resolutionHeight reads the height of a tag's RESOLUTION=WxH attribute
// (0 when absent).
func resolutionHeight(line string) int {
	_, attrs, _ := strings.Cut(line, ":")
	for a := range strings.SplitSeq(attrs, ",") {
		if k, v, ok := strings.Cut(a, "="); ok && k == "RESOLUTION" {
			_, hs, _ := strings.Cut(v, "x")
			n, _ := strconv.Atoi(hs)
			return n
		}
	}
	return 0
}

// attrInt reads the integer attribute name of an HLS tag line.
func attrInt(line, name string) int {
	_, attrs, _ := strings.Cut(line, ":")
	for a := range strings.SplitSeq(attrs, ",") {
		k, v, ok := strings.Cut(a, "=")
		if ok && k == name {
			n, err := strconv.Atoi(v)
			if err == nil {
				return n
			}
		}
	}
	return 0
}

// parseMedia returns a media playlist's segments with absolute URLs.
func parseMedia(base, playlist string) ([]segment, error) {
	var segs []segment
	var dur time.Duration
	sc := bufio.NewScanner(strings.NewReader(playlist))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#EXTINF:"):
			s, _, _ := strings.Cut(strings.TrimPrefix(line, "#EXTINF:"), ",")
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("bad %q", line)
			}
			dur = time.Duration(f * float64(time.Second))
		case line != "" && !strings.HasPrefix(line, "#"):
			u, err := resolve(base, line)
			if err != nil {
				return nil, err
			}
			segs = append(segs, segment{url: u, duration: dur})
		}
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("media playlist lists no segment")
	}
	return segs, nil
}

func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	return b.ResolveReference(r).String(), nil
}
