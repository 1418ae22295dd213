// Command clipcut is a self-hostable video platform: a GraphQL API, tus
// uploads, an HLS transcoding pipeline on River jobs, and a web app, all in
// one binary backed by PostgreSQL.
//
//	clipcut serve     API + web app + workers (default)
//	clipcut api       API + web app only
//	clipcut worker    background jobs only
//	clipcut migrate   apply database migrations
//
// Run `clipcut <command> --help` for the flags and environment variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

func cli(args []string, stdout, stderr io.Writer) int {
	m := modeServe
	if len(args) > 0 {
		switch args[0] {
		case "serve", "api", "worker", "migrate":
			m, args = mode(args[0]), args[1:]
		case "help", "-h", "--help", "-help":
			printCommands(stdout)
			return 0
		default:
			if len(args[0]) > 0 && args[0][0] != '-' {
				fmt.Fprintf(stderr, "clipcut: unknown command %q\n\n", args[0])
				printCommands(stderr)
				return 2
			}
		}
	}
	fs, cfg := newFlagSet(m, stderr)
	if slices.ContainsFunc(args, isHelpFlag) {
		printUsage(stdout, m, cfg)
		return 0
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, m, cfg)
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "clipcut %s: unexpected arguments %q\n", m, fs.Args())
		return 2
	}
	if err := cfg.Validate(m); err != nil {
		fmt.Fprintf(stderr, "clipcut %s: invalid configuration:\n", m)
		for _, e := range unjoin(err) {
			fmt.Fprintf(stderr, "  - %v\n", e)
		}
		return 2
	}
	logger := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one kills at once.
		<-ctx.Done()
		stop()
	}()
	if err := run(ctx, m, cfg, logger); err != nil {
		logger.Error("clipcut stopped with an error", "error", err)
		return 1
	}
	return 0
}

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "Usage: clipcut <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, m := range []mode{modeServe, modeAPI, modeWorker, modeMigrate} {
		fmt.Fprintf(w, "  %-8s %s\n", m, modeSummary[m])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'clipcut <command> --help' for its flags and environment variables.")
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func isHelpFlag(a string) bool { return a == "-h" || a == "--help" || a == "-help" }
