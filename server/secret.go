package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clipcut/clipcut/auth"
)

// signer returns the URL signer from CLIPCUT_SECRET_KEYS or, when that is
// empty, from <data-dir>/secret.key, generated on first use. A generated
// key suits one machine; several processes must share CLIPCUT_SECRET_KEYS.
func (c *Config) signer() (*auth.Signer, error) {
	keys, err := parseSecretKeys(c.SecretKeys)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		key, err := loadOrCreateKey(filepath.Join(c.DataDir, "secret.key"))
		if err != nil {
			return nil, err
		}
		keys = [][]byte{key}
	}
	return auth.NewSigner(keys)
}

func loadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key := []byte(strings.TrimSpace(string(b)))
		if len(key) < 32 {
			return nil, fmt.Errorf("%s holds a key shorter than 32 characters", path)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	key := []byte(base64.RawURLEncoding.EncodeToString(raw))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	// O_EXCL: if another process created it first, use theirs.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return loadOrCreateKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create secret key: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(append(key, '\n')); err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	return key, nil
}
