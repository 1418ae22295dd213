package auth

import (
	"bytes"
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
