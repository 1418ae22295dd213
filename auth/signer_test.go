package auth

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSignerRoundTripExpiryTamperingAndRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := bytes.Repeat([]byte("o"), 32), bytes.Repeat([]byte("n"), 32)
	old, err := NewSigner([][]byte{oldKey})
	require.NoError(t, err)
	now := time.Unix(1_800_000_000, 0)
	sig := old.Sign("upload:abc", now.Add(time.Hour))

	require.NoError(t, old.Verify("upload:abc", sig, now))
	require.ErrorIs(t, old.Verify("upload:abd", sig, now), ErrBadSignature, "bound to its scope")
	require.ErrorIs(t, old.Verify("upload:abc", sig, now.Add(2*time.Hour)), ErrExpired)
	require.ErrorIs(t, old.Verify("upload:abc", "9999999999"+sig[10:], now), ErrBadSignature, "expiry is signed")
	require.ErrorIs(t, old.Verify("upload:abc", "garbage", now), ErrBadSignature)

	rotated, err := NewSigner([][]byte{newKey, oldKey})
	require.NoError(t, err)
	require.NoError(t, rotated.Verify("upload:abc", sig, now), "old links stay valid after rotation")
	require.NotEqual(t, sig, rotated.Sign("upload:abc", now.Add(time.Hour)), "the new key signs")
	retired, err := NewSigner([][]byte{newKey})
	require.NoError(t, err)
	require.ErrorIs(t, retired.Verify("upload:abc", sig, now), ErrBadSignature, "a retired key's links stop working")

	_, err = NewSigner([][]byte{[]byte("short")})
	require.Error(t, err)
}

func TestSignerAcceptsOnlyTheExactSignature(t *testing.T) {
	t.Parallel()
	s, err := NewSigner([][]byte{bytes.Repeat([]byte("k"), 32)})
	require.NoError(t, err)
	now := time.Unix(1_800_000_000, 0)
	sig := s.Sign("media:x", now.Add(time.Hour))
	exp, mac, _ := strings.Cut(sig, ".")
	// The last of 43 base64 characters carries 2 bits that the 32-byte
	// MAC does not use: a lenient decoder reads this spelling as the same
	// MAC.
	last := strings.IndexByte(alphabet, mac[len(mac)-1])
	other := exp + "." + mac[:len(mac)-1] + string(alphabet[last^1])
	decoded, err := base64.RawURLEncoding.DecodeString(other[len(exp)+1:])
	require.NoError(t, err)
	original, err := base64.RawURLEncoding.DecodeString(mac)
	require.NoError(t, err)
	require.Equal(t, original, decoded, "the same MAC, spelt differently")
	require.ErrorIs(t, s.Verify("media:x", other, now), ErrBadSignature)
	require.ErrorIs(t, s.Verify("media:x", sig+"=", now), ErrBadSignature)
	require.ErrorIs(t, s.Verify("media:x", "+"+sig, now), ErrBadSignature)
	require.NoError(t, s.Verify("media:x", sig, now))
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// BenchmarkVerify measures the check of a signed media link, made on
// every request for a private video's segments and playlists.
func BenchmarkVerify(b *testing.B) {
	s, err := NewSigner([][]byte{bytes.Repeat([]byte("n"), 32), bytes.Repeat([]byte("o"), 32)})
	require.NoError(b, err)
	now := time.Now()
	sig := s.Sign("media:0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10", now.Add(time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Verify("media:0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10", sig, now); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPasswordHashRoundTrip(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("correct horse")
	require.NoError(t, err)
	ok, err := CheckPassword(h, "correct horse")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = CheckPassword(h, "correct horsf")
	require.NoError(t, err)
	require.False(t, ok)
	h2, _ := HashPassword("correct horse")
	require.NotEqual(t, h, h2, "salted")
	_, err = CheckPassword("$2a$10$bcrypt", "x")
	require.Error(t, err)
}
