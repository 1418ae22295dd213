package video

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/store"
)

// Moderation limits.
const (
	// MaxTakedownReason bounds the reason shown to a video's owner.
	MaxTakedownReason = 2000
	// MaxReportNote bounds a viewer's note on a report.
	MaxReportNote = 2000
	// MaxAppeal bounds an owner's appeal against a takedown.
	MaxAppeal = 2000
)

// ModerationError refuses a moderation action with a code clients can act
// on (the GraphQL error presenter reports Code in extensions.code).
type ModerationError struct {
	Code       string
	Message    string
	RetryAfter int // seconds, for RATE_LIMITED
}

func (e *ModerationError) Error() string { return e.Message }

// PublicCode is the code clients see.
func (e *ModerationError) PublicCode() string { return e.Code }

// RetryAfterSeconds says when a rate-limited client may try again.
func (e *ModerationError) RetryAfterSeconds() int { return e.RetryAfter }

// errNotAdmin guards every administrator action here too, so a caller that
// forgot the check (a new REST handler, a job) fails closed.
var errNotAdmin = &ModerationError{Code: "FORBIDDEN", Message: "Only administrators can do this."}

var errLastAdmin = &ModerationError{Code: "BAD_USER_INPUT",
	Message: "This is the last administrator: make someone else an administrator first."}

func requireAdmin(actor store.Viewer) error {
	if !actor.IsAdmin || actor.UserID == uuid.Nil {
		return errNotAdmin
	}
	return nil
}

func lastAdmin(err error) error {
	if errors.Is(err, store.ErrLastAdmin) {
		return errLastAdmin
	}
	return err
}

// SetUserDisabled disables or enables an account. Disabling ends its
// sessions and API tokens in the same transaction and hides its videos
// from everyone but administrators. The last enabled administrator cannot
// be disabled (an administrator disabling themselves included).
func (s *Service) SetUserDisabled(ctx context.Context, actor store.Viewer, userID uuid.UUID, disabled bool, reason *string) (store.User, error) {
	if err := requireAdmin(actor); err != nil {
		return store.User{}, err
	}
	reason, err := optionalText("reason", reason, MaxTakedownReason)
	if err != nil {
		return store.User{}, err
	}
	u, err := s.store.SetUserDisabled(ctx, actor.UserID, userID, disabled, reason)
	return u, lastAdmin(err)
}

// SetUserAdmin grants or removes the administrator role; the last enabled
// administrator cannot be demoted.
func (s *Service) SetUserAdmin(ctx context.Context, actor store.Viewer, userID uuid.UUID, admin bool) (store.User, error) {
	if err := requireAdmin(actor); err != nil {
		return store.User{}, err
	}
	u, err := s.store.SetUserAdmin(ctx, actor.UserID, userID, admin)
	return u, lastAdmin(err)
}

// SetUserLimits sets an account's own upload limits over the instance
// defaults (nil: back to the default, 0: unlimited), audited.
func (s *Service) SetUserLimits(ctx context.Context, actor store.Viewer, userID uuid.UUID, l store.UserLimits, reason *string) (store.AdminUser, error) {
	if err := requireAdmin(actor); err != nil {
		return store.AdminUser{}, err
	}
	if l.StorageQuota != nil && *l.StorageQuota < 0 {
		return store.AdminUser{}, &InputError{Field: "storageQuotaBytes", Message: "Give a quota of 0 bytes (unlimited) or more, or none for the instance default."}
	}
	if l.DailyUploads != nil && *l.DailyUploads < 0 {
		return store.AdminUser{}, &InputError{Field: "dailyUploads", Message: "Give 0 uploads a day (unlimited) or more, or none for the instance default."}
	}
	reason, err := optionalText("reason", reason, MaxTakedownReason)
	if err != nil {
		return store.AdminUser{}, err
	}
	return s.store.SetUserLimits(ctx, actor.UserID, userID, l, reason)
}

// TakeDownVideo hides a video from everyone but its owner, who sees
// reason, refuses its media on every replica at once and resolves its
// open reports.
func (s *Service) TakeDownVideo(ctx context.Context, actor store.Viewer, videoID uuid.UUID, reason string) (store.Video, error) {
	if err := requireAdmin(actor); err != nil {
		return store.Video{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxTakedownReason {
		return store.Video{}, &InputError{Field: "reason", Message: "Give a reason of 1 to 2000 characters: the owner reads it."}
	}
	return s.store.TakeDownVideo(ctx, actor.UserID, videoID, reason)
}

// AdminDeleteVideo deletes anyone's video for an administrator, with its
// files (as Delete does), and records it in the audit log in the same
// transaction, so the record exists if and only if the video went.
func (s *Service) AdminDeleteVideo(ctx context.Context, actor store.Viewer, videoID uuid.UUID, reason *string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	reason, err := optionalText("reason", reason, MaxTakedownReason)
	if err != nil {
		return err
	}
	return s.deleteVideo(ctx, actor, videoID, reason, true)
}

// deleteVideo deletes a video with its files (queued) for actor; audited,
// or whenever an administrator deletes someone else's video, it records
// the deletion in the audit log in the same transaction, so the record
// exists if and only if the video went, whichever mutation did it.
func (s *Service) deleteVideo(ctx context.Context, actor store.Viewer, videoID uuid.UUID, reason *string, audited bool) error {
	return s.store.InTx(ctx, func(tx pgx.Tx) error {
		v, err := s.store.DeleteVideoTx(ctx, tx, videoID, actor)
		if err != nil {
			return err
		}
		uploadID := ""
		if v.UploadID != nil {
			uploadID = *v.UploadID
		}
		if err := s.queue.DeleteMediaTx(ctx, tx, videoID, uploadID); err != nil {
			return err
		}
		if !audited && (!actor.IsAdmin || v.OwnerID == actor.UserID) {
			return nil
		}
		return s.store.AuditTx(ctx, tx, store.AuditEntry{ActorID: actor.UserID, Action: store.AuditVideoDeleted, TargetType: "video",
			TargetID: videoID, Reason: reason, Data: map[string]any{"title": v.Title, "owner_id": v.OwnerID}})
	})
}

// RestoreVideo puts a taken-down video back up.
func (s *Service) RestoreVideo(ctx context.Context, actor store.Viewer, videoID uuid.UUID) (store.Video, error) {
	if err := requireAdmin(actor); err != nil {
		return store.Video{}, err
	}
	return s.store.RestoreVideo(ctx, actor.UserID, videoID)
}

// DismissReports closes a video's open reports without action.
func (s *Service) DismissReports(ctx context.Context, actor store.Viewer, videoID uuid.UUID, reason *string) (store.Video, error) {
	if err := requireAdmin(actor); err != nil {
		return store.Video{}, err
	}
	reason, err := optionalText("reason", reason, MaxTakedownReason)
	if err != nil {
		return store.Video{}, err
	}
	return s.store.DismissReports(ctx, actor.UserID, videoID, reason)
}

// ReportVideo records a signed-in viewer's report of a video they can see,
// named by its id or, when target.PublicID is set, by its public id (how a
// stranger reaches an UNLISTED video). A video they cannot see through
// that name is store.ErrNotFound, whether or not it exists.
func (s *Service) ReportVideo(ctx context.Context, viewer store.Viewer, target store.ReportTarget, reason string, note *string) error {
	if viewer.UserID == uuid.Nil {
		return errNotAdmin
	}
	if !slices.Contains(store.ReportReasons, reason) {
		return &InputError{Field: "reason", Message: "Choose one of the listed reasons."}
	}
	note, err := optionalText("note", note, MaxReportNote)
	if err != nil {
		return err
	}
	_, err = s.store.CreateReport(ctx, target, viewer, reason, note)
	if errors.Is(err, store.ErrTooManyReports) {
		return &ModerationError{Code: "RATE_LIMITED", RetryAfter: 3600,
			Message: "You have sent many reports in the last hour. Try again later."}
	}
	return err
}

// AppealTakedown records the owner's appeal (1 to 2000 characters)
// against their video's takedown, for the administrators. Only the owner
// may appeal, only a video that is down, once per takedown: a restore or a
// new takedown closes the appeal.
func (s *Service) AppealTakedown(ctx context.Context, viewer store.Viewer, videoID uuid.UUID, message string) (store.Video, error) {
	message = strings.TrimSpace(message)
	if message == "" || utf8.RuneCountInString(message) > MaxAppeal {
		return store.Video{}, &InputError{Field: "message", Message: "Write an appeal of 1 to 2000 characters."}
	}
	v, err := s.store.AppealTakedown(ctx, viewer, videoID, message)
	switch {
	case errors.Is(err, store.ErrNotTakenDown):
		return store.Video{}, &InputError{Field: "videoId", Message: "This video is not taken down: there is nothing to appeal."}
	case errors.Is(err, store.ErrAppealOpen):
		return store.Video{}, &InputError{Field: "videoId", Message: "You already appealed this takedown: one appeal per takedown."}
	}
	return v, err
}

// AnswerTakedownAppeal answers a video's open appeal for an
// administrator, the video staying down: the owner reads answer (1 to
// 2000 characters) on the video. Granting an appeal is RestoreVideo.
func (s *Service) AnswerTakedownAppeal(ctx context.Context, actor store.Viewer, videoID uuid.UUID, answer string) (store.Video, error) {
	if err := requireAdmin(actor); err != nil {
		return store.Video{}, err
	}
	answer = strings.TrimSpace(answer)
	if answer == "" || utf8.RuneCountInString(answer) > MaxAppeal {
		return store.Video{}, &InputError{Field: "message", Message: "Write an answer of 1 to 2000 characters: the owner reads it."}
	}
	v, err := s.store.AnswerTakedownAppeal(ctx, actor.UserID, videoID, answer)
	switch {
	case errors.Is(err, store.ErrNoAppeal):
		return store.Video{}, &InputError{Field: "videoId", Message: "This video has no open appeal to answer."}
	case errors.Is(err, store.ErrAppealAnswered):
		return store.Video{}, &InputError{Field: "videoId", Message: "This appeal is already answered."}
	}
	return v, err
}

// optionalText trims a free-text field; empty becomes nil.
func optionalText(field string, s *string, max int) (*string, error) {
	if s == nil {
		return nil, nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil, nil
	}
	if utf8.RuneCountInString(t) > max {
		return nil, &InputError{Field: field, Message: "Keep it under 2000 characters."}
	}
	return &t, nil
}
