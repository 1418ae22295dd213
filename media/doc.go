// Package media owns everything clipcut does with ffprobe and ffmpeg: probing
// and validating uploads, planning the rendition ladder, building and running
// the single-decode HLS transcode, measuring what was produced, writing HLS
// and WebVTT files, and making posters and storyboards.
//
// It imports no other clipcut package and knows nothing about the database or
// object storage: callers hand it local file paths and get back files,
// values and errors. Every external tool runs as an argv slice without a
// shell, bounded by the caller's context, with its process group killed on
// cancellation.
//
// Errors come in two kinds, so jobs can decide between retrying and giving
// up: a *RejectError means the input itself is unusable (retrying cannot
// help; its Reason is written for the person who uploaded the file), and
// anything else is an operational failure (missing binary, cancelled context,
// full disk) worth retrying.
package media
