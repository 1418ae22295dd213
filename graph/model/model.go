// Package model holds the Go types behind the GraphQL schema: hand-written
// ones here, generated ones in models_gen.go.
package model

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/clipcut/clipcut/store"
)

// User is an account as the API shows it.
type User struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	IsAdmin   bool      `json:"isAdmin"`
	CreatedAt time.Time `json:"createdAt"`
	// Disabled is true for an account an administrator disabled.
	Disabled bool `json:"disabled"`
	// Handle and Description are the channel's (schema/channel.graphqls).
	Handle      string `json:"handle"`
	Description string `json:"description"`
	// EmailAddress backs the email field, which only the user and
	// administrators may read.
	EmailAddress string `json:"-"`
	// Self marks the user just signed in by this request (signUp, logIn),
	// who may read their own email before the request has a session.
	Self bool `json:"-"`
}

func (User) IsNode() {}

// UserFrom converts a store row.
func UserFrom(u store.User) *User {
	return &User{ID: u.ID, Name: u.Name, IsAdmin: u.IsAdmin, CreatedAt: u.CreatedAt, EmailAddress: u.Email,
		Disabled: u.DisabledAt != nil, Handle: u.Handle, Description: u.Description}
}

// Video is a video as the API shows it.
type Video struct {
	ID          uuid.UUID         `json:"id"`
	Title       string            `json:"title"`
	Description *string           `json:"description,omitempty"`
	Status      VideoStatus       `json:"status"`
	Playable    bool              `json:"playable"`
	Privacy     Privacy           `json:"privacy"`
	Duration    *float64          `json:"duration,omitempty"`
	Width       *int              `json:"width,omitempty"`
	Height      *int              `json:"height,omitempty"`
	CreatedAt   time.Time         `json:"createdAt"`
	Processing  *Processing       `json:"processing,omitempty"`
	Renditions  []store.Rendition `json:"renditions"`
	// OwnerID backs the owner field, resolved through a dataloader unless
	// JoinedOwner is set.
	OwnerID uuid.UUID `json:"-"`
	// JoinedOwner is the owner when the query that read the video read it
	// too (video(id), the feed, a user's videos): the owner field then
	// costs no lookup and no wait for the dataloader's batch.
	JoinedOwner *User `json:"-"`
	// PosterKey and StoryboardKey back the playback URLs.
	PosterKey, StoryboardKey *string `json:"-"`
	// PreviewKey backs Playback.previewUrl.
	PreviewKey *string `json:"-"`
	// Files backs the downloads field.
	Files []store.Download `json:"-"`
	// SubtitlesStatus and SubtitlesNote back subtitleState.
	SubtitlesStatus string  `json:"-"`
	SubtitlesNote   *string `json:"-"`
	// TakedownReason is why an administrator took the video down.
	TakedownReason *string `json:"takedownReason,omitempty"`
	// Source is the row the model was made from, for services that need it.
	Source store.Video `json:"-"`
}

func (Video) IsNode() {}

// VideoFrom converts a store row.
func VideoFrom(v store.Video) *Video {
	m := &Video{
		ID: v.ID, Title: v.Title, Description: v.Description, Status: VideoStatus(v.Status),
		Playable: v.Playable, Privacy: Privacy(v.Privacy), Duration: v.Duration,
		Width: v.Width, Height: v.Height, CreatedAt: v.CreatedAt, OwnerID: v.OwnerID,
		Renditions: v.Renditions, PosterKey: v.PosterKey, StoryboardKey: v.StoryboardKey, PreviewKey: v.PreviewKey, Files: v.Downloads,
		SubtitlesStatus: v.SubtitlesStatus, SubtitlesNote: v.SubtitlesNote, Source: v,
	}
	if m.Renditions == nil {
		m.Renditions = []store.Rendition{}
	}
	if v.TakenDownAt != nil {
		m.Status, m.TakedownReason = VideoStatusTakenDown, v.TakedownReason
	}
	if v.Status != store.StatusUploading {
		m.Processing = &Processing{Stage: v.Stage, Percent: v.Percent, Error: v.Error}
	}
	return m
}

// ProgressOf is a video's current state as a progress event.
func ProgressOf(v store.Video) *VideoProgress {
	return &VideoProgress{VideoID: v.ID, Status: VideoStatus(v.Status), Stage: v.Stage,
		Percent: v.Percent, Playable: v.Playable, Error: v.Error}
}

// ProgressFromEvent converts a published change.
func ProgressFromEvent(ev store.VideoEvent) *VideoProgress {
	return &VideoProgress{VideoID: ev.ID, Status: VideoStatus(ev.Status), Stage: ev.Stage,
		Percent: ev.Percent, Playable: ev.Playable, Error: ev.Error}
}

// VideoConnectionFrom builds a connection from a store page.
func VideoConnectionFrom(page store.VideoPage, hadCursor bool) *VideoConnection {
	conn := &VideoConnection{Edges: make([]*VideoEdge, 0, len(page.Videos)),
		PageInfo: &PageInfo{HasNextPage: page.HasNext, HasPreviousPage: hadCursor}}
	for _, v := range page.Videos {
		conn.Edges = append(conn.Edges, &VideoEdge{Cursor: store.CursorOf(v).Encode(), Node: VideoFrom(v)})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn
}

// MarshalUUID renders an id as its canonical string.
func MarshalUUID(id uuid.UUID) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(id.String()))
	})
}

// BadIDError is returned for an ID argument that is not an id clipcut made.
type BadIDError struct{ Value string }

func (e *BadIDError) Error() string      { return fmt.Sprintf("%q is not a valid id.", e.Value) }
func (e *BadIDError) PublicCode() string { return "BAD_USER_INPUT" }

// UnmarshalUUID parses an ID argument.
func UnmarshalUUID(v any) (uuid.UUID, error) {
	s, ok := v.(string)
	if !ok {
		return uuid.Nil, &BadIDError{Value: fmt.Sprint(v)}
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, &BadIDError{Value: s}
	}
	return id, nil
}
