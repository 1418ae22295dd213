package upload

// sniffSize is how many of a file's first bytes the sniff looks at.
const sniffSize = 4096

// minSniff is the fewest bytes the sniff decides on. A smaller file, or
// a first PATCH that brings fewer bytes, is left to ffprobe, which stays
// the judge of everything past the first bytes anyway.
const minSniff = 12

// notAVideoMessage is the reason a file refused by the sniff fails with.
// The web app's own sniff (frontend/src/upload/sniff.ts) says the same.
const notAVideoMessage = "This file is not a video: its first bytes are not those of any video or audio format " +
	"clipcut knows (MP4, MOV, 3GP, WebM, Matroska, AVI, MPEG-TS, MPEG-PS, FLV, Ogg, ASF/WMV, MXF, WAV, MP3, FLAC…). " +
	"Upload the video file itself."

// looksLikeMedia reports whether head, a file's first bytes (up to
// sniffSize), starts like a video or audio container ffmpeg reads. It
// only refuses what is certainly not one (text, documents, images,
// archives): a false "yes" costs a probe, a false "no" a creator's file.
func looksLikeMedia(head []byte) bool {
	has := func(off int, sig string) bool {
		return len(head) >= off+len(sig) && string(head[off:off+len(sig)]) == sig
	}
	switch {
	// ISO base media (MP4, M4V, M4A, MOV, 3GP, 3G2) and QuickTime files
	// that open with another top-level atom.
	case has(4, "ftyp"), has(4, "moov"), has(4, "mdat"), has(4, "wide"), has(4, "free"), has(4, "skip"), has(4, "pnot"):
		return true
	case has(0, "\x1a\x45\xdf\xa3"): // EBML: Matroska, WebM
		return true
	case has(0, "RIFF") && (has(8, "AVI ") || has(8, "AVIX") || has(8, "WAVE") || has(8, "CDXA")):
		return true
	case has(0, "FLV\x01"), has(0, "OggS"), has(0, "fLaC"), has(0, "ID3"), has(0, "YUV4MPEG2"),
		has(0, "DKIF"), has(0, ".RMF"), has(0, "#!AMR"), has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")),
		has(0, "nut/multimedia container"):
		return true
	case has(0, "\x30\x26\xb2\x75\x8e\x66\xcf\x11"): // ASF: WMV, WMA
		return true
	case has(0, "\x06\x0e\x2b\x34\x02\x05\x01\x01"): // MXF partition pack
		return true
	// A start code: MPEG-PS (pack header 0xBA), MPEG-1/2 video (0xB3),
	// H.264 and HEVC Annex B elementary streams.
	case has(0, "\x00\x00\x01"), has(0, "\x00\x00\x00\x01"):
		return true
	case transportStream(head, 188, 0), transportStream(head, 192, 4), transportStream(head, 204, 0):
		return true
	case len(head) >= 2 && head[0] == 0xff && head[1]&0xe0 == 0xe0 && head[1]&0x06 != 0: // MPEG audio (MP3)
		return true
	case len(head) >= 2 && head[0] == 0xff && head[1]&0xf6 == 0xf0: // AAC ADTS
		return true
	}
	return false
}

// transportStream reports whether head holds MPEG-TS packets of size
// packet (188; 192 for M2TS with a 4-byte prefix; 204 with FEC): the
// 0x47 sync byte at every packet start the head covers, at least two.
func transportStream(head []byte, packet, prefix int) bool {
	n := 0
	for off := prefix; off < len(head); off += packet {
		if head[off] != 0x47 {
			return false
		}
		n++
	}
	// A short file of one packet is a transport stream too.
	return n >= 2 || (n == 1 && len(head) <= packet)
}
