// Package webhook is what clipcut needs to call its users' endpoints
// safely: the event types, the signature scheme (HMAC-SHA256 over a
// timestamp and the body, in the Clipcut-Signature header), and an HTTP
// client that refuses private, loopback and link-local addresses at dial
// time through package outbound's guard (SSRF protection), with timeouts
// and a bounded response read. It imports no other clipcut package but
// outbound.
package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
)

// Event types. Each payload says which one it is in "type".
const (
	VideoCreated         = "video.created"
	VideoUploadCompleted = "video.upload_completed"
	VideoPlayable        = "video.playable"
	VideoReady           = "video.ready"
	VideoFailed          = "video.failed"
	VideoDeleted         = "video.deleted"
	// VideoEdited: an edit (editVideo) was published, or undone.
	VideoEdited     = "video.edited"
	SubtitlesReady  = "subtitles.ready"
	SubtitlesFailed = "subtitles.failed"
	// VideoTakenDown and VideoRestored follow an administrator's takedown
	// and restore.
	VideoTakenDown = "video.taken_down"
	VideoRestored  = "video.restored"
	// Test is sent by testWebhook to one endpoint only; nobody subscribes to it.
	Test = "webhook.test"
)

// Types lists the event types an endpoint can subscribe to, in the order
// a video meets them.
var Types = []string{
	VideoCreated, VideoUploadCompleted, VideoPlayable, VideoReady, VideoFailed,
	VideoDeleted, VideoEdited, SubtitlesReady, SubtitlesFailed, VideoTakenDown, VideoRestored,
}

// ValidType reports whether t is an event type one can subscribe to.
func ValidType(t string) bool { return slices.Contains(Types, t) }

// PayloadVersion is the version of the payload's shape, sent as "version".
// It grows only when a change could break a receiver.
const PayloadVersion = 1

// SecretPrefix starts every secret clipcut generates, so secret scanners
// can recognise a leaked one.
const SecretPrefix = "whsec_"

// NewSecret returns a random signing secret: SecretPrefix and 32 random
// bytes in URL-safe base64.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b)
}
