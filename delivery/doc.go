// Package delivery serves a video's media to players: HLS master and media
// playlists, segments, posters, storyboards, subtitles and MP4 downloads,
// read from the media bucket and authorized by URL alone, so that any
// origin's player, and a CDN in front of it, can fetch them.
//
// # URL scheme
//
// The handler is mounted at BasePath ("/media/") and answers four forms:
//
//	/media/videos/<id>/<rest>                public videos
//	/media/u/<public id>/<rest>              public and unlisted videos, by their current public id
//	/media/u/<public id>/videos/<id>/<rest>  the same, older form (it shows the video id)
//	/media/t/<token>/videos/<id>/<rest>      any video; required for private ones
//
// The video id is no secret (webhooks and REST carry it), so it opens
// only PUBLIC videos; an UNLISTED video's media is reached through its
// public id (layout.PublicIDPath), which its owner can replace
// (rotatePublicId): a path with any other public id is 404 at once, on
// every replica (Handler.ForgetVideo, called from the notifier). The
// form without a video id is resolved through Config.ResolvePublicID,
// cached by public id; the video's current public id is then compared
// as for the older form, so a resolved id that was rotated away opens
// nothing.
// layout.ParsePath takes the path apart: <id> is the video's UUID in
// canonical lowercase form, and <rest> names an object under the video's
// storage prefix "videos/<id>/": a valid storage key whose first segment
// is hls, poster.jpg, storyboard, subtitles or downloads, with a known
// media extension (.m3u8, .ts, .m4s, .mp4, .jpg, .vtt, .srt). Nothing
// else in the bucket (uploads, other prefixes) is reachable.
//
// <token> is auth.Signer.Sign("media:<id>", expiry). Because it is a path
// prefix rather than a query parameter, the relative URIs inside playlists
// ("720p/index.m3u8", "seg_00001.ts", "sprite_000.jpg#xywh=...") resolve
// under it: the token rides along on every playlist-to-segment hop without
// the player knowing, and it is part of any CDN's cache key. It grants the
// whole video until it expires. Public paths come from layout.PublicPath;
// SignedPath signs and returns the token and the path apart:
//
//	token, path := delivery.SignedPath(signer, id, time.Now().Add(6*time.Hour))
//	url := path + "/hls/master.m3u8"
//
// # Answers
//
// A path that does not parse, leaves the allowed set, or names an unknown
// video or object is 404. A token that fails verification (forged,
// truncated, malformed, expired, signed by a retired key, made for another
// video) is 403, as is a private video requested without one; the token is checked
// before the video is looked up, so forged links cost no query. Every response carries Access-Control-Allow-Origin: * (media is
// never authorized by cookies, so cross-origin reads reveal nothing a URL
// holder could not fetch anyway) and X-Content-Type-Options: nosniff;
// OPTIONS answers CORS preflights.
//
// Objects are served with http.ServeContent: byte ranges, HEAD, quoted
// ETags and Last-Modified with 304s. From local disk the open file is
// handed over, so the kernel sends it (sendfile); on Linux the path the
// kernel actually opened is checked too, so a symbolic link planted under
// the root cannot lead to another video's or an upload's file. On the
// fast path, whose writer sends a file's sections at their offsets, the
// file stays open for a few seconds and is shared by the requests for it,
// each checking with one fstat that it is still the file at its key,
// unchanged (a rewritten, replaced or deleted object is opened again;
// ForgetVideo closes a video's files): a segment then costs no open,
// metadata read or close. From S3
// the object is streamed through (a whole object costs one GET, a HEAD
// or 304 one Stat, a range a Stat and one GET of exactly its bytes), or,
// in redirect mode, GET answers 302 to a short-lived presigned URL (not
// checked for existence first; the store answers 404 itself) while HEAD
// is still answered here, since a presigned GET URL refuses HEAD.
// Playlists are always served by the handler itself, never redirected:
// their relative URIs must resolve under the clipcut URL, token included.
//
// Cache-Control marks segments, images, storyboards, subtitle files and
// downloads immutable for a year; media playlists for a day once they hold
// #EXT-X-ENDLIST and for one second while they still grow; master
// playlists, which change when processing ends or subtitles arrive, for
// ten seconds. On public paths, private videos get "private" instead of
// "public". A signed path carries its capability, so its answers are
// "public, max-age=<at most 60>, s-maxage=<seconds until the token
// expires>" (never longer than the object's own lifetime): a CDN may keep
// them until the link expires, a browser a minute; revoking a link or
// deleting a video therefore needs a CDN purge of the link's prefix.
// Writers must never rewrite an immutable object with different content
// under the same name.
//
// # Share links
//
// SignedLinkPath makes the token of a share link (createPlaybackToken):
// a media token that also names the link, so that it can be revoked
// (Config.Links answers its state; Handler.ForgetLink, called from the
// notifier, makes every replica refuse it at once) and limited to pages
// of some origins (checked on playlist requests against Origin, or else
// Referer; such a link's playlists are "private").
//
// Playlists served are also kept in memory for a second (no longer than
// the shortest max-age they are sent with), so a crowd of players costs
// one store read per playlist per second.
//
// Each request needs the video's privacy and public id; answers of Config.Lookup are
// cached in-process for a few seconds, and concurrent requests for the
// same video share one lookup, so a player fetching segments or a CDN
// miss storm costs about one query per video every few seconds.
// Handler.ForgetVideo drops a video's answer (and its playlists) at once;
// the server calls it from the notifier whenever any process changes a
// video's privacy or public id, or deletes it.
//
// # Playlists outside /media/
//
// ServeAbsolutePlaylist serves a video's master or rendition playlist with
// its URIs made absolute under the viewer's media URL, for the REST API
// (GET /api/v1/videos/{id}/playlist.m3u8, GET /stream/{id}/{resolution}),
// which authorizes the viewer itself. It reads the playlist as /media/
// does and sends it under the same cache rules, a private video's never
// past the expiry of the signed URLs it carries: one playlist server.
//
// # The fast path
//
// Package delivery/fastpath answers connections that carry nothing but
// media requests without net/http's per-request machinery, through this
// same Handler; the server wraps its listener with fastpath.NewListener.
package delivery
