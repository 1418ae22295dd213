package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers sent with every delivery.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>", the
	// HMAC keyed with the endpoint's secret over "<t>.<raw body>". During a
	// secret rotation's grace period it carries one v1 per secret,
	// "t=...,v1=<new>,v1=<old>": a receiver accepts the request when any
	// v1 matches its secret.
	SignatureHeader = "Clipcut-Signature"
	// EventIDHeader is the event's id, the same on every retry and
	// redelivery: receivers deduplicate by it.
	EventIDHeader = "Clipcut-Event-Id"
	// EventTypeHeader is the event's type, for routing without parsing.
	EventTypeHeader = "Clipcut-Event-Type"
	// DeliveryIDHeader identifies the delivery (event x endpoint).
	DeliveryIDHeader = "Clipcut-Delivery-Id"
)

// Tolerance is how far a delivery's timestamp may be from the receiver's
// clock for Verify: older signed requests are refused as replays.
const Tolerance = 5 * time.Minute

// Sign returns the Clipcut-Signature header value for body sent at t,
// with one v1 entry per secret, in the order given (the current secret
// first, then the one a rotation replaced, during its grace period).
func Sign(t time.Time, body []byte, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, secret := range secrets {
		b.WriteString(",v1=" + hex.EncodeToString(mac(secret, ts, body)))
	}
	return b.String()
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Errors of Verify and VerifySignature.
var (
	ErrNoSignature        = errors.New("webhook: no Clipcut-Signature header")
	ErrBadSignatureHeader = errors.New("webhook: malformed Clipcut-Signature header")
	ErrSignatureMismatch  = errors.New("webhook: signature does not match")
	ErrTooOld             = errors.New("webhook: timestamp outside the tolerance")
)

// Verify is what a receiver calls on each request, before trusting its
// body: the Clipcut-Signature header of header must carry a v1 HMAC of
// body under secret (any of its v1 entries may match, so it works through
// a secret rotation whichever secret the receiver holds), and a timestamp
// within Tolerance (five minutes) of now, which refuses replays. body must
// be the raw bytes received, before any JSON decoding.
//
//	body, _ := io.ReadAll(r.Body)
//	if err := webhook.Verify(secret, r.Header, body, time.Now()); err != nil {
//		http.Error(w, "bad signature", http.StatusBadRequest)
//		return
//	}
func Verify(secret string, header http.Header, body []byte, now time.Time) error {
	value := header.Get(SignatureHeader)
	if value == "" {
		return ErrNoSignature
	}
	return VerifySignature(secret, value, body, Tolerance, now)
}

// VerifySignature checks a Clipcut-Signature header value against the raw
// body: the HMAC must match one of the v1 values and the timestamp must be
// within tolerance of now (replay protection; zero skips the check).
func VerifySignature(secret, header string, body []byte, tolerance time.Duration, now time.Time) error {
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
