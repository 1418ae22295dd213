package storage

import (
	"context"
	"errors"
	"fmt"
)

// Config chooses and configures the media store, as part of the server's
// config struct. Leaving S3Endpoint empty keeps media on local disk under
// Dir; setting it moves media to an S3-compatible store, which every
// replica can share.
type Config struct {
	// Dir is the root of local storage, used when S3Endpoint is empty. The
	// server sets it to <CLIPCUT_DATA_DIR>/media (default ./var/media).
	Dir string

	// S3Endpoint (CLIPCUT_S3_ENDPOINT) is the S3-compatible server's
	// host[:port], or an http(s):// URL whose scheme overrides S3UseSSL.
	// Setting it selects S3 storage. Examples: "s3.amazonaws.com",
	// "minio:9000", "<account>.r2.cloudflarestorage.com".
	S3Endpoint string
	// S3Region (CLIPCUT_S3_REGION) is the bucket's region, such as
	// "us-east-1" or "auto" for R2. Empty lets the client discover it.
	S3Region string
	// S3Bucket (CLIPCUT_S3_BUCKET) is the bucket, created at startup when
	// missing. Required with S3Endpoint.
	S3Bucket string
	// S3AccessKey (CLIPCUT_S3_ACCESS_KEY) is the access key id. Required
	// with S3Endpoint.
	S3AccessKey string
	// S3SecretKey (CLIPCUT_S3_SECRET_KEY) is the secret access key.
	// Required with S3Endpoint. Keep it out of logs.
	S3SecretKey string
	// S3UseSSL (CLIPCUT_S3_USE_SSL) selects HTTPS to the endpoint. Turn it
	// off only for a store on a private network, such as MinIO next to
	// clipcut.
	S3UseSSL bool
	// S3Prefix (CLIPCUT_S3_PREFIX) is an optional key prefix, such as
	// "clipcut", so the bucket can hold other data too.
	S3Prefix string
}

// UsesS3 reports whether c selects S3 storage.
func (c Config) UsesS3() bool {
	return c.S3Endpoint != ""
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	if !c.UsesS3() {
		if c.Dir == "" {
			return errors.New("storage: media directory is required when no S3 endpoint is set")
		}
		return nil
	}
	if err := c.s3().validate(); err != nil {
		return fmt.Errorf("storage: s3: %w", err)
	}
	return nil
}

// s3 is the S3Config that c describes.
func (c Config) s3() S3Config {
	return S3Config{
		Endpoint:  c.S3Endpoint,
		Region:    c.S3Region,
		Bucket:    c.S3Bucket,
		AccessKey: c.S3AccessKey,
		SecretKey: c.S3SecretKey,
		UseSSL:    c.S3UseSSL,
		Prefix:    c.S3Prefix,
	}
}

// Open returns the store cfg selects: S3 when S3Endpoint is set, otherwise
// local disk under Dir. A store that holds resources (Local) implements
// io.Closer; close it on shutdown.
func Open(ctx context.Context, cfg Config) (Bucket, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Return nil rather than a typed nil pointer on failure, so callers'
	// err != nil and b == nil agree.
	if cfg.UsesS3() {
		s, err := NewS3(ctx, cfg.s3())
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	l, err := NewLocal(cfg.Dir)
	if err != nil {
		return nil, err
	}
	return l, nil
}
