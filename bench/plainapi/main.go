// Command plainapi is the graphql benchmark's baseline: a hand-written
// net/http + encoding/json server answering the two GraphQL operations the
// benchmark sends with the same JSON, against clipcut's own database. It
// calls clipcut's store (the same SQL, visibility rule, session lookup and
// row types) and graph/model's conversions (cursors, page info, processing
// state), but not the GraphQL executor, its middleware or its resolvers, so
// the difference that remains is what those cost.
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

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "listen address")
	dbURL := flag.String("database-url", "", "clipcut's database")
	maxConns := flag.Int("db-max-conns", 20, "most database connections (clipcut's default)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pool, err := store.NewPool(ctx, *dbURL, int32(*maxConns))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	srv := &http.Server{Addr: *addr, Handler: newHandler(store.New(pool)), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newHandler serves the baseline's routes from s.
func newHandler(s *store.Store) http.Handler {
	a := &api{store: s}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /video", a.video)
	mux.HandleFunc("POST /videos", a.videos)
	return mux
}

type api struct{ store *store.Store }

// authenticate finds the session of the bearer token, as clipcut's auth
// middleware does; no token is the anonymous viewer.
func (a *api) authenticate(r *http.Request) (store.Viewer, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return store.Viewer{}, nil
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	sess, err := a.store.SessionByTokenHash(r.Context(), sum[:])
	if err != nil {
		return store.Viewer{}, err
	}
	return store.Viewer{UserID: sess.UserID, IsAdmin: sess.IsAdmin}, nil
}

// The answer shapes: the benchmark's selections (bench/graphql.go), fields
// in selection order as GraphQL answers them, null where GraphQL answers
// null. They are the wire format of two queries, not product types.
type (
	ownerJSON struct {
		ID   uuid.UUID `json:"id"`
		Name string    `json:"name"`
	}
	renditionJSON struct {
		Name             string  `json:"name"`
		Width            int     `json:"width"`
		Height           int     `json:"height"`
		Bandwidth        int     `json:"bandwidth"`
		AverageBandwidth int     `json:"averageBandwidth"`
		Codecs           string  `json:"codecs"`
		FrameRate        float64 `json:"frameRate"`
	}
	processingJSON struct {
		Stage   string  `json:"stage"`
		Percent float64 `json:"percent"`
		Error   *string `json:"error"`
	}
	videoJSON struct {
		ID          uuid.UUID         `json:"id"`
		Title       string            `json:"title"`
		Description *string           `json:"description"`
		Status      model.VideoStatus `json:"status"`
		Playable    bool              `json:"playable"`
		Privacy     model.Privacy     `json:"privacy"`
		Duration    *float64          `json:"duration"`
		Width       *int              `json:"width"`
		Height      *int              `json:"height"`
		CreatedAt   time.Time         `json:"createdAt"`
		Owner       ownerJSON         `json:"owner"`
		Renditions  []renditionJSON   `json:"renditions"`
		Processing  *processingJSON   `json:"processing"`
	}
	edgeJSON struct {
		Cursor string     `json:"cursor"`
		Node   *videoJSON `json:"node"`
	}
	pageInfoJSON struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	}
	connectionJSON struct {
		Edges    []edgeJSON   `json:"edges"`
		PageInfo pageInfoJSON `json:"pageInfo"`
	}
)

func toJSON(v *model.Video, owners map[uuid.UUID]store.User) *videoJSON {
	o := owners[v.OwnerID]
	out := &videoJSON{ID: v.ID, Title: v.Title, Description: v.Description, Status: v.Status, Playable: v.Playable,
		Privacy: v.Privacy, Duration: v.Duration, Width: v.Width, Height: v.Height, CreatedAt: v.CreatedAt,
		Owner: ownerJSON{ID: o.ID, Name: o.Name}, Renditions: make([]renditionJSON, len(v.Renditions))}
	for i, r := range v.Renditions {
		out.Renditions[i] = renditionJSON{Name: r.Name, Width: r.Width, Height: r.Height, Bandwidth: r.Bandwidth,
			AverageBandwidth: r.AverageBandwidth, Codecs: r.Codecs, FrameRate: r.FrameRate}
	}
	if p := v.Processing; p != nil {
		out.Processing = &processingJSON{Stage: p.Stage, Percent: p.Percent, Error: p.Error}
	}
	return out
}

// owners loads the owners of videos in one query, as clipcut's dataloader
// does.
func (a *api) owners(ctx context.Context, videos []*model.Video) (map[uuid.UUID]store.User, error) {
	ids := make([]uuid.UUID, 0, len(videos))
	seen := map[uuid.UUID]bool{}
	for _, v := range videos {
		if !seen[v.OwnerID] {
			seen[v.OwnerID] = true
			ids = append(ids, v.OwnerID)
		}
	}
	users, err := a.store.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]store.User, len(users))
	for _, u := range users {
		out[u.ID] = u
	}
	return out, nil
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
	row, err := a.store.VideoForViewer(r.Context(), in.ID, who)
	if errors.Is(err, store.ErrNotFound) {
		respond(w, map[string]any{"data": map[string]any{"video": nil}})
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	v := model.VideoFrom(row)
	owners, err := a.owners(r.Context(), []*model.Video{v})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var out struct {
		Data struct {
			Video *videoJSON `json:"video"`
		} `json:"data"`
	}
	out.Data.Video = toJSON(v, owners)
	respond(w, out)
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
	page, err := a.store.PublicFeed(r.Context(), in.First, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	conn := model.VideoConnectionFrom(page, false)
	nodes := make([]*model.Video, len(conn.Edges))
	for i, e := range conn.Edges {
		nodes[i] = e.Node
	}
	owners, err := a.owners(r.Context(), nodes)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var out struct {
		Data struct {
			Videos connectionJSON `json:"videos"`
		} `json:"data"`
	}
	out.Data.Videos = connectionJSON{Edges: make([]edgeJSON, len(conn.Edges)), PageInfo: pageInfoJSON{
		HasNextPage: conn.PageInfo.HasNextPage, HasPreviousPage: conn.PageInfo.HasPreviousPage,
		StartCursor: conn.PageInfo.StartCursor, EndCursor: conn.PageInfo.EndCursor}}
	for i, e := range conn.Edges {
		out.Data.Videos.Edges[i] = edgeJSON{Cursor: e.Cursor, Node: toJSON(e.Node, owners)}
	}
	respond(w, out)
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
