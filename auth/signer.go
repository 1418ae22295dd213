package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Signer makes and checks capabilities: HMAC-SHA256 signatures over a scope
// (for example "upload:<id>") and an expiry, carried in URLs so a client can
// act without credentials (a phone PATCHing an upload, a player fetching a
// private video's segments). Keys rotate: the first key signs, every key
// verifies, so a new key can be put first while links signed with the old
// one stay valid until they expire.
type Signer struct {
	keys [][]byte
}

// ErrBadSignature is returned for a capability that is malformed, forged or
// signed by a key no longer configured.
var ErrBadSignature = errors.New("invalid signature")

// ErrExpired is returned for a well-signed capability past its expiry.
var ErrExpired = errors.New("signature expired")

// NewSigner returns a Signer; keys must hold at least one key of 32 bytes
// or more.
func NewSigner(keys [][]byte) (*Signer, error) {
	if len(keys) == 0 {
		return nil, errors.New("signer: no keys")
	}
	for _, k := range keys {
		if len(k) < 32 {
			return nil, errors.New("signer: keys must be at least 32 bytes")
		}
	}
	return &Signer{keys: keys}, nil
}

// Sign returns "<expiry unix seconds>.<base64url mac>" for scope.
func (s *Signer) Sign(scope string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return exp + "." + base64.RawURLEncoding.EncodeToString(mac(s.keys[0], scope, exp))
}

// Verify checks a value made by Sign for scope at time now.
func (s *Signer) Verify(scope, value string, now time.Time) error {
	exp, sig, ok := strings.Cut(value, ".")
	if !ok {
		return ErrBadSignature
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return ErrBadSignature
	}
	for _, k := range s.keys {
		if hmac.Equal(got, mac(k, scope, exp)) {
			if now.Unix() > unix {
				return ErrExpired
			}
			return nil
		}
	}
	return ErrBadSignature
}

func mac(key []byte, scope, exp string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(scope))
	h.Write([]byte{0})
	h.Write([]byte(exp))
	return h.Sum(nil)
}
