package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/upload"
	"github.com/clipcut/clipcut/video"
)

// inputError is a BAD_USER_INPUT error naming the field at fault.
type inputError struct {
	field   string
	message string
}

func (e *inputError) Error() string       { return e.message }
func (e *inputError) PublicCode() string  { return "BAD_USER_INPUT" }
func (e *inputError) PublicField() string { return e.field }

func badInput(field, format string, args ...any) error {
	return &inputError{field: field, message: fmt.Sprintf(format, args...)}
}

const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// pageArgs validates Relay paging arguments.
func pageArgs(first *int, after *string) (int, *store.Cursor, error) {
	n := defaultPageSize
	if first != nil {
		n = *first
	}
	if n < 1 || n > maxPageSize {
		return 0, nil, badInput("first", "first must be between 1 and %d.", maxPageSize)
	}
	if after == nil || *after == "" {
		return n, nil, nil
	}
	c, err := store.DecodeCursor(*after)
	if err != nil {
		return 0, nil, badInput("after", "after is not a cursor from this list.")
	}
	return n, &c, nil
}

func videoChanges(in model.UpdateVideoInput) (store.VideoChanges, error) {
	var c store.VideoChanges
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		if n := utf8.RuneCountInString(t); n < 1 || n > 200 {
			return c, badInput("title", "Title must be 1 to 200 characters.")
		}
		c.Title = &t
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		if utf8.RuneCountInString(d) > 5000 {
			return c, badInput("description", "Description must be at most 5000 characters.")
		}
		c.Description = &d
	}
	if in.Privacy != nil {
		p := string(*in.Privacy)
		c.Privacy = &p
	}
	// Omitted or null: nil, kept; [] (any site) arrives as an empty slice.
	// The video service checks the origins.
	c.EmbedOrigins = in.EmbedOrigins
	return c, nil
}

// signedIn sets the session cookie for a new session and builds the payload.
func signedIn(ctx context.Context, sess auth.Session) *model.AuthPayload {
	auth.SetSessionCookie(ctx, sess.Token, sess.ExpiresAt)
	user := model.UserFrom(sess.User)
	user.Self = true
	return &model.AuthPayload{Token: sess.Token, User: user}
}

func uploadRequest(in model.CreateUploadInput) (upload.Request, error) {
	title := strings.TrimSpace(in.Title)
	if n := utf8.RuneCountInString(title); n < 1 || n > 200 {
		return upload.Request{}, badInput("title", "Title must be 1 to 200 characters.")
	}
	req := upload.Request{Title: title, Size: in.Size}
	if in.Filename != nil {
		req.Filename = strings.TrimSpace(*in.Filename)
		if len(req.Filename) > 255 {
			return upload.Request{}, badInput("filename", "filename must be at most 255 bytes.")
		}
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		if utf8.RuneCountInString(d) > 5000 {
			return upload.Request{}, badInput("description", "Description must be at most 5000 characters.")
		}
		if d != "" {
			req.Description = &d
		}
	}
	if in.Privacy != nil {
		req.Privacy = string(*in.Privacy)
	}
	return req, nil
}

// stateInput turns the video service's refusal of an operation in the
// video's current state into a BAD_USER_INPUT error naming field.
func stateInput(field string, err error) error {
	var se *video.StateError
	if errors.As(err, &se) {
		return &inputError{field: field, message: se.Message}
	}
	return err
}

// playbackAt builds a video's playback URLs under a media prefix (which
// ends in /videos/<id>).
func playbackAt(prefix string, expires *time.Time, v *model.Video) *model.Playback {
	l := layout.Playback(prefix, v.ID, layout.PlaybackObjects{Poster: v.PosterKey, Storyboard: v.StoryboardKey, Preview: v.PreviewKey})
	return &model.Playback{HlsURL: l.HLS, PosterURL: l.Poster, StoryboardURL: l.Storyboard, PreviewURL: l.Preview, ExpiresAt: expires}
}
