package storage_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/storage"
)

func TestValidateKey(t *testing.T) {
	t.Parallel()
	valid := []string{
		"a",
		"videos/0b7c/hls/720p/seg_00001.ts",
		"videos/0b7c/subtitles/Français (auto).vtt",
		".well-known/x",
		"a/..b/c..",
		"a/...",
		strings.Repeat("k", 255),
		strings.Repeat("k/", 511) + "k",
	}
	for _, key := range valid {
		require.NoError(t, storage.ValidateKey(key), "%q", key)
	}
	invalid := map[string]string{
		"":                        "empty",
		"../x":                    `".." path segment`,
		"a/../../x":               `".." path segment`,
		"./a":                     `"." path segment`,
		"/abs":                    "starts with a slash",
		"a//b":                    "empty path segment",
		"a/":                      "empty path segment",
		`a\b`:                     "backslash",
		"a\x00b":                  "control character",
		"a\tb":                    "control character",
		"\xff":                    "not valid UTF-8",
		strings.Repeat("k", 256):  "longer than 255 bytes",
		strings.Repeat("k/", 513): "longer than 1024 bytes",
		"a/.clipcut-tmp-1":        "reserved",
	}
	for key, detail := range invalid {
		err := storage.ValidateKey(key)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "%q", key)
		require.ErrorContains(t, err, detail, "%q", key)
		require.True(t, strings.HasPrefix(err.Error(), "storage: key "), err.Error())
	}
}
