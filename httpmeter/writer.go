// Package httpmeter measures responses: Writer wraps an
// http.ResponseWriter and remembers the status and the number of body
// bytes written, for access logs and metrics. It passes on everything a
// wrapper must not hide: io.ReaderFrom (so http.ServeContent still reaches
// the connection's sendfile), Flush and Hijack (streaming and websockets),
// and Unwrap (http.ResponseController).
package httpmeter

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
)

// Writer records a response's status and body size. Status is 0 until
// the handler writes a header or a byte.
type Writer struct {
	http.ResponseWriter
	Status int
	Bytes  int64
}

// WriteHeader records the first status written.
func (w *Writer) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the body bytes written; a body without a header is 200.
func (w *Writer) Write(p []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.Bytes += int64(n)
	return n, err
}

// ReadFrom implements io.ReaderFrom through the underlying writer's, so a
// file copied by http.ServeContent goes out with sendfile.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(writerOnly{w.ResponseWriter}, r)
	}
	w.Bytes += n
	return n, err
}

// Flush sends buffered data to the client, when the writer can.
func (w *Writer) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands the connection over (websockets); the status becomes 101.
func (w *Writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("httpmeter: hijack not supported")
	}
	w.Status = http.StatusSwitchingProtocols
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writerOnly hides every method but Write, so io.Copy cannot recurse into
// ReadFrom.
type writerOnly struct{ io.Writer }
