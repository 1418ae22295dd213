package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/store"
)

const multiplexProgressQuery = `subscription($id: ID!) { videoProgress(id: $id) { videoId status stage percent playable error } }`

// subscribeProgress starts videoProgress of id as operation opID.
func (c *wsClient) subscribeProgress(protocol, opID, id string) {
	c.t.Helper()
	q, _ := json.Marshal(map[string]any{"query": multiplexProgressQuery, "variables": map[string]any{"id": id}})
	start := "subscribe"
	if protocol == "graphql-ws" {
		start = "start"
	}
	c.send(wsMessage{ID: opID, Type: start, Payload: q})
}

// readProgressOf reads the next message, which must be a progress event.
func (c *wsClient) readProgressOf(keepAlives *int) (string, progress) {
	c.t.Helper()
	m := c.next(keepAlives)
	require.Contains(c.t, []string{"next", "data"}, m.Type, string(m.Payload))
	var body struct {
		Data   struct{ VideoProgress progress }
		Errors []gqlError
	}
	require.NoError(c.t, json.Unmarshal(m.Payload, &body))
	require.Empty(c.t, body.Errors)
	return m.ID, body.Data.VideoProgress
}

// awaitPong pings the server and waits for its pong (graphql-transport-ws),
// answering and counting the server's own pings meanwhile.
func (c *wsClient) awaitPong(keepAlives *int) {
	c.t.Helper()
	c.send(wsMessage{Type: "ping"})
	for {
		m, b := c.read()
		switch m.Type {
		case "pong":
			return
		case "ping":
			*keepAlives++
			c.send(wsMessage{Type: "pong"})
		default:
			c.t.Fatalf("unexpected %s message while waiting for a pong: %s", m.Type, b)
		}
	}
}

func TestSubscribersOfOneDocumentShareOneExecutionPerEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, false)[0]
	ctx := context.Background()
	_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'PROCESSING', stage = 'probe', percent = 1 WHERE id = $1", id)
	require.NoError(t, err)

	// 10 connections (both protocols) with 5 operations each: 50
	// subscribers, each operation with an id of its own.
	type conn struct {
		c        *wsClient
		protocol string
		ka       int
	}
	var conns []*conn
	for i := range 10 {
		protocol := "graphql-transport-ws"
		if i%2 == 1 {
			protocol = "graphql-ws"
		}
		c := &conn{c: e.dialWS(protocol, map[string]any{"Authorization": "Bearer " + owner.Token}), protocol: protocol}
		require.Equal(t, "connection_ack", c.c.next(&c.ka).Type)
		for j := range 5 {
			c.c.subscribeProgress(protocol, fmt.Sprintf("op-%d-%d", i, j), id)
		}
		conns = append(conns, c)
	}
	// readAll checks that every subscriber gets want, once, under its id.
	readAll := func(want progress) {
		t.Helper()
		for i, c := range conns {
			seen := map[string]bool{}
			for range 5 {
				opID, p := c.c.readProgressOf(&c.ka)
				require.Equal(t, want, p)
				require.False(t, seen[opID], "one event per subscriber")
				seen[opID] = true
			}
			for j := range 5 {
				require.True(t, seen[fmt.Sprintf("op-%d-%d", i, j)])
			}
		}
	}
	readAll(progress{Status: "PROCESSING", Stage: "probe", Percent: 1})
	for k, percent := range []float64{10, 20, 30} {
		_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET stage = 'transcode', percent = $2 WHERE id = $1", id, percent)
		require.NoError(t, err)
		readAll(progress{Status: "PROCESSING", Stage: "transcode", Percent: percent})
		require.Equal(t, int64(k+2), graph.MultiplexExecutions(id),
			"one execution for the first state and one per event, for all 50 subscribers")
	}

	// Ending one subscriber leaves the others subscribed.
	// The server reads a connection's messages in order, so its pong
	// proves the complete was handled before the next event is made.
	conns[0].c.send(wsMessage{ID: "op-0-0", Type: "complete"})
	conns[0].c.awaitPong(&conns[0].ka)
	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'READY', stage = 'done', percent = 100, playable = true WHERE id = $1", id)
	require.NoError(t, err)
	ready := progress{Status: "READY", Stage: "done", Percent: 100, Playable: true}
	for i, c := range conns {
		n := 5
		if i == 0 {
			n = 4
		}
		completes := 0
		for completes < n {
			m := c.c.next(&c.ka)
			switch m.Type {
			case "complete":
				completes++
			default:
				require.Contains(t, []string{"next", "data"}, m.Type, string(m.Payload))
				require.NotEqual(t, "op-0-0", m.ID, "a completed operation gets nothing more")
				var body struct {
					Data struct{ VideoProgress progress }
				}
				require.NoError(t, json.Unmarshal(m.Payload, &body))
				require.Equal(t, ready, body.Data.VideoProgress)
			}
		}
	}
}

func TestSubscriberWhoseVideoTurnsPrivateStopsReceiving(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	other := e.signUp("other@example.com", "Other")
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, false)[0]
	ctx := context.Background()
	_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'PROCESSING', stage = 'probe', percent = 1 WHERE id = $1", id)
	require.NoError(t, err)

	var kaOwner, kaOther, kaAnon int
	ownerC := e.dialWS("graphql-transport-ws", map[string]any{"Authorization": "Bearer " + owner.Token})
	otherC := e.dialWS("graphql-transport-ws", map[string]any{"Authorization": "Bearer " + other.Token})
	anonC := e.dialWS("graphql-ws", nil)
	for _, c := range []struct {
		c  *wsClient
		ka *int
		p  string
	}{{ownerC, &kaOwner, "graphql-transport-ws"}, {otherC, &kaOther, "graphql-transport-ws"}, {anonC, &kaAnon, "graphql-ws"}} {
		require.Equal(t, "connection_ack", c.c.next(c.ka).Type)
		c.c.subscribeProgress(c.p, "1", id)
		_, p := c.c.readProgressOf(c.ka)
		require.Equal(t, progress{Status: "PROCESSING", Stage: "probe", Percent: 1}, p)
	}

	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET privacy = 'PRIVATE' WHERE id = $1", id)
	require.NoError(t, err)
	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET percent = 50 WHERE id = $1", id)
	require.NoError(t, err)

	_, p := ownerC.readProgressOf(&kaOwner)
	require.Equal(t, progress{Status: "PROCESSING", Stage: "probe", Percent: 50}, p, "the owner still sees the video")
	require.Equal(t, "complete", otherC.next(&kaOther).Type, "another user's subscription ends, with no further event")
	require.Equal(t, "complete", anonC.next(&kaAnon).Type, "an anonymous subscription ends, with no further event")
}

// TestRevokedCredentialsSubscriptionsEndAtOnce: logging a session out or
// revoking an API token ends the subscriptions open with it as soon as
// the notifier announces it (the periodic check runs only hourly in
// tests): each operation gets an UNAUTHENTICATED error and no event
// published after the revocation, then the socket closes with 4403.
func TestRevokedCredentialsSubscriptionsEndAtOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, protocol string
		// credential returns a credential of owner@example.com, and the
		// mutation (with variables) that revokes it, sent with by.
		credential func(e *env, owner string) (token, revoke string, vars map[string]any, by string)
	}{
		{"logOut", "graphql-transport-ws", func(e *env, _ string) (string, string, map[string]any, string) {
			session := e.logIn("owner@example.com")
			return session, `mutation { logOut }`, nil, session
		}},
		{"logOut, legacy protocol", "graphql-ws", func(e *env, _ string) (string, string, map[string]any, string) {
			session := e.logIn("owner@example.com")
			return session, `mutation { logOut }`, nil, session
		}},
		{"revokeApiToken", "graphql-transport-ws", func(e *env, owner string) (string, string, map[string]any, string) {
			secret := e.createToken(owner, "ci", []string{"VIDEOS_READ", "ANALYTICS_READ"}, nil)
			var out struct{ ApiTokens []struct{ ID string } }
			e.decode(e.query(`{ apiTokens { id } }`, nil, bearer(owner)), &out)
			require.Len(t, out.ApiTokens, 1)
			return secret, `mutation($id: ID!) { revokeApiToken(id: $id) }`, map[string]any{"id": out.ApiTokens[0].ID}, owner
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			owner := e.signUp("owner@example.com", "Owner").Token
			id := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, false)[0]
			ctx := context.Background()
			_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'PROCESSING', stage = 'probe', percent = 1 WHERE id = $1", id)
			require.NoError(t, err)
			credential, revoke, vars, by := tc.credential(e, owner)

			// Two operations on the revoked credential's connection: a
			// multiplexed videoProgress and liveViewers, which runs on
			// its own. A second connection, with the owner's other
			// session, shares the videoProgress stream.
			var ka, kaOther int
			c := e.dialWS(tc.protocol, map[string]any{"Authorization": "Bearer " + credential})
			require.Equal(t, "connection_ack", c.next(&ka).Type)
			c.subscribeProgress(tc.protocol, "progress", id)
			start := "subscribe"
			if tc.protocol == "graphql-ws" {
				start = "start"
			}
			q, _ := json.Marshal(map[string]any{"query": `subscription($id: ID!) { liveViewers(videoId: $id) { __typename } }`, "variables": map[string]any{"id": id}})
			c.send(wsMessage{ID: "viewers", Type: start, Payload: q})
			first := map[string]bool{}
			for range 2 {
				m := c.next(&ka)
				require.Contains(t, []string{"next", "data"}, m.Type, string(m.Payload))
				require.NotContains(t, string(m.Payload), `"errors"`)
				first[m.ID] = true
			}
			require.Equal(t, map[string]bool{"progress": true, "viewers": true}, first)
			other := e.dialWS("graphql-transport-ws", map[string]any{"Authorization": "Bearer " + owner})
			require.Equal(t, "connection_ack", other.next(&kaOther).Type)
			other.subscribeProgress("graphql-transport-ws", "1", id)
			other.readProgressOf(&kaOther)

			r := e.query(revoke, vars, bearer(by))
			require.Empty(t, r.Errors)
			require.Contains(t, string(r.Data), "true")
			// An event published after the revocation committed.
			_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET percent = 50 WHERE id = $1", id)
			require.NoError(t, err)
			_, p := other.readProgressOf(&kaOther)
			require.Equal(t, 50.0, p.Percent, "the event was published; the other connection gets it")

			ended := map[string]bool{}
			for {
				_, b, err := c.conn.Read(c.ctx)
				if err != nil {
					require.Equal(t, coderws.StatusCode(4403), coderws.CloseStatus(err), err)
					break
				}
				var m wsMessage
				require.NoError(t, json.Unmarshal(b, &m))
				if m.Type == "ping" || m.Type == "pong" || m.Type == "ka" {
					continue
				}
				require.Equal(t, "error", m.Type, "no event after the revocation: %s", b)
				require.Contains(t, string(m.Payload), `"code":"UNAUTHENTICATED"`)
				require.False(t, ended[m.ID])
				ended[m.ID] = true
			}
			require.Equal(t, map[string]bool{"progress": true, "viewers": true}, ended, "every operation ended with the error")
		})
	}
}

// TestRevocationsMissedWhileTheNotifierReconnectsEndSubscriptions: a
// revocation whose announcement is lost (here: never sent, the trigger
// disabled for the transaction) is found by the check every process runs
// when its notifier reconnects, not an hour later by the periodic one.
func TestRevocationsMissedWhileTheNotifierReconnectsEndSubscriptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("owner@example.com", "Owner")
	session := e.logIn("owner@example.com")
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, false)[0]
	ctx := context.Background()
	_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'PROCESSING', stage = 'probe', percent = 1 WHERE id = $1", id)
	require.NoError(t, err)
	ka := 0
	c := e.dialWS("graphql-transport-ws", map[string]any{"Authorization": "Bearer " + session})
	require.Equal(t, "connection_ack", c.next(&ka).Type)
	c.subscribeProgress("graphql-transport-ws", "1", id)
	c.readProgressOf(&ka)

	tx, err := e.store.Pool().Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "SET LOCAL session_replication_role = replica") // no triggers: no announcement
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL")
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	_, err = e.store.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ~* '^\s*listen\s'`)
	require.NoError(t, err)

	errors := 0
	for {
		_, b, err := c.conn.Read(c.ctx)
		if err != nil {
			require.Equal(t, coderws.StatusCode(4403), coderws.CloseStatus(err), err)
			break
		}
		var m wsMessage
		require.NoError(t, json.Unmarshal(b, &m))
		if m.Type == "ping" || m.Type == "pong" {
			continue
		}
		require.Equal(t, "error", m.Type, string(b))
		require.Contains(t, string(m.Payload), `"code":"UNAUTHENTICATED"`)
		errors++
	}
	require.Equal(t, 1, errors)
}
