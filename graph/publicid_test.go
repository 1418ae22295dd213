package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
)

const byRef = `query($id: ID, $pid: String) { video(id: $id, publicId: $pid) {
	id publicId privacy playback { hlsUrl } owner { name } } }`

type refVideo struct {
	ID, PublicID, Privacy string
	Playback              *struct{ HlsURL string }
}

// videoRef fetches a video by id or public id (one of them "") as cred
// ("" : anonymous); nil when not visible.
func (e *env) videoRef(cred, id, pid string) *refVideo {
	e.t.Helper()
	vars := map[string]any{}
	if id != "" {
		vars["id"] = id
	}
	if pid != "" {
		vars["pid"] = pid
	}
	var opts []reqOpt
	if cred != "" {
		opts = append(opts, bearer(cred))
	}
	var out struct{ Video *refVideo }
	e.decode(e.query(byRef, vars, opts...), &out)
	return out.Video
}

// TestPublicIDOpensUnlistedVideos checks who reaches a video by id and
// by public id: an UNLISTED video opens to a stranger only through its
// public id, to its owner (and administrators) by either; PUBLIC ones by
// either to anyone; PRIVATE ones to nobody else by either.
func TestPublicIDOpensUnlistedVideos(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	other := e.signUp("other@example.com", "Other").Token
	unlisted := e.makeVideos("owner@example.com", 1, store.PrivacyUnlisted, true)[0]
	public := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, true)[0]
	private := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, true)[0]

	mine := e.videoRef(owner, unlisted, "")
	require.NotNil(t, mine, "the owner always reaches the video by id")
	pid := mine.PublicID
	require.Len(t, pid, 22)
	require.Regexp(t, `^[A-Za-z0-9_-]{22}$`, pid)
	require.Contains(t, mine.Playback.HlsURL, "/media/u/"+pid+"/videos/"+unlisted+"/", "an unlisted video's playback is under its public id")
	require.NotNil(t, e.videoRef(admin, unlisted, ""), "administrators too")

	for cred, who := range map[string]string{"": "anonymous", other: "another user"} {
		require.Nil(t, e.videoRef(cred, unlisted, ""), "%s: the id alone does not open an unlisted video", who)
		v := e.videoRef(cred, "", pid)
		require.NotNil(t, v, "%s: the public id does", who)
		require.NotEqual(t, unlisted, v.ID, "a stranger does not read the video id")
		require.Equal(t, pid, v.PublicID, "who came through the public id may read it")
		require.Equal(t, mine.Playback.HlsURL, v.Playback.HlsURL)

		p := e.videoRef(cred, public, "")
		require.NotNil(t, p, "%s: a public video opens by id", who)
		require.Empty(t, p.PublicID, "a public video's public id is its owner's to share")
		require.Nil(t, e.videoRef(cred, private, ""))
	}
	pub := e.videoRef(owner, public, "")
	require.NotEmpty(t, pub.PublicID)
	require.NotEqual(t, pid, pub.PublicID)
	require.NotNil(t, e.videoRef("", "", pub.PublicID), "a public video opens by its public id too")
	require.NotContains(t, pub.Playback.HlsURL, "/media/u/", "public playback stays under the id")

	privPID := e.videoRef(owner, private, "").PublicID
	require.Nil(t, e.videoRef("", "", privPID), "a private video's public id opens nothing")
	require.Nil(t, e.videoRef(other, "", privPID))
	require.NotNil(t, e.videoRef(owner, "", privPID))

	require.Nil(t, e.videoRef("", "", "AAAAAAAAAAAAAAAAAAAAAA"), "an unknown public id")
	require.Nil(t, e.videoRef("", "", "not a public id"))
	require.Equal(t, "BAD_USER_INPUT", e.query(byRef, map[string]any{"id": unlisted, "pid": pid}).code())
	require.Equal(t, "BAD_USER_INPUT", e.query(byRef, nil).code())

	// The owner's other operations by id still work; another user's do
	// not learn that the video exists.
	r := e.query(`mutation($id: ID!) { updateVideo(input: {id: $id, title: "x"}) { id } }`, map[string]any{"id": unlisted}, bearer(other))
	require.Equal(t, "NOT_FOUND", r.code())
}

// TestRotatePublicID checks who may rotate a public id and that the old
// one stops opening the video at once in GraphQL and, told by the
// notifier, on two delivery replicas that had it cached for an hour; the
// new one plays, and a PUBLIC video's id paths are not affected.
func TestRotatePublicID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	other := e.signUp("other@example.com", "Other").Token
	id := e.makeVideos("owner@example.com", 1, store.PrivacyUnlisted, true)[0]
	public := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, true)[0]
	bucket, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	putMedia(t, bucket, uuid.MustParse(id))
	putMedia(t, bucket, uuid.MustParse(public))
	a, b := newReplica(t, e, bucket), newReplica(t, e, bucket)

	old := e.videoRef("", "", e.videoRef(owner, id, "").PublicID)
	require.NotNil(t, old)
	oldSegment := strings.Replace(old.Playback.HlsURL, "master.m3u8", "180p/seg_00000.ts", 1)
	publicHLS := e.videoRef("", public, "").Playback.HlsURL
	idPath := strings.Replace(publicHLS, public, id, 1) // the unlisted video by id
	for _, r := range []*replica{a, b} {
		for _, u := range []string{old.Playback.HlsURL, oldSegment, publicHLS} {
			code, _ := r.get(t, u)
			require.Equal(t, http.StatusOK, code, u)
		}
		code, _ := r.get(t, idPath)
		require.Equal(t, http.StatusNotFound, code, "an unlisted video's media does not open by id")
	}

	const rotate = `mutation($id: ID!) { rotatePublicId(videoId: $id) { id publicId } }`
	require.Equal(t, "NOT_FOUND", e.query(rotate, map[string]any{"id": id}, bearer(other)).code(), "a stranger cannot rotate (nor learn the video exists)")
	require.Equal(t, "UNAUTHENTICATED", e.query(rotate, map[string]any{"id": id}).code())
	readOnly := e.createToken(owner, "read", []string{"VIDEOS_READ"}, nil)
	require.Equal(t, "FORBIDDEN", e.query(rotate, map[string]any{"id": id}, bearer(readOnly)).code(), "needs videos:write")

	var out struct{ RotatePublicID struct{ ID, PublicID string } }
	writer := e.createToken(owner, "write", []string{"VIDEOS_WRITE"}, nil)
	e.decode(e.query(rotate, map[string]any{"id": id}, bearer(writer)), &out)
	fresh := out.RotatePublicID.PublicID
	require.Regexp(t, `^[A-Za-z0-9_-]{22}$`, fresh)
	require.NotEqual(t, old.PublicID, fresh)

	require.Nil(t, e.videoRef("", "", old.PublicID), "the old public id opens nothing at once")
	require.Nil(t, e.videoRef(other, "", old.PublicID))
	now := e.videoRef("", "", fresh)
	require.NotNil(t, now)
	require.Contains(t, now.Playback.HlsURL, "/media/u/"+fresh+"/")
	for _, rep := range []*replica{a, b} {
		require.Eventually(t, func() bool {
			code, _ := rep.get(t, oldSegment)
			return code == http.StatusNotFound
		}, 30*time.Second, 10*time.Millisecond, "every replica refuses the old public id")
		code, hdr := rep.get(t, old.Playback.HlsURL)
		require.Equal(t, http.StatusNotFound, code, "its playlists too, though kept in memory")
		require.Equal(t, "no-store", hdr.Get("Cache-Control"))
		code, _ = rep.get(t, now.Playback.HlsURL)
		require.Equal(t, http.StatusOK, code, "the new public id plays")
		code, _ = rep.get(t, publicHLS)
		require.Equal(t, http.StatusOK, code, "a public video is not affected")
	}

	// An administrator may rotate any video's public id.
	e.decode(e.query(rotate, map[string]any{"id": id}, bearer(admin)), &out)
	require.NotEqual(t, fresh, out.RotatePublicID.PublicID)
	require.Nil(t, e.videoRef("", "", fresh))
}

// strangerSelection is everything a stranger may read of a video.
const strangerSelection = `id title description status playable privacy duration width height createdAt publicId
	embedOrigins owner { id name } processing { stage percent error } renditions { name }`

// TestStrangerNeverReadsAnUnlistedVideosID: whoever opens an UNLISTED
// video through its public id reads, as its id, the public id in UUID
// form, which node(id:) refetches; the video id appears nowhere in what
// GraphQL answers them (its media URLs aside, which name the stored
// objects). Its owner reads the video id, and a rotation makes the old
// UUID form open nothing.
func TestStrangerNeverReadsAnUnlistedVideosID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner").Token
	other := e.signUp("other@example.com", "Other").Token
	id := e.makeVideos("owner@example.com", 1, store.PrivacyUnlisted, true)[0]
	pid := e.videoRef(owner, id, "").PublicID
	raw, err := base64.RawURLEncoding.DecodeString(pid)
	require.NoError(t, err)
	shown := uuid.UUID(raw).String()

	byPID := `query($pid: String) { video(publicId: $pid) { ` + strangerSelection + ` ... on Node { id } } }`
	byNode := `query($id: ID!) { node(id: $id) { id ... on Video { ` + strangerSelection + ` } } }`
	for _, cred := range []string{"", other} {
		var opts []reqOpt
		if cred != "" {
			opts = append(opts, bearer(cred))
		}
		r := e.query(byPID, map[string]any{"pid": pid}, opts...)
		require.Empty(t, r.Errors)
		require.NotContains(t, strings.ToLower(string(r.Data)), id, "the video id is kept from a stranger")
		var out struct{ Video struct{ ID, PublicID string } }
		require.NoError(t, json.Unmarshal(r.Data, &out))
		require.Equal(t, shown, out.Video.ID, "a stranger reads the public id in UUID form")
		require.Equal(t, pid, out.Video.PublicID)

		r = e.query(byNode, map[string]any{"id": shown}, opts...)
		require.Empty(t, r.Errors)
		require.NotContains(t, strings.ToLower(string(r.Data)), id)
		var node struct {
			Node *struct{ ID, PublicID string }
		}
		require.NoError(t, json.Unmarshal(r.Data, &node))
		require.NotNil(t, node.Node, "node(id:) refetches it by what the stranger read")
		require.Equal(t, shown, node.Node.ID)

		r = e.query(byNode, map[string]any{"id": id}, opts...)
		require.Empty(t, r.Errors)
		require.JSONEq(t, `{"node":null}`, string(r.Data), "the video id opens nothing to a stranger")
	}

	var mine struct{ Node struct{ ID string } }
	e.decode(e.query(byNode, map[string]any{"id": shown}, bearer(owner)), &mine)
	require.Equal(t, id, mine.Node.ID, "its owner reads the video id, whichever way they came")
	e.decode(e.query(byNode, map[string]any{"id": id}, bearer(owner)), &mine)
	require.Equal(t, id, mine.Node.ID)

	e.decode(e.query(`mutation($id: ID!) { rotatePublicId(videoId: $id) { id } }`, map[string]any{"id": id}, bearer(owner)), &mine)
	r := e.query(byNode, map[string]any{"id": shown})
	require.Empty(t, r.Errors)
	require.JSONEq(t, `{"node":null}`, string(r.Data), "after a rotation the old form opens nothing")
}
