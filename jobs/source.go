package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/riverqueue/river/rivertype"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// source is a media job's input: a local copy of the upload (fetched once
// per job: in S3 mode, one download) and what probing learned about it.
type source struct {
	// path is a local file with the upload's bytes.
	path string
	// info is the probe result: read from the video's row when the probe
	// job stored one, else from running ffprobe now.
	info media.SourceInfo
	// release removes the local copy when it is a download; call it once
	// the job is done with path.
	release func()
}

// openSource fetches the upload of video id and its probe result. With
// reprobe (the probe job) it always runs ffprobe; otherwise it reuses the
// result stored at probe time and probes only when none can be read (none
// stored, or in a layout this code does not know). Errors are as
// media.Probe returns them: a *media.RejectError for a file that is not a
// usable video, anything else worth a retry.
func openSource(ctx context.Context, deps Deps, id uuid.UUID, reprobe bool) (*source, error) {
	var stored *media.SourceInfo
	if !reprobe {
		info, err := deps.Store.ProbeResult(ctx, id)
		switch {
		case err == nil:
			stored = &info
		case errors.Is(err, store.ErrNoProbeResult):
			deps.Logger.InfoContext(ctx, "no stored probe result; probing the source again", "video_id", id, "reason", err)
		default:
			return nil, err
		}
	}
	path, release, err := deps.Uploads.Source(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("fetch source: %w", err)
	}
	src := &source{path: path, release: release}
	if stored != nil {
		src.info = *stored
		return src, nil
	}
	info, err := media.Probe(ctx, deps.Tools.FFprobe, path)
	if err != nil {
		release()
		return nil, err
	}
	src.info = *info
	return src, nil
}

// A step is one pipeline job's place in processing, as prepare needs it.
type step struct {
	// stage names the step in progress and failure reasons (store.Stage*).
	stage string
	// startPercent, when positive, is recorded as the video's progress once
	// the job starts; steps that inherit their stage and percent from the
	// step before leave it zero, so a retry never moves progress back.
	startPercent float64
	// reprobe runs ffprobe even when a result is stored: the probe job,
	// whose result everything after it relies on.
	reprobe bool
}

// prepared is what prepare gives a pipeline job.
type prepared struct {
	video store.Video
	*source
}

// prepare starts a pipeline job (probe, transcode, thumbnails) on video id:
// it loads the video (cancelling the job when it is gone or no longer
// PROCESSING), records the step's start, and opens the source. The
// returned error is the job's result: a file that is not a usable video
// fails the video at once (reject), other failures are retried and fail
// the video on the last attempt (retryOrFail). Call release when done.
func prepare(ctx context.Context, deps Deps, job *rivertype.JobRow, id uuid.UUID, s step) (*prepared, error) {
	v, err := processingVideo(ctx, deps, id)
	if err != nil {
		return nil, err
	}
	if s.startPercent > 0 {
		if _, err := deps.Store.SetProgress(ctx, id, s.stage, s.startPercent); err != nil {
			return nil, err
		}
	}
	src, err := openSource(ctx, deps, id, s.reprobe)
	if rej, ok := media.AsReject(err); ok {
		return nil, reject(ctx, deps, id, rej.Reason)
	}
	if err != nil {
		return nil, retryOrFail(ctx, deps, job, id, s.stage, err)
	}
	return &prepared{video: v, source: src}, nil
}
