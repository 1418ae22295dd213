package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// notModerated keeps out videos taken down by an administrator and those
// of disabled accounts: the public feed and media delivery show neither
// to anyone.
const notModerated = `taken_down_at IS NULL AND NOT owner_disabled`

// ReportReasons are the reasons a viewer may give for a report, as in the
// GraphQL ReportReason enum.
var ReportReasons = []string{"SPAM", "HARASSMENT", "HATE", "VIOLENCE", "SEXUAL_CONTENT", "COPYRIGHT", "PRIVACY", "OTHER"}

// Report resolutions.
const (
	ResolutionTakenDown = "TAKEN_DOWN"
	ResolutionDismissed = "DISMISSED"
)

// ErrTooManyReports is returned when a viewer has sent MaxReportsPerHour
// reports in the last hour.
var ErrTooManyReports = errors.New("too many reports")

// MaxReportsPerHour caps one viewer's reports: enough for anyone who
// means it, too few to flood the moderators' queue.
const MaxReportsPerHour = 20

// reportLockID serializes one reporter's reports just enough for the
// hourly cap to hold under concurrent requests.
const reportLockID int32 = 0x7265

// TakeDownVideo takes a video down for administrator actor with reason,
// resolving its open reports as TAKEN_DOWN, audited, in one transaction
// (the privacy trigger tells every replica's media cache at commit; the
// moderation trigger writes the video.taken_down webhook event). Taking
// down a video already down updates the reason. ErrNotFound for an
// unknown video.
func (s *Store) TakeDownVideo(ctx context.Context, actor, id uuid.UUID, reason string) (Video, error) {
	var v Video
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		v, err = s.takeDownTx(ctx, tx, actor, id, reason)
		return err
	})
	return v, err
}

func (s *Store) takeDownTx(ctx context.Context, tx pgx.Tx, actor, id uuid.UUID, reason string) (Video, error) {
	v, err := scanVideo(tx.QueryRow(ctx, `
		UPDATE videos SET taken_down_at = coalesce(taken_down_at, now()), takedown_reason = $2, updated_at = now()
		WHERE id = $1 RETURNING `+videoColumns, uuidArg(id), reason))
	if err != nil {
		return Video{}, fmt.Errorf("take down video %s: %w", id, notFound(err))
	}
	if err := resolveReportsTx(ctx, tx, actor, id, ResolutionTakenDown); err != nil {
		return Video{}, err
	}
	if err := closeAppealTx(ctx, tx, id); err != nil {
		return Video{}, err
	}
	if err := s.AuditTx(ctx, tx, AuditEntry{ActorID: actor, Action: AuditVideoTakenDown, TargetType: "video", TargetID: id,
		Reason: &reason, Data: map[string]any{"title": v.Title, "owner_id": v.OwnerID}}); err != nil {
		return Video{}, err
	}
	return v, nil
}

// RestoreVideo puts a taken-down video back up for administrator actor,
// audited (video.restored webhook event, caches told at commit). Restoring
// a video that is up changes nothing and records nothing. ErrNotFound for
// an unknown video.
func (s *Store) RestoreVideo(ctx context.Context, actor, id uuid.UUID) (Video, error) {
	var v Video
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var wasDown bool
		if err := tx.QueryRow(ctx, `SELECT taken_down_at IS NOT NULL FROM videos WHERE id = $1 FOR UPDATE`, uuidArg(id)).Scan(&wasDown); err != nil {
			return notFound(err)
		}
		var err error
		if v, err = scanVideo(tx.QueryRow(ctx, `
			UPDATE videos SET taken_down_at = NULL, takedown_reason = NULL,
			       updated_at = CASE WHEN taken_down_at IS NULL THEN updated_at ELSE now() END
			WHERE id = $1 RETURNING `+videoColumns, uuidArg(id))); err != nil {
			return err
		}
		if !wasDown {
			return nil
		}
		if err := closeAppealTx(ctx, tx, id); err != nil {
			return err
		}
		return s.AuditTx(ctx, tx, AuditEntry{ActorID: actor, Action: AuditVideoRestored, TargetType: "video", TargetID: id,
			Data: map[string]any{"title": v.Title, "owner_id": v.OwnerID}})
	})
	if err != nil {
		return Video{}, fmt.Errorf("restore video %s: %w", id, err)
	}
	return v, nil
}

// ReportTarget names the reported video: by its id (visible as by
// VideoForViewer) or, when PublicID is set, by its public id (visible as by
// VideoByPublicID), which is how strangers reach an UNLISTED video.
type ReportTarget struct {
	VideoID  uuid.UUID
	PublicID string
}

// CreateReport records viewer's report of a video they can see and
// returns the video's id. A second report while the first is open changes
// nothing. It returns ErrNotFound when the viewer cannot see the video
// through the name given (a report never reveals whether a private video
// exists) and ErrTooManyReports past the hourly cap.
func (s *Store) CreateReport(ctx context.Context, target ReportTarget, viewer Viewer, reason string, note *string) (uuid.UUID, error) {
	videoID := target.VideoID
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2::text))`, reportLockID, viewer.UserID.String()); err != nil {
			return err
		}
		var err error
		if target.PublicID != "" {
			err = tx.QueryRow(ctx, `SELECT id FROM videos WHERE public_id = $1 AND `+fmt.Sprintf(sharedAs, 2, 3),
				target.PublicID, uuidArg(viewer.UserID), viewer.IsAdmin).Scan(&videoID)
		} else {
			err = tx.QueryRow(ctx, `SELECT id FROM videos WHERE id = $1 AND `+visibility(2),
				uuidArg(videoID), uuidArg(viewer.UserID), viewer.IsAdmin).Scan(&videoID)
		}
		if err != nil {
			return notFound(err)
		}
		var recent int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM video_reports WHERE reporter_id = $1 AND created_at > now() - interval '1 hour'`,
			uuidArg(viewer.UserID)).Scan(&recent); err != nil {
			return err
		}
		if recent >= MaxReportsPerHour {
			return ErrTooManyReports
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO video_reports (video_id, reporter_id, reason, note) VALUES ($1, $2, $3, $4)
			ON CONFLICT (video_id, reporter_id) WHERE resolved_at IS NULL DO NOTHING`,
			uuidArg(videoID), uuidArg(viewer.UserID), reason, note)
		return err
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("report video %s: %w", videoID, err)
	}
	return videoID, nil
}

// Report is one viewer's report. The reporter is kept for moderators'
// bookkeeping and never shown to the video's owner.
type Report struct {
	ID         uuid.UUID
	VideoID    uuid.UUID
	ReporterID uuid.UUID
	Reason     string
	Note       *string
	CreatedAt  time.Time
}

// ReportGroup is the open reports of one video, as moderators act on them.
type ReportGroup struct {
	Video   Video
	Reports []Report // oldest first
}

// OpenReports lists videos with open reports, the most reported first
// (then the oldest report first), at most limit videos.
func (s *Store) OpenReports(ctx context.Context, limit int) ([]ReportGroup, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT video_id FROM video_reports WHERE resolved_at IS NULL
		GROUP BY video_id ORDER BY count(*) DESC, min(created_at), video_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("open reports: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("open reports: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err = s.pool.Query(ctx, `SELECT `+videoColumns+` FROM videos WHERE id = ANY($1)`, uuidArgs(ids))
	if err != nil {
		return nil, fmt.Errorf("open reports: %w", err)
	}
	videos, err := collectVideos(rows)
	if err != nil {
		return nil, fmt.Errorf("open reports: %w", err)
	}
	rows, err = s.pool.Query(ctx, `
		SELECT id, video_id, reporter_id, reason, note, created_at FROM video_reports
		WHERE resolved_at IS NULL AND video_id = ANY($1) ORDER BY created_at, id`, uuidArgs(ids))
	if err != nil {
		return nil, fmt.Errorf("open reports: %w", err)
	}
	reports, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Report])
	if err != nil {
		return nil, fmt.Errorf("open reports: %w", err)
	}
	byID := map[uuid.UUID]*ReportGroup{}
	for _, v := range videos {
		byID[v.ID] = &ReportGroup{Video: v}
	}
	for _, r := range reports {
		if g := byID[r.VideoID]; g != nil {
			g.Reports = append(g.Reports, r)
		}
	}
	groups := make([]ReportGroup, 0, len(ids))
	for _, id := range ids {
		if g := byID[id]; g != nil {
			groups = append(groups, *g)
		}
	}
	return groups, nil
}

// DismissReports resolves a video's open reports as DISMISSED for
// administrator actor, audited with reason, and returns the video.
func (s *Store) DismissReports(ctx context.Context, actor, videoID uuid.UUID, reason *string) (Video, error) {
	var v Video
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if v, err = scanVideo(tx.QueryRow(ctx, `SELECT `+videoColumns+` FROM videos WHERE id = $1`, uuidArg(videoID))); err != nil {
			return notFound(err)
		}
		if err := resolveReportsTx(ctx, tx, actor, videoID, ResolutionDismissed); err != nil {
			return err
		}
		return s.AuditTx(ctx, tx, AuditEntry{ActorID: actor, Action: AuditReportsDismissed, TargetType: "video", TargetID: videoID,
			Reason: reason, Data: map[string]any{"title": v.Title}})
	})
	if err != nil {
		return Video{}, fmt.Errorf("dismiss reports of %s: %w", videoID, err)
	}
	return v, nil
}

func resolveReportsTx(ctx context.Context, tx pgx.Tx, actor, videoID uuid.UUID, resolution string) error {
	if _, err := tx.Exec(ctx, `
		UPDATE video_reports SET resolved_at = now(), resolved_by = $2, resolution = $3
		WHERE video_id = $1 AND resolved_at IS NULL`, uuidArg(videoID), uuidArg(actor), resolution); err != nil {
		return fmt.Errorf("resolve reports of %s: %w", videoID, err)
	}
	return nil
}

// AdminVideos lists every video, newest first, optionally only those with
// status (TAKEN_DOWN: the taken-down ones), of one owner, and with
// (appealed true) or without (false) an open takedown appeal.
func (s *Store) AdminVideos(ctx context.Context, status string, owner *uuid.UUID, appealed *bool, first int, after *Cursor) (VideoPage, error) {
	where := `($1 = '' OR $1 = 'TAKEN_DOWN' AND taken_down_at IS NOT NULL OR status = $1 AND taken_down_at IS NULL)
		AND ($2::uuid IS NULL OR owner_id = $2)
		AND ($3::bool IS NULL OR EXISTS (SELECT 1 FROM takedown_appeals a WHERE a.video_id = videos.id) = $3)`
	page, err := s.videoPage(ctx, where, []any{status, owner, appealed}, first, after, false)
	if err != nil {
		return VideoPage{}, fmt.Errorf("admin videos: %w", err)
	}
	return page, nil
}

// Appeal errors.
var (
	// ErrNotTakenDown refuses an appeal of a video that is up.
	ErrNotTakenDown = errors.New("video is not taken down")
	// ErrAppealOpen refuses a second appeal of the same takedown.
	ErrAppealOpen = errors.New("an appeal of this takedown is open")
	// ErrNoAppeal refuses an answer to a video without an open appeal.
	ErrNoAppeal = errors.New("the video has no open appeal")
	// ErrAppealAnswered refuses a second answer to the same appeal.
	ErrAppealAnswered = errors.New("the appeal is already answered")
)

// Appeal is an owner's open appeal against a video's takedown, and the
// administrators' answer once they gave one.
type Appeal struct {
	VideoID    uuid.UUID
	OwnerID    uuid.UUID
	Message    string
	CreatedAt  time.Time
	Answer     *string
	AnsweredAt *time.Time
}

const appealColumns = `video_id, owner_id, message, created_at, answer, answered_at`

func scanAppeal(row pgx.Row) (Appeal, error) {
	var a Appeal
	err := row.Scan(&a.VideoID, &a.OwnerID, &a.Message, &a.CreatedAt, &a.Answer, &a.AnsweredAt)
	return a, err
}

// AppealTakedown records the owner's appeal against their video's
// takedown, audited as video.appealed (the owner as actor) so
// administrators read it in the audit log too. ErrNotFound when the viewer
// cannot see the video, ErrForbidden when they see it but do not own it
// (an administrator), ErrNotTakenDown for a video that is up and
// ErrAppealOpen when this takedown already has an appeal.
func (s *Store) AppealTakedown(ctx context.Context, viewer Viewer, videoID uuid.UUID, message string) (Video, error) {
	var v Video
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		// FOR UPDATE: an appeal racing a restore or a new takedown lands
		// before it (and is cleared by it) or sees its outcome.
		v, err = scanVideo(tx.QueryRow(ctx, `SELECT `+videoColumns+` FROM videos WHERE id = $1 AND owner_id = $2 FOR UPDATE`,
			uuidArg(videoID), uuidArg(viewer.UserID)))
		if err != nil {
			return s.ownershipError(ctx, videoID, viewer, err)
		}
		if v.TakenDownAt == nil {
			return ErrNotTakenDown
		}
		tag, err := tx.Exec(ctx, `INSERT INTO takedown_appeals (video_id, owner_id, message) VALUES ($1, $2, $3)
			ON CONFLICT (video_id) DO NOTHING`, uuidArg(videoID), uuidArg(viewer.UserID), message)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrAppealOpen
		}
		return s.AuditTx(ctx, tx, AuditEntry{ActorID: viewer.UserID, Action: AuditVideoAppealed, TargetType: "video", TargetID: videoID,
			Reason: &message, Data: map[string]any{"title": v.Title, "takedown_reason": v.TakedownReason}})
	})
	if err != nil {
		return Video{}, fmt.Errorf("appeal takedown of %s: %w", videoID, err)
	}
	return v, nil
}

// TakedownAppeal returns a video's open appeal, or nil when it has none.
func (s *Store) TakedownAppeal(ctx context.Context, videoID uuid.UUID) (*Appeal, error) {
	a, err := scanAppeal(s.pool.QueryRow(ctx, `SELECT `+appealColumns+` FROM takedown_appeals WHERE video_id = $1`, uuidArg(videoID)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("takedown appeal of %s: %w", videoID, err)
	}
	return &a, nil
}

// TakedownAppeals returns the open appeals of videos, by video id, in one
// query (a page of taken-down videos); videos without one are absent.
func (s *Store) TakedownAppeals(ctx context.Context, videoIDs []uuid.UUID) (map[uuid.UUID]Appeal, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+appealColumns+` FROM takedown_appeals WHERE video_id = ANY($1)`, videoIDs)
	if err != nil {
		return nil, fmt.Errorf("takedown appeals: %w", err)
	}
	appeals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Appeal, error) { return scanAppeal(r) })
	if err != nil {
		return nil, fmt.Errorf("takedown appeals: %w", err)
	}
	byVideo := make(map[uuid.UUID]Appeal, len(appeals))
	for _, a := range appeals {
		byVideo[a.VideoID] = a
	}
	return byVideo, nil
}

// AnswerTakedownAppeal records administrator actor's answer to a video's
// open appeal, the video staying down, audited as video.appeal_answered.
// ErrNotFound for an unknown video, ErrNoAppeal when it has no open
// appeal (none was sent, or a restore or new takedown closed it) and
// ErrAppealAnswered when the appeal already has its answer.
func (s *Store) AnswerTakedownAppeal(ctx context.Context, actor, videoID uuid.UUID, answer string) (Video, error) {
	var v Video
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		// FOR UPDATE: an answer racing a restore or a new takedown (which
		// close the appeal) lands before it or sees the appeal gone.
		v, err = scanVideo(tx.QueryRow(ctx, `SELECT `+videoColumns+` FROM videos WHERE id = $1 FOR UPDATE`, uuidArg(videoID)))
		if err != nil {
			return notFound(err)
		}
		var answered bool
		err = tx.QueryRow(ctx, `SELECT answer IS NOT NULL FROM takedown_appeals WHERE video_id = $1`, uuidArg(videoID)).Scan(&answered)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrNoAppeal
		case err != nil:
			return err
		case answered:
			return ErrAppealAnswered
		}
		if _, err := tx.Exec(ctx, `UPDATE takedown_appeals SET answer = $2, answered_at = now(), answered_by = $3 WHERE video_id = $1`,
			uuidArg(videoID), answer, uuidArg(actor)); err != nil {
			return err
		}
		return s.AuditTx(ctx, tx, AuditEntry{ActorID: actor, Action: AuditAppealAnswered, TargetType: "video", TargetID: videoID,
			Reason: &answer, Data: map[string]any{"title": v.Title, "owner_id": v.OwnerID}})
	})
	if err != nil {
		return Video{}, fmt.Errorf("answer appeal of %s: %w", videoID, err)
	}
	return v, nil
}

// closeAppealTx clears a video's open appeal when an administrator decides
// again (restores it or takes it down anew).
func closeAppealTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID) error {
	if _, err := tx.Exec(ctx, `DELETE FROM takedown_appeals WHERE video_id = $1`, uuidArg(videoID)); err != nil {
		return fmt.Errorf("close appeal of %s: %w", videoID, err)
	}
	return nil
}
