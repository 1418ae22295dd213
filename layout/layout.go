// Package layout owns the media layout: it names every object clipcut
// stores for a video and turns storage keys into the URL paths players
// fetch them at. Nothing else spells "videos/<id>/..." or takes a path
// apart; this package imports no other clipcut package.
//
// A video's objects live under one prefix:
//
//	videos/<id>/hls/master.m3u8               HLS master playlist
//	videos/<id>/hls/<rendition>/index.m3u8    a rendition's playlist and its segments
//	videos/<id>/hls/<rendition>/edit-<n>.m3u8 an edit's playlist (edit-<n>-<k>.ts: its re-encoded pieces)
//	videos/<id>/hls/subs/<name>.vtt|.m3u8     subtitles as HLS renditions
//	videos/<id>/poster.jpg                    poster (poster-<hex>.jpg: one picked later)
//	videos/<id>/preview-<hex>.webp            animated preview for cards
//	videos/<id>/storyboard/...                storyboard sprites and their WebVTT map
//	videos/<id>/subtitles/<name>.vtt|.srt     subtitle files for download
//	videos/<id>/downloads/<rendition>.mp4     progressive MP4 downloads
//
// and are served at the same path under /media/: publicly as
// /media/videos/<id>/<object> (PUBLIC videos), through the video's public
// id as /media/u/<public id>/<object> (PUBLIC and UNLISTED videos; the
// older /media/u/<public id>/videos/<id>/<object> is still served, but
// it shows the video id, which strangers must not learn), or signed as
// /media/t/<token>/videos/<id>/<object> (any).
package layout

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// root is the first segment of every video's storage prefix.
const root = "videos/"

// BasePath is where media is served: every object's URL path starts with it.
const BasePath = "/media/"

// Prefix is the storage prefix holding everything stored for video id,
// "videos/<id>", without a trailing slash (the argument storage's
// DeletePrefix takes).
func Prefix(id uuid.UUID) string { return root + id.String() }

// HLSPrefix holds the video's HLS playlists and segments.
func HLSPrefix(id uuid.UUID) string { return Prefix(id) + "/hls" }

// MasterName is the master playlist's name inside HLSPrefix.
const MasterName = "master.m3u8"

// Master is the key of the video's HLS master playlist.
func Master(id uuid.UUID) string { return HLSPrefix(id) + "/" + MasterName }

// RenditionPrefix holds one rendition's playlist and segments.
func RenditionPrefix(id uuid.UUID, rendition string) string {
	return HLSPrefix(id) + "/" + rendition
}

// HLSSubtitles is the key of a subtitle file made for HLS (a WebVTT with
// the stream's timestamp map, or its one-entry playlist); file is
// "<name>.vtt" or "<name>.m3u8".
func HLSSubtitles(id uuid.UUID, file string) string { return HLSPrefix(id) + "/subs/" + file }

// Poster is the key of the video's poster image.
func Poster(id uuid.UUID) string { return Prefix(id) + "/poster.jpg" }

// StoryboardPrefix holds the storyboard's sprite sheets and WebVTT map.
func StoryboardPrefix(id uuid.UUID) string { return Prefix(id) + "/storyboard" }

// Subtitles is the key of a subtitle file offered for download; file is
// "<name>.vtt" or "<name>.srt".
func Subtitles(id uuid.UUID, file string) string { return Prefix(id) + "/subtitles/" + file }

// ChunkWork is the prefix of a chunked transcode's intermediate objects
// (the audio pieces every chunk copies): under the video's prefix, so
// deleting the video removes them, and outside its HLS, so nothing serves
// them. The transcode removes it once the renditions are assembled.
func ChunkWork(id uuid.UUID) string { return Prefix(id) + "/chunks" }

// Download is the key of the progressive MP4 of a rendition.
func Download(id uuid.UUID, rendition string) string {
	return Prefix(id) + "/downloads/" + rendition + ".mp4"
}

// Rel is key relative to video id's prefix ("hls/master.m3u8"), and false
// when key is not one of that video's objects.
func Rel(id uuid.UUID, key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, Prefix(id)+"/")
	return rest, ok && rest != ""
}

// PublicPath is the URL path under which anyone may fetch the media of a
// PUBLIC video: "/media/videos/<id>", no trailing slash. Append "/" and
// an object's path relative to the video (see Rel).
func PublicPath(id uuid.UUID) string { return BasePath + Prefix(id) }

// UnlistedPath is the older URL path under which anyone who knows its
// public id may fetch the media of an UNLISTED (or PUBLIC) video:
// "/media/u/<public id>/videos/<id>", no trailing slash. It shows the
// video id, so links handed out now use PublicIDPath; this form is still
// served for links made before. The public id is the capability; the storage key stays the video id's, so objects
// are not moved when the public id changes, and playlists, which name
// their objects relative to themselves, serve every form.
func UnlistedPath(publicID string, id uuid.UUID) string {
	return BasePath + unlistedMark + publicID + "/" + Prefix(id)
}

// PublicIDPath is the URL path under which anyone who knows its public id
// may fetch the media of an UNLISTED (or PUBLIC) video without learning
// its video id: "/media/u/<public id>", no trailing slash. It is a prefix
// for URL like the others (URL(PublicIDPath(pid), id, key)); the server
// resolves the public id to the video, so a rotated public id stops
// opening it.
func PublicIDPath(publicID string) string {
	return BasePath + unlistedMark + publicID
}

// unlistedMark starts the path segments of UnlistedPath and PublicIDPath
// after BasePath.
const unlistedMark = "u/"

// PublicWatchPath is the app's watch page of a video shared by its public
// id, "/watch/<public id>" (the page takes a video id too).
func PublicWatchPath(publicID string) string { return "/watch/" + publicID }

// PublicEmbedPath is the embed page of a video shared by its public id,
// "/embed/<public id>" (the page takes a video id too).
func PublicEmbedPath(publicID string) string { return "/embed/" + publicID }

// PublicIDLen is the length of a public id: 128 bits in unpadded
// base64url.
const PublicIDLen = 22

// IsPublicID reports whether s has the shape of a public id: PublicIDLen
// base64url characters. (A video id, 36 characters with dashes, never
// has it, so pages taking either tell them apart by shape.)
func IsPublicID(s string) bool {
	if len(s) != PublicIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// SignedPath is the URL path under which the holder of token (a signed
// media token for the video) may fetch its media whatever its privacy:
// "/media/t/<token>/videos/<id>", no trailing slash.
func SignedPath(token string, id uuid.UUID) string {
	return BasePath + "t/" + token + "/" + Prefix(id)
}

// URL is the URL of stored object key under prefix, a video's public or
// signed path (possibly absolute, behind a base URL); "" when key is not
// one of video id's objects.
func URL(prefix string, id uuid.UUID, key string) string {
	rel, ok := Rel(id, key)
	if !ok {
		return ""
	}
	return prefix + "/" + rel
}

// PosterVersion is the key of a poster chosen after processing (a frame
// picked with setPoster), "poster-<version>.jpg" beside Poster: posters
// are served immutable, so a new choice needs a new name. version is a
// short hex digest of the image.
func PosterVersion(id uuid.UUID, version string) string {
	return Prefix(id) + "/poster-" + version + ".jpg"
}

// Preview is the key of the video's animated WebP preview (cards play it
// on hover), "preview-<version>.webp": like posters, previews are served
// immutable and remade when an edit changes the video, so each is named
// by a short hex digest of its bytes.
func Preview(id uuid.UUID, version string) string {
	return Prefix(id) + "/preview-" + version + ".webp"
}

// EditPlaylist is the key of rendition's media playlist in edit seq of
// video id (editVideo). It sits beside the rendition's own segments, which
// it references by name; each edit has its own name, since playlists of
// finished videos are cached for a day.
func EditPlaylist(id uuid.UUID, rendition string, seq int64) string {
	return RenditionPrefix(id, rendition) + "/edit-" + strconv.FormatInt(seq, 10) + ".m3u8"
}

// EditPiece is the key of the n-th segment re-encoded for edit seq of
// video id in rendition (the part of a segment a cut falls in).
func EditPiece(id uuid.UUID, rendition string, seq int64, n int) string {
	return RenditionPrefix(id, rendition) + "/edit-" + strconv.FormatInt(seq, 10) + "-" + strconv.Itoa(n) + ".ts"
}

// EditStoryboard is the key of the storyboard's WebVTT map in edit seq of
// video id: the original's sprite sheets, timed for the edit.
func EditStoryboard(id uuid.UUID, seq int64) string {
	return StoryboardPrefix(id) + "/storyboard-edit-" + strconv.FormatInt(seq, 10) + ".vtt"
}

// ChaptersTrack is the key of the video's chapters as a WebVTT chapters
// track, "subtitles/chapters-<version>.vtt" (version: a short hex digest
// of the file), so a change of chapters is a new object. It sits with the
// subtitle files, where /media serves WebVTT; no language tag is spelled
// "chapters-...".
func ChaptersTrack(id uuid.UUID, version string) string {
	return Subtitles(id, "chapters-"+version+".vtt")
}
