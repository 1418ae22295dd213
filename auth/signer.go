package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"strings"
	"sync"
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
	macs []sync.Pool // per key: *macState, so a check allocates nothing
}

// macState is a key's HMAC, whose Reset restores the key's precomputed
// inner and outer state, with buffers for the message and the sum.
type macState struct {
	h   hash.Hash
	msg []byte
	sum [sha256.Size]byte
}

// macLen is the length of a signature in a capability.
var macLen = base64.RawURLEncoding.EncodedLen(sha256.Size)

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
	return &Signer{keys: keys, macs: make([]sync.Pool, len(keys))}, nil
}

// Sign returns "<expiry unix seconds>.<base64url mac>" for scope.
func (s *Signer) Sign(scope string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	var sig [sha256.Size]byte
	s.mac(0, scope, exp, &sig)
	return exp + "." + base64.RawURLEncoding.EncodeToString(sig[:])
}

// Verify checks a value made by Sign for scope at time now. Only the exact
// text Sign made verifies: a signature is compared in its canonical
// base64, so no second spelling of the same link exists (a CDN caches
// one URL per link).
func (s *Signer) Verify(scope, value string, now time.Time) error {
	exp, sig, ok := strings.Cut(value, ".")
	if !ok || len(sig) != macLen {
		return ErrBadSignature
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	for i := range s.keys {
		var sum [sha256.Size]byte
		var want [64]byte
		s.mac(i, scope, exp, &sum)
		base64.RawURLEncoding.Encode(want[:], sum[:])
		if constantTimeEqual(want[:macLen], sig) {
			if now.Unix() > unix {
				return ErrExpired
			}
			return nil
		}
	}
	return ErrBadSignature
}

// mac sets sum to key i's HMAC-SHA256 of scope, a zero byte and exp.
func (s *Signer) mac(i int, scope, exp string, sum *[sha256.Size]byte) {
	st, _ := s.macs[i].Get().(*macState)
	if st == nil {
		st = &macState{h: hmac.New(sha256.New, s.keys[i])}
	} else {
		st.h.Reset()
	}
	st.msg = append(append(append(st.msg[:0], scope...), 0), exp...)
	st.h.Write(st.msg)
	*sum = [sha256.Size]byte(st.h.Sum(st.sum[:0]))
	s.macs[i].Put(st)
}

// constantTimeEqual reports whether b and s hold the same bytes, in a time
// that depends on their length only.
func constantTimeEqual(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	var d byte
	for i := range b {
		d |= b[i] ^ s[i]
	}
	return d == 0
}
