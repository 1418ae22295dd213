package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseVmRSS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     int64
		wantErr  bool
	}{
		{"status", "Name:\tclipcut\nVmPeak:\t  900 kB\nVmRSS:\t   123456 kB\nThreads:\t9\n", 123456 * 1024, false},
		{"missing", "Name:\tclipcut\n", 0, true},
		{"bad unit", "VmRSS:\t12 MB\n", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseVmRSS(strings.NewReader(tc.in))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("parseVmRSS = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseProcStatCPU(t *testing.T) {
	t.Parallel()
	// pid (comm with spaces) state ppid ... utime=14 stime=15 cutime=16 cstime=17
	stat := "42 (post gres: x) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 100 1000 10"
	for _, tc := range []struct {
		reaped bool
		want   time.Duration
	}{{false, 3 * time.Second}, {true, 3*time.Second + 100*time.Millisecond}} {
		got, err := parseProcStatCPU(stat, tc.reaped)
		if err != nil || got != tc.want {
			t.Fatalf("parseProcStatCPU(reaped=%v) = %v, %v; want %v", tc.reaped, got, err, tc.want)
		}
	}
	if got := statPPID(stat); got != 1 {
		t.Fatalf("statPPID = %d, want 1", got)
	}
	if _, err := parseProcStatCPU("garbage", false); err == nil {
		t.Fatal("parseProcStatCPU(garbage): no error")
	}
}

func TestNearestRank(t *testing.T) {
	t.Parallel()
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	for _, tc := range []struct{ p, want float64 }{{50, 50}, {99, 99}, {100, 100}, {0, 1}} {
		if got := nearestRank(xs, tc.p); got != tc.want {
			t.Errorf("nearestRank(1..100, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := nearestRank(nil, 50); got != 0 {
		t.Errorf("nearestRank(nil) = %v", got)
	}
}

func TestParsePerfChildrenAndShares(t *testing.T) {
	t.Parallel()
	report := `# Samples: 5K of event 'cpu-clock'
#
    92.80%     0.07%  [.] runtime.goexit.abi0
    40.00%     0.15%  [.] github.com/99designs/gqlgen/graphql.MarshalSliceConcurrently.gowrap1
    39.85%     0.29%  [.] github.com/99designs/gqlgen/graphql.MarshalSliceConcurrently.func2
     5.24%     0.00%  [k] __schedule
`
	entries := parsePerfChildren(report)
	if len(entries) != 4 || entries[3].Symbol != "__schedule (kernel)" || entries[1].Children != 40 {
		t.Fatalf("parsePerfChildren = %+v", entries)
	}
	got := profileShares(entries, []profileFrame{
		{"lists", "github.com/99designs/gqlgen/graphql.MarshalSliceConcurrently"},
		{"absent", "nothing."},
	})
	if got != "lists 40%" {
		t.Fatalf("profileShares = %q", got)
	}
}

func TestParseGQLWrk(t *testing.T) {
	t.Parallel()
	out := "Running 8s test @ http://x\nBENCHJSON {\"requests\":800,\"duration_us\":8000000,\"p50_us\":1000,\"p99_us\":5000,\"errors\":0,\"non2xx\":0}\n"
	r, err := parseGQLWrk([]byte(out))
	if err != nil || r.rps() != 100 || r.P99US != 5000 {
		t.Fatalf("parseGQLWrk = %+v, %v", r, err)
	}
	if _, err := parseGQLWrk([]byte("no result")); err == nil {
		t.Fatal("parseGQLWrk without a result: no error")
	}
}

func TestSameJSONAndCountFields(t *testing.T) {
	t.Parallel()
	same, err := sameJSON([]byte(`{"a":1,"b":[{"c":20}]}`), []byte(`{"b":[{"c":2e1}],"a":1.0}`))
	if err != nil || !same {
		t.Fatalf("sameJSON = %v, %v", same, err)
	}
	if same, _ := sameJSON([]byte(`{"a":1}`), []byte(`{"a":2}`)); same {
		t.Fatal("sameJSON: different documents compare equal")
	}
	if n := countFields([]byte(`{"data":{"v":{"id":"1","r":[{"n":1},{"n":2}]}}}`)); n != 6 {
		t.Fatalf("countFields = %d, want 6", n)
	}
}

func TestSplitCost(t *testing.T) {
	t.Parallel()
	ops := []graphqlOp{{key: "one", fields: 50}, {key: "page", fields: 2550}}
	cpu := Samples{}
	cpu.Add("clipcutone", 500)
	cpu.Add("plainone", 200) // extra 300
	cpu.Add("clipcutpage", 12300)
	cpu.Add("plainpage", 2000) // extra 10300
	got := splitCost(ops, cpu)
	if !got.ok || got.perField != 4 || got.fixed != 100 {
		t.Fatalf("splitCost = %+v, want 100 µs fixed + 4 µs per field", got)
	}
}

func TestLatencies(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(100, 0)
	ms, missing := latencies([]int64{t0.UnixNano() + 3e6, 0, t0.UnixNano() + 1e6}, t0)
	if missing != 1 || len(ms) != 2 || ms[0] != 1 || ms[1] != 3 {
		t.Fatalf("latencies = %v, %d missing", ms, missing)
	}
}

func TestParsePromGauge(t *testing.T) {
	t.Parallel()
	text := "# HELP go_goroutines x\n# TYPE go_goroutines gauge\ngo_goroutines 50052\ngo_goroutines_other 1\n"
	if v, err := parsePromGauge(text, "go_goroutines"); err != nil || v != 50052 {
		t.Fatalf("parsePromGauge = %v, %v", v, err)
	}
}

func TestParseUploadLoad(t *testing.T) {
	t.Parallel()
	r, err := parseUploadLoad("RESULT {\"seconds\":2,\"bytes\":1073741824,\"requests\":32}\n")
	if err != nil || r.Seconds != 2 || r.Requests != 32 {
		t.Fatalf("parseUploadLoad = %+v, %v", r, err)
	}
	if _, err := parseUploadLoad("RESULT {\"seconds\":0,\"bytes\":0}"); err == nil {
		t.Fatal("parseUploadLoad(empty): no error")
	}
}

func TestRatioGoal(t *testing.T) {
	t.Parallel()
	if g := ratioGoal("x", 0.8, 0.85, true, ""); g.Status != Missed || g.Target != "≥ 0.85×" {
		t.Fatalf("ratioGoal at least = %+v", g)
	}
	if g := ratioGoal("x", 1.4, 1.5, false, ""); g.Status != Met || g.Target != "≤ 1.5×" {
		t.Fatalf("ratioGoal at most = %+v", g)
	}
}
