package upload

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLooksLikeMediaRefusesWhatIsCertainlyNotAVideo(t *testing.T) {
	t.Parallel()
	ts := make([]byte, 188*3)
	for i := 0; i < len(ts); i += 188 {
		ts[i] = 0x47
	}
	for name, c := range map[string]struct {
		head string
		want bool
	}{
		"text":        {strings.Repeat("Hello, world. ", 40), false},
		"text with G": {"GET / HTTP/1.1\r\n" + strings.Repeat("x", 300), false},
		"html":        {"<!doctype html><html><body>hi</body></html>", false},
		"pdf":         {"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", false},
		"png":         {"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", false},
		"jpeg":        {"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", false},
		"zip":         {"PK\x03\x04\x14\x00\x00\x00\x08\x00", false},
		"mp4":         {"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00", true},
		"mov":         {"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", true},
		"webm":        {"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81", true},
		"avi":         {"RIFF\x00\x00\x00\x00AVI LIST", true},
		"ts":          {string(ts), true},
		"mpeg-ps":     {"\x00\x00\x01\xba\x44\x00\x04\x00\x04\x01\x01\x89", true},
		"flv":         {"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00", true},
		"ogg":         {"OggS\x00\x02\x00\x00\x00\x00\x00\x00", true},
	} {
		require.Equal(t, c.want, looksLikeMedia([]byte(c.head)), name)
	}
}
