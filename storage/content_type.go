package storage

import (
	"mime"
	"path"
	"strings"
)

// mediaTypes names the types of the files clipcut writes. They are fixed
// here rather than taken from mime.TypeByExtension, whose answers depend on
// the host's /etc/mime.types and often lack HLS and WebVTT.
var mediaTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".ts":   "video/mp2t",
	".m4s":  "video/iso.segment",
	".mp4":  "video/mp4",
	".m4a":  "audio/mp4",
	".webm": "video/webm",
	".mkv":  "video/x-matroska",
	".mov":  "video/quicktime",
	".vtt":  "text/vtt",
	".srt":  "application/x-subrip",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".webp": "image/webp",
	".json": "application/json",
}

const defaultContentType = "application/octet-stream"

// contentTypeFor returns contentType, or when it is empty the type that
// key's extension implies.
func contentTypeFor(key, contentType string) string {
	if contentType != "" {
		return contentType
	}
	ext := strings.ToLower(path.Ext(key))
	if t, ok := mediaTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return defaultContentType
}
