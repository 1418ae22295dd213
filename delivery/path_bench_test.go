package delivery

import "testing"

// benchPaths are what players request: a public segment, a signed
// playlist.
var benchPaths = []string{
	"/media/videos/0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10/hls/720p/seg_00001.ts",
	"/media/t/2000000000.q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80/videos/0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10/hls/720p/index.m3u8",
}

func BenchmarkParsePath(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range benchPaths {
			if _, ok := parsePath(p); !ok {
				b.Fatal(p)
			}
		}
	}
}
