package upload

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// checksumAlgorithms are the tus checksum extension's algorithms we accept.
var checksumAlgorithms = []string{"sha1", "sha256", "md5"}

func newHash(algo string) hash.Hash {
	switch algo {
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	case "md5":
		return md5.New()
	}
	return nil
}

// withChecksum implements the tus checksum extension in front of tusd: a
// PATCH (or a POST with data) carrying Upload-Checksum is spooled to a
// temporary file while hashing; on a mismatch the chunk is refused with 460
// and nothing reaches the upload, otherwise tusd reads it from the spool.
// Requests without the header stream straight through.
// limit bounds the spool (0: no bound beyond what tusd enforces after).
func withChecksum(spoolDir string, limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Upload-Checksum")
		if header == "" || (r.Method != http.MethodPatch && r.Method != http.MethodPost) {
			next.ServeHTTP(w, r)
			return
		}
		algo, encoded, _ := strings.Cut(header, " ")
		h := newHash(algo)
		want, err := base64.StdEncoding.DecodeString(encoded)
		if h == nil || err != nil {
			tusError(w, http.StatusBadRequest, "ERR_UNSUPPORTED_CHECKSUM_ALGORITHM",
				"Upload-Checksum must be '<algorithm> <base64 digest>' with algorithm "+strings.Join(checksumAlgorithms, ", ")+".")
			return
		}
		spool, err := os.CreateTemp(spoolDir, ".chunk-*")
		if err != nil {
			tusError(w, http.StatusInternalServerError, "ERR_INTERNAL", "Could not receive the chunk; retry it.")
			return
		}
		defer os.Remove(spool.Name())
		defer spool.Close()
		body := io.Reader(r.Body)
		if limit > 0 {
			body = io.LimitReader(r.Body, limit+1)
		}
		n, err := io.Copy(io.MultiWriter(spool, h), body)
		if limit > 0 && n > limit {
			tusError(w, http.StatusRequestEntityTooLarge, "ERR_MAX_SIZE_EXCEEDED", "The chunk is larger than any upload may be.")
			return
		}
		if err != nil {
			// The connection dropped: nothing was written to the upload,
			// so the client resumes from the same offset.
			tusError(w, http.StatusBadRequest, "ERR_READ", "The chunk did not arrive completely; retry it.")
			return
		}
		if string(h.Sum(nil)) != string(want) {
			tusError(w, 460, "ERR_CHECKSUM_MISMATCH", "Checksum Mismatch: the chunk was corrupted in transit and was discarded; send it again.")
			return
		}
		if _, err := spool.Seek(0, io.SeekStart); err != nil {
			tusError(w, http.StatusInternalServerError, "ERR_INTERNAL", "Could not receive the chunk; retry it.")
			return
		}
		r.Body = spool
		r.ContentLength = n
		r.Header.Set("Content-Length", strconv.FormatInt(n, 10))
		next.ServeHTTP(w, r)
	})
}
