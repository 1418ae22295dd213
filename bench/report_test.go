package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStatOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []float64
		want Stat
	}{
		{nil, Stat{}},
		{[]float64{3}, Stat{Median: 3, Min: 3, Max: 3, N: 1}},
		{[]float64{5, 1, 3}, Stat{Median: 3, Min: 1, Max: 5, N: 3}},
		{[]float64{4, 1, 3, 2}, Stat{Median: 2.5, Min: 1, Max: 4, N: 4}},
	} {
		require.Equal(t, tc.want, statOf(tc.in), "%v", tc.in)
	}
	require.Equal(t, "2.50 (1.00–4.00)", statOf([]float64{4, 1, 3, 2}).Cell(2))
	require.Equal(t, "–", Stat{}.Cell(1))
}

// A run of one benchmark rewrites its section and keeps the others, whose
// goals stay in the summary.
func TestWriteReportKeepsSectionsOfBenchmarksNotRun(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	order := []string{"alpha", "beta"}
	section := func(name, measured string, status GoalStatus) *Section {
		return &Section{
			Name: name, Title: "The " + name + " benchmark",
			Meta:   RunMeta{Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), Commit: Commit{Hash: "abc"}},
			Tables: []Table{{Header: []string{"a", "b|c"}, Rows: [][]string{{"1", "2"}}}},
			Goals:  []Goal{{Figure: name + " speed", Target: "≥ 1×", Measured: measured, Status: status, Limit: "the disk -->"}},
		}
	}
	require.NoError(t, writeReport(path, Machine{CPU: "cpu", Cores: 2}, []*Section{section("alpha", "1.5×", Met), section("beta", "0.5×", Missed)}, order))
	require.NoError(t, writeReport(path, Machine{CPU: "cpu", Cores: 2}, []*Section{section("beta", "2.0×", Met)}, order))

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	text := string(b)
	require.Contains(t, text, "| [alpha](#alpha) | alpha speed | ≥ 1× | 1.5× | ✅ yes |")
	require.Contains(t, text, "| [beta](#beta) | beta speed | ≥ 1× | 2.0× | ✅ yes |")
	require.NotContains(t, text, "0.5×")
	require.Less(t, strings.Index(text, "## The alpha benchmark"), strings.Index(text, "## The beta benchmark"))
	require.Contains(t, text, `| a | b\|c |`)
	require.Len(t, parseReport(text), 2)

	// A broken benchmark says so in the summary.
	broken := section("alpha", "", Met)
	broken.Goals, broken.Err = nil, errors.New("ffmpeg missing")
	require.NoError(t, writeReport(path, Machine{}, []*Section{broken}, order))
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), "| [alpha](#alpha) | could not run: ffmpeg missing |")
	require.Contains(t, string(b), "2.0×")

	// A hand-written section after the generated ones survives a rewrite,
	// once.
	hand := "## Measured by hand\n\nHow and when.\n"
	require.NoError(t, os.WriteFile(path, append(b, "\n"+hand...), 0o644))
	require.NoError(t, writeReport(path, Machine{}, []*Section{section("beta", "3.0×", Met)}, order))
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), "3.0×")
	require.True(t, strings.HasSuffix(string(b), "<!-- /bench:beta -->\n\n"+hand), string(b))
	require.Equal(t, 1, strings.Count(string(b), hand))
}

func TestShellCommandQuotes(t *testing.T) {
	t.Parallel()
	require.Equal(t, "ffmpeg -i 'a b.mp4' \\\n  -vf '[0:v]split=2[a][b]' out/%v/x.m3u8",
		shellCommand([][]string{{"ffmpeg", "-i", "a b.mp4"}, {"-vf", "[0:v]split=2[a][b]", "out/%v/x.m3u8"}}))
}
