package storage

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// maxKeyLen is S3's limit on object names, in bytes.
	maxKeyLen = 1024
	// maxSegmentLen is the file name limit of common local filesystems.
	maxSegmentLen = 255
	// tempPrefix starts the names of Local's in-progress writes. Keys may
	// not use it, so a listing never mistakes a half-written file for an
	// object.
	tempPrefix = ".clipcut-tmp-"
)

// ValidateKey reports whether key is a valid object key: a relative,
// slash-separated path of at most 1024 bytes of UTF-8, whose segments are
// non-empty, at most 255 bytes, not "." or "..", free of backslashes and
// control characters (NUL included), and do not start with the
// ".clipcut-tmp-" prefix reserved for in-progress writes. The error matches
// ErrInvalidKey.
func ValidateKey(key string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("storage: key %s: %w", strconv.Quote(key), err)
	}
	return nil
}

// checkKey returns the reason key is invalid, wrapping ErrInvalidKey.
func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > maxKeyLen:
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, maxKeyLen)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidKey)
	case key[0] == '/':
		return fmt.Errorf("%w: starts with a slash", ErrInvalidKey)
	}
	for _, c := range key {
		switch {
		case c == '\\':
			return fmt.Errorf("%w: contains a backslash", ErrInvalidKey)
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("%w: contains a control character", ErrInvalidKey)
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return fmt.Errorf("%w: empty path segment", ErrInvalidKey)
		case seg == "." || seg == "..":
			return fmt.Errorf("%w: %q path segment", ErrInvalidKey, seg)
		case len(seg) > maxSegmentLen:
			return fmt.Errorf("%w: path segment longer than %d bytes", ErrInvalidKey, maxSegmentLen)
		case strings.HasPrefix(seg, tempPrefix):
			return fmt.Errorf("%w: %q prefix is reserved", ErrInvalidKey, tempPrefix)
		}
	}
	return nil
}

// cleanPrefix validates a List or DeletePrefix prefix and drops one
// trailing slash, so "videos/a/" and "videos/a" mean the same. An empty
// prefix stays empty (the whole bucket).
func cleanPrefix(prefix string) (string, error) {
	if prefix == "" {
		return "", nil
	}
	p := strings.TrimSuffix(prefix, "/")
	if err := checkKey(p); err != nil {
		return "", err
	}
	return p, nil
}

// opError wraps err as "storage: op key: err".
func opError(op, key string, err error) error {
	return fmt.Errorf("storage: %s %s: %w", op, key, err)
}

// keyError wraps a validation error, quoting key since it may hold
// anything.
func keyError(op, key string, err error) error {
	return fmt.Errorf("storage: %s %s: %w", op, strconv.Quote(key), err)
}
