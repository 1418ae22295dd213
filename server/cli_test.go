package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHelpListsEveryFlagWithItsEnvironmentVariable(t *testing.T) {
	for _, m := range []mode{modeServe, modeAPI, modeWorker, modeMigrate} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 0, cli([]string{string(m), "--help"}, &stdout, &stderr))
		fs, cfg := newFlagSet(m, &stderr)
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			n++
			require.Contains(t, stdout.String(), "--"+f.Name, m)
		})
		require.Equal(t, n, len(cfg.usage), "every flag has a usage row")
		for _, r := range cfg.usage {
			require.True(t, strings.HasPrefix(r.env, "CLIPCUT_") || r.env == "DATABASE_URL", r.env)
			require.Contains(t, stdout.String(), r.env)
		}
	}
	var stdout bytes.Buffer
	require.Equal(t, 0, cli([]string{"--help"}, &stdout, &stdout))
	for _, m := range []string{"serve", "api", "worker", "migrate"} {
		require.Contains(t, stdout.String(), m)
	}
}

func TestInvalidConfigurationReportsEveryProblemAtOnce(t *testing.T) {
	t.Setenv("CLIPCUT_WORKERS", "many")
	t.Setenv("CLIPCUT_LOG_LEVEL", "loud")
	t.Setenv("CLIPCUT_ADDR", "no-port")
	t.Setenv("DATABASE_URL", "mysql://nope")
	t.Setenv("CLIPCUT_COOKIE_SECURE", "sometimes")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 2, cli([]string{"serve"}, &stdout, &stderr))
	for _, want := range []string{"CLIPCUT_WORKERS", "CLIPCUT_LOG_LEVEL", "CLIPCUT_ADDR", "DATABASE_URL", "CLIPCUT_COOKIE_SECURE"} {
		require.Contains(t, stderr.String(), want)
	}
}

func TestUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 2, cli([]string{"frobnicate"}, &stdout, &stderr))
	require.Contains(t, stderr.String(), `unknown command "frobnicate"`)
}
