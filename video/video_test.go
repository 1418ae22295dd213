package video_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
	"github.com/clipcut/clipcut/video"
	"github.com/clipcut/clipcut/webhook"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is the service on a database of its own, with River's real insert
// path (no workers: tests look at the queue) and media on local disk.
type env struct {
	t      *testing.T
	store  *store.Store
	media  storage.Bucket
	videos *video.Service
	owner  store.Viewer
	other  store.Viewer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := storetest.NewStore(t)
	client, err := river.NewClient(riverpgxv5.New(st.Pool()), &river.Config{})
	require.NoError(t, err)
	bucket, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	e := &env{t: t, store: st, media: bucket,
		videos: video.New(video.Config{Store: st, Media: bucket, Queue: jobs.NewQueue(client)})}
	e.owner, e.other = e.user("owner@example.com"), e.user("other@example.com")
	return e
}

func (e *env) user(email string) store.Viewer {
	e.t.Helper()
	u, err := e.store.CreateUser(context.Background(), email, "U", "hash")
	require.NoError(e.t, err)
	return store.Viewer{UserID: u.ID}
}

// upload creates a PUBLIC video whose upload has not finished.
func (e *env) upload() store.Video {
	e.t.Helper()
	v, err := e.videos.CreateUpload(context.Background(), store.NewUpload{OwnerID: e.owner.UserID, Title: "Clip",
		Size: 1000, ExpiresAt: time.Now().Add(time.Hour)}, store.Limits{})
	require.NoError(e.t, err)
	require.Equal(e.t, store.StatusUploading, v.Status)
	return v
}

// jobKinds lists the kinds of the jobs queued for a video, oldest first.
func (e *env) jobKinds(key string, id uuid.UUID) []string {
	e.t.Helper()
	rows, err := e.store.Pool().Query(context.Background(),
		"SELECT kind FROM river_job WHERE args->>'"+key+"' = $1 ORDER BY id", id.String())
	require.NoError(e.t, err)
	kinds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(e.t, err)
	return kinds
}

func (e *env) status(id uuid.UUID) string {
	e.t.Helper()
	v, err := e.store.VideoByID(context.Background(), id)
	require.NoError(e.t, err)
	return v.Status
}

func TestStartProcessingQueuesTheProbeWithTheStatusChangeOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	v := e.upload()
	require.NoError(t, e.videos.StartProcessing(ctx, v.ID))
	require.NoError(t, e.videos.StartProcessing(ctx, v.ID), "a second finish (the sweeper) is harmless")
	require.Equal(t, store.StatusProcessing, e.status(v.ID))
	require.Equal(t, []string{jobs.ProbeArgs{}.Kind()}, e.jobKinds("video_id", v.ID))

	require.NoError(t, e.videos.StartProcessing(ctx, uuid.New()), "an unknown video is not an error")
}

func TestRetryProcessing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	v := e.upload()

	_, err := e.videos.RetryProcessing(ctx, v.ID, e.owner)
	var se *video.StateError
	require.ErrorAs(t, err, &se, "an upload still arriving cannot be retried")
	require.Equal(t, store.StatusUploading, se.Status)
	require.Contains(t, se.Message, "only a FAILED or READY video")

	require.NoError(t, e.videos.StartProcessing(ctx, v.ID))
	require.NoError(t, e.store.MarkFailed(ctx, v.ID, "broken"))
	_, err = e.videos.RetryProcessing(ctx, v.ID, e.other)
	require.ErrorIs(t, err, store.ErrForbidden)
	_, err = e.videos.RetryProcessing(ctx, uuid.New(), e.owner)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.Equal(t, store.StatusFailed, e.status(v.ID))

	got, err := e.videos.RetryProcessing(ctx, v.ID, e.owner)
	require.NoError(t, err)
	require.Equal(t, store.StatusProcessing, got.Status)
	require.Nil(t, got.Error)
	probe := jobs.ProbeArgs{}.Kind()
	require.Equal(t, []string{probe, probe}, e.jobKinds("video_id", v.ID))

	// A video whose upload never finished has nothing to process again.
	expired := e.upload()
	require.NoError(t, e.store.MarkFailed(ctx, expired.ID, "expired"))
	_, err = e.videos.RetryProcessing(ctx, expired.ID, e.owner)
	require.ErrorAs(t, err, &se)
	require.Contains(t, se.Message, "no finished upload")
	require.Empty(t, e.jobKinds("video_id", expired.ID))
}

func TestUpdateAndDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	v := e.upload()
	title, private := "New title", store.PrivacyPrivate
	_, err := e.videos.Update(ctx, v.ID, e.other, store.VideoChanges{Title: &title})
	require.ErrorIs(t, err, store.ErrForbidden)
	got, err := e.videos.Update(ctx, v.ID, e.owner, store.VideoChanges{Title: &title, Privacy: &private})
	require.NoError(t, err)
	require.Equal(t, title, got.Title)
	require.Equal(t, store.PrivacyPrivate, got.Privacy)

	require.NoError(t, e.store.SetUploadID(ctx, v.ID, "upload-1"))
	require.ErrorIs(t, e.videos.Delete(ctx, v.ID, e.other), store.ErrNotFound, "a private video is invisible to others")
	require.Empty(t, e.jobKinds("video_id", v.ID), "nothing queued for a refused deletion")
	require.NoError(t, e.videos.Delete(ctx, v.ID, e.owner))
	_, err = e.store.VideoByID(ctx, v.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	var uploadID string
	require.NoError(t, e.store.Pool().QueryRow(ctx,
		"SELECT args->>'upload_id' FROM river_job WHERE kind = $1 AND args->>'video_id' = $2",
		jobs.DeleteMediaArgs{}.Kind(), v.ID.String()).Scan(&uploadID), "the media removal was queued with the deletion")
	require.Equal(t, "upload-1", uploadID)

	// An upload that never finished is discarded without a job.
	u := e.upload()
	require.NoError(t, e.videos.DiscardUpload(ctx, u.ID, e.owner))
	require.NoError(t, e.videos.DiscardUpload(ctx, u.ID, e.owner), "gone already")
	require.Empty(t, e.jobKinds("video_id", u.ID))
}

// transcoded makes a READY video with one rendition, as processing leaves it.
func (e *env) transcoded() store.Video {
	e.t.Helper()
	ctx := context.Background()
	v := e.upload()
	require.NoError(e.t, e.videos.StartProcessing(ctx, v.ID))
	require.NoError(e.t, e.store.InTx(ctx, func(tx pgx.Tx) error {
		if err := e.store.SetRenditionsTx(ctx, tx, v.ID, []store.Rendition{{Name: "360p", Width: 640, Height: 360,
			Bandwidth: 800000, AverageBandwidth: 700000, Codecs: "avc1.64001e,mp4a.40.2", FrameRate: 25,
			Playlist: layout.RenditionPrefix(v.ID, "360p") + "/index.m3u8", StartTime: 1.4}}, nil); err != nil {
			return err
		}
		return e.store.MarkReadyTx(ctx, tx, v.ID)
	}))
	v, err := e.store.VideoByID(ctx, v.ID)
	require.NoError(e.t, err)
	require.Equal(e.t, store.StatusReady, v.Status)
	return v
}

func (e *env) read(key string) string {
	e.t.Helper()
	rc, _, err := e.media.Get(context.Background(), key)
	require.NoError(e.t, err, key)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(e.t, err)
	return string(b)
}

func TestSubtitlesArePublishedUnderVersionedNamesInTheMasterPlaylist(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	v := e.transcoded()
	engine := "sphinx"
	cues := []media.Cue{{Start: time.Second, End: 2 * time.Second, Text: "Hello rivers"}}
	require.NoError(t, e.videos.SaveSubtitles(ctx, v, video.Track{Language: "en", Label: "English (auto-generated)",
		Provenance: store.ProvenanceGenerated, Engine: &engine}, cues))
	generated, err := e.store.SubtitleTrack(ctx, v.ID, "en")
	require.NoError(t, err)
	require.Regexp(t, `^`+layout.Prefix(v.ID)+`/subtitles/en\.[0-9a-f]{10}\.vtt$`, generated.VTTKey)
	name := strings.TrimSuffix(generated.VTTKey[strings.LastIndex(generated.VTTKey, "/")+1:], ".vtt")
	master := e.read(layout.Master(v.ID))
	require.Contains(t, master, "TYPE=SUBTITLES")
	require.Contains(t, master, `URI="subs/`+name+`.m3u8"`)
	require.Contains(t, master, "360p/index.m3u8")
	require.Contains(t, e.read(layout.HLSSubtitles(v.ID, name+".m3u8")), name+".vtt")
	require.Contains(t, e.read(layout.HLSSubtitles(v.ID, name+".vtt")), "X-TIMESTAMP-MAP=MPEGTS:")
	require.Contains(t, e.read(generated.SRTKey), "Hello rivers")

	// The owner's edit of a generated track is EDITED, loses the
	// "(auto-generated)" label, and replaces the old files.
	_, err = e.videos.EditSubtitles(ctx, v.ID, e.other, "en", cues)
	require.ErrorIs(t, err, store.ErrForbidden)
	edited, err := e.videos.EditSubtitles(ctx, v.ID, e.owner, "en", []media.Cue{{Start: time.Second, End: 3 * time.Second, Text: "Hello, rivers."}})
	require.NoError(t, err)
	require.Equal(t, store.ProvenanceEdited, edited.Provenance)
	require.Equal(t, "English", edited.Label)
	require.NotEqual(t, generated.VTTKey, edited.VTTKey)
	for _, gone := range []string{generated.VTTKey, generated.SRTKey, layout.HLSSubtitles(v.ID, name+".vtt"), layout.HLSSubtitles(v.ID, name+".m3u8")} {
		_, err := e.media.Stat(ctx, gone)
		require.ErrorIs(t, err, storage.ErrNotExist, gone)
	}

	// An uploaded track stays UPLOADED when edited; both tracks are listed.
	up, err := e.videos.UploadSubtitles(ctx, v.ID, e.owner, "fr", "", cues)
	require.NoError(t, err)
	require.Equal(t, store.ProvenanceUploaded, up.Provenance)
	require.Equal(t, media.LanguageName("fr"), up.Label)
	up, err = e.videos.EditSubtitles(ctx, v.ID, e.owner, "fr", cues)
	require.NoError(t, err)
	require.Equal(t, store.ProvenanceUploaded, up.Provenance)
	master = e.read(layout.Master(v.ID))
	require.Equal(t, 2, strings.Count(master, "TYPE=SUBTITLES"), master)
}

func TestRegenerateSubtitlesNeedsAReadyVideoAndQueuesTheJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	uploading := e.upload()
	_, err := e.videos.RegenerateSubtitles(ctx, uploading.ID, e.owner)
	var se *video.StateError
	require.ErrorAs(t, err, &se)
	require.Equal(t, store.StatusUploading, se.Status)
	require.Empty(t, e.jobKinds("video_id", uploading.ID))

	v := e.transcoded()
	_, err = e.videos.RegenerateSubtitles(ctx, v.ID, e.other)
	require.ErrorIs(t, err, store.ErrForbidden)
	got, err := e.videos.RegenerateSubtitles(ctx, v.ID, e.owner)
	require.NoError(t, err)
	require.Equal(t, store.SubtitlesPending, got.SubtitlesStatus)
	status, _, err := e.store.SubtitlesStatus(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, store.SubtitlesPending, status)
	require.Equal(t, []string{jobs.ProbeArgs{}.Kind(), jobs.SubtitlesArgs{}.Kind()}, e.jobKinds("video_id", v.ID))
}

func TestWebhookTestSendAndRedelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	hook, err := e.store.CreateWebhook(ctx, e.owner.UserID, "https://example.com/hook", []string{webhook.VideoCreated}, webhook.NewSecret())
	require.NoError(t, err)
	_, err = e.videos.SendTestWebhook(ctx, hook.ID, e.other.UserID)
	require.ErrorIs(t, err, store.ErrNotFound, "not someone else's webhook")

	d, err := e.videos.SendTestWebhook(ctx, hook.ID, e.owner.UserID)
	require.NoError(t, err)
	require.Equal(t, webhook.Test, d.EventType)
	require.Equal(t, store.DeliveryPending, d.Status)
	require.Equal(t, []string{jobs.WebhookDeliveryArgs{}.Kind()}, e.jobKinds("delivery_id", d.ID))

	_, err = e.videos.RedeliverWebhook(ctx, d.ID, e.owner.UserID)
	require.ErrorIs(t, err, store.ErrDeliveryPending, "a pending delivery is not queued twice")
	require.NoError(t, e.store.FailDelivery(ctx, d.ID, "gave up"))
	_, err = e.videos.RedeliverWebhook(ctx, d.ID, e.other.UserID)
	require.ErrorIs(t, err, store.ErrNotFound)
	again, err := e.videos.RedeliverWebhook(ctx, d.ID, e.owner.UserID)
	require.NoError(t, err)
	require.Equal(t, store.DeliveryPending, again.Status)
	require.Len(t, e.jobKinds("delivery_id", d.ID), 2)
}
