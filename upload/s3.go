package upload

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/clipcut/clipcut/storage"
)

// s3Client builds the AWS SDK client tusd's s3store speaks through, for the
// same S3-compatible store as media (path-style addressing, which MinIO
// and most self-hosted stores need).
func s3Client(cfg storage.Config) (*s3.Client, error) {
	endpoint := cfg.S3Endpoint
	if !strings.Contains(endpoint, "://") {
		scheme := "http"
		if cfg.S3UseSSL {
			scheme = "https"
		}
		endpoint = scheme + "://" + endpoint
	}
	if _, err := url.Parse(endpoint); err != nil {
		return nil, fmt.Errorf("upload: s3 endpoint %q: %w", cfg.S3Endpoint, err)
	}
	region := cfg.S3Region
	if region == "" {
		region = "us-east-1"
	}
	return s3.New(s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.S3AccessKey, cfg.S3SecretKey, ""),
	}), nil
}
