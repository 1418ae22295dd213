// Command goverify runs the Go module's webhook verifier on cases read as
// JSON from stdin and prints each verdict, so the SDK's tests can check
// that verifyWebhook decides exactly as webhook.Verify does.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/clipcut/clipcut/webhook"
)

// verifyCase is one request to verify.
type verifyCase struct {
	Secret    string            `json:"secret"`
	Headers   map[string]string `json:"headers"`
	Body      string            `json:"body"`
	NowMillis int64             `json:"now"`
	// Tolerance in seconds; null means webhook.Verify (five minutes).
	Tolerance *int64 `json:"tolerance"`
}

func main() {
	var cases []verifyCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "goverify: read cases:", err)
		os.Exit(2)
	}
	verdicts := make([]string, len(cases))
	for i, c := range cases {
		h := http.Header{}
		for k, v := range c.Headers {
			h.Set(k, v)
		}
		now := time.UnixMilli(c.NowMillis)
		var err error
		if c.Tolerance == nil {
			err = webhook.Verify(c.Secret, h, []byte(c.Body), now)
		} else if v := h.Get(webhook.SignatureHeader); v == "" {
			err = webhook.ErrNoSignature
		} else {
			err = webhook.VerifySignature(c.Secret, v, []byte(c.Body), time.Duration(*c.Tolerance)*time.Second, now)
		}
		verdicts[i] = verdict(err)
	}
	_ = json.NewEncoder(os.Stdout).Encode(verdicts)
}

// verdict names err as the SDK's WebhookVerificationError codes do.
func verdict(err error) string {
	switch {
	case err == nil:
		return "OK"
	case errors.Is(err, webhook.ErrNoSignature):
		return "NO_SIGNATURE"
	case errors.Is(err, webhook.ErrBadSignatureHeader):
		return "BAD_SIGNATURE_HEADER"
	case errors.Is(err, webhook.ErrSignatureMismatch):
		return "SIGNATURE_MISMATCH"
	case errors.Is(err, webhook.ErrTooOld):
		return "TOO_OLD"
	}
	return "UNKNOWN: " + err.Error()
}
