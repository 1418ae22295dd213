package storage_test

import (
	"testing"

	"github.com/clipcut/clipcut/storage/miniotest"
)

func TestMain(m *testing.M) {
	miniotest.Main(m)
}
