package main

import (
	"bytes"
	"flag"
	"io"
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
		older := map[string]bool{}
		for _, old := range flagAliases {
			older[old] = true
		}
		fs.VisitAll(func(f *flag.Flag) {
			if older[f.Name] {
				return // listed in its new name's row
			}
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

func TestOutboundSettingsKeepTheirWebhookNames(t *testing.T) {
	t.Setenv("CLIPCUT_WEBHOOK_ALLOW_CIDRS", "10.1.0.0/16")
	t.Setenv("CLIPCUT_WEBHOOK_ALLOW_PRIVATE", "true")
	fs, cfg := newFlagSet(modeServe, io.Discard)
	require.NoError(t, fs.Parse(nil))
	require.Equal(t, "10.1.0.0/16", cfg.WebhookAllowCIDRs)
	require.True(t, cfg.WebhookAllowPrivate)

	t.Setenv("CLIPCUT_OUTBOUND_ALLOW_CIDRS", "192.168.1.20")
	fs, cfg = newFlagSet(modeServe, io.Discard)
	require.NoError(t, fs.Parse([]string{"--webhook-allow-private=false"}))
	require.Equal(t, "192.168.1.20", cfg.WebhookAllowCIDRs, "the new name wins")
	require.False(t, cfg.WebhookAllowPrivate, "the older flag still works")
}
