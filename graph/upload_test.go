package graph_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const createUpload = `mutation($in: CreateUploadInput!) {
	createUpload(input: $in) { uploadUrl uploadExpiresAt video { id title status processing { stage } renditions { name } } } }`

func TestCreateUploadReturnsAWorkingCapabilityURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("admin@example.com", "Admin")
	u := e.signUp("creator@example.com", "Creator")

	r := e.query(createUpload, map[string]any{"in": map[string]any{"title": "Trip", "filename": "trip.mp4", "size": 5_000_000_000}}, bearer(u.Token))
	require.Equal(t, "QUOTA_EXCEEDED", r.code(), "over the 1 GiB per-file limit")
	require.Contains(t, r.Errors[0].Message, "1 GiB")
	require.Equal(t, "size", r.Errors[0].Extensions["field"])

	r = e.query(createUpload, map[string]any{"in": map[string]any{"title": " ", "size": 10}}, bearer(u.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Equal(t, "title", r.Errors[0].Extensions["field"])
	require.Equal(t, "UNAUTHENTICATED", e.query(createUpload, map[string]any{"in": map[string]any{"title": "t", "size": 10}}).code())

	var out struct {
		CreateUpload struct {
			UploadURL string
			Video     struct {
				ID, Title, Status string
				Processing        *struct{ Stage string }
				Renditions        []struct{ Name string }
			}
		}
	}
	e.decode(e.query(createUpload, map[string]any{"in": map[string]any{"title": "Trip", "filename": "trip.mp4", "size": 4}}, bearer(u.Token)), &out)
	v := out.CreateUpload.Video
	require.Equal(t, "UPLOADING", v.Status)
	require.Nil(t, v.Processing)
	require.Empty(t, v.Renditions)
	url := out.CreateUpload.UploadURL
	require.True(t, strings.HasPrefix(url, e.srv.URL+"/uploads/"+v.ID+"?sig="), url)

	// A stock tus PATCH to that URL, with no credentials, completes it.
	req, err := http.NewRequest(http.MethodPatch, url, strings.NewReader("data"))
	require.NoError(t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)

	var after struct {
		Video struct {
			Status     string
			Processing struct{ Stage string }
		}
	}
	e.decode(e.query(`query($id: ID!) { video(id: $id) { status processing { stage } } }`, map[string]any{"id": v.ID}, bearer(u.Token)), &after)
	require.Equal(t, "PROCESSING", after.Video.Status)
	require.Equal(t, "queued", after.Video.Processing.Stage)
}

func TestDeleteVideoQueuesRemovalOfItsFilesAndRetryNeedsAFinishedVideo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	ids := e.makeVideos("owner@example.com", 1, "PUBLIC", true)
	const retry = `mutation($id: ID!) { retryProcessing(id: $id) { status processing { stage } } }`

	r := e.query(retry, map[string]any{"id": ids[0]}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Contains(t, r.Errors[0].Message, "no finished upload")
	_, err := e.store.Pool().Exec(context.Background(), "UPDATE videos SET uploaded_at = now(), status = 'FAILED' WHERE id = $1", ids[0])
	require.NoError(t, err)
	var out struct {
		RetryProcessing struct {
			Status     string
			Processing struct{ Stage string }
		}
	}
	e.decode(e.query(retry, map[string]any{"id": ids[0]}, bearer(owner.Token)), &out)
	require.Equal(t, "PROCESSING", out.RetryProcessing.Status)
	r = e.query(retry, map[string]any{"id": ids[0]}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code(), "already processing")

	r = e.query(`mutation($id: ID!) { deleteVideo(id: $id) }`, map[string]any{"id": ids[0]}, bearer(owner.Token))
	require.JSONEq(t, `{"deleteVideo": true}`, string(r.Data))
	var kinds []string
	rows, err := e.store.Pool().Query(context.Background(), "SELECT kind FROM river_job WHERE args->>'video_id' = $1 ORDER BY id", ids[0])
	require.NoError(t, err)
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		kinds = append(kinds, k)
	}
	require.Equal(t, []string{"probe", "delete_media"}, kinds, "the retry's probe, then the deletion, queued with the row change")
}

func TestCreateUploadForIntegrators(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("admin@example.com", "Admin")
	u := e.signUp("creator@example.com", "Creator")
	const create = `mutation($in: CreateUploadInput!) {
		createUpload(input: $in) { uploadUrl video { id passthrough retryable upload { offset size } } } }`
	type payload struct {
		CreateUpload struct {
			UploadURL string
			Video     struct {
				ID          string
				Passthrough *string
				Retryable   bool
				Upload      *struct{ Offset, Size int64 }
			}
		}
	}
	in := map[string]any{"title": "Trip", "filename": "trip.mp4", "size": 1000, "passthrough": "order:42", "idempotencyKey": "k-1"}
	var first, again payload
	e.decode(e.query(create, map[string]any{"in": in}, bearer(u.Token)), &first)
	e.decode(e.query(create, map[string]any{"in": in}, bearer(u.Token)), &again)
	v := first.CreateUpload.Video
	require.Equal(t, "order:42", *v.Passthrough)
	require.False(t, v.Retryable)
	require.NotNil(t, v.Upload)
	require.Equal(t, int64(1000), v.Upload.Size)
	require.Equal(t, v.ID, again.CreateUpload.Video.ID, "the same key gives the same video")
	require.Equal(t, first.CreateUpload.UploadURL, again.CreateUpload.UploadURL)

	in["passthrough"] = strings.Repeat("x", 256)
	in["idempotencyKey"] = "k-2"
	r := e.query(create, map[string]any{"in": in}, bearer(u.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Equal(t, "passthrough", r.Errors[0].Extensions["field"])

	const unfinished = `query($f: String!, $s: Int64!) { unfinishedUpload(filename: $f, size: $s) { uploadUrl offset size video { id } } }`
	var found struct {
		UnfinishedUpload *struct {
			UploadURL    string
			Offset, Size int64
			Video        struct{ ID string }
		}
	}
	e.decode(e.query(unfinished, map[string]any{"f": "trip.mp4", "s": 1000}, bearer(u.Token)), &found)
	require.NotNil(t, found.UnfinishedUpload)
	require.Equal(t, v.ID, found.UnfinishedUpload.Video.ID)
	require.Equal(t, int64(1000), found.UnfinishedUpload.Size)
	require.True(t, strings.HasPrefix(found.UnfinishedUpload.UploadURL, e.srv.URL+"/uploads/"+v.ID+"?sig="))
	e.decode(e.query(unfinished, map[string]any{"f": "trip.mp4", "s": 999}, bearer(u.Token)), &found)
	require.Nil(t, found.UnfinishedUpload)
}
