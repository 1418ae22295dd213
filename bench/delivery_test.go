package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// wrkOutput is wrk 4.1's report of a run with --latency and a script.
const wrkOutput = `Running 6s test @ http://127.0.0.1:37665
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.04ms    5.12ms  98.10ms   90.12%
    Req/Sec     2.73k   412.33     3.51k    71.67%
  Latency Distribution
     50%    4.88ms
     75%    7.10ms
     90%   11.02ms
     99%   30.92ms
  32556 requests in 6.00s, 12.63GB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 3
Requests/sec:   5426.00
Transfer/sec:      2.10GB
`

func TestParseWrk(t *testing.T) {
	t.Parallel()
	r, err := parseWrk(wrkOutput)
	require.NoError(t, err)
	require.Equal(t, int64(32556), r.Requests)
	require.Equal(t, 6*time.Second, r.Duration)
	require.InDelta(t, 12.63*float64(1<<30), float64(r.Bytes), 1)
	require.InDelta(t, 5426.0, r.RequestsPerS, 1e-9)
	require.Equal(t, 4880*time.Microsecond, r.P50)
	require.Equal(t, 30920*time.Microsecond, r.P99)
	require.Equal(t, int64(3), r.Non2xx)
	require.Equal(t, int64(3), r.SocketErrors)
	require.Equal(t, int64(1), r.TimeoutErrors)

	_, err = parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n")
	require.Error(t, err)
}

func TestWrkUnits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		num, unit string
		want      time.Duration
	}{
		{"812.00", "us", 812 * time.Microsecond},
		{"1.50", "s", 1500 * time.Millisecond},
		{"2.00", "m", 2 * time.Minute},
	} {
		d, err := wrkDuration(c.num, c.unit)
		require.NoError(t, err)
		require.Equal(t, c.want, d)
	}
	_, err := wrkDuration("1", "ns")
	require.Error(t, err)

	for _, c := range []struct {
		num, unit string
		want      int64
	}{
		{"512.00", "B", 512},
		{"1.50", "KB", 1536},
		{"2.00", "MB", 2 << 20},
	} {
		n, err := wrkBytes(c.num, c.unit)
		require.NoError(t, err)
		require.Equal(t, c.want, n)
	}
	_, err = wrkBytes("1", "XB")
	require.Error(t, err)
}

func TestWrkScript(t *testing.T) {
	t.Parallel()
	s := wrkScript([]string{"/media/videos/a/hls/720p/seg_00000.ts", `/weird/"quoted"`})
	require.Contains(t, s, `"/media/videos/a/hls/720p/seg_00000.ts",`)
	require.Contains(t, s, `"/weird/\"quoted\"",`)
	require.Contains(t, s, "function request()")
	require.Equal(t, []string{"-t", "2", "-c", "32", "-d", "6s", "--latency", "-s", "x.lua", "http://h"},
		wrkLoad{Threads: 2, Connections: 32, Duration: 6 * time.Second}.args("x.lua", "http://h"))
}

func TestStatFields(t *testing.T) {
	t.Parallel()
	// A command name with spaces and parentheses.
	line := "1234 (my (odd) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 4 0 100 0 0"
	f, err := statFields(line)
	require.NoError(t, err)
	require.Equal(t, "S", f[0])    // field 3
	require.Equal(t, "1", f[1])    // field 4, the parent
	require.Equal(t, "250", f[11]) // field 14, utime
	require.Equal(t, "75", f[12])  // field 15, stime
	_, err = statFields("garbage")
	require.Error(t, err)
}

func TestSummarizePerf(t *testing.T) {
	t.Parallel()
	report := `# Samples: 5K of event 'cpu-clock:pppH'
#
# Overhead  Symbol
# ........  ..............
#
    18.68%  [k] finish_task_switch.isra.0
     2.31%  [.] runtime.mallocgc
     1.19%  [.] internal/runtime/maps.(*Iter).Next
`
	require.Equal(t, "18.68% finish_task_switch.isra.0 (kernel), 2.31% runtime.mallocgc", summarizePerf(report, 2))
	dsos := "    61.20%  [kernel.kallsyms]\n    35.00%  clipcut\n"
	require.Equal(t, "61.20% [kernel.kallsyms], 35.00% clipcut", summarizePerf(dsos, 5))
}

func TestNginxConfig(t *testing.T) {
	t.Parallel()
	c := nginxConfig("127.0.0.1:8081", "/w/nginx", "/data/media/")
	require.Contains(t, c, "listen 127.0.0.1:8081;")
	require.Contains(t, c, "alias /data/media/;")
	require.Contains(t, c, "video/mp2t ts;")
	require.Contains(t, c, "daemon off;")
	require.Equal(t, strings.Count(c, "{"), strings.Count(c, "}"))
}
