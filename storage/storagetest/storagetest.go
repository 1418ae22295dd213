// Package storagetest is the conformance suite every storage.Bucket
// passes, so the HTTP layer and the jobs can rely on one behaviour whether
// media sits on local disk or in S3.
package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/storage"
)

// Run runs the suite. newBucket must return a new, empty bucket on every
// call and arrange its cleanup with t.Cleanup; the subtests run in
// parallel, each with its own bucket.
//
// Content types in the suite agree with the keys' extensions: that is what
// every backend keeps, including Local on a filesystem without extended
// attributes. Backends test arbitrary types on their own.
func Run(t *testing.T, newBucket func(t *testing.T) storage.Bucket) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b storage.Bucket)
	}{
		{"RoundTrip", testRoundTrip},
		{"EmptyObject", testEmptyObject},
		{"Overwrite", testOverwrite},
		{"StreamUnknownSize", testStreamUnknownSize},
		{"StreamKnownSize", testStreamKnownSize},
		{"ShortReader", testShortReader},
		{"CancelledPut", testCancelledPut},
		{"PutFile", testPutFile},
		{"Ranges", testRanges},
		{"List", testList},
		{"Delete", testDelete},
		{"DeletePrefix", testDeletePrefix},
		{"DeletePrefixMany", testDeletePrefixMany},
		{"InvalidKeys", testInvalidKeys},
		{"NotExist", testNotExist},
		{"ConcurrentPuts", testConcurrentPuts},
		{"ConcurrentPutDelete", testConcurrentPutDelete},
		{"AtomicOverwrite", testAtomicOverwrite},
		{"Presign", testPresign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newBucket(t))
		})
	}
}

func testRoundTrip(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	objects := []struct {
		key, contentType, wantType string
		data                       []byte
	}{
		{"videos/v1/hls/master.m3u8", "application/vnd.apple.mpegurl", "", []byte("#EXTM3U\n#EXT-X-VERSION:7\n")},
		{"videos/v1/hls/720p/seg_00001.ts", "video/mp2t", "", randomBytes(1, 188*100)},
		{"videos/v1/subtitles/Français (auto).vtt", "text/vtt", "", []byte("WEBVTT\n\n")},
		{"videos/v1/poster.jpg", "image/jpeg", "", randomBytes(2, 5000)},
		// An empty content type is derived from the extension.
		{"videos/v1/storyboard.json", "", "application/json", []byte(`{"tiles":[]}`)},
		{"videos/v1/source", "", "application/octet-stream", randomBytes(3, 1000)},
		{"top.m3u8", "application/vnd.apple.mpegurl", "", []byte("#EXTM3U\n")},
	}
	before := time.Now().Add(-2 * time.Second)
	for _, o := range objects {
		require.NoError(t, b.Put(ctx, o.key, bytes.NewReader(o.data), int64(len(o.data)), o.contentType), o.key)
	}
	for _, o := range objects {
		want := o.wantType
		if want == "" {
			want = o.contentType
		}
		st, err := b.Stat(ctx, o.key)
		require.NoError(t, err, o.key)
		require.Equal(t, o.key, st.Key)
		require.Equal(t, int64(len(o.data)), st.Size, o.key)
		require.Equal(t, want, st.ContentType, o.key)
		require.NotEmpty(t, st.ETag, o.key)
		require.False(t, strings.HasPrefix(st.ETag, `"`), "ETag %s must be unquoted", st.ETag)
		require.WithinRange(t, st.ModTime, before, time.Now().Add(2*time.Second), o.key)

		data, info := get(t, b, o.key)
		require.Equal(t, o.data, data, o.key)
		require.Equal(t, st, info, "Get and Stat describe %s alike", o.key)
	}
}

func testEmptyObject(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	require.NoError(t, b.Put(ctx, "videos/e/known.vtt", bytes.NewReader(nil), 0, "text/vtt"))
	require.NoError(t, b.Put(ctx, "videos/e/stream.vtt", hideSize(bytes.NewReader(nil)), -1, "text/vtt"))
	for _, key := range []string{"videos/e/known.vtt", "videos/e/stream.vtt"} {
		data, info := get(t, b, key)
		require.Empty(t, data)
		require.Zero(t, info.Size)
		// No byte range selects anything of an empty object (HTTP 416).
		_, err := b.GetRange(ctx, key, 0, -1)
		require.ErrorIs(t, err, storage.ErrInvalidRange)
	}
}

func testOverwrite(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	const key = "videos/o/hls/720p/seg_00001.ts"
	put(t, b, key, randomBytes(4, 1000), "video/mp2t")
	first, err := b.Stat(ctx, key)
	require.NoError(t, err)

	second := []byte("replaced")
	put(t, b, key, second, "video/mp2t")
	data, info := get(t, b, key)
	require.Equal(t, second, data)
	require.Equal(t, int64(len(second)), info.Size)
	require.NotEqual(t, first.ETag, info.ETag, "an overwrite changes the ETag")
}

func testStreamUnknownSize(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	// Larger than one 16 MiB multipart part, so S3 streams several parts.
	const size = 17<<20 + 123
	const key = "uploads/stream/source.mp4"
	want := sha256.New()
	src := io.TeeReader(io.LimitReader(randomReader(5), size), want)
	require.NoError(t, b.Put(ctx, key, hideSize(src), -1, "video/mp4"))

	st, err := b.Stat(ctx, key)
	require.NoError(t, err)
	require.Equal(t, int64(size), st.Size)
	require.Equal(t, "video/mp4", st.ContentType)
	require.Equal(t, want.Sum(nil), hashObject(t, b, key))
}

func testStreamKnownSize(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	const size = 3<<20 + 7
	const key = "uploads/known/source.mp4"
	want := sha256.New()
	src := io.TeeReader(io.LimitReader(randomReader(6), size), want)
	require.NoError(t, b.Put(ctx, key, hideSize(src), size, "video/mp4"))
	st, err := b.Stat(ctx, key)
	require.NoError(t, err)
	require.Equal(t, int64(size), st.Size)
	require.Equal(t, want.Sum(nil), hashObject(t, b, key))
}

func testShortReader(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	const key = "videos/s/seg.ts"
	old := []byte("the object before the failed put")
	put(t, b, key, old, "video/mp2t")

	err := b.Put(ctx, key, hideSize(bytes.NewReader(make([]byte, 50))), 100, "video/mp2t")
	require.Error(t, err, "a reader shorter than size fails the put")
	data, _ := get(t, b, key)
	require.Equal(t, old, data, "a failed put leaves the previous object")

	err = b.Put(ctx, "videos/s/new.ts", hideSize(bytes.NewReader(make([]byte, 50))), 100, "video/mp2t")
	require.Error(t, err)
	_, err = b.Stat(ctx, "videos/s/new.ts")
	require.ErrorIs(t, err, storage.ErrNotExist, "a failed put creates nothing")
}

func testCancelledPut(t *testing.T, b storage.Bucket) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const key = "videos/cancel/source.mp4"
	// The reader cancels after its first MiB, then keeps going (up to a
	// bound) so only the context can stop the put.
	r := &cancellingReader{r: io.LimitReader(randomReader(7), 64<<20), after: 1 << 20, cancel: cancel}
	err := b.Put(ctx, key, r, -1, "video/mp4")
	require.Error(t, err)
	require.ErrorIs(t, err, context.Canceled)

	_, err = b.Stat(t.Context(), key)
	require.ErrorIs(t, err, storage.ErrNotExist, "a cancelled put leaves no object")
	list, err := b.List(t.Context(), "")
	require.NoError(t, err)
	require.Empty(t, list)
}

func testPutFile(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	data := randomBytes(8, 3<<20+11)
	local := filepath.Join(t.TempDir(), "upload.bin")
	require.NoError(t, os.WriteFile(local, data, 0o644))

	require.NoError(t, b.PutFile(ctx, "videos/pf/source.mp4", local, ""))
	got, info := get(t, b, "videos/pf/source.mp4")
	require.Equal(t, data, got)
	require.Equal(t, "video/mp4", info.ContentType, "derived from the key, not the local file name")

	require.NoError(t, b.PutFile(ctx, "videos/pf/seg.ts", local, "video/mp2t"))
	_, info = get(t, b, "videos/pf/seg.ts")
	require.Equal(t, "video/mp2t", info.ContentType)

	err := b.PutFile(ctx, "videos/pf/missing.mp4", filepath.Join(t.TempDir(), "nope"), "")
	require.Error(t, err)
	_, err = b.Stat(ctx, "videos/pf/missing.mp4")
	require.ErrorIs(t, err, storage.ErrNotExist)
}

func testRanges(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	const key = "videos/r/hls/720p/seg_00001.ts"
	data := randomBytes(9, 1000)
	put(t, b, key, data, "video/mp2t")

	good := []struct {
		name           string
		offset, length int64
		want           []byte
	}{
		{"start", 0, 10, data[:10]},
		{"middle", 500, 100, data[500:600]},
		{"end", 990, 10, data[990:]},
		{"last byte", 999, 1, data[999:]},
		{"whole", 0, 1000, data},
		{"past end is cut short", 995, 100, data[995:]},
		{"far past end", 0, 1 << 40, data},
		{"to end", 10, -1, data[10:]},
		{"all to end", 0, -1, data},
	}
	for _, tt := range good {
		rc, err := b.GetRange(ctx, key, tt.offset, tt.length)
		require.NoError(t, err, tt.name)
		got, err := io.ReadAll(rc)
		require.NoError(t, err, tt.name)
		require.NoError(t, rc.Close())
		require.Equal(t, tt.want, got, tt.name)
	}

	bad := []struct {
		name           string
		offset, length int64
	}{
		{"offset at end", 1000, 1},
		{"offset at end to end", 1000, -1},
		{"offset past end", 5000, 10},
		{"negative offset", -1, 10},
		{"zero length", 0, 0},
	}
	for _, tt := range bad {
		rc, err := b.GetRange(ctx, key, tt.offset, tt.length)
		if err == nil {
			rc.Close()
		}
		require.ErrorIs(t, err, storage.ErrInvalidRange, tt.name)
	}

	_, err := b.GetRange(ctx, "videos/r/missing.ts", 0, 10)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func testList(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	objects := map[string][]byte{
		"videos/a/hls/720p/seg_00002.ts": randomBytes(10, 300),
		"videos/a/hls/720p/seg_00001.ts": randomBytes(11, 200),
		"videos/a/poster.jpg":            randomBytes(12, 100),
		"videos/ab/poster.jpg":           randomBytes(13, 50),
		// '-' sorts before '/': a directory walk would list this last.
		"videos/a-b/seg.ts": randomBytes(14, 10),
		"videos/b.json":     []byte("{}"),
		"other/z.vtt":       []byte("WEBVTT\n"),
	}
	for key, data := range objects {
		put(t, b, key, data, "")
	}

	all, err := b.List(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []string{
		"other/z.vtt",
		"videos/a-b/seg.ts",
		"videos/a/hls/720p/seg_00001.ts",
		"videos/a/hls/720p/seg_00002.ts",
		"videos/a/poster.jpg",
		"videos/ab/poster.jpg",
		"videos/b.json",
	}, keys(all))
	for _, info := range all {
		require.Equal(t, int64(len(objects[info.Key])), info.Size, info.Key)
		require.NotEmpty(t, info.ETag, info.Key)
		require.False(t, info.ModTime.IsZero(), info.Key)
		require.Empty(t, info.ContentType, "List leaves ContentType empty")
		st, err := b.Stat(ctx, info.Key)
		require.NoError(t, err)
		require.Equal(t, st.ETag, info.ETag, "List and Stat agree on the ETag of %s", info.Key)
	}

	wantA := []string{"videos/a/hls/720p/seg_00001.ts", "videos/a/hls/720p/seg_00002.ts", "videos/a/poster.jpg"}
	for _, prefix := range []string{"videos/a", "videos/a/"} {
		list, err := b.List(ctx, prefix)
		require.NoError(t, err)
		require.Equal(t, wantA, keys(list), "List(%q)", prefix)
	}
	for prefix, want := range map[string][]string{
		"videos/a/hls/720p":              {"videos/a/hls/720p/seg_00001.ts", "videos/a/hls/720p/seg_00002.ts"},
		"other":                          {"other/z.vtt"},
		"vid":                            {}, // whole segments only
		"videos/nope":                    {},
		"videos/a/hls/720p/seg_00001.ts": {}, // an object, not a prefix
	} {
		list, err := b.List(ctx, prefix)
		require.NoError(t, err)
		require.Equal(t, want, keys(list), "List(%q)", prefix)
	}
}

func testDelete(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	put(t, b, "videos/d/x.ts", []byte("x"), "")
	put(t, b, "videos/d/y.ts", []byte("y"), "")

	require.NoError(t, b.Delete(ctx, "videos/d/x.ts"))
	_, err := b.Stat(ctx, "videos/d/x.ts")
	require.ErrorIs(t, err, storage.ErrNotExist)
	require.NoError(t, b.Delete(ctx, "videos/d/x.ts"), "deleting twice is fine")
	require.NoError(t, b.Delete(ctx, "never/was.ts"), "deleting a missing key is fine")
	require.NoError(t, b.Delete(ctx, "videos/d"), "a prefix is not an object: nothing to delete")

	list, err := b.List(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []string{"videos/d/y.ts"}, keys(list))
}

func testDeletePrefix(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	for _, key := range []string{
		"videos/a/source.mp4",
		"videos/a/hls/720p/seg_00001.ts",
		"videos/a/hls/master.m3u8",
		"videos/ab/source.mp4",
		"videos/a-b/source.mp4",
		"videos/b.json",
	} {
		put(t, b, key, []byte(key), "")
	}
	require.NoError(t, b.DeletePrefix(ctx, "videos/a"))
	list, err := b.List(ctx, "")
	require.NoError(t, err)
	want := []string{"videos/a-b/source.mp4", "videos/ab/source.mp4", "videos/b.json"}
	require.Equal(t, want, keys(list), "siblings sharing the prefix as a string survive")

	require.NoError(t, b.DeletePrefix(ctx, "videos/a/"), "deleting twice is fine")
	require.NoError(t, b.DeletePrefix(ctx, "never"), "a missing prefix is fine")
	require.NoError(t, b.DeletePrefix(ctx, "videos/b.json"), "an object is not a prefix")
	list, err = b.List(ctx, "")
	require.NoError(t, err)
	require.Equal(t, want, keys(list))

	require.ErrorIs(t, b.DeletePrefix(ctx, ""), storage.ErrInvalidKey, "an empty prefix would wipe everything")
	require.ErrorIs(t, b.DeletePrefix(ctx, "/"), storage.ErrInvalidKey)
}

func testDeletePrefixMany(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	// More than S3's 1000 keys per listing page and per multi-delete.
	const n = 1005
	keysCh := make(chan string)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range 16 {
		wg.Go(func() {
			for key := range keysCh {
				if err := b.Put(ctx, key, strings.NewReader(key), int64(len(key)), ""); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		keysCh <- fmt.Sprintf("videos/many/hls/%d/seg_%05d.ts", i%5, i)
	}
	close(keysCh)
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	put(t, b, "videos/many2/keep.ts", []byte("keep"), "")

	list, err := b.List(ctx, "videos/many")
	require.NoError(t, err)
	require.Len(t, list, n)
	require.True(t, slices.IsSortedFunc(list, func(a, b storage.ObjectInfo) int { return strings.Compare(a.Key, b.Key) }))

	require.NoError(t, b.DeletePrefix(ctx, "videos/many"))
	list, err = b.List(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []string{"videos/many2/keep.ts"}, keys(list))
}

// badKeys are keys every Bucket refuses.
var badKeys = []string{
	"",
	"../x",
	"a/../../x",
	"a/..",
	"..",
	".",
	"a/./b",
	"/abs",
	"/",
	"a//b",
	"a/",
	`a\b`,
	`..\x`,
	"a\x00b",
	"a\nb",
	"\xff\xfe",
	"a/.clipcut-tmp-x",
	strings.Repeat("k", 256),
	strings.Repeat("k/", 600),
}

func testInvalidKeys(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	local := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(local, []byte("data"), 0o644))
	for _, key := range badKeys {
		err := b.Put(ctx, key, strings.NewReader("data"), 4, "")
		require.ErrorIs(t, err, storage.ErrInvalidKey, "Put(%q)", key)
		require.ErrorIs(t, b.PutFile(ctx, key, local, ""), storage.ErrInvalidKey, "PutFile(%q)", key)
		_, _, err = b.Get(ctx, key)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "Get(%q)", key)
		_, err = b.GetRange(ctx, key, 0, 1)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "GetRange(%q)", key)
		_, err = b.Stat(ctx, key)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "Stat(%q)", key)
		require.ErrorIs(t, b.Delete(ctx, key), storage.ErrInvalidKey, "Delete(%q)", key)
		if p, ok := b.(storage.Presigner); ok {
			_, err := p.PresignGet(ctx, key, time.Minute)
			require.ErrorIs(t, err, storage.ErrInvalidKey, "PresignGet(%q)", key)
		}
		if key != "" && key != "a/" { // valid prefixes: everything, and "a"
			_, err = b.List(ctx, key)
			require.ErrorIs(t, err, storage.ErrInvalidKey, "List(%q)", key)
			require.ErrorIs(t, b.DeletePrefix(ctx, key), storage.ErrInvalidKey, "DeletePrefix(%q)", key)
		}
	}
	err := b.Put(ctx, "a/../../x", strings.NewReader("data"), 4, "")
	require.ErrorContains(t, err, `storage: put "a/../../x": invalid key`)

	list, err := b.List(ctx, "")
	require.NoError(t, err)
	require.Empty(t, list, "rejected keys wrote nothing")
}

func testNotExist(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	put(t, b, "videos/n/hls/seg.ts", []byte("x"), "")
	// A missing key, and a prefix of existing keys: neither is an object.
	for _, key := range []string{"videos/n/missing.ts", "videos/n/hls", "videos/n/hls/seg.ts/below"} {
		_, _, err := b.Get(ctx, key)
		require.ErrorIs(t, err, fs.ErrNotExist, "Get(%q)", key)
		require.ErrorIs(t, err, storage.ErrNotExist, "Get(%q)", key)
		_, err = b.Stat(ctx, key)
		require.ErrorIs(t, err, fs.ErrNotExist, "Stat(%q)", key)
		_, err = b.GetRange(ctx, key, 0, 1)
		require.ErrorIs(t, err, fs.ErrNotExist, "GetRange(%q)", key)
	}
	_, _, err := b.Get(ctx, "videos/n/missing.ts")
	require.EqualError(t, err, "storage: get videos/n/missing.ts: object does not exist")
}

func testConcurrentPuts(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	const n = 32
	key := func(i int) string { return fmt.Sprintf("videos/c%d/hls/seg_%05d.ts", i%4, i) }
	data := func(i int) []byte { return randomBytes(uint64(100+i), 10_000+i) }
	var (
		wg   sync.WaitGroup
		errs = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			errs[i] = b.Put(ctx, key(i), bytes.NewReader(data(i)), int64(len(data(i))), "video/mp2t")
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	list, err := b.List(ctx, "")
	require.NoError(t, err)
	require.Len(t, list, n)
	for i := range n {
		got, _ := get(t, b, key(i))
		require.Equal(t, data(i), got, key(i))
	}
}

// testConcurrentPutDelete churns one directory with puts and deletes, the
// pattern of a transcode writing segments while a retry cleans up. An
// anchor object keeps the directory from ever emptying: single-drive MinIO
// can refuse a PUT with 403 AccessDenied when a DELETE empties its prefix
// at the same moment (minio/minio#15157). Local's pruning of emptied
// directories under the same churn has its own test.
func testConcurrentPutDelete(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	put(t, b, "videos/churn/hls/anchor.ts", []byte("anchor"), "")
	errs := Churn(ctx, b, "videos/churn/hls", 8, 15)
	require.NoError(t, errors.Join(errs...))
	list, err := b.List(ctx, "")
	require.NoError(t, err)
	require.Len(t, list, 8+1)
	for _, info := range list {
		require.True(t, strings.HasPrefix(info.Key, "videos/churn/hls/keep_") || info.Key == "videos/churn/hls/anchor.ts", info.Key)
	}
}

// Churn has workers goroutines each put and delete rounds keys of their
// own under dir, then put one "keep_<worker>.ts" key that stays. It returns
// the errors met.
func Churn(ctx context.Context, b storage.Bucket, dir string, workers, rounds int) []error {
	var (
		wg   sync.WaitGroup
		errs = make([]error, workers)
	)
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				key := fmt.Sprintf("%s/w%d_%d.ts", dir, w, r)
				if err := b.Put(ctx, key, strings.NewReader(key), int64(len(key)), ""); err != nil {
					errs[w] = err
					return
				}
				if err := b.Delete(ctx, key); err != nil {
					errs[w] = err
					return
				}
			}
			key := fmt.Sprintf("%s/keep_%d.ts", dir, w)
			errs[w] = b.Put(ctx, key, strings.NewReader(key), int64(len(key)), "")
		})
	}
	wg.Wait()
	return errs
}

// testAtomicOverwrite checks that readers racing with overwrites see one
// whole version or the other, never a mix or a torn object.
func testAtomicOverwrite(t *testing.T, b storage.Bucket) {
	ctx := t.Context()
	const key = "videos/atomic/hls/seg_00001.ts"
	versions := [][]byte{bytes.Repeat([]byte("a"), 256<<10), bytes.Repeat([]byte("b"), 256<<10+1)}
	put(t, b, key, versions[0], "video/mp2t")

	done := make(chan struct{})
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
		fail    = func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }
		writers sync.WaitGroup
	)
	for w := range 2 {
		writers.Go(func() {
			for i := range 10 {
				v := versions[(w+i)%2]
				if err := b.Put(ctx, key, bytes.NewReader(v), int64(len(v)), "video/mp2t"); err != nil {
					fail(err)
					return
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				rc, info, err := b.Get(ctx, key)
				if err != nil {
					fail(err)
					return
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					fail(err)
					return
				}
				if !bytes.Equal(got, versions[0]) && !bytes.Equal(got, versions[1]) {
					fail(fmt.Errorf("read a torn object of %d bytes", len(got)))
					return
				}
				if info.Size != int64(len(got)) {
					fail(fmt.Errorf("Get said %d bytes, read %d", info.Size, len(got)))
					return
				}
			}
		})
	}
	writers.Wait()
	close(done)
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
}

func testPresign(t *testing.T, b storage.Bucket) {
	p, ok := b.(storage.Presigner)
	if !ok {
		return // optional capability
	}
	ctx := t.Context()
	data := randomBytes(15, 4096)
	put(t, b, "videos/p/hls/seg_00001.ts", data, "video/mp2t")
	u, err := p.PresignGet(ctx, "videos/p/hls/seg_00001.ts", time.Minute)
	require.NoError(t, err)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "video/mp2t", resp.Header.Get("Content-Type"))
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, data, got)
}

// put stores data under key or fails the test.
func put(t *testing.T, b storage.Bucket, key string, data []byte, contentType string) {
	t.Helper()
	require.NoError(t, b.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), contentType))
}

// get reads the whole object at key or fails the test.
func get(t *testing.T, b storage.Bucket, key string) ([]byte, storage.ObjectInfo) {
	t.Helper()
	rc, info, err := b.Get(t.Context(), key)
	require.NoError(t, err, key)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err, key)
	assert.Equal(t, key, info.Key)
	return data, info
}

// hashObject returns the SHA-256 of the object at key.
func hashObject(t *testing.T, b storage.Bucket, key string) []byte {
	t.Helper()
	rc, _, err := b.Get(t.Context(), key)
	require.NoError(t, err)
	defer rc.Close()
	h := sha256.New()
	_, err = io.Copy(h, rc)
	require.NoError(t, err)
	return h.Sum(nil)
}

// keys lists the keys of infos.
func keys(infos []storage.ObjectInfo) []string {
	out := []string{}
	for _, info := range infos {
		out = append(out, info.Key)
	}
	return out
}

// randomReader is an endless, seeded, reproducible stream of bytes.
func randomReader(seed uint64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return rand.NewChaCha8(s)
}

// randomBytes returns n reproducible bytes.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	io.ReadFull(randomReader(seed), b)
	return b
}

// hideSize hides every interface of r but io.Reader (Seeker, ReaderAt,
// WriterTo, Len), so a backend has to stream it.
func hideSize(r io.Reader) io.Reader {
	return struct{ io.Reader }{r}
}

// cancellingReader cancels a context once after bytes have been read.
type cancellingReader struct {
	r      io.Reader
	after  int
	cancel context.CancelFunc
	n      int
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	if c.n >= c.after {
		c.cancel()
	}
	return n, err
}
