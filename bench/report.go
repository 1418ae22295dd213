package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Section is what one benchmark reports: its part of the terminal output
// and of BENCHMARKS.md.
type Section struct {
	// Name and Title come from the Benchmark; Meta from the harness.
	Name  string
	Title string
	Meta  RunMeta
	// About says what is measured and how, one paragraph per entry.
	About []string
	// Tables hold the figures.
	Tables []Table
	// Goals are the targets the issues set, each with whether it is met.
	Goals []Goal
	// Notes are caveats a reader needs to interpret the figures.
	Notes []string
	// Code shows commands for reproducing a baseline by hand.
	Code []CodeBlock
	// Err is set when the harness broke while running the benchmark.
	Err error
}

// RunMeta says when and where a section was measured. Sections are
// rewritten independently (-only), so each carries its own.
type RunMeta struct {
	Date    time.Time `json:"date"`
	Commit  Commit    `json:"commit"`
	Machine string    `json:"machine"`
	// OtherCores is the CPU every other process used while the benchmark
	// ran, in cores. (A load average taken after would mostly count the
	// benchmark's own threads.)
	OtherCores float64       `json:"other_cores"`
	Took       time.Duration `json:"took"`
}

// Table is a grid of figures.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// CodeBlock is a command shown verbatim.
type CodeBlock struct {
	Caption string
	Text    string
}

// GoalStatus says whether a goal is met.
type GoalStatus string

const (
	// Met: the measured figure reaches the goal.
	Met GoalStatus = "yes"
	// Missed: it does not; the goal's Limit says why.
	Missed GoalStatus = "no"
	// Reported: the issue asks for the figure without a target.
	Reported GoalStatus = "n/a"
)

// Goal is one target and how the measurement compares with it.
type Goal struct {
	// Figure names what is compared ("ladder wall time, clipcut vs
	// hand-written single command").
	Figure string `json:"figure"`
	// Target is the goal as the issue states it ("≤ 1.05×").
	Target string `json:"target"`
	// Measured is the figure the goal is judged on, with its inputs.
	Measured string     `json:"measured"`
	Status   GoalStatus `json:"status"`
	// Limit says, for a missed goal, what limits it.
	Limit string `json:"limit,omitempty"`
}

// printSection writes a section to the terminal.
func printSection(w io.Writer, s *Section) {
	fmt.Fprintf(w, "\n== %s (%s) ==\n", s.Title, s.Name)
	if s.Err != nil {
		fmt.Fprintf(w, "BROKEN: %v\n", s.Err)
	}
	for _, t := range s.Tables {
		if t.Caption != "" {
			fmt.Fprintf(w, "\n%s\n", t.Caption)
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(t.Header, "\t"))
		for _, r := range t.Rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		tw.Flush()
	}
	if len(s.Goals) > 0 {
		fmt.Fprintln(w, "\nGoals")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "figure\tgoal\tmeasured\tmet")
		for _, g := range s.Goals {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.Figure, g.Target, g.Measured, g.Status)
		}
		tw.Flush()
		for _, g := range s.Goals {
			if g.Limit != "" {
				fmt.Fprintf(w, "limit (%s): %s\n", g.Figure, g.Limit)
			}
		}
	}
	fmt.Fprintf(w, "\nmeasured at %s; other processes used %.2f cores meanwhile; took %s\n",
		s.Meta.Commit, s.Meta.OtherCores, s.Meta.Took.Round(time.Second))
}

// printSummary writes every goal of the run in one table.
func printSummary(w io.Writer, sections []*Section) {
	fmt.Fprintln(w, "\n== Summary ==")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tfigure\tgoal\tmeasured\tmet")
	for _, s := range sections {
		if s.Err != nil {
			fmt.Fprintf(tw, "%s\t(broken: %v)\t\t\t\n", s.Name, s.Err)
			continue
		}
		for _, g := range s.Goals {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, g.Figure, g.Target, g.Measured, g.Status)
		}
	}
	tw.Flush()
}

// Markdown layout. Each section sits between markers; the opening marker
// carries the section's goals and run metadata as JSON, so a later run of
// other benchmarks (-only) can keep the section verbatim and still list
// its goals in the summary. json.Marshal escapes '>' so the JSON can never
// close the comment.
const (
	markerOpen  = "<!-- bench:"
	markerClose = "<!-- /bench:"
	markerEnd   = " -->"
)

type sectionHeader struct {
	Title string  `json:"title"`
	Meta  RunMeta `json:"meta"`
	Goals []Goal  `json:"goals"`
	// Broken is the error of a benchmark that could not run.
	Broken string `json:"broken,omitempty"`
}

// storedSection is a section of an existing report.
type storedSection struct {
	header sectionHeader
	text   string // from the opening marker through the closing one
}

// writeReport writes path: a header describing this machine, a summary of
// every goal, and the sections in order. Sections of benchmarks that did
// not run this time are kept from the existing file.
func writeReport(path string, m Machine, fresh []*Section, order []string) error {
	old := map[string]storedSection{}
	var tail string
	if b, err := os.ReadFile(path); err == nil {
		old = parseReport(string(b))
		tail = handWrittenTail(string(b))
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	all := map[string]storedSection{}
	for name, s := range old {
		if slices.Contains(order, name) {
			all[name] = s
		}
	}
	for _, s := range fresh {
		text, header := renderSection(s)
		all[s.Name] = storedSection{header: header, text: text}
	}

	var b bytes.Buffer
	b.WriteString("# clipcut benchmarks\n\n")
	b.WriteString("Generated by `make bench` (`go run ./bench`); do not edit the generated sections by hand (sections after them, measured by hand, say how and are kept). ")
	b.WriteString("Run one benchmark alone with `go run ./bench -only NAME`: its section is rewritten and the others are kept, ")
	b.WriteString("so each section says when, at which commit and on which machine it was measured.\n\n")
	b.WriteString("Every figure is the median of several runs with (min–max). Baselines run side by side in the same invocation, ")
	b.WriteString("interleaved round by round. Benchmarks measure; they never fail the build.\n\n")
	fmt.Fprintf(&b, "Machine of the latest run: %s; %s, ffmpeg %s, PostgreSQL %s; load average %s when it started.\n\n",
		m.Short(), m.Go, m.FFmpeg, m.Postgres, m.Load)

	b.WriteString("## Summary\n\n| benchmark | figure | goal | measured | met |\n|---|---|---|---|---|\n")
	for _, name := range order {
		s, ok := all[name]
		if !ok {
			continue
		}
		if s.header.Broken != "" {
			fmt.Fprintf(&b, "| [%s](#%s) | could not run: %s | | | |\n", name, name, mdCell(s.header.Broken))
			continue
		}
		for _, g := range s.header.Goals {
			fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s |\n", name, name,
				mdCell(g.Figure), mdCell(g.Target), mdCell(g.Measured), statusCell(g.Status))
		}
	}
	for _, name := range order {
		if s, ok := all[name]; ok {
			b.WriteString("\n")
			b.WriteString(s.text)
		}
	}
	if tail != "" {
		b.WriteString("\n")
		b.WriteString(tail)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// handWrittenTail is what follows the last generated section of a report
// when it starts with a heading: measurements not (yet) made by
// `go run ./bench`, each saying how they were made. It is kept as is.
func handWrittenTail(text string) string {
	i := strings.LastIndex(text, markerClose)
	if i < 0 {
		return ""
	}
	end := strings.Index(text[i:], "\n")
	if end < 0 {
		return ""
	}
	tail := strings.TrimLeft(text[i+end+1:], "\n")
	if !strings.HasPrefix(tail, "## ") {
		return ""
	}
	return tail
}

// renderSection is a section as markdown, between its markers.
func renderSection(s *Section) (string, sectionHeader) {
	h := sectionHeader{Title: s.Title, Meta: s.Meta, Goals: s.Goals}
	if s.Err != nil {
		h.Broken = s.Err.Error()
	}
	meta, _ := json.Marshal(h)
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s %s%s\n", markerOpen, s.Name, meta, markerEnd)
	fmt.Fprintf(&b, "<a id=\"%s\"></a>\n\n## %s\n\n", s.Name, s.Title)
	fmt.Fprintf(&b, "`go run ./bench -only %s`. Measured %s at commit %s on %s. "+
		"Other processes used %.2f cores while it ran; took %s.\n\n",
		s.Name, s.Meta.Date.Format("2006-01-02 15:04 MST"), s.Meta.Commit, s.Meta.Machine,
		s.Meta.OtherCores, s.Meta.Took.Round(time.Second))
	if s.Err != nil {
		fmt.Fprintf(&b, "**The benchmark could not run:** %s\n\n", s.Err)
	}
	for _, p := range s.About {
		b.WriteString(p + "\n\n")
	}
	for _, t := range s.Tables {
		if t.Caption != "" {
			fmt.Fprintf(&b, "%s\n\n", t.Caption)
		}
		fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(mdCells(t.Header), " | "), strings.Repeat("---|", len(t.Header)))
		for _, r := range t.Rows {
			fmt.Fprintf(&b, "| %s |\n", strings.Join(mdCells(r), " | "))
		}
		b.WriteString("\n")
	}
	if len(s.Goals) > 0 {
		b.WriteString("| goal | target | measured | met |\n|---|---|---|---|\n")
		for _, g := range s.Goals {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(g.Figure), mdCell(g.Target), mdCell(g.Measured), statusCell(g.Status))
		}
		b.WriteString("\n")
		for _, g := range s.Goals {
			if g.Limit != "" {
				fmt.Fprintf(&b, "- **What limits \"%s\":** %s\n", g.Figure, g.Limit)
			}
		}
		b.WriteString("\n")
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	if len(s.Notes) > 0 {
		b.WriteString("\n")
	}
	for _, c := range s.Code {
		fmt.Fprintf(&b, "%s\n\n```sh\n%s\n```\n\n", c.Caption, c.Text)
	}
	fmt.Fprintf(&b, "%s%s%s\n", markerClose, s.Name, markerEnd)
	return b.String(), h
}

// parseReport finds the sections of an existing report. Anything it cannot
// parse is dropped (the file is generated, so that means it was edited).
func parseReport(text string) map[string]storedSection {
	out := map[string]storedSection{}
	for {
		i := strings.Index(text, markerOpen)
		if i < 0 {
			return out
		}
		text = text[i:]
		lineEnd := strings.Index(text, "\n")
		if lineEnd < 0 {
			return out
		}
		line := strings.TrimSuffix(text[len(markerOpen):lineEnd], markerEnd)
		name, meta, _ := strings.Cut(line, " ")
		closing := markerClose + name + markerEnd + "\n"
		j := strings.Index(text, closing)
		if j < 0 {
			return out
		}
		var h sectionHeader
		if err := json.Unmarshal([]byte(meta), &h); err == nil {
			out[name] = storedSection{header: h, text: text[:j+len(closing)]}
		}
		text = text[j+len(closing):]
	}
}

func statusCell(s GoalStatus) string {
	switch s {
	case Met:
		return "✅ yes"
	case Missed:
		return "❌ no"
	}
	return "– (no target)"
}

func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = mdCell(c)
	}
	return out
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
