// Package media owns everything clipcut does with ffprobe and ffmpeg: probing
// and validating uploads, planning the rendition ladder, building and running
// the single-decode HLS transcode, measuring what was produced, writing HLS
// and WebVTT files, making posters and storyboards, and cutting: clips, and
// edits by smart cut.
//
// Smart cut (smartcut.go) edits a transcoded video by keeping ranges of it:
// the HLS segments lying wholly inside a kept range are reused, and only the
// part of a segment a cut falls in is encoded again, per rung, with the
// rung's own encoder settings. The edited rendition is a playlist that
// references the original's segments, with EXT-X-DISCONTINUITY where
// timestamps jump, rather than remuxed copies of them: no storage and no
// I/O per edit (an hour-long video is edited in seconds), at the price of
// discontinuities at the seams, which VOD players cross seamlessly, and a
// tie to the original's segment names, which never change once a video is
// READY.
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
