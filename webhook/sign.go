package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Headers sent with every delivery.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>", the
	// HMAC keyed with the endpoint's secret over "<t>.<raw body>".
	SignatureHeader = "Clipcut-Signature"
	// EventIDHeader is the event's id, the same on every retry and
	// redelivery: receivers deduplicate by it.
	EventIDHeader = "Clipcut-Event-Id"
	// EventTypeHeader is the event's type, for routing without parsing.
	EventTypeHeader = "Clipcut-Event-Type"
	// DeliveryIDHeader identifies the delivery (event x endpoint).
	DeliveryIDHeader = "Clipcut-Delivery-Id"
)

// Sign returns the Clipcut-Signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Errors of Verify.
var (
	ErrBadSignatureHeader = errors.New("webhook: malformed Clipcut-Signature header")
	ErrSignatureMismatch  = errors.New("webhook: signature does not match")
	ErrTooOld             = errors.New("webhook: timestamp outside the tolerance")
)

// Verify checks a Clipcut-Signature header against the raw body, as a
// receiver does: the HMAC must match one of the v1 values and the
// timestamp must be within tolerance of now (replay protection; zero
// skips the check).
func Verify(secret, header string, body []byte, tolerance time.Duration, now time.Time) error {
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadSignatureHeader
	}
	if tolerance > 0 {
		if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
			return ErrTooOld
		}
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
