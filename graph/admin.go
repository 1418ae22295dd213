package graph

import (
	"context"
	"slices"
	"strings"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
	"github.com/google/uuid"
)

// The admin area's store results as the API shows them (admin.resolvers.go).

func adminOverview(o store.Overview) *model.AdminOverview {
	m := &model.AdminOverview{StorageBytes: o.StorageBytes, Users: int(o.Users), OpenReports: int(o.OpenReports),
		VideosByStatus: []*model.StatusCount{}, Failures: []*model.VideoFailure{}, Queues: []*model.QueueDepth{}, Workers: []*model.WorkerProcess{}}
	for _, s := range model.AllVideoStatus {
		m.VideosByStatus = append(m.VideosByStatus, &model.StatusCount{Status: s, Count: int(o.VideosByStatus[string(s)])})
	}
	for _, f := range o.Failures {
		m.Failures = append(m.Failures, &model.VideoFailure{VideoID: f.VideoID, Title: f.Title, Error: f.Error, FailedAt: f.FailedAt})
	}
	queues := slices.Clone(o.Queues)
	slices.SortFunc(queues, func(a, b store.QueueDepth) int {
		if a.Queue != b.Queue {
			return strings.Compare(a.Queue, b.Queue)
		}
		return strings.Compare(a.State, b.State)
	})
	for _, q := range queues {
		m.Queues = append(m.Queues, &model.QueueDepth{Queue: q.Queue, State: q.State, Count: int(q.Count)})
	}
	for _, w := range o.Workers {
		m.Workers = append(m.Workers, &model.WorkerProcess{ClientID: w.ClientID, Hostname: w.Hostname, Pid: w.PID, StartedAt: w.StartedAt})
	}
	m.Activity = make([]*model.HourActivity, 0, len(o.Activity))
	for _, h := range o.Activity {
		m.Activity = append(m.Activity, &model.HourActivity{Hour: h.Hour, UploadsStarted: int(h.UploadsStarted),
			Processed: int(h.Processed), Failed: int(h.Failed)})
	}
	m.ProcessingTime = &model.ProcessingTime{Count: int(o.Processing.Count), MedianSeconds: o.Processing.Median, P95Seconds: o.Processing.P95}
	m.DiscardedJobs = make([]*model.DiscardedJob, 0, len(o.DiscardedJobs))
	for _, j := range o.DiscardedJobs {
		m.DiscardedJobs = append(m.DiscardedJobs, &model.DiscardedJob{ID: j.ID, Kind: j.Kind, Queue: j.Queue, Error: j.Error, DiscardedAt: j.FinalizedAt})
	}
	return m
}

// adminUser shows an account with its limits: its own, and those that
// apply (the instance defaults of upload.Service where it has none).
func (r *Resolver) adminUser(u store.AdminUser) *model.AdminUser {
	var defaults store.Limits
	if r.Uploads != nil {
		defaults = r.Uploads.LimitsFor(&auth.Viewer{UserID: u.ID, IsAdmin: u.IsAdmin})
	}
	lim := u.Limits.Apply(defaults)
	return &model.AdminUser{User: model.UserFrom(u.User), StorageBytes: u.StorageBytes, VideoCount: int(u.VideoCount),
		StorageQuotaBytes: u.Limits.StorageQuota, DailyUploads: u.Limits.DailyUploads,
		EffectiveStorageQuotaBytes: lim.StorageQuota, EffectiveDailyUploads: lim.DailyUploads}
}

func (r *Resolver) adminUserConnection(users []store.AdminUser, hasNext, hadCursor bool) *model.AdminUserConnection {
	conn := &model.AdminUserConnection{Edges: make([]*model.AdminUserEdge, 0, len(users)),
		PageInfo: &model.PageInfo{HasNextPage: hasNext, HasPreviousPage: hadCursor}}
	for _, u := range users {
		conn.Edges = append(conn.Edges, &model.AdminUserEdge{
			Cursor: store.Cursor{CreatedAt: u.CreatedAt, ID: u.ID}.Encode(),
			Node:   r.adminUser(u),
		})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[n-1].Cursor
	}
	return conn
}

func reportGroups(groups []store.ReportGroup) []*model.ReportGroup {
	out := make([]*model.ReportGroup, 0, len(groups))
	for _, g := range groups {
		m := &model.ReportGroup{Video: model.VideoFrom(g.Video), Count: len(g.Reports), Reports: make([]*model.Report, 0, len(g.Reports))}
		for _, r := range g.Reports {
			m.Reports = append(m.Reports, &model.Report{ID: r.ID, Reason: model.ReportReason(r.Reason), Note: r.Note, CreatedAt: r.CreatedAt})
		}
		out = append(out, m)
	}
	return out
}

func auditConnection(page store.AuditPage, hadCursor bool) *model.AuditConnection {
	conn := &model.AuditConnection{Edges: make([]*model.AuditEdge, 0, len(page.Entries)),
		PageInfo: &model.PageInfo{HasNextPage: page.HasNext, HasPreviousPage: hadCursor}}
	for _, e := range page.Entries {
		conn.Edges = append(conn.Edges, &model.AuditEdge{
			Cursor: store.Cursor{CreatedAt: e.CreatedAt, ID: e.ID}.Encode(),
			Node: &model.AuditEntry{ID: e.ID, ActorID: e.ActorID, Action: e.Action, TargetType: e.TargetType,
				TargetID: e.TargetID, Reason: e.Reason, CreatedAt: e.CreatedAt},
		})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[n-1].Cursor
	}
	return conn
}

// reportTarget reads reportVideo's two ways of naming the video: exactly
// one of them.
func reportTarget(videoID *uuid.UUID, publicID *string) (store.ReportTarget, error) {
	switch {
	case videoID != nil && publicID != nil:
		return store.ReportTarget{}, badInput("publicId", "Name the video by its id or its public id, not both.")
	case publicID != nil && *publicID != "":
		return store.ReportTarget{PublicID: *publicID}, nil
	case videoID != nil:
		return store.ReportTarget{VideoID: *videoID}, nil
	}
	return store.ReportTarget{}, badInput("videoId", "Name the video to report by its id or its public id.")
}

// takedownAppeal shows a video's open appeal, with its answer, to its
// owner and administrators only; anyone else gets null. A page of videos
// reads its appeals in one query (the request's loader).
func (r *Resolver) takedownAppeal(ctx context.Context, obj *model.Video) (*model.TakedownAppeal, error) {
	if obj.Source.TakenDownAt == nil {
		return nil, nil
	}
	v, err := auth.ViewerFrom(ctx)
	if err != nil || v == nil || (v.UserID != obj.OwnerID && !v.IsAdmin) {
		return nil, nil //nolint:nilerr // not theirs to see: null, as for a video without an appeal
	}
	a, err := loadTakedownAppeal(ctx, r.Store, obj.ID)
	if err != nil || a == nil {
		return nil, err
	}
	return &model.TakedownAppeal{Message: a.Message, CreatedAt: a.CreatedAt, Answer: a.Answer, AnsweredAt: a.AnsweredAt}, nil
}
