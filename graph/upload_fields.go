package graph

import (
	"strings"

	"github.com/clipcut/clipcut/graph/model"
)

// uploadIntegratorFields reads createUpload's passthrough and
// idempotencyKey; the video service checks their lengths.
func uploadIntegratorFields(in model.CreateUploadInput) (passthrough *string, key string) {
	if in.IdempotencyKey != nil {
		key = strings.TrimSpace(*in.IdempotencyKey)
	}
	return in.Passthrough, key
}
