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
	conns[0].c.send(wsMessage{ID: "op-0-0", Type: "complete"})
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

func TestLoggedOutSessionsSubscriptionEnds(t *testing.T) {
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

	r := e.query(`mutation { logOut }`, nil, bearer(session))
	require.JSONEq(t, `{"logOut": true}`, string(r.Data))

	// The transport checks open connections' credentials again (every
	// 300 ms in tests) and closes this one with 4403 Forbidden.
	for {
		_, b, err := c.conn.Read(c.ctx)
		if err != nil {
			require.Equal(t, coderws.StatusCode(4403), coderws.CloseStatus(err), err)
			return
		}
		var m wsMessage
		require.NoError(t, json.Unmarshal(b, &m))
		require.Contains(t, []string{"ping", "pong", "next"}, m.Type, string(b))
	}
}
