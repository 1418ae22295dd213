//go:build !linux

package storage

import (
	"io/fs"
	"os"
)

// writeMeta is a no-op where clipcut does not use extended attributes:
// readers fall back to the content type the extension implies and an ETag
// built from the modification time and size.
func writeMeta(*os.File, fileMeta) error { return nil }

// readMeta reports that no metadata is stored.
func readMeta(*os.File) (fileMeta, bool) { return fileMeta{}, false }

// statID reports that file identities are not used.
func statID(fs.FileInfo) (fileID, int64, bool) { return fileID{}, 0, false }
