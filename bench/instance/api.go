package instance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
)

// GraphQL posts one operation and decodes its data into out. GraphQL
// errors come back as an error.
func (c *Client) GraphQL(ctx context.Context, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("graphql: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return readError(resp)
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("graphql: decode response: %w", err)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("graphql: %s (%v)", r.Errors[0].Message, r.Errors[0].Extensions["code"])
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

// SignUp creates an account and keeps its bearer token for later calls.
func (c *Client) SignUp(ctx context.Context, email, password, name string) error {
	var out struct {
		SignUp struct{ Token string } `json:"signUp"`
	}
	err := c.GraphQL(ctx, `mutation($in: SignUpInput!) { signUp(input: $in) { token } }`,
		map[string]any{"in": map[string]any{"email": email, "password": password, "name": name}}, &out)
	if err != nil {
		return fmt.Errorf("sign up: %w", err)
	}
	c.token = out.SignUp.Token
	return nil
}

// Upload is a created upload: the video it will become and the tus URL
// (with its own capability) to send the bytes to.
type Upload struct {
	VideoID string
	URL     string
}

// CreateUpload creates a video and its tus upload of size bytes.
func (c *Client) CreateUpload(ctx context.Context, title, filename string, size int64) (Upload, error) {
	var out struct {
		CreateUpload struct {
			UploadURL string              `json:"uploadUrl"`
			Video     struct{ ID string } `json:"video"`
		} `json:"createUpload"`
	}
	err := c.GraphQL(ctx, `mutation($in: CreateUploadInput!) { createUpload(input: $in) { uploadUrl video { id } } }`,
		map[string]any{"in": map[string]any{"title": title, "filename": filename, "size": size}}, &out)
	if err != nil {
		return Upload{}, fmt.Errorf("create upload: %w", err)
	}
	return Upload{VideoID: out.CreateUpload.Video.ID, URL: out.CreateUpload.UploadURL}, nil
}

// PatchFile sends the whole file to a tus upload URL in one PATCH from
// offset 0 and returns when clipcut answers 204 (the upload is complete
// and processing is queued).
func (c *Client) PatchFile(ctx context.Context, uploadURL, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	// The URL carries its own capability: no credentials, as a phone's
	// tus client would send it.
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, uploadURL, f)
	if err != nil {
		return err
	}
	req.ContentLength = fi.Size()
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("tus patch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return readError(resp)
	}
	if got := resp.Header.Get("Upload-Offset"); got != strconv.FormatInt(fi.Size(), 10) {
		return fmt.Errorf("tus patch: Upload-Offset %q after sending %d bytes", got, fi.Size())
	}
	return nil
}

// Status is GET /api/v1/videos/{id}/status.
type Status struct {
	Status   string  `json:"status"`
	Stage    string  `json:"stage"`
	Percent  float64 `json:"percent"`
	Playable bool    `json:"playable"`
	Error    *string `json:"error"`
}

// VideoStatus fetches a video's processing status.
func (c *Client) VideoStatus(ctx context.Context, id string) (Status, error) {
	req, err := c.newRequest(ctx, http.MethodGet, c.base+"/api/v1/videos/"+id+"/status", nil)
	if err != nil {
		return Status{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Status{}, fmt.Errorf("video status: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Status{}, readError(resp)
	}
	var s Status
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return Status{}, fmt.Errorf("video status: %w", err)
	}
	return s, nil
}
