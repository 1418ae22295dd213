// Command plainapi is the graphql benchmark's baseline: a hand-written
// net/http + encoding/json server answering the two GraphQL operations the
// benchmark sends with the same JSON, from the same SQL clipcut runs,
// against clipcut's own database. It authenticates the bearer token with
// the same session query, so the difference that remains is what gqlgen,
// clipcut's middleware and its resolvers cost.
//
//	plainapi -addr 127.0.0.1:9000 -database-url postgres://...
//
// POST /video with {"id": "<uuid>"} answers {"data":{"video":{...}}} as
// clipcut answers `video(id)`; POST /videos with {"first": 50} answers
// {"data":{"videos":{...}}} as clipcut answers `videos(first: 50)`, with
// the selections in bench/graphql.go. GET /healthz answers 200.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The same SQL as clipcut's store: its column list, visibility rule,
// feed, owner lookup and session lookup.
const (
	videoColumns = `id, owner_id, title, description, status, privacy, playable, stage,
	percent, error, duration_seconds, width, height, created_at, updated_at, version,
	filename, upload_id, upload_size, upload_expires_at, renditions, poster_key, storyboard_key, downloads,
	subtitles_status, subtitles_note`
	videoByID   = `SELECT ` + videoColumns + ` FROM videos WHERE id = $1 AND (privacy <> 'PRIVATE' OR owner_id = $2 OR $3)`
	feedPage    = `SELECT ` + videoColumns + ` FROM videos WHERE privacy = 'PUBLIC' AND playable ORDER BY created_at DESC, id DESC LIMIT $1`
	usersByIDs  = `SELECT id, email, name, password_hash, is_admin, created_at FROM users WHERE id = ANY($1)`
	sessionByID = `
		SELECT s.id, s.user_id, u.is_admin, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "listen address")
	dbURL := flag.String("database-url", "", "clipcut's database")
	maxConns := flag.Int("db-max-conns", 20, "most database connections (clipcut's default)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := pgxpool.ParseConfig(*dbURL)
	if err != nil {
		log.Fatal(err)
	}
	cfg.MaxConns = int32(*maxConns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	a := &api{pool: pool}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /video", a.video)
	mux.HandleFunc("POST /videos", a.videos)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

type api struct{ pool *pgxpool.Pool }

// viewer is the authenticated user, zero for an anonymous request.
type viewer struct {
	UserID  uuid.UUID
	IsAdmin bool
}

func (a *api) authenticate(r *http.Request) (viewer, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return viewer{}, nil
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	var v viewer
	var sessionID uuid.UUID
	var expires time.Time
	err := a.pool.QueryRow(r.Context(), sessionByID, sum[:]).Scan(&sessionID, &v.UserID, &v.IsAdmin, &expires)
	return v, err
}

// video row, as much of it as the responses need.
type videoRow struct {
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
	Renditions  []rendition
}

type rendition struct {
	Name             string  `json:"name"`
	Width            int     `json:"width"`
	Height           int     `json:"height"`
	Bandwidth        int     `json:"bandwidth"`
	AverageBandwidth int     `json:"averageBandwidth"`
	Codecs           string  `json:"codecs"`
	FrameRate        float64 `json:"frameRate"`
}

func scanVideo(row pgx.Row) (videoRow, error) {
	var v videoRow
	var percent float32
	var (
		updated, version, filename, uploadID, uploadSize, expires any
		poster, storyboard, downloads, subStatus, subNote         any
	)
	err := row.Scan(&v.ID, &v.OwnerID, &v.Title, &v.Description, &v.Status, &v.Privacy, &v.Playable,
		&v.Stage, &percent, &v.Error, &v.Duration, &v.Width, &v.Height, &v.CreatedAt, &updated, &version,
		&filename, &uploadID, &uploadSize, &expires, &v.Renditions, &poster, &storyboard, &downloads,
		&subStatus, &subNote)
	v.Percent = float64(percent)
	return v, err
}

// The response shapes, fields in the order the benchmark's GraphQL
// selections list them (GraphQL answers in selection order).
type (
	owner struct {
		ID   uuid.UUID `json:"id"`
		Name string    `json:"name"`
	}
	processing struct {
		Stage   string  `json:"stage"`
		Percent float64 `json:"percent"`
		Error   *string `json:"error"`
	}
	videoJSON struct {
		ID          uuid.UUID   `json:"id"`
		Title       string      `json:"title"`
		Description *string     `json:"description"`
		Status      string      `json:"status"`
		Playable    bool        `json:"playable"`
		Privacy     string      `json:"privacy"`
		Duration    *float64    `json:"duration"`
		Width       *int        `json:"width"`
		Height      *int        `json:"height"`
		CreatedAt   time.Time   `json:"createdAt"`
		Owner       owner       `json:"owner"`
		Renditions  []rendition `json:"renditions"`
		Processing  *processing `json:"processing"`
	}
	edge struct {
		Cursor string     `json:"cursor"`
		Node   *videoJSON `json:"node"`
	}
	pageInfo struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	}
	connection struct {
		Edges    []edge   `json:"edges"`
		PageInfo pageInfo `json:"pageInfo"`
	}
)

func toJSON(v videoRow, owners map[uuid.UUID]owner) *videoJSON {
	out := &videoJSON{ID: v.ID, Title: v.Title, Description: v.Description, Status: v.Status, Playable: v.Playable,
		Privacy: v.Privacy, Duration: v.Duration, Width: v.Width, Height: v.Height, CreatedAt: v.CreatedAt,
		Owner: owners[v.OwnerID], Renditions: v.Renditions}
	if out.Renditions == nil {
		out.Renditions = []rendition{}
	}
	if v.Status != "UPLOADING" {
		out.Processing = &processing{Stage: v.Stage, Percent: v.Percent, Error: v.Error}
	}
	return out
}

func (a *api) owners(ctx context.Context, videos []videoRow) (map[uuid.UUID]owner, error) {
	ids := make([]uuid.UUID, 0, len(videos))
	seen := map[uuid.UUID]bool{}
	for _, v := range videos {
		if !seen[v.OwnerID] {
			seen[v.OwnerID] = true
			ids = append(ids, v.OwnerID)
		}
	}
	rows, err := a.pool.Query(ctx, usersByIDs, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uuid.UUID]owner{}
	for rows.Next() {
		var o owner
		var email, hash string
		var admin bool
		var created time.Time
		if err := rows.Scan(&o.ID, &email, &o.Name, &hash, &admin, &created); err != nil {
			return nil, err
		}
		out[o.ID] = o
	}
	return out, rows.Err()
}

func (a *api) video(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID uuid.UUID `json:"id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	who, err := a.authenticate(r)
	if err != nil {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	v, err := scanVideo(a.pool.QueryRow(r.Context(), videoByID, in.ID, who.UserID, who.IsAdmin))
	if errors.Is(err, pgx.ErrNoRows) {
		respond(w, map[string]any{"data": map[string]any{"video": nil}})
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	owners, err := a.owners(r.Context(), []videoRow{v})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	respond(w, struct {
		Data struct {
			Video *videoJSON `json:"video"`
		} `json:"data"`
	}{Data: struct {
		Video *videoJSON `json:"video"`
	}{toJSON(v, owners)}})
}

func (a *api) videos(w http.ResponseWriter, r *http.Request) {
	var in struct {
		First int `json:"first"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.First < 1 || in.First > 100 {
		http.Error(w, "first must be between 1 and 100", http.StatusBadRequest)
		return
	}
	if _, err := a.authenticate(r); err != nil {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	rows, err := a.pool.Query(r.Context(), feedPage, in.First+1)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	videos, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (videoRow, error) { return scanVideo(r) })
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	conn := connection{Edges: []edge{}}
	if len(videos) > in.First {
		videos, conn.PageInfo.HasNextPage = videos[:in.First], true
	}
	owners, err := a.owners(r.Context(), videos)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for _, v := range videos {
		conn.Edges = append(conn.Edges, edge{Cursor: cursor(v), Node: toJSON(v, owners)})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[n-1].Cursor
	}
	respond(w, struct {
		Data struct {
			Videos connection `json:"videos"`
		} `json:"data"`
	}{Data: struct {
		Videos connection `json:"videos"`
	}{conn}})
}

// cursor is clipcut's opaque cursor: base64url of "<created_at>|<id>".
func cursor(v videoRow) string {
	return base64.RawURLEncoding.EncodeToString([]byte(v.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + v.ID.String()))
}

func respond(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprint(err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
