// Command example uploads a video to clipcut with a personal API token,
// follows its processing live until it is READY, then lists your videos
// with their playback URLs. It uses only the standard library and a
// websocket package: the tus upload is a few plain HTTP requests.
//
//	export CLIPCUT_URL=http://localhost:8080
//	export CLIPCUT_TOKEN=ccp_...   # scopes: uploads:write, videos:read
//	go run ./examples/go video.mp4
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: CLIPCUT_URL=... CLIPCUT_TOKEN=ccp_... example <video file>")
		os.Exit(2)
	}
	c := &client{base: strings.TrimSuffix(os.Getenv("CLIPCUT_URL"), "/"), token: os.Getenv("CLIPCUT_TOKEN")}
	if c.base == "" || c.token == "" {
		fmt.Fprintln(os.Stderr, "set CLIPCUT_URL (for example http://localhost:8080) and CLIPCUT_TOKEN (an API token)")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := run(ctx, c, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c *client, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}

	// 1. Create the video and its upload.
	var created struct {
		CreateUpload struct {
			UploadURL string
			Video     struct{ ID string }
		}
	}
	err = c.graphql(ctx, `mutation($in: CreateUploadInput!) {
		createUpload(input: $in) { uploadUrl video { id } } }`,
		map[string]any{"in": map[string]any{"title": filepath.Base(path), "filename": filepath.Base(path), "size": info.Size()}}, &created)
	if err != nil {
		return fmt.Errorf("createUpload: %w", err)
	}
	id := created.CreateUpload.Video.ID
	fmt.Println("created video", id)

	// 2. Send the bytes with tus (resumable: rerun tusUpload after a
	// failure and it continues from the server's offset).
	if err := tusUpload(ctx, created.CreateUpload.UploadURL, f, info.Size()); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	fmt.Println("uploaded", info.Size(), "bytes")

	// 3. Follow processing until READY.
	if err := c.followProgress(ctx, id); err != nil {
		return err
	}

	// 4. List your videos with where to play them.
	var page struct {
		Me struct {
			Videos struct {
				Edges []struct {
					Node struct {
						ID, Title, Status string
						Playback          *struct {
							HlsURL    string  `json:"hlsUrl"`
							PosterURL *string `json:"posterUrl"`
						}
					}
				}
			}
		}
	}
	err = c.graphql(ctx, `{ me { videos(first: 20) { edges { node {
		id title status playback { hlsUrl posterUrl } } } } } }`, nil, &page)
	if err != nil {
		return fmt.Errorf("list videos: %w", err)
	}
	for _, e := range page.Me.Videos.Edges {
		v := e.Node
		fmt.Printf("video %s %q %s\n", v.ID, v.Title, v.Status)
		if v.Playback != nil {
			fmt.Println("  hls:", v.Playback.HlsURL)
			if v.Playback.PosterURL != nil {
				fmt.Println("  poster:", *v.Playback.PosterURL)
			}
		}
	}
	return nil
}

type client struct {
	base, token string
}

// graphql posts one operation and decodes its data into out. A 429 is
// retried after the Retry-After the server asks for.
func (c *client) graphql(ctx context.Context, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			resp.Body.Close()
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			fmt.Fprintf(os.Stderr, "rate limited; retrying in %ds\n", wait)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(max(wait, 1)) * time.Second):
			}
			continue
		}
		var res struct {
			Data   json.RawMessage
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("%s (%s)", res.Errors[0].Message, res.Errors[0].Extensions.Code)
		}
		return json.Unmarshal(res.Data, out)
	}
}

// tusUpload sends r to a created tus upload: HEAD for the offset already
// stored, then PATCH the rest in chunks. The upload URL carries its own
// authorization, so no token is sent.
func tusUpload(ctx context.Context, url string, r io.ReadSeeker, size int64) error {
	const chunk = 8 << 20
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HEAD: HTTP %d", resp.StatusCode)
	}
	offset, err := strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		return fmt.Errorf("HEAD: bad Upload-Offset: %w", err)
	}
	for offset < size {
		if _, err := r.Seek(offset, io.SeekStart); err != nil {
			return err
		}
		n := min(chunk, size-offset)
		req, err := http.NewRequestWithContext(ctx, http.MethodPatch, url, io.LimitReader(r, n))
		if err != nil {
			return err
		}
		req.ContentLength = n
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			return fmt.Errorf("PATCH at %d: HTTP %d: %s", offset, resp.StatusCode, bytes.TrimSpace(msg))
		}
		if offset, err = strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64); err != nil {
			return fmt.Errorf("PATCH: bad Upload-Offset: %w", err)
		}
	}
	return nil
}

// followProgress subscribes to videoProgress over graphql-transport-ws
// and prints each event until the video is READY (or fails).
func (c *client) followProgress(ctx context.Context, id string) error {
	wsURL := "ws" + strings.TrimPrefix(c.base, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	defer conn.CloseNow()
	send := func(v any) error {
		b, _ := json.Marshal(v)
		return conn.Write(ctx, websocket.MessageText, b)
	}
	if err := send(map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + c.token}}); err != nil {
		return err
	}
	err = send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($id: ID!) { videoProgress(id: $id) { status stage percent playable error } }`,
		"variables": map[string]any{"id": id},
	}})
	if err != nil {
		return err
	}
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return fmt.Errorf("subscription: %w", err)
		}
		var m struct {
			Type    string
			Payload json.RawMessage
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		switch m.Type {
		case "ping":
			_ = send(map[string]string{"type": "pong"})
		case "next":
			var p struct {
				Data struct {
					VideoProgress struct {
						Status, Stage string
						Percent       float64
						Playable      bool
						Error         *string
					}
				}
				Errors []struct{ Message string }
			}
			if err := json.Unmarshal(m.Payload, &p); err != nil {
				return err
			}
			if len(p.Errors) > 0 {
				return errors.New(p.Errors[0].Message)
			}
			e := p.Data.VideoProgress
			fmt.Printf("progress %s %s %.0f%% playable=%t\n", e.Status, e.Stage, e.Percent, e.Playable)
			switch e.Status {
			case "READY":
				_ = conn.Close(websocket.StatusNormalClosure, "")
				return nil
			case "FAILED":
				return fmt.Errorf("processing failed: %s", *e.Error)
			}
		case "error":
			return fmt.Errorf("subscription refused: %s", m.Payload)
		case "complete":
			return errors.New("the subscription ended before the video was READY")
		}
	}
}
