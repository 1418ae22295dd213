package media

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Rational is an exact ratio such as a frame rate (30000/1001) or a sample
// aspect ratio. Frame rates stay rational end to end because rounding
// 29.97 to a float and back drifts keyframe times over a long video.
type Rational struct {
	Num, Den int
}

// ParseRational parses ffprobe's "30000/1001" or "16:9" forms (and plain
// integers). Zero, negative or malformed values return ok=false: ffprobe
// writes "0/0" for unknown rates.
func ParseRational(s string) (r Rational, ok bool) {
	s = strings.TrimSpace(s)
	sep := strings.IndexAny(s, "/:")
	num, den := s, "1"
	if sep >= 0 {
		num, den = s[:sep], s[sep+1:]
	}
	n, err1 := strconv.Atoi(num)
	d, err2 := strconv.Atoi(den)
	if err1 != nil || err2 != nil || n <= 0 || d <= 0 {
		return Rational{}, false
	}
	return Rational{n, d}.reduce(), true
}

// Float returns the ratio as a float64 (0 for an unset Rational).
func (r Rational) Float() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// IsZero reports whether r is unset.
func (r Rational) IsZero() bool { return r.Num == 0 || r.Den == 0 }

// String formats r the way ffmpeg options accept it: "30000/1001", or "30"
// when the denominator is 1.
func (r Rational) String() string {
	if r.Den == 1 {
		return strconv.Itoa(r.Num)
	}
	return fmt.Sprintf("%d/%d", r.Num, r.Den)
}

// MarshalText encodes r as its String form, so JSON shows "30000/1001".
func (r Rational) MarshalText() ([]byte, error) {
	if r.IsZero() {
		return []byte("0/0"), nil
	}
	return []byte(r.String()), nil
}

// UnmarshalText decodes the forms ParseRational accepts; "0/0" decodes to
// the zero Rational.
func (r *Rational) UnmarshalText(b []byte) error {
	if string(b) == "0/0" || len(b) == 0 {
		*r = Rational{}
		return nil
	}
	v, ok := ParseRational(string(b))
	if !ok {
		return fmt.Errorf("media: invalid rational %q", b)
	}
	*r = v
	return nil
}

func (r Rational) reduce() Rational {
	g := gcd(r.Num, r.Den)
	if g <= 1 {
		return r
	}
	return Rational{r.Num / g, r.Den / g}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	if a < 0 {
		return -a
	}
	return a
}

// standardFrameRates are the rates cameras, phones and editors actually
// produce. A variable-frame-rate source is normalised to the nearest of
// these when it is close, so a phone clip averaging 29.87 fps becomes a
// clean 30 fps rather than an odd 2987/100.
var standardFrameRates = []Rational{
	{24000, 1001}, {24, 1}, {25, 1}, {30000, 1001}, {30, 1},
	{48, 1}, {50, 1}, {60000, 1001}, {60, 1},
	{12, 1}, {15, 1}, {20, 1}, {90, 1}, {100, 1}, {120, 1}, {240, 1},
}

// nearestStandardRate returns the standard rate within tolerance (relative)
// of f, or ok=false.
func nearestStandardRate(f, tolerance float64) (Rational, bool) {
	best, bestDiff := Rational{}, math.Inf(1)
	for _, r := range standardFrameRates {
		if d := math.Abs(r.Float()-f) / r.Float(); d < bestDiff {
			best, bestDiff = r, d
		}
	}
	return best, bestDiff <= tolerance
}
