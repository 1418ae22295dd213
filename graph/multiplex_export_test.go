package graph

import (
	"time"

	"github.com/google/uuid"
)

// Connections' credentials are checked again every 300 ms in tests, so a
// logged-out session is seen quickly.
func init() { revalidateEvery.Store(int64(300 * time.Millisecond)) }

// MultiplexExecutions is how many times the shared videoProgress streams
// of video id have executed their selection, while any is open.
func MultiplexExecutions(id string) int64 {
	c, ok := mxExecutions.Load(uuid.MustParse(id))
	if !ok {
		return 0
	}
	return c.(interface{ Load() int64 }).Load()
}
