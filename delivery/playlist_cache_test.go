package delivery

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestPlaylistCache(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	c := newPlaylistCache(time.Second, 100)
	c.now = func() time.Time { return now }
	k := func(name string) playlistKey { return playlistKey{key: name} }
	body := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }

	c.put(k("a"), &cachedPlaylist{body: body(40)})
	got, ok := c.get(k("a"))
	require.True(t, ok)
	require.Len(t, got.body, 40)
	_, ok = c.get(playlistKey{key: "a", private: true})
	require.False(t, ok, "public and private answers differ in Cache-Control")

	now = now.Add(time.Second)
	_, ok = c.get(k("a"))
	require.False(t, ok, "expired after the TTL")

	// Full: expired entries go first, then everything.
	c.put(k("b"), &cachedPlaylist{body: body(40)})
	c.put(k("c"), &cachedPlaylist{body: body(40)}) // a (expired) swept
	_, ok = c.get(k("b"))
	require.True(t, ok)
	require.Equal(t, 80, c.bytes)
	c.put(k("d"), &cachedPlaylist{body: body(40)}) // nothing expired: all go
	require.Equal(t, 40, c.bytes)
	_, ok = c.get(k("b"))
	require.False(t, ok)
	_, ok = c.get(k("d"))
	require.True(t, ok)

	// Replacing an entry accounts for the old body.
	c.put(k("d"), &cachedPlaylist{body: body(10)})
	require.Equal(t, 10, c.bytes)

	// Bodies over the per-playlist bound are never kept.
	big := newPlaylistCache(time.Second, 4*maxCachedPlaylist)
	big.put(k("long"), &cachedPlaylist{body: body(maxCachedPlaylist + 1)})
	_, ok = big.get(k("long"))
	require.False(t, ok)

	var disabled *playlistCache
	disabled.put(k("x"), &cachedPlaylist{body: body(1)})
	_, ok = disabled.get(k("x"))
	require.False(t, ok)
}

func TestPlaylistCacheForgetsOneVideo(t *testing.T) {
	t.Parallel()
	c := newPlaylistCache(time.Hour, 1000)
	a, b := uuid.New(), uuid.New()
	ka := []playlistKey{{video: a, key: "m"}, {video: a, key: "m", private: true}, {video: a, key: "m", base: "/x/"}}
	kb := playlistKey{video: b, key: "m"}
	for _, k := range ka {
		c.put(k, &cachedPlaylist{body: []byte("0123456789")})
	}
	c.put(kb, &cachedPlaylist{body: []byte("01234")})
	require.Equal(t, 35, c.bytes)

	c.forget(a)
	for _, k := range ka {
		_, ok := c.get(k)
		require.False(t, ok, "every playlist of the video goes: %+v", k)
	}
	_, ok := c.get(kb)
	require.True(t, ok, "other videos' stay")
	require.Equal(t, 5, c.bytes)

	c.forgetAll()
	_, ok = c.get(kb)
	require.False(t, ok)
	require.Zero(t, c.bytes)

	var disabled *playlistCache
	disabled.forget(a)
	disabled.forgetAll()
}
