package graph

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

// BenchmarkFastWritePage measures only the fast path's JSON writing of a
// 50-video page with benchSelection's fields (no database, no gqlgen):
// sharper than BenchmarkVideosPage, where writing is about 2% of a
// request's CPU. It is why each write function spells its own object
// frame ({, commas, keys, __typename): one shared frame calling back per
// field (through a func value, or one switch over every kind)
// cost 2 to 9% more CPU per page here (medians and minima of 10 and 12 runs
// pinned with taskset, issue 23).
//
//	taskset -c 1 go test ./graph -run '^$' -bench FastWrite -count 6
func BenchmarkFastWritePage(b *testing.B) {
	leaf := func(kinds ...fastKind) []fastField {
		fs := make([]fastField, len(kinds))
		for i, k := range kinds {
			fs[i] = fastField{key: fmt.Appendf(nil, "%q:", fmt.Sprint("f", i)), kind: k, typename: "T"}
		}
		return fs
	}
	video := leaf(fkTypename, fkVideoID, fkVideoTitle, fkVideoDescription, fkVideoStatus, fkVideoPlayable, fkVideoPrivacy,
		fkVideoDuration, fkVideoWidth, fkVideoHeight, fkVideoCreatedAt, fkVideoOwner, fkVideoRenditions, fkVideoProcessing)
	video[11].sub = leaf(fkUserID, fkUserName)
	video[12].sub = leaf(fkRenditionName, fkRenditionWidth, fkRenditionHeight, fkRenditionBandwidth,
		fkRenditionAverageBandwidth, fkRenditionCodecs, fkRenditionFrameRate)
	video[13].sub = leaf(fkProcessingStage, fkProcessingPercent, fkProcessingError)
	edge := leaf(fkEdgeCursor, fkEdgeNode)
	edge[1].sub = video
	conn := leaf(fkConnectionEdges, fkConnectionPageInfo)
	conn[0].sub = edge
	conn[1].sub = leaf(fkPageHasNext, fkPageHasPrevious, fkPageStartCursor, fkPageEndCursor)

	var rs []store.Rendition
	for _, h := range []int{240, 360, 480, 720, 1080} {
		rs = append(rs, store.Rendition{Name: fmt.Sprintf("%dp", h), Width: h * 16 / 9, Height: h, Bandwidth: h * 5500,
			AverageBandwidth: h * 4400, Codecs: "avc1.64001f,mp4a.40.2", FrameRate: 29.97})
	}
	owner := &model.User{ID: uuid.New(), Name: "Bench", CreatedAt: time.Now()}
	c := &model.VideoConnection{PageInfo: &model.PageInfo{HasNextPage: true}}
	for i := range 50 {
		d, w, h, desc := 60.0+float64(i)/8, 1920, 1080, fmt.Sprintf("Seeded, number %d of 50.", i+1)
		c.Edges = append(c.Edges, &model.VideoEdge{Cursor: fmt.Sprint("cursor", i), Node: &model.Video{ID: uuid.New(),
			Title: fmt.Sprintf("Benchmark video %d", i+1), Description: &desc, Status: model.VideoStatusReady, Playable: true,
			Privacy: model.PrivacyPublic, Duration: &d, Width: &w, Height: &h, CreatedAt: time.Now(), Renditions: rs,
			Processing: &model.Processing{Stage: "done", Percent: 100}, JoinedOwner: owner}})
	}
	f := &fastReads{resolver: &Resolver{}}
	ctx := context.Background()
	buf := make([]byte, 0, 64<<10)
	// The thread's CPU time per page, which a busy machine inflates far
	// less than ns/op (the wait for a core).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	before := threadCPU()
	for b.Loop() {
		var ok bool
		if buf, ok = f.writeConnection(ctx, buf[:0], conn, c); !ok {
			b.Fatal("not written")
		}
	}
	b.ReportMetric(float64(threadCPU()-before)/float64(b.N), "cpu-ns/op")
	b.SetBytes(int64(len(buf)))
}

func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
