package graph

import (
	"time"

	"github.com/google/uuid"
)

// Connections' credentials are checked again only every hour in tests:
// a logged-out session or a revoked token must end its connections
// through the notifier's announcement alone.
func init() { revalidateEvery.Store(int64(time.Hour)) }

// MultiplexExecutions is how many times the shared videoProgress streams
// of video id have executed their selection, while any is open.
func MultiplexExecutions(id string) int64 {
	c, ok := mxExecutions.Load(uuid.MustParse(id))
	if !ok {
		return 0
	}
	return c.(interface{ Load() int64 }).Load()
}
