package graph_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

const importVideo = `mutation($in: ImportVideoInput!) {
	importVideo(input: $in) { id title description privacy status processing { stage } } }`

// importVideo needs uploads:write, refuses a bad URL naming the field,
// counts against the uploads per day, and creates the video (UPLOADING at
// stage import) with its download job in one step.
func TestImportVideoCreatesTheVideoAndItsDownloadJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("admin@example.com", "Admin")
	session := e.signUp("creator@example.com", "Creator").Token
	read := e.createToken(session, "read", []string{"VIDEOS_READ"}, nil)
	write := e.createToken(session, "write", []string{"UPLOADS_WRITE"}, nil)
	in := func(url string) map[string]any { return map[string]any{"in": map[string]any{"url": url}} }

	require.Equal(t, "UNAUTHENTICATED", e.query(importVideo, in("https://example.com/a.mp4")).code())
	require.Equal(t, "FORBIDDEN", e.query(importVideo, in("https://example.com/a.mp4"), bearer(read)).code())
	for _, bad := range []string{"", "ftp://example.com/a.mp4", "/a.mp4", "https://user:pw@example.com/a.mp4", "https://example.com:0/a.mp4"} {
		r := e.query(importVideo, in(bad), bearer(write))
		require.Equal(t, "BAD_USER_INPUT", r.code(), bad)
		require.Equal(t, "url", r.Errors[0].Extensions["field"], bad)
	}
	r := e.query(importVideo, map[string]any{"in": map[string]any{"url": "https://example.com/a.mp4", "title": " "}}, bearer(write))
	require.Equal(t, "title", r.Errors[0].Extensions["field"])

	var out struct {
		ImportVideo struct {
			ID, Title, Privacy, Status string
			Description                *string
			Processing                 *struct{ Stage string }
		}
	}
	e.decode(e.query(importVideo, map[string]any{"in": map[string]any{"url": "https://media.example.com/films/Our%20trip.mp4?sig=1",
		"description": "From the archive", "privacy": "UNLISTED"}}, bearer(write)), &out)
	v := out.ImportVideo
	require.Equal(t, "Our trip", v.Title, "the file's name in the URL")
	require.Equal(t, "UNLISTED", v.Privacy)
	require.Equal(t, "From the archive", *v.Description)
	require.Equal(t, "UPLOADING", v.Status)
	require.Nil(t, v.Processing, "not processing yet")

	var kind, stage string
	var args []byte
	require.NoError(t, e.store.Pool().QueryRow(context.Background(),
		`SELECT kind, args FROM river_job WHERE args->>'video_id' = $1`, v.ID).Scan(&kind, &args))
	require.Equal(t, "import", kind)
	require.NoError(t, e.store.Pool().QueryRow(context.Background(), `SELECT stage FROM videos WHERE id = $1`, v.ID).Scan(&stage))
	require.Equal(t, "import", stage, "videoProgress reports the download at stage import")
	var job struct {
		URL          string `json:"url"`
		MaxFileSize  int64  `json:"max_file_size"`
		StorageQuota int64  `json:"storage_quota"`
	}
	require.NoError(t, json.Unmarshal(args, &job))
	require.Equal(t, "https://media.example.com/films/Our%20trip.mp4?sig=1", job.URL)
	require.EqualValues(t, 1<<30, job.MaxFileSize, "the owner's limits go with the job")
	require.EqualValues(t, 2<<30, job.StorageQuota)

	// Five uploads a day: four more imports, then the limit.
	for range 4 {
		require.Empty(t, e.query(importVideo, in("http://example.com/"), bearer(write)).Errors)
	}
	r = e.query(importVideo, in("https://example.com/b.mp4"), bearer(write))
	require.Equal(t, "QUOTA_EXCEEDED", r.code())
	require.Contains(t, r.Errors[0].Message, "5 uploads per 24 hours")
}
