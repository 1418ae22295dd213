package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeSecret writes content to a file of its own and returns the path.
func writeSecret(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestSecretsComeFromFiles(t *testing.T) {
	const key = "s3-secret-from-a-docker-secret-file"
	const openai = "sk-openai-from-file"
	const keys = "0123456789abcdef0123456789abcdef,fedcba9876543210fedcba9876543210"
	const dbURL = "postgres://clipcut:pg-password-from-file@db.internal:5432/clipcut"
	t.Setenv("CLIPCUT_S3_SECRET_KEY_FILE", writeSecret(t, key+"\n"))
	t.Setenv("CLIPCUT_S3_ACCESS_KEY_FILE", writeSecret(t, "access\r\n"))
	t.Setenv("CLIPCUT_OPENAI_API_KEY_FILE", writeSecret(t, openai))
	t.Setenv("CLIPCUT_SECRET_KEYS_FILE", writeSecret(t, keys+"\n"))
	t.Setenv("DATABASE_URL_FILE", writeSecret(t, dbURL+"\n\n"))

	var stderr bytes.Buffer
	fs, cfg := newFlagSet(modeServe, &stderr)
	require.NoError(t, fs.Parse(nil))
	require.Empty(t, cfg.envErrors)
	require.Equal(t, key, cfg.S3SecretKey, "trailing newline trimmed")
	require.Equal(t, "access", cfg.S3AccessKey)
	require.Equal(t, openai, cfg.OpenAIAPIKey, "no trailing newline: kept whole")
	require.Equal(t, keys, cfg.SecretKeys)
	require.Equal(t, dbURL, cfg.DatabaseURL)
	parsed, err := parseSecretKeys(cfg.SecretKeys)
	require.NoError(t, err)
	require.Len(t, parsed, 2)

	// A flag still wins over the file, as over the variable.
	fs, cfg = newFlagSet(modeWorker, &stderr)
	require.NoError(t, fs.Parse([]string{"--s3-secret-key", "from-flag"}))
	require.Equal(t, "from-flag", cfg.S3SecretKey)

	// --help shows that a value is set, never the value.
	var stdout bytes.Buffer
	require.Equal(t, 0, cli([]string{"serve", "--help"}, &stdout, &stderr))
	for _, secret := range []string{key, openai, keys, "pg-password-from-file"} {
		require.NotContains(t, stdout.String(), secret)
	}
	require.Contains(t, stdout.String(), "CLIPCUT_S3_SECRET_KEY_FILE")
	require.Contains(t, stdout.String(), "(set)")
}

func TestSecretFileProblems(t *testing.T) {
	const secret = "hunter2-never-printed-anywhere"
	missing := filepath.Join(t.TempDir(), "no-such-secret")
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{{
		name: "both the variable and the file",
		env:  map[string]string{"CLIPCUT_S3_SECRET_KEY": secret, "CLIPCUT_S3_SECRET_KEY_FILE": writeSecret(t, secret)},
		want: []string{"CLIPCUT_S3_SECRET_KEY and CLIPCUT_S3_SECRET_KEY_FILE are both set"},
	}, {
		name: "missing file",
		env:  map[string]string{"CLIPCUT_OPENAI_API_KEY_FILE": missing},
		want: []string{"CLIPCUT_OPENAI_API_KEY_FILE", missing, "no such file or directory"},
	}, {
		name: "a directory",
		env:  map[string]string{"CLIPCUT_SECRET_KEYS_FILE": t.TempDir()},
		want: []string{"CLIPCUT_SECRET_KEYS_FILE", "cannot read the secret file"},
	}, {
		name: "empty path",
		env:  map[string]string{"CLIPCUT_S3_ACCESS_KEY_FILE": ""},
		want: []string{"CLIPCUT_S3_ACCESS_KEY_FILE", "empty path"},
	}, {
		name: "a bad database URL from a file",
		env:  map[string]string{"DATABASE_URL_FILE": writeSecret(t, "postgres://u:"+secret+"@db:notaport/x\n")},
		want: []string{"DATABASE_URL"},
	}, {
		name: "a short signing key from a file",
		env:  map[string]string{"CLIPCUT_SECRET_KEYS_FILE": writeSecret(t, "short,"+secret)},
		want: []string{"CLIPCUT_SECRET_KEYS"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			t.Setenv("CLIPCUT_DATA_DIR", t.TempDir())
			var stdout, stderr bytes.Buffer
			require.Equal(t, 2, cli([]string{"serve"}, &stdout, &stderr), "Validate refuses it")
			out := stdout.String() + stderr.String()
			for _, w := range tt.want {
				require.Contains(t, out, w)
			}
			require.NotContains(t, out, secret, "the secret is never printed")
			require.NotContains(t, out, strings.ToUpper(secret))
		})
	}
}
