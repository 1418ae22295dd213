package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3-compatible bucket.
type S3Config struct {
	// Endpoint is the server's host[:port] ("s3.amazonaws.com",
	// "minio:9000", "<account>.r2.cloudflarestorage.com"). An http:// or
	// https:// URL is accepted too; its scheme then overrides UseSSL.
	Endpoint string
	// Region is the bucket's region ("us-east-1", "auto" for R2). Empty
	// lets the client discover it.
	Region string
	// Bucket is the bucket name. NewS3 creates it when it is missing.
	Bucket string
	// AccessKey and SecretKey are the static credentials.
	AccessKey string
	SecretKey string
	// UseSSL selects HTTPS.
	UseSSL bool
	// Prefix, when set, is a key prefix (such as "clipcut") under which
	// every object of this store lives, so one bucket can be shared.
	Prefix string
}

// s3PartSize is the multipart part size of uploads of unknown size.
// minio-go buffers one part in memory per upload, and without a part size
// it sizes the parts of such an upload for a 5 TiB object: about 537 MiB
// each. 16 MiB parts cap streamed objects at 160 GiB (10,000 parts). For a
// known size minio-go already picks 16 MiB parts, larger only past 160 GiB.
const s3PartSize = 16 << 20

// S3 keeps objects in a bucket of an S3-compatible store through minio-go.
// Object names are the keys, behind the configured prefix. PUT is atomic,
// so readers never see a partial object; uploads larger than 16 MiB or of
// unknown size go up in multipart parts of 16 MiB.
type S3 struct {
	client *minio.Client
	core   minio.Core
	bucket string
	prefix string // "" or ending in "/"
}

var (
	_ Bucket    = (*S3)(nil)
	_ Presigner = (*S3)(nil)
)

// NewS3 connects to the bucket cfg names, creating the bucket when it is
// missing, so a misconfiguration shows up at startup rather than on the
// first upload.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("storage: s3: %w", err)
	}
	host, secure, err := parseEndpoint(cfg.Endpoint, cfg.UseSSL)
	if err != nil {
		return nil, fmt.Errorf("storage: s3: %w", err)
	}
	prefix, _ := cleanPrefix(cfg.Prefix) // checked by validate
	if prefix != "" {
		prefix += "/"
	}
	client, err := minio.New(host, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: secure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: s3 %s: %w", host, err)
	}
	s := &S3{client: client, core: minio.Core{Client: client}, bucket: cfg.Bucket, prefix: prefix}
	if err := s.ensureBucket(ctx, cfg.Region); err != nil {
		return nil, fmt.Errorf("storage: s3 bucket %s at %s: %w", cfg.Bucket, host, err)
	}
	return s, nil
}

// validate reports every problem with c at once.
func (c S3Config) validate() error {
	var errs []error
	if c.Endpoint == "" {
		errs = append(errs, errors.New("endpoint is required"))
	}
	if c.Bucket == "" {
		errs = append(errs, errors.New("bucket is required"))
	}
	if c.AccessKey == "" || c.SecretKey == "" {
		errs = append(errs, errors.New("access key and secret key are required"))
	}
	if _, err := cleanPrefix(c.Prefix); err != nil {
		errs = append(errs, fmt.Errorf("prefix %q: %w", c.Prefix, err))
	}
	return errors.Join(errs...)
}

// parseEndpoint splits an endpoint into the host minio-go wants and
// whether to use TLS.
func parseEndpoint(endpoint string, useSSL bool) (host string, secure bool, err error) {
	if !strings.Contains(endpoint, "://") {
		return endpoint, useSSL, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false, fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", false, fmt.Errorf("endpoint %q: scheme must be http or https", endpoint)
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", false, fmt.Errorf("endpoint %q: want scheme://host[:port] with no path", endpoint)
	}
	return u.Host, u.Scheme == "https", nil
}

// ensureBucket creates the bucket unless it exists.
func (s *S3) ensureBucket(ctx context.Context, region string) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	if err == nil {
		return nil
	}
	// Another replica may have created it meanwhile (BucketAlreadyOwnedByYou
	// or, on some stores, BucketAlreadyExists): fine if we can see it now.
	if ok, err2 := s.client.BucketExists(ctx, s.bucket); err2 == nil && ok {
		return nil
	}
	return err
}

// name is the object name of key.
func (s *S3) name(key string) string {
	return s.prefix + key
}

// Put implements Bucket.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return keyError("put", key, err)
	}
	if size < -1 {
		return opError("put", key, fmt.Errorf("invalid size %d", size))
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.name(key), r, size, minio.PutObjectOptions{
		ContentType: contentTypeFor(key, contentType),
		PartSize:    partSize(size),
	})
	if err != nil {
		return opError("put", key, err)
	}
	return nil
}

// PutFile implements Bucket with FPutObject, which uploads the parts of a
// large file in parallel.
func (s *S3) PutFile(ctx context.Context, key, localPath, contentType string) error {
	if err := checkKey(key); err != nil {
		return keyError("putfile", key, err)
	}
	_, err := s.client.FPutObject(ctx, s.bucket, s.name(key), localPath, minio.PutObjectOptions{
		ContentType: contentTypeFor(key, contentType),
	})
	if err != nil {
		return opError("putfile", key, err)
	}
	return nil
}

// partSize is the part size for an upload of size bytes (-1: unknown); 0
// lets minio-go choose.
func partSize(size int64) uint64 {
	if size < 0 {
		return s3PartSize
	}
	return 0
}

// Get implements Bucket in one request: the response both describes the
// object and carries its body.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return nil, ObjectInfo{}, keyError("get", key, err)
	}
	rc, oi, _, err := s.core.GetObject(ctx, s.bucket, s.name(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, ObjectInfo{}, opError("get", key, mapS3Error(err))
	}
	return rc, objectInfo(key, oi), nil
}

// GetRange implements Bucket with an HTTP range request.
func (s *S3) GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, keyError("getrange", key, err)
	}
	if offset < 0 || length == 0 {
		return nil, opError("getrange", key, fmt.Errorf("%w: offset %d length %d", ErrInvalidRange, offset, length))
	}
	var opts minio.GetObjectOptions
	// SetRange cannot say "from 0 to the end", so write the header.
	if length < 0 || length > math.MaxInt64-offset {
		opts.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	} else {
		opts.Set("Range", fmt.Sprintf("bytes=%d-%d", offset, offset+length-1))
	}
	rc, _, _, err := s.core.GetObject(ctx, s.bucket, s.name(key), opts)
	if err != nil {
		return nil, opError("getrange", key, mapS3Error(err))
	}
	return rc, nil
}

// Stat implements Bucket.
func (s *S3) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return ObjectInfo{}, keyError("stat", key, err)
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.name(key), minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, opError("stat", key, mapS3Error(err))
	}
	return objectInfo(key, oi), nil
}

// Delete implements Bucket.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return keyError("delete", key, err)
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.name(key), minio.RemoveObjectOptions{})
	if err != nil && !errors.Is(mapS3Error(err), ErrNotExist) {
		return opError("delete", key, err)
	}
	return nil
}

// DeletePrefix implements Bucket: it streams a recursive listing into
// multi-object deletes of up to 1000 names each.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) error {
	p, err := cleanPrefix(prefix)
	if err != nil {
		return keyError("deleteprefix", prefix, err)
	}
	if p == "" {
		return keyError("deleteprefix", prefix, fmt.Errorf("%w: empty prefix would delete everything", ErrInvalidKey))
	}
	// Cancelling stops the listing when the deletes end early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var listErr error
	objects := func(yield func(minio.ObjectInfo) bool) {
		opts := minio.ListObjectsOptions{Prefix: s.name(p) + "/", Recursive: true}
		for obj := range s.client.ListObjectsIter(ctx, s.bucket, opts) {
			if obj.Err != nil {
				listErr = obj.Err
				return
			}
			if !yield(obj) {
				return
			}
		}
	}
	results, err := s.client.RemoveObjectsWithIter(ctx, s.bucket, objects, minio.RemoveObjectsOptions{})
	if err != nil {
		return opError("deleteprefix", p, err)
	}
	var errs []error
	for res := range results {
		if res.Err != nil && !errors.Is(mapS3Error(res.Err), ErrNotExist) {
			errs = append(errs, fmt.Errorf("%s: %w", strings.TrimPrefix(res.ObjectName, s.prefix), res.Err))
			if len(errs) == 10 {
				break // enough to say what is wrong
			}
		}
	}
	if listErr != nil {
		errs = append(errs, listErr)
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return opError("deleteprefix", p, err)
	}
	return nil
}

// List implements Bucket.
func (s *S3) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	p, err := cleanPrefix(prefix)
	if err != nil {
		return nil, keyError("list", prefix, err)
	}
	opts := minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}
	if p != "" {
		opts.Prefix = s.name(p) + "/"
	}
	// The listing's goroutines stop only when ctx ends or the listing does.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := []ObjectInfo{}
	for obj := range s.client.ListObjectsIter(ctx, s.bucket, opts) {
		if obj.Err != nil {
			return nil, opError("list", p, obj.Err)
		}
		key := strings.TrimPrefix(obj.Key, s.prefix)
		// Skip what clipcut cannot have written, such as the "folder/"
		// markers some consoles create.
		if checkKey(key) != nil {
			continue
		}
		out = append(out, ObjectInfo{Key: key, Size: obj.Size, ModTime: obj.LastModified, ETag: obj.ETag})
	}
	// S3 lists in UTF-8 byte order already; sorting keeps the promise for
	// stores that do not.
	slices.SortFunc(out, func(a, b ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// PresignGet implements Presigner. ttl must be between one second and
// seven days.
func (s *S3) PresignGet(ctx context.Context, key string, ttl time.Duration) (*url.URL, error) {
	if err := checkKey(key); err != nil {
		return nil, keyError("presign", key, err)
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, s.name(key), ttl, nil)
	if err != nil {
		return nil, opError("presign", key, err)
	}
	return u, nil
}

// objectInfo converts minio-go's description of key.
func objectInfo(key string, oi minio.ObjectInfo) ObjectInfo {
	return ObjectInfo{
		Key:         key,
		Size:        oi.Size,
		ModTime:     oi.LastModified,
		ContentType: oi.ContentType,
		ETag:        oi.ETag,
	}
}

// mapS3Error turns the S3 error codes callers act on into this package's
// errors.
func mapS3Error(err error) error {
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return err
	}
	switch resp.Code {
	case minio.NoSuchKey:
		return ErrNotExist
	case minio.InvalidRange:
		return fmt.Errorf("%w: %s", ErrInvalidRange, resp.Message)
	}
	return err
}
