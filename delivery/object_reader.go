package delivery

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/clipcut/clipcut/storage"
)

// objectReader is an io.ReadSeeker over an object in a remote bucket, for
// http.ServeContent. Seeking is free; reading opens a ranged GET at the
// current position when the open one is elsewhere. ServeContent seeks to
// the end to learn the size (known from Stat), then to each range's start,
// and reads that range, so a HEAD or a 304 opens nothing and one range
// costs one GET.
type objectReader struct {
	ctx    context.Context
	bucket storage.Bucket
	key    string
	size   int64
	pos    int64

	// body, when not nil, yields the object's bytes from bodyPos on.
	body    io.ReadCloser
	bodyPos int64

	// The single range the request asked for: the first GET at its start
	// asks for exactly its bytes, which lets the store's connection be
	// reused instead of dropped with the rest of the object unread.
	hint               bool
	hintStart, hintLen int64
}

// Read implements io.Reader.
func (o *objectReader) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	if int64(len(p)) > o.size-o.pos {
		p = p[:o.size-o.pos]
	}
	for {
		opened := false
		if o.body != nil && o.bodyPos != o.pos {
			o.closeBody()
		}
		if o.body == nil {
			length := int64(-1)
			if o.hint && o.pos == o.hintStart {
				length = o.hintLen
				o.hint = false
			}
			body, err := o.bucket.GetRange(o.ctx, o.key, o.pos, length)
			if err != nil {
				return 0, err
			}
			o.body, o.bodyPos, opened = body, o.pos, true
		}
		n, err := o.body.Read(p)
		o.pos += int64(n)
		o.bodyPos += int64(n)
		if errors.Is(err, io.EOF) {
			// The end of a ranged GET, not of the object: the next
			// read opens another one.
			o.closeBody()
			if o.pos < o.size {
				switch {
				case n > 0:
					return n, nil
				case opened: // the object shrank
					return 0, io.ErrUnexpectedEOF
				}
				continue
			}
			return n, io.EOF
		}
		return n, err
	}
}

// Seek implements io.Seeker.
func (o *objectReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += o.pos
	case io.SeekEnd:
		offset += o.size
	default:
		return 0, errors.New("delivery: seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("delivery: seek: negative position")
	}
	o.pos = offset
	return offset, nil
}

// Close implements io.Closer.
func (o *objectReader) Close() error {
	o.closeBody()
	return nil
}

func (o *objectReader) closeBody() {
	if o.body != nil {
		o.body.Close()
		o.body = nil
	}
}

// setHint remembers the range of a Range header naming exactly one. A
// header it cannot read leaves no hint; ServeContent decides what the
// request means either way, and the reader stays correct without one.
func (o *objectReader) setHint(header string) {
	spec, ok := strings.CutPrefix(header, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return
	}
	var start, length int64
	if first == "" { // suffix: the last n bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n <= 0 {
			return
		}
		n = min(n, o.size)
		start, length = o.size-n, n
	} else {
		s, err := strconv.ParseInt(first, 10, 64)
		if err != nil || s < 0 {
			return
		}
		start, length = s, -1
		if last != "" {
			e, err := strconv.ParseInt(last, 10, 64)
			if err != nil || e < s {
				return
			}
			length = min(e, o.size-1) - s + 1
		}
	}
	if start >= o.size || length == 0 {
		return
	}
	o.hint, o.hintStart, o.hintLen = true, start, length
}
