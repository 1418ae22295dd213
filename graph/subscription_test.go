package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

type wsClient struct {
	t    testing.TB
	conn *coderws.Conn
	ctx  context.Context
}

func (e *env) dialWS(protocol string, initPayload map[string]any) *wsClient {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	e.t.Cleanup(cancel)
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http")
	conn, resp, err := coderws.Dial(ctx, url, &coderws.DialOptions{Subprotocols: []string{protocol}})
	require.NoError(e.t, err)
	require.Equal(e.t, protocol, resp.Header.Get("Sec-WebSocket-Protocol"))
	e.t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{t: e.t, conn: conn, ctx: ctx}
	payload, _ := json.Marshal(initPayload)
	c.send(wsMessage{Type: "connection_init", Payload: payload})
	return c
}

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	require.NoError(c.t, c.conn.Write(c.ctx, coderws.MessageText, b))
}

// read returns the next message as it came, decoded and raw.
func (c *wsClient) read() (wsMessage, []byte) {
	c.t.Helper()
	_, b, err := c.conn.Read(c.ctx)
	require.NoError(c.t, err)
	var m wsMessage
	require.NoError(c.t, json.Unmarshal(b, &m))
	return m, b
}

// next returns the next message that is not a keep-alive, answering pings;
// it counts the keep-alives it skipped.
func (c *wsClient) next(keepAlives *int) wsMessage {
	c.t.Helper()
	for {
		m, _ := c.read()
		switch m.Type {
		case "ka":
			*keepAlives++
			continue
		case "ping":
			*keepAlives++
			c.send(wsMessage{Type: "pong"})
			continue
		case "pong":
			continue
		}
		return m
	}
}

type progress struct {
	Status   string
	Stage    string
	Percent  float64
	Playable bool
	Error    *string
}

func TestVideoProgressOverBothWebsocketProtocols(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ protocol, start, data string }{
		{"graphql-transport-ws", "subscribe", "next"},
		{"graphql-ws", "start", "data"},
	} {
		t.Run(tc.protocol, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			owner := e.signUp("owner@example.com", "Owner")
			id := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, false)[0]
			ctx := context.Background()
			_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'PROCESSING', stage = 'probe', percent = 1 WHERE id = $1", id)
			require.NoError(t, err)

			c := e.dialWS(tc.protocol, map[string]any{"Authorization": "Bearer " + owner.Token})
			keepAlives := 0
			require.Equal(t, "connection_ack", c.next(&keepAlives).Type)
			q, _ := json.Marshal(map[string]any{
				"query":     `subscription($id: ID!) { videoProgress(id: $id) { videoId status stage percent playable error } }`,
				"variables": map[string]any{"id": id},
			})
			c.send(wsMessage{ID: "1", Type: tc.start, Payload: q})

			readProgress := func() progress {
				t.Helper()
				m := c.next(&keepAlives)
				require.Equal(t, tc.data, m.Type, string(m.Payload))
				var body struct {
					Data   struct{ VideoProgress progress }
					Errors []gqlError
				}
				require.NoError(t, json.Unmarshal(m.Payload, &body))
				require.Empty(t, body.Errors)
				return body.Data.VideoProgress
			}
			first := readProgress()
			require.Equal(t, progress{Status: "PROCESSING", Stage: "probe", Percent: 1}, first, "the first event is the current state")

			// A change made by anyone (here: straight in the database, as a
			// worker in another process would) reaches the subscriber.
			_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET stage = 'transcode', percent = 40, playable = true WHERE id = $1", id)
			require.NoError(t, err)
			require.Equal(t, progress{Status: "PROCESSING", Stage: "transcode", Percent: 40, Playable: true}, readProgress())

			// Keep-alives flow while nothing happens.
			deadline := time.Now().Add(60 * time.Second)
			for keepAlives == 0 && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
				_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET percent = percent + 0.5 WHERE id = $1", id)
				require.NoError(t, err)
				readProgress()
			}
			require.Positive(t, keepAlives, "the server sends keep-alive pings")

			_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'READY', stage = 'done', percent = 100 WHERE id = $1", id)
			require.NoError(t, err)
			require.Equal(t, progress{Status: "READY", Stage: "done", Percent: 100, Playable: true}, readProgress())
			require.Equal(t, "complete", c.next(&keepAlives).Type, "the stream ends at READY")
		})
	}
}

func TestVideoProgressIsAuthorizedLikeTheVideo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("owner@example.com", "Owner")
	other := e.signUp("other@example.com", "Other")
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, false)[0]

	for _, init := range []map[string]any{nil, {"Authorization": "Bearer " + other.Token}} {
		c := e.dialWS("graphql-transport-ws", init)
		keepAlives := 0
		require.Equal(t, "connection_ack", c.next(&keepAlives).Type)
		q, _ := json.Marshal(map[string]any{"query": `subscription($id: ID!) { videoProgress(id: $id) { status } }`, "variables": map[string]any{"id": id}})
		c.send(wsMessage{ID: "1", Type: "subscribe", Payload: q})
		// An execution error arrives as the operation's only result.
		m := c.next(&keepAlives)
		require.Equal(t, "next", m.Type, string(m.Payload))
		require.Contains(t, string(m.Payload), `"code":"NOT_FOUND"`)
		require.Equal(t, "complete", c.next(&keepAlives).Type)
	}
}

func TestWebsocketRejectsABadToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.dialWS("graphql-transport-ws", map[string]any{"Authorization": "Bearer ccs_revoked"})
	_, _, err := c.conn.Read(c.ctx)
	if err == nil {
		// Some servers send an error message before closing.
		_, _, err = c.conn.Read(c.ctx)
	}
	require.Error(t, err, "the connection is closed")
	require.Equal(t, coderws.StatusCode(4403), coderws.CloseStatus(err))
}

// progressRefQuery follows a video by id or by public id.
const progressRefQuery = `subscription($id: ID, $pid: String) { videoProgress(id: $id, publicId: $pid) { videoId percent } }`

// subscribeRef starts progressRefQuery as operation opID over
// graphql-transport-ws.
func (c *wsClient) subscribeRef(opID string, vars map[string]any) {
	c.t.Helper()
	q, _ := json.Marshal(map[string]any{"query": progressRefQuery, "variables": vars})
	c.send(wsMessage{ID: opID, Type: "subscribe", Payload: q})
}

type refProgress struct {
	VideoID string
	Percent float64
}

// readRefProgress reads the next message, which must be an event of
// progressRefQuery.
func (c *wsClient) readRefProgress(keepAlives *int) (string, refProgress) {
	c.t.Helper()
	m := c.next(keepAlives)
	require.Equal(c.t, "next", m.Type, string(m.Payload))
	var body struct {
		Data   struct{ VideoProgress refProgress }
		Errors []gqlError
	}
	require.NoError(c.t, json.Unmarshal(m.Payload, &body))
	require.Empty(c.t, body.Errors)
	return m.ID, body.Data.VideoProgress
}

// TestVideoProgressByPublicID: a stranger follows an UNLISTED video
// through its public id (never by its id), reads the public id in UUID
// form as videoId, and gets complete, with no further event, the moment
// the owner rotates the public id; so does the owner's subscription by the
// old public id, while the owner's by id goes on.
func TestVideoProgressByPublicID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	other := e.signUp("other@example.com", "Other")
	id := e.makeVideos("owner@example.com", 1, store.PrivacyUnlisted, false)[0]
	ctx := context.Background()
	_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'PROCESSING', stage = 'probe', percent = 1 WHERE id = $1", id)
	require.NoError(t, err)
	pid := e.videoRef(owner.Token, id, "").PublicID
	shown := e.videoRef("", "", pid).ID
	require.NotEqual(t, id, shown)

	for _, cred := range []string{"", other.Token} {
		r := e.subscribeOnce(progressRefQuery, map[string]any{"id": id}, cred)
		require.Equal(t, "NOT_FOUND", r.code(), "the id alone does not open an unlisted video")
		require.Equal(t, "BAD_USER_INPUT", e.subscribeOnce(progressRefQuery, map[string]any{"id": id, "pid": pid}, cred).code())
		require.Equal(t, "BAD_USER_INPUT", e.subscribeOnce(progressRefQuery, nil, cred).code())
		require.Equal(t, "NOT_FOUND", e.subscribeOnce(progressRefQuery, map[string]any{"pid": "AAAAAAAAAAAAAAAAAAAAAA"}, cred).code())
	}

	type sub struct {
		c    *wsClient
		ka   int
		want string // the videoId it reads
	}
	anon := &sub{c: e.dialWS("graphql-transport-ws", nil), want: shown}
	stranger := &sub{c: e.dialWS("graphql-transport-ws", map[string]any{"Authorization": "Bearer " + other.Token}), want: shown}
	mine := &sub{c: e.dialWS("graphql-transport-ws", map[string]any{"Authorization": "Bearer " + owner.Token}), want: id}
	for _, s := range []*sub{anon, stranger, mine} {
		require.Equal(t, "connection_ack", s.c.next(&s.ka).Type)
		s.c.subscribeRef("1", map[string]any{"pid": pid})
		_, p := s.c.readRefProgress(&s.ka)
		require.Equal(t, refProgress{VideoID: s.want, Percent: 1}, p)
	}
	mine.c.subscribeRef("2", map[string]any{"id": id})
	op, p := mine.c.readRefProgress(&mine.ka)
	require.Equal(t, "2", op)
	require.Equal(t, refProgress{VideoID: id, Percent: 1}, p)

	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET percent = 20 WHERE id = $1", id)
	require.NoError(t, err)
	for _, s := range []*sub{anon, stranger} {
		_, p := s.c.readRefProgress(&s.ka)
		require.Equal(t, refProgress{VideoID: shown, Percent: 20}, p)
	}
	got := map[string]refProgress{}
	for range 2 {
		op, p := mine.c.readRefProgress(&mine.ka)
		got[op] = p
	}
	require.Equal(t, map[string]refProgress{"1": {id, 20}, "2": {id, 20}}, got)

	var out struct{ RotatePublicID struct{ PublicID string } }
	e.decode(e.query(`mutation($id: ID!) { rotatePublicId(videoId: $id) { publicId } }`, map[string]any{"id": id}, bearer(owner.Token)), &out)
	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET percent = 40 WHERE id = $1", id)
	require.NoError(t, err)
	for _, s := range []*sub{anon, stranger} {
		m := s.c.next(&s.ka)
		require.Equal(t, "complete", m.Type, "a subscription by the old public id ends with no further event: %s", m.Payload)
	}
	// The owner's two operations are separate streams: their messages
	// may come in either order.
	for range 2 {
		m := mine.c.next(&mine.ka)
		switch m.ID {
		case "1":
			require.Equal(t, "complete", m.Type, "the owner's by the old public id ends too: %s", m.Payload)
		case "2":
			require.Equal(t, "next", m.Type, string(m.Payload))
			require.JSONEq(t, `{"data":{"videoProgress":{"videoId":"`+id+`","percent":40}}}`, string(m.Payload), "the owner's by id goes on")
		default:
			t.Fatalf("unexpected operation %q", m.ID)
		}
	}

	// The new public id opens it again.
	c := e.dialWS("graphql-transport-ws", nil)
	ka := 0
	require.Equal(t, "connection_ack", c.next(&ka).Type)
	c.subscribeRef("1", map[string]any{"pid": out.RotatePublicID.PublicID})
	_, p = c.readRefProgress(&ka)
	require.Equal(t, 40.0, p.Percent)
	require.NotEqual(t, shown, p.VideoID, "the UUID form follows the public id")
	require.NotEqual(t, id, p.VideoID)
}
