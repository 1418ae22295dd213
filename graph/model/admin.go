package model

import (
	"time"

	"github.com/google/uuid"
)

// AuditEntry is one administrator action as the API shows it; its actor
// is resolved through the user dataloader.
type AuditEntry struct {
	ID         uuid.UUID `json:"id"`
	ActorID    uuid.UUID `json:"-"`
	Action     string    `json:"action"`
	TargetType string    `json:"targetType"`
	TargetID   uuid.UUID `json:"targetId"`
	Reason     *string   `json:"reason,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
}
