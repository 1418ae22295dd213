package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"
)

// TestUploadToReadyWithTheWorkerInAnotherProcess runs clipcut as an API
// process and a separate worker process on one database and one data
// directory, and follows a video from createUpload to READY through the
// videoProgress subscription on the API: the events come from the worker
// through Postgres.
func TestUploadToReadyWithTheWorkerInAnotherProcess(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	api := startClipcutMode(t, dir, "api")
	api.waitReady(t)
	dbURL := "postgres://clipcut@/clipcut?sslmode=disable&host=" + filepath.Join(dir, "var", "pg", "run")
	worker := startClipcutMode(t, dir, "worker", "DATABASE_URL="+dbURL, "CLIPCUT_MEDIA_WORKERS=1", "CLIPCUT_X264_PRESET=ultrafast")
	worker.waitReady(t)

	clip := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=3",
		"-f", "lavfi", "-i", "sine=frequency=300:duration=3",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(clip)
	require.NoError(t, err)

	res, _ := api.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = api.graphql(t, fmt.Sprintf(`mutation { createUpload(input: {title: "Clip", filename: "clip.mp4", size: %d}) { uploadUrl video { id } } }`, len(data)),
		"Authorization", "Bearer "+token)
	created := res["data"].(map[string]any)["createUpload"].(map[string]any)
	uploadURL := created["uploadUrl"].(string)
	id := created["video"].(map[string]any)["id"].(string)
	require.True(t, strings.HasPrefix(uploadURL, "http://"+api.addr+"/uploads/"), uploadURL)

	// Subscribe before sending the bytes, as the web app does.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, _, err := coderws.Dial(ctx, "ws://"+api.addr+"/graphql", &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	defer conn.CloseNow()
	send := func(v any) {
		b, _ := json.Marshal(v)
		require.NoError(t, conn.Write(ctx, coderws.MessageText, b))
	}
	type msg struct {
		ID      string          `json:"id"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	read := func() msg {
		for {
			_, b, err := conn.Read(ctx)
			require.NoError(t, err)
			var m msg
			require.NoError(t, json.Unmarshal(b, &m))
			if m.Type == "ping" {
				send(map[string]string{"type": "pong"})
				continue
			}
			return m
		}
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + token}})
	require.Equal(t, "connection_ack", read().Type)
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($id: ID!) { videoProgress(id: $id) { status stage percent playable error } }`,
		"variables": map[string]any{"id": id}}})

	type progress struct {
		Status, Stage string
		Percent       float64
		Playable      bool
		Error         *string
	}
	next := func() (progress, bool) {
		m := read()
		if m.Type == "complete" {
			return progress{}, false
		}
		require.Equal(t, "next", m.Type, string(m.Payload))
		var body struct {
			Data   struct{ VideoProgress progress }
			Errors []any
		}
		require.NoError(t, json.Unmarshal(m.Payload, &body))
		require.Empty(t, body.Errors)
		return body.Data.VideoProgress, true
	}
	first, ok := next()
	require.True(t, ok)
	require.Equal(t, "UPLOADING", first.Status, "the first event is the current state")

	req, err := http.NewRequest(http.MethodPatch, uploadURL, strings.NewReader(string(data)))
	require.NoError(t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)

	var events []progress
	for {
		p, ok := next()
		if !ok {
			break
		}
		events = append(events, p)
	}
	require.NotEmpty(t, events)
	last := events[len(events)-1]
	require.Equal(t, "READY", last.Status, "events: %+v\nworker log:\n%s", events, worker.log())
	require.EqualValues(t, 100, last.Percent)
	stages := map[string]bool{}
	playableBeforeReady := false
	for _, e := range events {
		stages[e.Stage] = true
		if e.Playable && e.Status == "PROCESSING" {
			playableBeforeReady = true
		}
	}
	require.True(t, stages["transcode"], "stages seen: %v", stages)
	// Whether an event shows the video playable while still PROCESSING
	// depends on which notifications the hub merged; nothing stores when
	// it became playable, so only the final state below is asserted.
	t.Logf("an event showed the video playable before READY: %v", playableBeforeReady)
	// The api process runs no job workers, so the worker process did this.

	res, _ = api.graphql(t, fmt.Sprintf(`{ video(id: %q) { status playable renditions { name width height } } }`, id), "Authorization", "Bearer "+token)
	v := res["data"].(map[string]any)["video"].(map[string]any)
	require.Equal(t, "READY", v["status"])
	require.Equal(t, true, v["playable"])
	require.Len(t, v["renditions"], 2, "360p source: 360p and 240p")

	worker.stop(t)
	api.stop(t)
}
