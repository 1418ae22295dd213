package jobs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/clipcut/clipcut/outbound"
	"github.com/clipcut/clipcut/store"
)

// ImportArgs downloads URL into the source of video VideoID (importVideo),
// held to the owner's limits as they were when the import was asked for.
type ImportArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	URL     string    `json:"url"`
	// MaxFileSize and StorageQuota are the owner's store.Limits (0: none).
	MaxFileSize  int64 `json:"max_file_size,omitempty"`
	StorageQuota int64 `json:"storage_quota,omitempty"`
}

// Kind is the job's stable name.
func (ImportArgs) Kind() string { return "import" }

// InsertOpts: a download waits on the network, not the CPU, so it runs on
// the default queue and never holds a media worker.
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: importAttempts}
}

// importAttempts is how often a download is tried (each attempt resumes
// where the last one stopped) before the video fails.
const importAttempts = 6

// ImportTx queues an import's download (video.ImportQueue).
func (q *Queue) ImportTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, rawURL string, lim store.Limits) error {
	return q.insertTx(ctx, tx, ImportArgs{VideoID: id, URL: rawURL, MaxFileSize: lim.MaxFileSize, StorageQuota: lim.StorageQuota})
}

// Import download settings.
const (
	importConnectTimeout = 15 * time.Second
	// importStall is how long a download may go without a byte before the
	// attempt gives up (the next one resumes).
	importStall = 60 * time.Second
	// importMaxRedirects bounds the redirects followed.
	importMaxRedirects = 10
	// importProgressEvery spaces progress writes.
	importProgressEvery = time.Second
)

// ImportWorker downloads an imported video's file through the outbound
// guard (Deps.Outbound: every connection, redirects included, goes only
// where the policy allows; only http and https), into a partial file
// under Deps.ImportDir kept across attempts: a retried job, after a
// dropped connection or a crashed worker, asks for the rest with Range
// (and If-Range, so a file that changed on the server starts over) and
// starts again when the server answers 200. The size from Content-Length
// is checked against the owner's file size limit and storage quota before
// the body is read, and the limits are enforced while streaming when the
// server does not say. Progress is the video's percent at stage "import".
// The complete file becomes the video's upload (SourceStore) and is
// processed like one (StartProcessing), where a file that is not a video
// fails with the probe's reason.
//
// A refused address, a 4xx answer, a file over a limit or a web page fail
// the video at once with a reason; network errors and 5xx answers are
// retried, and fail it with the last reason after importAttempts.
type ImportWorker struct {
	river.WorkerDefaults[ImportArgs]
	deps   Deps
	client *http.Client
}

func newImportWorker(deps Deps) *ImportWorker {
	transport := deps.Outbound.Transport(importConnectTimeout)
	transport.ResponseHeaderTimeout = importStall
	// Byte offsets must be the file's, not those of a decompressed stream.
	transport.DisableCompression = true
	return &ImportWorker{deps: deps, client: &http.Client{
		Transport:     transport,
		CheckRedirect: outbound.FollowRedirects(importMaxRedirects),
	}}
}

// Timeout bounds one attempt: six times the timeout base (an hour by
// default). A longer download goes on in the next attempt, from where this
// one stopped.
func (w *ImportWorker) Timeout(*river.Job[ImportArgs]) time.Duration {
	return 6 * w.deps.timeoutBase()
}

// NextRetry waits 2 s after the first failed attempt, four times longer
// after each next one (2 s, 8 s, 32 s, about 2 and 8.5 minutes): a
// dropped connection resumes at once, a server that is down gets time.
func (w *ImportWorker) NextRetry(job *river.Job[ImportArgs]) time.Time {
	wait := 2 * time.Second
	for i := 1; i < job.Attempt && wait < 10*time.Minute; i++ {
		wait *= 4
	}
	return time.Now().Add(wait)
}

// Work downloads and hands the file to processing.
func (w *ImportWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	a := job.Args
	v, err := w.deps.Store.VideoByID(ctx, a.VideoID)
	if errors.Is(err, store.ErrNotFound) {
		w.discard(a.VideoID)
		return river.JobCancel(fmt.Errorf("import %s was deleted", a.VideoID))
	}
	if err != nil {
		return err
	}
	if v.Status != store.StatusUploading || v.Stage != store.StageImport {
		w.discard(a.VideoID)
		return river.JobCancel(fmt.Errorf("import %s is %s at stage %s: nothing left to download", a.VideoID, v.Status, v.Stage))
	}
	sources, ok := w.deps.Uploads.(SourceStore)
	if !ok {
		return river.JobCancel(fmt.Errorf("import: uploads %T cannot store a source", w.deps.Uploads))
	}
	d := &download{w: w, args: a, lim: store.Limits{MaxFileSize: a.MaxFileSize, StorageQuota: a.StorageQuota}}
	if err := d.run(ctx); err != nil {
		return w.failed(ctx, job.JobRow, a, err)
	}
	if err := w.store(ctx, sources, v); err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageImport, err)
	}
	if err := w.deps.Videos.StartProcessing(ctx, a.VideoID); err != nil {
		return err
	}
	w.discard(a.VideoID)
	w.deps.Logger.InfoContext(ctx, "import downloaded", "video_id", a.VideoID, "bytes", d.offset, "attempt", job.Attempt)
	return nil
}

// store makes the complete download the video's upload, unless an
// earlier attempt did before it stopped: storing twice would append.
func (w *ImportWorker) store(ctx context.Context, sources SourceStore, v store.Video) error {
	offset, size, err := w.deps.Uploads.Progress(ctx, v.ID)
	if err == nil && size > 0 {
		if offset == size {
			return nil
		}
		if err := w.deps.Uploads.Remove(ctx, v.ID, deref(v.UploadID)); err != nil {
			return err
		}
	}
	return sources.StoreSource(ctx, v.ID, w.partPath(v.ID))
}

// importFailure is a download that cannot succeed by trying again; Reason
// is for the video's owner.
type importFailure struct{ Reason string }

func (e *importFailure) Error() string { return e.Reason }

// importRetry is a download attempt that failed for a reason that may
// pass; Reason says it for the owner, should it be the last attempt.
type importRetry struct {
	Reason string
	Err    error
}

func (e *importRetry) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *importRetry) Unwrap() error { return e.Err }

// errImportGone stops a download whose video was deleted or failed.
var errImportGone = errors.New("the video is gone or no longer importing")

// failed turns a download's error into the job's result.
func (w *ImportWorker) failed(ctx context.Context, job *rivertype.JobRow, a ImportArgs, err error) error {
	var fail *importFailure
	switch {
	case errors.Is(err, errImportGone):
		w.discard(a.VideoID)
		return river.JobCancel(fmt.Errorf("import %s: %w", a.VideoID, err))
	case errors.As(err, &fail):
		w.discard(a.VideoID)
		return reject(ctx, w.deps, a.VideoID, fail.Reason)
	case errors.Is(ctx.Err(), context.Canceled):
		// Shutting down (the next attempt resumes), or cancelled because
		// the video was deleted (then nothing will resume).
		w.discardIfOver(ctx, a.VideoID)
		return err
	}
	reason := "the download failed"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		reason = "an attempt took longer than " + w.Timeout(nil).String()
	}
	var retry *importRetry
	if errors.As(err, &retry) {
		reason = retry.Reason
	}
	w.deps.Logger.WarnContext(ctx, "import attempt failed", "video_id", a.VideoID, "attempt", job.Attempt,
		"max_attempts", job.MaxAttempts, "error", err)
	if job.Attempt >= job.MaxAttempts {
		w.discard(a.VideoID)
		msg := fmt.Sprintf("The file could not be downloaded from %s after %d attempts: %s. Check that the link works, then import it again.",
			hostOf(a.URL), job.Attempt, reason)
		if markErr := w.deps.Store.MarkFailed(ctx, a.VideoID, msg); markErr != nil {
			return errors.Join(err, markErr)
		}
	}
	return err
}

// importDir is where partial downloads are kept between attempts.
func (w *ImportWorker) importDir() string {
	if w.deps.ImportDir != "" {
		return w.deps.ImportDir
	}
	return filepath.Join(w.deps.WorkDir, "imports")
}

func (w *ImportWorker) partPath(id uuid.UUID) string {
	return filepath.Join(w.importDir(), id.String()+".part")
}

func (w *ImportWorker) metaPath(id uuid.UUID) string {
	return filepath.Join(w.importDir(), id.String()+".json")
}

// discardIfOver removes the partial download of an import that no
// attempt will resume: its video is gone or no longer importing.
func (w *ImportWorker) discardIfOver(ctx context.Context, id uuid.UUID) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	v, err := w.deps.Store.VideoByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && (v.Status != store.StatusUploading || v.Stage != store.StageImport) {
		w.discard(id)
	}
}

// discard removes an import's partial download.
func (w *ImportWorker) discard(id uuid.UUID) {
	_ = os.Remove(w.partPath(id))
	_ = os.Remove(w.metaPath(id))
}

// partMeta is what a partial download needs to be resumed: the
// validators of the response it comes from (sent as If-Range) and the
// file's whole size when known (-1 when not).
type partMeta struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Total        int64  `json:"total"`
}

// download is one attempt at an import.
type download struct {
	w    *ImportWorker
	args ImportArgs
	lim  store.Limits
	// offset is how many bytes of the file are in the partial file.
	offset int64
	// total is the file's size (-1: unknown).
	total int64
	meta  partMeta
	// hops are the URLs redirected to, in order.
	hops []string
}

func (d *download) run(ctx context.Context) error {
	id := d.args.VideoID
	if err := os.MkdirAll(d.w.importDir(), 0o755); err != nil {
		return fmt.Errorf("import %s: %w", id, err)
	}
	d.total = -1
	if fi, err := os.Stat(d.w.partPath(id)); err == nil {
		d.offset = fi.Size()
		if raw, err := os.ReadFile(d.w.metaPath(id)); err == nil && json.Unmarshal(raw, &d.meta) == nil {
			d.total = d.meta.Total
		} else {
			d.offset = 0 // a partial file without its record: start over
		}
	}
	if d.offset > 0 && d.offset == d.total {
		return nil // complete: an earlier attempt stopped before handing it over
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(importStall, func() { cancel(errStalled) })
	defer stall.Stop()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.args.URL, nil)
	if err != nil {
		return &importFailure{"The link is not a valid URL."}
	}
	req.Header.Set("User-Agent", "clipcut-import/1")
	req.Header.Set("Accept-Encoding", "identity")
	if d.offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", d.offset))
		if v := ifRange(d.meta); v != "" {
			req.Header.Set("If-Range", v)
		}
	}
	client := *d.w.client
	follow := client.CheckRedirect
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		d.hops = append(d.hops, r.URL.Redacted())
		return follow(r, via)
	}
	resp, err := client.Do(req)
	if err != nil {
		return d.transportError(context.Cause(ctx), err)
	}
	defer resp.Body.Close()
	stall.Reset(importStall)

	mode, err := d.accept(resp)
	if err != nil {
		return err
	}
	if err := d.checkSize(ctx); err != nil {
		return err
	}
	if mode == bodyComplete {
		return d.finish(ctx)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if mode == bodyAppends {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
		if d.meta.Total != d.total { // the size is known now
			d.meta.Total = d.total
			if err := d.writeMeta(); err != nil {
				return err
			}
		}
	} else {
		d.offset = 0
		d.meta = partMeta{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Total: d.total}
		if err := d.writeMeta(); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(d.w.partPath(id), flags, 0o644)
	if err != nil {
		return fmt.Errorf("import %s: %w", id, err)
	}
	err = d.copy(ctx, f, resp.Body, stall)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("import %s: %w", id, cerr)
	}
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, errStalled) {
			return &importRetry{"the server stopped sending for " + importStall.String(), cause}
		}
		return err
	}
	return d.finish(ctx)
}

// finish checks and records a download whose last byte arrived.
func (d *download) finish(ctx context.Context) error {
	id := d.args.VideoID
	if d.total < 0 {
		// Only now is the size known: hold it to the limits and record it.
		if err := d.reserve(ctx, d.offset, false); err != nil {
			return err
		}
		d.total = d.offset
		d.meta.Total = d.offset
		if err := d.writeMeta(); err != nil {
			return err
		}
	}
	if d.offset == 0 {
		return &importFailure{"The link leads to an empty file."}
	}
	if _, err := d.w.deps.Store.SetImportProgress(ctx, id, 100); err != nil {
		return err
	}
	return nil
}

// errStalled cancels an attempt that received nothing for importStall.
var errStalled = errors.New("no data received")

// ifRange is the validator to resume with: a strong ETag, else the
// Last-Modified date.
func ifRange(m partMeta) string {
	if m.ETag != "" && !strings.HasPrefix(m.ETag, "W/") {
		return m.ETag
	}
	return m.LastModified
}

// What a response's body is to the partial file.
type bodyMode int

const (
	bodyReplaces bodyMode = iota // 200: the whole file
	bodyAppends                  // 206: the rest of it
	bodyComplete                 // 416 at the file's end: nothing is missing
)

// accept reads the status and headers of resp: what its body is to the
// partial file, the file's total size, and the refusals.
func (d *download) accept(resp *http.Response) (mode bodyMode, err error) {
	switch {
	case resp.StatusCode == http.StatusPartialContent && d.offset > 0:
		start, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != d.offset {
			// Not the range asked for: start over on the next attempt.
			d.w.discard(d.args.VideoID)
			return 0, &importRetry{"the server answered a range that was not asked for", fmt.Errorf("Content-Range %q", resp.Header.Get("Content-Range"))}
		}
		d.total = total
		mode = bodyAppends
	case resp.StatusCode == http.StatusOK:
		d.total = resp.ContentLength
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && d.offset > 0:
		// The partial file ends where the file does, or the file shrank.
		if _, total, ok := parseContentRange(resp.Header.Get("Content-Range")); ok && total == d.offset {
			d.total = total
			return bodyComplete, nil
		}
		d.w.discard(d.args.VideoID)
		return 0, &importRetry{"the file changed on the server during the download", errors.New("416 Range Not Satisfiable")}
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return 0, &importRetry{fmt.Sprintf("the server answered %s", statusText(resp.StatusCode)), errors.New(resp.Status)}
	case resp.StatusCode >= 400:
		return 0, &importFailure{fmt.Sprintf("The server at %s answered %s%s: the file is not there, or not public. Check the link, then import it again.",
			hostOf(resp.Request.URL.String()), statusText(resp.StatusCode), d.redirected())}
	default:
		return 0, &importFailure{fmt.Sprintf("The server at %s answered %s instead of the file.", hostOf(resp.Request.URL.String()), statusText(resp.StatusCode))}
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" || mt == "application/xhtml+xml" {
		return 0, &importFailure{"The link leads to a web page, not a video file: link to the file itself (such links usually end in .mp4, .mov, .mkv or .webm)."}
	}
	return mode, nil
}

// checkSize holds a known size to the limits before any byte is read.
func (d *download) checkSize(ctx context.Context) error {
	if d.total < 0 {
		return nil
	}
	return d.reserve(ctx, d.total, false)
}

// reserve records size as the import's size, or fails it when size breaks
// a limit. partial says the file is bigger still (it is still streaming).
func (d *download) reserve(ctx context.Context, size int64, partial bool) error {
	err := d.w.deps.Store.ReserveImportSize(ctx, d.args.VideoID, size, d.lim)
	var le *store.LimitError
	if errors.As(err, &le) {
		is := "is"
		if partial {
			is = "is more than"
		}
		if le.Limit == "file_size" {
			return &importFailure{fmt.Sprintf("The file at the link %s %s, larger than the %s limit per upload.", is, store.FormatBytes(size), store.FormatBytes(le.Value))}
		}
		return &importFailure{fmt.Sprintf("The file at the link %s %s: importing it would exceed your storage quota of %s (%s already used).",
			is, store.FormatBytes(size), store.FormatBytes(le.Value), store.FormatBytes(le.Used))}
	}
	if errors.Is(err, store.ErrNotFound) {
		return errImportGone
	}
	return err
}

// copy streams body into f, counting d.offset, writing progress, keeping
// the stall timer from firing while bytes arrive, and stopping at the
// allowance when the size was not announced.
func (d *download) copy(ctx context.Context, f *os.File, body io.Reader, stall *time.Timer) error {
	id := d.args.VideoID
	var allowance int64 // 0: none
	if d.total < 0 {
		var err error
		if allowance, err = d.w.deps.Store.ImportAllowance(ctx, id, d.lim); err != nil {
			return err
		}
	}
	buf := make([]byte, 256<<10)
	lastProgress := time.Now()
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			stall.Reset(importStall)
			if _, err := f.Write(buf[:n]); err != nil {
				return fmt.Errorf("import %s: %w", id, err)
			}
			d.offset += int64(n)
			if allowance > 0 && d.offset > allowance {
				if err := d.reserve(ctx, d.offset, true); err != nil {
					return err
				}
				allowance = 0 // room was made meanwhile; counted again at the end
			}
			if time.Since(lastProgress) >= importProgressEvery {
				lastProgress = time.Now()
				if err := d.progress(ctx); err != nil {
					return err
				}
			}
		}
		if errors.Is(rerr, io.EOF) {
			if d.total >= 0 && d.offset != d.total {
				return &importRetry{d.cutShort(), io.ErrUnexpectedEOF}
			}
			return nil
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return rerr
			}
			return &importRetry{d.cutShort(), rerr}
		}
	}
}

// cutShort says how much arrived before the connection ended.
func (d *download) cutShort() string {
	if d.total >= 0 {
		return fmt.Sprintf("the connection ended after %s of %s", store.FormatBytes(d.offset), store.FormatBytes(d.total))
	}
	return fmt.Sprintf("the connection ended after %s", store.FormatBytes(d.offset))
}

// progress records the share downloaded (0 while the size is unknown,
// which still tells whether the video is still importing).
func (d *download) progress(ctx context.Context) error {
	var pct float64
	if d.total > 0 {
		pct = float64(d.offset) / float64(d.total) * 100
	}
	ok, err := d.w.deps.Store.SetImportProgress(ctx, d.args.VideoID, min(pct, 99.9))
	if err != nil {
		return err
	}
	if !ok {
		return errImportGone
	}
	return nil
}

func (d *download) writeMeta() error {
	raw, _ := json.Marshal(d.meta)
	if err := os.WriteFile(d.w.metaPath(d.args.VideoID), raw, 0o644); err != nil {
		return fmt.Errorf("import %s: %w", d.args.VideoID, err)
	}
	return nil
}

// redirected names the last redirect for a reason (" (redirected to
// URL)"), or nothing.
func (d *download) redirected() string {
	if len(d.hops) == 0 {
		return ""
	}
	return " (redirected to " + d.hops[len(d.hops)-1] + ")"
}

// transportError sorts an error without a response into a permanent
// failure or a retry, each with words for the owner.
func (d *download) transportError(cause, err error) error {
	if errors.Is(cause, errStalled) {
		return &importRetry{"the server did not answer within " + importStall.String(), err}
	}
	var blocked *outbound.BlockedError
	if errors.As(err, &blocked) {
		where := "The link leads to"
		if len(d.hops) > 0 {
			where = "The link redirects to " + d.hops[len(d.hops)-1] + ", which leads to"
		}
		addr := blocked.Raw
		if blocked.Addr.IsValid() {
			addr = outbound.Describe(blocked.Addr)
		}
		return &importFailure{where + " " + addr + ", a private, loopback or link-local address this instance does not download from."}
	}
	if errors.Is(err, outbound.ErrRedirect) {
		return &importFailure{"The link redirects elsewhere and the redirect was not followed: " + strings.TrimPrefix(unwrapURLError(err).Error(), outbound.ErrRedirect.Error()+": ") + "."}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return &importFailure{fmt.Sprintf("The host %q does not exist: check the link.", dns.Name)}
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return &importFailure{"The server's HTTPS certificate is not valid, so the download was refused: " + unwrapURLError(err).Error() + "."}
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return &importRetry{"the server refused the connection", err}
	case errors.As(err, &ne) && ne.Timeout():
		return &importRetry{"the server did not answer in time", err}
	}
	return &importRetry{"the connection to the server failed", err}
}

// unwrapURLError drops Go's `Get "url":` prefix.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// parseContentRange reads "bytes 100-199/1000" (total -1 for "/*") and
// "bytes */1000".
func parseContentRange(h string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(h, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, size, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	total = -1
	if size != "*" {
		t, err := strconv.ParseInt(size, 10, 64)
		if err != nil || t < 0 {
			return 0, 0, false
		}
		total = t
	}
	if rng == "*" {
		return 0, total, true
	}
	first, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, false
	}
	return start, total, true
}

// statusText is "404 Not Found".
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}

// hostOf is the host of a URL, for reasons.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}
