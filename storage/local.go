package storage

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// Local keeps objects as files under a root directory. It is the default
// store: one machine, no extra service.
//
// Every access goes through an os.Root, so no key, and no symbolic link
// planted under the root, reaches a file outside it. Symbolic links are not
// objects: List skips them and LocalPath refuses them.
//
// A write goes to a temporary file in the object's directory, is synced,
// then renamed over the key, so readers see the old object or the new one
// and a crash leaves no torn file. The content type and ETag travel with
// the file in an extended attribute; on a filesystem without user extended
// attributes the type falls back to the one the extension implies and the
// ETag to one built from the modification time and size.
//
// Directories are created as needed and removed again once a Delete or
// DeletePrefix empties them.
type Local struct {
	root *os.Root
	dir  string
	// dirFD is the root directory opened for openat2 (see openBeneath);
	// nil where that is not used.
	dirFD *os.File
	// metas remembers the extended attribute of files already read.
	metas metaCache
}

var (
	_ Bucket      = (*Local)(nil)
	_ LocalPather = (*Local)(nil)
)

// NewLocal returns a Local keeping objects under root, creating the
// directory if needed. Close releases it.
func NewLocal(root string) (*Local, error) {
	if root == "" {
		return nil, errors.New("storage: local: empty root directory")
	}
	dir, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("storage: local %s: %w", root, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("storage: local %s: %w", dir, err)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: local %s: %w", dir, err)
	}
	return &Local{root: r, dir: dir, dirFD: openRootDir(dir)}, nil
}

// Close releases the root directory. The Local is unusable afterwards.
func (l *Local) Close() error {
	if l.dirFD != nil {
		l.dirFD.Close()
	}
	return l.root.Close()
}

// Put implements Bucket.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return keyError("put", key, err)
	}
	if size < -1 {
		return opError("put", key, fmt.Errorf("invalid size %d", size))
	}
	err := l.write(ctx, key, contentType, func(f *os.File) error {
		src := ctxReader{ctx: ctx, r: r}
		if size < 0 {
			_, err := io.Copy(f, src)
			return err
		}
		n, err := io.CopyN(f, src, size)
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("reader ended after %d of %d bytes: %w", n, size, io.ErrUnexpectedEOF)
		}
		return err
	})
	if err != nil {
		return opError("put", key, err)
	}
	return nil
}

// PutFile implements Bucket. The copy is done by the kernel
// (copy_file_range on Linux), a reflink on filesystems that support one.
func (l *Local) PutFile(ctx context.Context, key, localPath, contentType string) error {
	if err := checkKey(key); err != nil {
		return keyError("putfile", key, err)
	}
	src, err := os.Open(localPath)
	if err != nil {
		return opError("putfile", key, err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return opError("putfile", key, err)
	}
	if !st.Mode().IsRegular() {
		return opError("putfile", key, fmt.Errorf("%s is not a regular file", localPath))
	}
	err = l.write(ctx, key, contentType, func(f *os.File) error {
		n, err := io.Copy(f, src)
		if err == nil && n != st.Size() {
			err = fmt.Errorf("%s changed size while copying: %d of %d bytes", localPath, n, st.Size())
		}
		return err
	})
	if err != nil {
		return opError("putfile", key, err)
	}
	return nil
}

// write creates key atomically: fill writes the bytes into a temporary file
// beside it, which is then synced and renamed over key.
func (l *Local) write(ctx context.Context, key, contentType string, fill func(*os.File) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir := path.Dir(key)
	f, tmp, err := l.createTemp(dir)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if err == nil {
			return
		}
		if !closed {
			f.Close()
		}
		l.root.Remove(tmp)
		l.prune(dir)
	}()
	if err := fill(f); err != nil {
		return err
	}
	meta := fileMeta{ContentType: contentTypeFor(key, contentType), ETag: rand.Text()}
	if err := writeMeta(f, meta); err != nil {
		return fmt.Errorf("write metadata: %w", err)
	}
	// Sync before the rename, or a crash could leave the new name pointing
	// at a file whose data never reached the disk.
	if err := f.Sync(); err != nil {
		return err
	}
	closed = true
	if err := f.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return l.root.Rename(filepath.FromSlash(tmp), filepath.FromSlash(key))
}

// createTemp creates dir as needed and a new temporary file in it.
func (l *Local) createTemp(dir string) (*os.File, string, error) {
	for attempt := 0; ; attempt++ {
		f, tmp, err := l.tryCreateTemp(dir)
		// A concurrent Delete may prune a directory, empty for a moment,
		// while MkdirAll makes it (which then fails with "file exists") or
		// before the create: make it again.
		if (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist)) && attempt < 10 {
			continue
		}
		return f, tmp, err
	}
}

func (l *Local) tryCreateTemp(dir string) (*os.File, string, error) {
	if dir != "." {
		if err := l.root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return nil, "", err
		}
	}
	tmp := path.Join(dir, tempPrefix+rand.Text())
	f, err := l.root.OpenFile(filepath.FromSlash(tmp), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, "", err
	}
	return f, tmp, nil
}

// Get implements Bucket. The reader is an *os.File, so io.Copy to a
// network connection uses sendfile and http.ServeContent can seek in it.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return nil, ObjectInfo{}, keyError("get", key, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, ObjectInfo{}, opError("get", key, err)
	}
	f, info, err := l.open(key)
	if err != nil {
		return nil, ObjectInfo{}, opError("get", key, err)
	}
	return f, info, nil
}

// GetNoSymlinks is Get for a caller that hands the file to someone else
// and must know it is the one at key: a symbolic link anywhere along the
// key (even one staying under the root) makes it ErrNotExist, as for
// LocalPath. The check and the open are one system call (openat2 on
// Linux 5.6 and later); where that is not available it returns
// errors.ErrUnsupported, and the caller should use Get and check the path
// itself.
func (l *Local) GetNoSymlinks(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return nil, ObjectInfo{}, keyError("get", key, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, ObjectInfo{}, opError("get", key, err)
	}
	f, ok, err := l.openBeneath(key, true)
	if !ok {
		return nil, ObjectInfo{}, errors.ErrUnsupported
	}
	if isNotExist(err) {
		err = ErrNotExist
	}
	if err != nil {
		return nil, ObjectInfo{}, opError("get", key, err)
	}
	info, err := l.describe(f, key)
	if err != nil {
		return nil, ObjectInfo{}, opError("get", key, err)
	}
	return f, info, nil
}

// GetRange implements Bucket. Copying the reader to a network connection
// uses sendfile.
func (l *Local) GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, keyError("getrange", key, err)
	}
	if offset < 0 || length == 0 {
		return nil, opError("getrange", key, fmt.Errorf("%w: offset %d length %d", ErrInvalidRange, offset, length))
	}
	if err := ctx.Err(); err != nil {
		return nil, opError("getrange", key, err)
	}
	f, info, err := l.open(key)
	if err != nil {
		return nil, opError("getrange", key, err)
	}
	if offset >= info.Size {
		f.Close()
		return nil, opError("getrange", key, fmt.Errorf("%w: offset %d of a %d-byte object", ErrInvalidRange, offset, info.Size))
	}
	n := info.Size - offset
	if length > 0 && length < n {
		n = length
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, opError("getrange", key, err)
	}
	return &fileRange{f: f, r: io.LimitedReader{R: f, N: n}}, nil
}

// Stat implements Bucket.
func (l *Local) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return ObjectInfo{}, keyError("stat", key, err)
	}
	if err := ctx.Err(); err != nil {
		return ObjectInfo{}, opError("stat", key, err)
	}
	info, err := l.stat(key)
	if err != nil {
		return ObjectInfo{}, opError("stat", key, err)
	}
	return info, nil
}

// Delete implements Bucket, then removes the directories it emptied.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return keyError("delete", key, err)
	}
	if err := ctx.Err(); err != nil {
		return opError("delete", key, err)
	}
	name := filepath.FromSlash(key)
	st, err := l.root.Lstat(name)
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return opError("delete", key, err)
	}
	// A directory is a prefix, not an object: there is nothing to delete.
	if st.IsDir() {
		return nil
	}
	if err := l.root.Remove(name); err != nil && !isNotExist(err) {
		return opError("delete", key, err)
	}
	l.prune(path.Dir(key))
	return nil
}

// DeletePrefix implements Bucket, then removes the directories it emptied.
func (l *Local) DeletePrefix(ctx context.Context, prefix string) error {
	p, err := cleanPrefix(prefix)
	if err != nil {
		return keyError("deleteprefix", prefix, err)
	}
	if p == "" {
		return keyError("deleteprefix", prefix, fmt.Errorf("%w: empty prefix would delete everything", ErrInvalidKey))
	}
	if err := ctx.Err(); err != nil {
		return opError("deleteprefix", p, err)
	}
	name := filepath.FromSlash(p)
	st, err := l.root.Lstat(name)
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return opError("deleteprefix", p, err)
	}
	// Only a real directory holds objects under prefix/. RemoveAll
	// removes symbolic links without following them.
	if !st.IsDir() {
		return nil
	}
	if err := l.root.RemoveAll(name); err != nil {
		return opError("deleteprefix", p, err)
	}
	l.prune(path.Dir(p))
	return nil
}

// List implements Bucket.
func (l *Local) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	p, err := cleanPrefix(prefix)
	if err != nil {
		return nil, keyError("list", prefix, err)
	}
	dir := "."
	if p != "" {
		dir = p
		st, err := l.root.Lstat(filepath.FromSlash(p))
		if isNotExist(err) {
			return []ObjectInfo{}, nil
		}
		if err != nil {
			return nil, opError("list", p, err)
		}
		if !st.IsDir() {
			return []ObjectInfo{}, nil
		}
	}
	out := []ObjectInfo{}
	err = fs.WalkDir(l.root.FS(), dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			// Removed while we walked: it is simply not listed.
			if isNotExist(err) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		info, err := l.stat(name)
		if errors.Is(err, ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		out = append(out, info)
		return nil
	})
	if err != nil {
		return nil, opError("list", p, err)
	}
	// WalkDir sorts each directory on its own, which is not key order:
	// "a/b" comes before "a-c" in a walk but after it as a string.
	slices.SortFunc(out, func(a, b ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
	for i := range out {
		out[i].ContentType = ""
	}
	return out, nil
}

// LocalPath implements LocalPather.
func (l *Local) LocalPath(key string) (string, bool) {
	if checkKey(key) != nil {
		return "", false
	}
	// The caller opens the path without the os.Root guard, so refuse any
	// symbolic link along it: the path then stays under the root.
	var st fs.FileInfo
	p := ""
	for seg := range strings.SplitSeq(key, "/") {
		p = path.Join(p, seg)
		var err error
		st, err = l.root.Lstat(filepath.FromSlash(p))
		if err != nil || st.Mode()&fs.ModeSymlink != 0 {
			return "", false
		}
	}
	if !st.Mode().IsRegular() {
		return "", false
	}
	return filepath.Join(l.dir, filepath.FromSlash(key)), true
}

// open opens the regular file at key and describes it.
func (l *Local) open(key string) (*os.File, ObjectInfo, error) {
	f, ok, err := l.openBeneath(key, false)
	if !ok {
		f, err = l.root.Open(filepath.FromSlash(key))
	}
	if isNotExist(err) {
		return nil, ObjectInfo{}, ErrNotExist
	}
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	info, err := l.describe(f, key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	return f, info, nil
}

// describe describes f, just opened for key, closing it when it is not a
// regular file or cannot be described.
func (l *Local) describe(f *os.File, key string) (ObjectInfo, error) {
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return ObjectInfo{}, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return ObjectInfo{}, ErrNotExist
	}
	info := ObjectInfo{Key: key, Size: st.Size(), ModTime: st.ModTime()}
	meta := l.metas.read(f, st)
	info.ContentType = contentTypeFor(key, meta.ContentType)
	info.ETag = meta.ETag
	if info.ETag == "" {
		info.ETag = fmt.Sprintf("%x-%x", st.ModTime().UnixNano(), st.Size())
	}
	return info, nil
}

// metaCacheSize bounds the remembered extended attributes (about 150
// bytes each).
const metaCacheSize = 8192

// metaCache remembers the fileMeta of files by identity (device and
// inode), valid while their change time stays the same: a write renames
// a new file (a new inode) over the key, and setting the attribute
// changes the time, so a hit is always current. It saves a getxattr and
// a JSON decode on every read of a popular object. Files whose identity
// is unknown (off Linux) are read every time.
type metaCache struct {
	mu      sync.Mutex
	entries map[fileID]cachedMeta
}

// fileID identifies a file on the machine.
type fileID struct{ dev, ino uint64 }

type cachedMeta struct {
	changed int64 // change time, ns
	size    int64
	meta    fileMeta
}

// read returns f's metadata, from the cache when st shows the file has
// not changed since it was read.
func (c *metaCache) read(f *os.File, st fs.FileInfo) fileMeta {
	id, changed, ok := statID(st)
	if !ok {
		m, _ := readMeta(f)
		return m
	}
	c.mu.Lock()
	e, hit := c.entries[id]
	c.mu.Unlock()
	if hit && e.changed == changed && e.size == st.Size() {
		return e.meta
	}
	m, _ := readMeta(f)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[fileID]cachedMeta)
	}
	if _, ok := c.entries[id]; !ok && len(c.entries) >= metaCacheSize {
		for k := range c.entries { // random eviction, O(1)
			delete(c.entries, k)
			break
		}
	}
	c.entries[id] = cachedMeta{changed: changed, size: st.Size(), meta: m}
	return m
}

// stat describes the regular file at key.
func (l *Local) stat(key string) (ObjectInfo, error) {
	f, info, err := l.open(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	f.Close()
	return info, nil
}

// prune removes dir and its parents up to the root while they are empty.
func (l *Local) prune(dir string) {
	for dir != "." && dir != "/" && dir != "" {
		name := filepath.FromSlash(dir)
		// Lstat first: Remove would delete a symbolic link to a directory.
		st, err := l.root.Lstat(name)
		if err != nil || !st.IsDir() {
			return
		}
		if l.root.Remove(name) != nil {
			return // not empty, or gone already
		}
		dir = path.Dir(dir)
	}
}

// isNotExist reports whether err means the path is not there, including a
// parent that is a file rather than a directory.
func isNotExist(err error) bool {
	return err != nil && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR))
}

// fileMeta is what Local keeps about an object besides its bytes.
type fileMeta struct {
	ContentType string `json:"content_type"`
	ETag        string `json:"etag"`
}

// fileRange reads a byte range of an open file.
type fileRange struct {
	f *os.File
	r io.LimitedReader
}

func (fr *fileRange) Read(p []byte) (int, error) { return fr.r.Read(p) }

func (fr *fileRange) Close() error { return fr.f.Close() }

// WriteTo hands the limited *os.File to w's ReadFrom, which lets a network
// connection (or an http.ResponseWriter) send the range with sendfile.
func (fr *fileRange) WriteTo(w io.Writer) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(&fr.r)
	}
	return io.Copy(w, &fr.r)
}

// ctxReader stops reading once ctx is done, so a long Put can be
// cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
