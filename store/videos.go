package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clipcut/clipcut/layout"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ErrForbidden is returned when the caller can see a row but may not change it.
var ErrForbidden = errors.New("forbidden")

// Video statuses, as stored and as exposed through GraphQL.
const (
	StatusUploading  = "UPLOADING"
	StatusProcessing = "PROCESSING"
	StatusReady      = "READY"
	StatusFailed     = "FAILED"
)

// Privacy settings.
const (
	PrivacyPublic   = "PUBLIC"
	PrivacyUnlisted = "UNLISTED"
	PrivacyPrivate  = "PRIVATE"
)

// Video is a video row.
type Video struct {
	ID          uuid.UUID
	OwnerID     uuid.UUID
	Title       string
	Description *string
	Status      string
	Privacy     string
	Playable    bool
	Stage       string
	Percent     float64
	Error       *string
	Duration    *float64
	Width       *int
	Height      *int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Version grows with every update of the row (see VideoEvent).
	Version int64

	Filename        *string
	UploadID        *string
	UploadSize      int64
	UploadExpiresAt *time.Time
	Renditions      []Rendition
	PosterKey       *string
	StoryboardKey   *string
	Downloads       []Download
	SubtitlesStatus string
	SubtitlesNote   *string
	// ViewCount is the views of all time, kept by the analytics rollup.
	ViewCount int64
	// Chapters are the ones set with setChapters; nil: the description's.
	Chapters []Chapter
	// TakenDownAt is when an administrator took the video down (nil: it
	// is up), TakedownReason why (see moderation.go).
	TakenDownAt    *time.Time
	TakedownReason *string
	// EmbedOrigins may frame the video's embed page; empty: any site.
	EmbedOrigins []string
	// Passthrough is the creator's or integrator's own value, set at
	// createUpload and echoed in REST answers and webhooks.
	Passthrough *string
	// UploadOffset is how many bytes of an UPLOADING video's upload were
	// stored at the last progress write (at most a second old).
	UploadOffset int64
	// Retryable is set on a FAILED video whose upload finished and whose
	// failure was not the file's: retryProcessing may help.
	Retryable bool
	// PreviewKey is the animated preview (layout.Preview); nil until made.
	PreviewKey *string
	// PublicID is the random, unguessable name an UNLISTED video is shared
	// by (migration 0025): its id alone opens it to nobody but its owner
	// and administrators. RotatePublicID replaces it.
	PublicID string
}

// Download is a progressive MP4 of one rendition.
type Download struct {
	Name   string `json:"name"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Size   int64  `json:"size"`
	Key    string `json:"key"` // storage key
}

// Rendition is one produced quality of a video, as recorded after transcoding.
type Rendition struct {
	Name             string  `json:"name"`
	Width            int     `json:"width"`
	Height           int     `json:"height"`
	Bandwidth        int     `json:"bandwidth"`
	AverageBandwidth int     `json:"averageBandwidth"`
	Codecs           string  `json:"codecs"`
	FrameRate        float64 `json:"frameRate"`
	Playlist         string  `json:"playlist"` // storage key of its media playlist
	// StartTime is the first segment's timestamp in seconds (MPEG-TS
	// starts around 1.4 s); subtitles for HLS map their times onto it.
	StartTime float64 `json:"startTime,omitempty"`
}

// Viewer is who is asking, for queries that enforce visibility in SQL. The
// zero Viewer is an anonymous visitor.
type Viewer struct {
	UserID  uuid.UUID
	IsAdmin bool
}

const videoColumns = `id, owner_id, title, description, status, privacy, playable, stage,
	percent, error, duration_seconds, width, height, created_at, updated_at, version,
	filename, upload_id, upload_size, upload_expires_at, renditions, poster_key, storyboard_key, downloads,
	subtitles_status, subtitles_note, view_count, chapters, taken_down_at, takedown_reason, embed_origins,
	passthrough, upload_offset, (status = 'FAILED' AND uploaded_at IS NOT NULL AND NOT error_permanent),
	preview_key, public_id`

// uuidArg passes an id to pgx as the 16 bytes it sends, not as a
// uuid.UUID, whose driver.Valuer pgx would format as text and parse again
// (a tenth of a single-video query's client CPU).
func uuidArg(id uuid.UUID) [16]byte { return id }

func uuidArgs(ids []uuid.UUID) [][16]byte {
	out := make([][16]byte, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func scanVideo(row pgx.Row) (Video, error) {
	var v Video
	var percent float32
	err := row.Scan(videoDest(&v, &percent)...)
	v.Percent = float64(percent)
	return v, err
}

// videoDest is where a row of videoColumns is scanned to, in their order;
// percent is v.Percent as the column's real.
func videoDest(v *Video, percent *float32) []any {
	return []any{&v.ID, &v.OwnerID, &v.Title, &v.Description, &v.Status, &v.Privacy, &v.Playable,
		&v.Stage, percent, &v.Error, &v.Duration, &v.Width, &v.Height, &v.CreatedAt, &v.UpdatedAt, &v.Version,
		&v.Filename, &v.UploadID, &v.UploadSize, &v.UploadExpiresAt, &v.Renditions, &v.PosterKey, &v.StoryboardKey, &v.Downloads,
		&v.SubtitlesStatus, &v.SubtitlesNote, &v.ViewCount, &v.Chapters, &v.TakenDownAt, &v.TakedownReason, &v.EmbedOrigins,
		&v.Passthrough, &v.UploadOffset, &v.Retryable, &v.PreviewKey, &v.PublicID}
}

func collectVideos(rows pgx.Rows) ([]Video, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Video, error) { return scanVideo(r) })
}

// visibleTo is the one SQL rule for who may see a video by its id: anyone
// sees PUBLIC videos; UNLISTED and PRIVATE ones only their owner and
// administrators (others reach an UNLISTED video through its public id:
// sharedAs). Moderation (moderation.go) hides taken-down videos from
// everyone but their owner, and a disabled account's from everyone:
// administrators see them all.
const visibleTo = `($%[2]d OR NOT owner_disabled AND (owner_id = $%[1]d OR privacy = 'PUBLIC' AND taken_down_at IS NULL))`

func visibility(first int) string { return fmt.Sprintf(visibleTo, first, first+1) }

// NewVideo is what CreateVideo needs.
type NewVideo struct {
	OwnerID     uuid.UUID
	Title       string
	Description *string
	Privacy     string
}

// CreateVideo inserts a video in UPLOADING state.
func (s *Store) CreateVideo(ctx context.Context, nv NewVideo) (Video, error) {
	privacy := nv.Privacy
	if privacy == "" {
		privacy = PrivacyPublic
	}
	v, err := scanVideo(s.pool.QueryRow(ctx, `
		INSERT INTO videos (owner_id, title, description, privacy)
		VALUES ($1, $2, $3, $4) RETURNING `+videoColumns,
		nv.OwnerID, nv.Title, nv.Description, privacy))
	if err != nil {
		return Video{}, fmt.Errorf("create video: %w", err)
	}
	return v, nil
}

// VideoForViewer returns a video the viewer may see, or ErrNotFound.
func (s *Store) VideoForViewer(ctx context.Context, id uuid.UUID, viewer Viewer) (Video, error) {
	v, err := scanVideo(s.pool.QueryRow(ctx,
		`SELECT `+videoColumns+` FROM videos WHERE id = $1 AND `+visibility(2),
		uuidArg(id), uuidArg(viewer.UserID), viewer.IsAdmin))
	if err != nil {
		return Video{}, fmt.Errorf("video %s: %w", id, notFound(err))
	}
	return v, nil
}

// ownerColumns are the users columns read alongside a video (its owner,
// whose id is the video's owner_id): userColumns but the id, from the
// users row o.
var ownerColumns = func() string {
	cols := strings.Split(userColumns, ", ")[1:]
	for i, c := range cols {
		cols[i] = "o." + c
	}
	return strings.Join(cols, ", ")
}()

// withOwner wraps a query for videoColumns (possibly ordered and limited)
// so that each row also carries its owner's columns: one query where the
// caller would otherwise ask for the owners in a second one.
func withOwner(videoQuery, order string) string {
	return `SELECT v.*, ` + ownerColumns + ` FROM (` + videoQuery + `) v JOIN users o ON o.id = v.owner_id` + order
}

func scanVideoWithOwner(row pgx.Row) (Video, User, error) {
	var v Video
	var u User
	var percent float32
	err := row.Scan(append(videoDest(&v, &percent), userDest(&u)[1:]...)...)
	v.Percent = float64(percent)
	u.ID = v.OwnerID
	return v, u, err
}

// VideoWithOwnerForViewer is VideoForViewer that also returns the video's
// owner, read by the same query.
func (s *Store) VideoWithOwnerForViewer(ctx context.Context, id uuid.UUID, viewer Viewer) (Video, User, error) {
	v, u, err := scanVideoWithOwner(s.pool.QueryRow(ctx,
		withOwner(`SELECT `+videoColumns+` FROM videos WHERE id = $1 AND `+visibility(2), ""),
		uuidArg(id), uuidArg(viewer.UserID), viewer.IsAdmin))
	if err != nil {
		return Video{}, User{}, fmt.Errorf("video %s: %w", id, notFound(err))
	}
	return v, u, nil
}

// Cursor marks a position in a list of videos ordered newest first.
type Cursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// Encode renders the cursor as an opaque string for clients.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString(
		[]byte(c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID.String()))
}

// ErrBadCursor is returned by DecodeCursor for a string it did not make.
var ErrBadCursor = errors.New("invalid cursor")

// DecodeCursor parses a string made by Cursor.Encode.
func DecodeCursor(s string) (Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, ErrBadCursor
	}
	ts, id, ok := strings.Cut(string(raw), "|")
	if !ok {
		return Cursor{}, ErrBadCursor
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return Cursor{}, ErrBadCursor
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return Cursor{}, ErrBadCursor
	}
	return Cursor{CreatedAt: t, ID: u}, nil
}

// VideoPage is one page of a newest-first list of videos.
type VideoPage struct {
	Videos  []Video
	HasNext bool
	// Owners are the owners of Videos, each once, when the page was read
	// with them (PublicFeedWithOwners); nil otherwise.
	Owners []User
}

// CursorOf returns the cursor that points at v.
func CursorOf(v Video) Cursor { return Cursor{CreatedAt: v.CreatedAt, ID: v.ID} }

func (s *Store) videoPage(ctx context.Context, where string, args []any, first int, after *Cursor, owners bool) (VideoPage, error) {
	n := len(args)
	if after != nil {
		where += fmt.Sprintf(" AND (created_at, id) < ($%d, $%d)", n+1, n+2)
		args = append(args, after.CreatedAt, uuidArg(after.ID))
	}
	args = append(args, first+1)
	query := `SELECT ` + videoColumns + ` FROM videos WHERE ` + where +
		fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args))
	if owners {
		query = withOwner(query, ` ORDER BY v.created_at DESC, v.id DESC`)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return VideoPage{}, err
	}
	var page VideoPage
	if owners {
		page, err = collectVideosWithOwners(rows, first)
	} else {
		page.Videos, err = collectVideos(rows)
	}
	if err != nil {
		return VideoPage{}, err
	}
	if len(page.Videos) > first {
		page.Videos, page.HasNext = page.Videos[:first], true
	}
	return page, nil
}

// collectVideosWithOwners reads rows of withOwner: the videos, and the
// owners of the first `first` of them, each once.
func collectVideosWithOwners(rows pgx.Rows, first int) (VideoPage, error) {
	defer rows.Close()
	var page VideoPage
	seen := map[uuid.UUID]bool{}
	for rows.Next() {
		v, u, err := scanVideoWithOwner(rows)
		if err != nil {
			return VideoPage{}, err
		}
		page.Videos = append(page.Videos, v)
		if len(page.Videos) <= first && !seen[u.ID] {
			seen[u.ID] = true
			page.Owners = append(page.Owners, u)
		}
	}
	return page, rows.Err()
}

// PublicFeed lists PUBLIC, playable videos, newest first.
func (s *Store) PublicFeed(ctx context.Context, first int, after *Cursor) (VideoPage, error) {
	page, err := s.videoPage(ctx, `privacy = 'PUBLIC' AND playable AND `+notModerated, nil, first, after, false)
	if err != nil {
		return VideoPage{}, fmt.Errorf("public feed: %w", err)
	}
	return page, nil
}

// PublicFeedWithOwners is PublicFeed that also reads the videos' owners
// (VideoPage.Owners) in the same query.
func (s *Store) PublicFeedWithOwners(ctx context.Context, first int, after *Cursor) (VideoPage, error) {
	page, err := s.videoPage(ctx, `privacy = 'PUBLIC' AND playable AND `+notModerated, nil, first, after, true)
	if err != nil {
		return VideoPage{}, fmt.Errorf("public feed: %w", err)
	}
	return page, nil
}

// UserVideos lists one owner's videos that the viewer may see, newest first.
func (s *Store) UserVideos(ctx context.Context, ownerID uuid.UUID, viewer Viewer, first int, after *Cursor) (VideoPage, error) {
	page, err := s.videoPage(ctx,
		`owner_id = $1 AND ($3 OR NOT owner_disabled AND (owner_id = $2 OR privacy = 'PUBLIC' AND taken_down_at IS NULL))`,
		[]any{uuidArg(ownerID), uuidArg(viewer.UserID), viewer.IsAdmin}, first, after, false)
	if err != nil {
		return VideoPage{}, fmt.Errorf("user videos: %w", err)
	}
	return page, nil
}

// VideoChanges are the metadata fields UpdateVideo may set; nil keeps a value.
type VideoChanges struct {
	Title       *string
	Description *string // "" clears it
	Privacy     *string
	// EmbedOrigins replaces the origins allowed to embed the video (an
	// empty slice: any site); nil keeps them.
	EmbedOrigins []string
}

// UpdateVideo changes a video the viewer owns (or any, for administrators).
// It returns ErrNotFound when the viewer cannot see the video and
// ErrForbidden when they can see but not change it.
func (s *Store) UpdateVideo(ctx context.Context, id uuid.UUID, viewer Viewer, c VideoChanges) (Video, error) {
	v, err := scanVideo(s.pool.QueryRow(ctx, `
		UPDATE videos SET
			title = coalesce($4, title),
			description = CASE WHEN $5::text IS NULL THEN description ELSE nullif($5, '') END,
			privacy = coalesce($6, privacy),
			embed_origins = coalesce($7, embed_origins),
			updated_at = now()
		WHERE id = $1 AND (owner_id = $2 OR $3)
		RETURNING `+videoColumns,
		id, viewer.UserID, viewer.IsAdmin, c.Title, c.Description, c.Privacy, c.EmbedOrigins))
	if err != nil {
		return Video{}, fmt.Errorf("update video %s: %w", id, s.ownershipError(ctx, id, viewer, err))
	}
	return v, nil
}

// DeleteVideo removes a video the viewer owns (or any, for administrators)
// and returns the deleted row.
func (s *Store) DeleteVideo(ctx context.Context, id uuid.UUID, viewer Viewer) (Video, error) {
	var v Video
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		v, err = s.DeleteVideoTx(ctx, tx, id, viewer)
		return err
	})
	return v, err
}

// DeleteVideoTx is DeleteVideo in tx.
func (s *Store) DeleteVideoTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, viewer Viewer) (Video, error) {
	v, err := scanVideo(tx.QueryRow(ctx,
		`DELETE FROM videos WHERE id = $1 AND (owner_id = $2 OR $3) RETURNING `+videoColumns,
		id, viewer.UserID, viewer.IsAdmin))
	if err != nil {
		return Video{}, fmt.Errorf("delete video %s: %w", id, s.ownershipError(ctx, id, viewer, err))
	}
	return v, nil
}

// ownershipError turns a write that matched no row into ErrNotFound or
// ErrForbidden, depending on whether the viewer may see the video.
func (s *Store) ownershipError(ctx context.Context, id uuid.UUID, viewer Viewer, err error) error {
	if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if _, seeErr := s.VideoForViewer(ctx, id, viewer); seeErr == nil {
		return ErrForbidden
	}
	return ErrNotFound
}

// VideoPrivacy returns a video's privacy setting, or ErrNotFound (also for
// a video taken down or of a disabled account, whose media nobody gets).
func (s *Store) VideoPrivacy(ctx context.Context, id uuid.UUID) (string, error) {
	var privacy string
	if err := s.pool.QueryRow(ctx, `SELECT privacy FROM videos WHERE id = $1 AND `+notModerated, id).Scan(&privacy); err != nil {
		return "", fmt.Errorf("video privacy %s: %w", id, notFound(err))
	}
	return privacy, nil
}

// VideosForViewer returns the videos among ids that the viewer may see, in
// one query, in no particular order.
func (s *Store) VideosForViewer(ctx context.Context, ids []uuid.UUID, viewer Viewer) ([]Video, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+videoColumns+` FROM videos WHERE id = ANY($1) AND `+visibility(2),
		ids, viewer.UserID, viewer.IsAdmin)
	if err != nil {
		return nil, fmt.Errorf("videos for viewer: %w", err)
	}
	videos, err := collectVideos(rows)
	if err != nil {
		return nil, fmt.Errorf("videos for viewer: %w", err)
	}
	return videos, nil
}

// PlaybackObjects are the stored objects v's playback points at beside its
// master playlist, for layout.Playback.
func (v Video) PlaybackObjects() layout.PlaybackObjects {
	return layout.PlaybackObjects{Poster: v.PosterKey, Storyboard: v.StoryboardKey, Preview: v.PreviewKey}
}
