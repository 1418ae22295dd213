// Package storage keeps clipcut's media objects: local disk by default, any
// S3-compatible store (AWS S3, MinIO, R2) through minio-go for scale.
//
// Objects are addressed by keys: slash-separated relative paths such as
// "videos/<id>/hls/720p/seg_00001.ts" (see ValidateKey). Keys behave like
// file paths on every backend: List and DeletePrefix work on whole path
// segments, so "videos/a" never matches "videos/ab/...", and an object's
// key must not also prefix other keys ("a" and "a/b"), which local disk
// cannot hold together.
//
// Bucket is the small core every backend implements. Extra abilities are
// optional interfaces found by type assertion (LocalPather, Presigner), the
// way tusd composes its stores.
package storage

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"time"
)

// Bucket stores media objects under validated keys.
//
// Writes are atomic for readers: a concurrent Get sees the whole previous
// object or the whole new one, never part of a write. Every method is safe
// for concurrent use.
type Bucket interface {
	// Put stores the bytes of r under key, replacing any object there.
	// size is the exact number of bytes to store, or -1 when unknown (the
	// reader is streamed until EOF). A reader shorter than size is an error
	// and leaves any previous object in place. contentType is stored with
	// the object (see Local for filesystems without extended attributes);
	// an empty one is derived from the key's extension.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error

	// PutFile stores the local file at localPath under key, the efficient
	// way for the backend (a kernel copy on disk, parallel multipart on S3).
	PutFile(ctx context.Context, key, localPath, contentType string) error

	// Get opens the object at key. The caller must close the reader. A
	// missing object is an error matching ErrNotExist.
	Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error)

	// GetRange opens length bytes of the object at key starting at offset,
	// for byte-range serving. length < 0 reads to the end of the object; a
	// range running past the end is cut short there. An offset at or past
	// the end, a negative offset, or a zero length is an error matching
	// ErrInvalidRange.
	GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)

	// Stat describes the object at key without reading it.
	Stat(ctx context.Context, key string) (ObjectInfo, error)

	// Delete removes the object at key. A missing object is not an error.
	Delete(ctx context.Context, key string) error

	// DeletePrefix removes every object whose key starts with prefix + "/".
	// It is idempotent. An empty prefix is refused: wiping a whole bucket is
	// never what a caller meant.
	DeletePrefix(ctx context.Context, prefix string) error

	// List describes every object whose key starts with prefix + "/" (every
	// object for an empty prefix), sorted by key. ContentType is left empty:
	// object stores do not return it in listings.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	// Key is the object's key, relative to the bucket (and its prefix).
	Key string
	// Size is the object's length in bytes.
	Size int64
	// ModTime is when the object was last written.
	ModTime time.Time
	// ContentType is the media type stored with the object.
	ContentType string
	// ETag changes whenever the object is rewritten. It is unquoted; HTTP
	// handlers add the quotes.
	ETag string
}

// LocalPather is implemented by buckets that keep objects as local files,
// so the HTTP layer can serve them with sendfile.
type LocalPather interface {
	// LocalPath returns the absolute path of the file holding key. ok is
	// false when key is invalid, missing, not a regular file, or reached
	// through a symbolic link. The file may be replaced or removed after
	// the call; open it once and serve from the open file.
	LocalPath(key string) (path string, ok bool)
}

// Presigner is implemented by buckets that can hand out time-limited URLs,
// so the HTTP layer can redirect a download to the object store.
type Presigner interface {
	// PresignGet returns a URL that allows a GET of key for ttl.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (*url.URL, error)
}

// ErrNotExist reports a missing object. It matches fs.ErrNotExist too, so
// errors.Is(err, fs.ErrNotExist) works across packages that only know io/fs.
var ErrNotExist error = notExistError{}

// ErrInvalidKey reports a key or prefix that ValidateKey rejects.
var ErrInvalidKey = errors.New("invalid key")

// ErrInvalidRange reports a byte range that selects nothing of the object.
var ErrInvalidRange = errors.New("invalid range")

type notExistError struct{}

func (notExistError) Error() string { return "object does not exist" }

func (notExistError) Unwrap() error { return fs.ErrNotExist }
