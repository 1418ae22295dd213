// Command uploadload is the uploads benchmark's client: it sends one file
// to each of a list of URLs, all at once, and reports how long that took.
//
//	uploadload -mode tus -file big.bin -chunk 33554432 -urls urls.txt
//
// With -mode tus each URL is a tus upload created beforehand (clipcut's
// createUpload uploadUrl): the file goes in one PATCH from offset 0, or
// with -chunk in PATCHes of that many bytes one after another, each
// checked for 204 and the new Upload-Offset. With -mode put each URL gets
// one PUT of the whole file. It prints
//
//	RESULT {"seconds":1.23,"bytes":1073741824,"requests":1,"finish_seconds":0.01}
//
// timed from the first request to the last answer; finish_seconds is the
// longest wait, over all requests, between handing the connection the
// last byte of a body and receiving the answer.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	mode := flag.String("mode", "tus", "tus or put")
	file := flag.String("file", "", "file to send")
	chunk := flag.Int64("chunk", 0, "tus: bytes per PATCH (0: the whole file in one)")
	urlsPath := flag.String("urls", "", "file with one URL per line")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("uploadload: ")

	b, err := os.ReadFile(*urlsPath)
	if err != nil {
		log.Fatal(err)
	}
	urls := strings.Fields(string(b))
	fi, err := os.Stat(*file)
	if err != nil {
		log.Fatal(err)
	}
	size := fi.Size()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(urls), WriteBufferSize: 256 << 10}}

	var requests atomic.Int64
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	start := time.Now()
	for i, u := range urls {
		wg.Go(func() {
			f, err := os.Open(*file)
			if err != nil {
				errs[i] = err
				return
			}
			defer f.Close()
			if *mode == "put" {
				errs[i] = send(client, http.MethodPut, u, io.NewSectionReader(f, 0, size), size, nil, &requests)
				return
			}
			step := size
			if *chunk > 0 {
				step = *chunk
			}
			for off := int64(0); off < size; off += step {
				n := min(step, size-off)
				h := map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": strconv.FormatInt(off, 10),
					"Content-Type": "application/offset+octet-stream"}
				if err := send(client, http.MethodPatch, u, io.NewSectionReader(f, off, n), n, h, &requests); err != nil {
					errs[i] = fmt.Errorf("PATCH at %d: %w", off, err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		log.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{"seconds": elapsed.Seconds(), "bytes": size * int64(len(urls)), "requests": requests.Load(), "finish_seconds": finish.longest.Seconds()})
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "RESULT %s\n", out)
	w.Flush()
}

// eofReader notes when its reader is drained: the last byte handed to
// the connection.
type eofReader struct {
	r   io.Reader
	eof time.Time
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF && e.eof.IsZero() {
		e.eof = time.Now()
	}
	return n, err
}

// finish is the longest time, over all requests, from handing over the
// last byte of a body to receiving the answer: the server's work after
// the bytes (for tus: recording the upload and queueing processing).
var finish struct {
	sync.Mutex
	longest time.Duration
}

func send(c *http.Client, method, url string, body io.Reader, n int64, header map[string]string, requests *atomic.Int64) error {
	er := &eofReader{r: body}
	req, err := http.NewRequest(method, url, er)
	if err != nil {
		return err
	}
	req.ContentLength = n
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	requests.Add(1)
	if err != nil {
		return err
	}
	if !er.eof.IsZero() {
		finish.Lock()
		finish.longest = max(finish.longest, time.Since(er.eof))
		finish.Unlock()
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	if off, ok := header["Upload-Offset"]; ok {
		start, _ := strconv.ParseInt(off, 10, 64)
		if got := resp.Header.Get("Upload-Offset"); got != strconv.FormatInt(start+n, 10) {
			return fmt.Errorf("Upload-Offset %q after sending %d bytes from %d", got, n, start)
		}
	}
	return nil
}
