package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is every setting of clipcut. Each field is a flag whose default
// comes from an environment variable, so deployments can use either.
type Config struct {
	Addr            string
	DataDir         string
	DatabaseURL     string
	DBMaxConns      int
	PostgresBin     string
	LogLevel        string
	LogFormat       string
	SessionTTL      time.Duration
	CookieSecure    string
	TrustProxy      bool
	MaxBodyBytes    int64
	ComplexityLimit int
	DepthLimit      int
	KeepAlive       time.Duration
	Workers         int
	ShutdownTimeout time.Duration

	// envErrors are environment values that could not be parsed; Validate
	// reports them with every other problem.
	envErrors []error
	// usage rows for --help, in registration order.
	usage []usageRow
}

type usageRow struct{ flag, env, def, help string }

// MediaDir is where local media lives: <data-dir>/media.
func (c *Config) MediaDir() string { return filepath.Join(c.DataDir, "media") }

// PostgresDir is where the private cluster lives: <data-dir>/pg.
func (c *Config) PostgresDir() string { return filepath.Join(c.DataDir, "pg") }

// flagSet describes which settings a subcommand takes.
type flagSet struct {
	*flag.FlagSet
	cfg *Config
}

func (fs flagSet) str(p *string, name, env, def, help string) {
	if v, ok := os.LookupEnv(env); ok {
		def = v
	}
	fs.StringVar(p, name, def, help)
	fs.cfg.usage = append(fs.cfg.usage, usageRow{"--" + name, env, strconv.Quote(def), help})
}

func parseEnv[T any](fs flagSet, env string, def T, parse func(string) (T, error)) T {
	if v, ok := os.LookupEnv(env); ok {
		parsed, err := parse(v)
		if err != nil {
			fs.cfg.envErrors = append(fs.cfg.envErrors, fmt.Errorf("%s=%q: %v", env, v, err))
			return def
		}
		return parsed
	}
	return def
}

func (fs flagSet) int(p *int, name, env string, def int, help string) {
	def = parseEnv(fs, env, def, strconv.Atoi)
	fs.IntVar(p, name, def, help)
	fs.cfg.usage = append(fs.cfg.usage, usageRow{"--" + name, env, strconv.Itoa(def), help})
}

func (fs flagSet) int64(p *int64, name, env string, def int64, help string) {
	def = parseEnv(fs, env, def, func(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) })
	fs.Int64Var(p, name, def, help)
	fs.cfg.usage = append(fs.cfg.usage, usageRow{"--" + name, env, strconv.FormatInt(def, 10), help})
}

func (fs flagSet) bool(p *bool, name, env string, def bool, help string) {
	def = parseEnv(fs, env, def, strconv.ParseBool)
	fs.BoolVar(p, name, def, help)
	fs.cfg.usage = append(fs.cfg.usage, usageRow{"--" + name, env, strconv.FormatBool(def), help})
}

func (fs flagSet) duration(p *time.Duration, name, env string, def time.Duration, help string) {
	def = parseEnv(fs, env, def, time.ParseDuration)
	fs.DurationVar(p, name, def, help)
	fs.cfg.usage = append(fs.cfg.usage, usageRow{"--" + name, env, def.String(), help})
}

// mode is a subcommand.
type mode string

const (
	modeServe   mode = "serve"
	modeAPI     mode = "api"
	modeWorker  mode = "worker"
	modeMigrate mode = "migrate"
)

var modeSummary = map[mode]string{
	modeServe:   "Serve the API, the web app and the background workers in one process (the default).",
	modeAPI:     "Serve the API and the web app without running background jobs (scale these out behind a load balancer).",
	modeWorker:  "Run background jobs (transcoding, subtitles, cleanup) without the API; serves only /health, /ready and /metrics.",
	modeMigrate: "Apply database migrations and exit.",
}

// newFlagSet registers the flags of mode on a fresh Config.
func newFlagSet(m mode, stderr io.Writer) (flagSet, *Config) {
	cfg := &Config{}
	fs := flagSet{FlagSet: flag.NewFlagSet("clipcut "+string(m), flag.ContinueOnError), cfg: cfg}
	fs.SetOutput(stderr)
	// Parse reports a bad flag itself; cli prints the full usage for --help.
	fs.Usage = func() { fmt.Fprintf(stderr, "Run 'clipcut %s --help' for every flag.\n", m) }

	fs.str(&cfg.DataDir, "data-dir", "CLIPCUT_DATA_DIR", "./var", "Directory for the private PostgreSQL cluster (pg/) and local media (media/).")
	fs.str(&cfg.DatabaseURL, "database-url", "DATABASE_URL", "", "PostgreSQL connection URL. Empty: start a private cluster under <data-dir>/pg.")
	fs.int(&cfg.DBMaxConns, "db-max-conns", "CLIPCUT_DB_MAX_CONNS", 20, "Most database connections this process opens.")
	fs.str(&cfg.PostgresBin, "postgres-bin", "CLIPCUT_POSTGRES_BIN", "", "Directory with initdb and pg_ctl for the private cluster. Empty: the newest /usr/lib/postgresql/*/bin, then $PATH.")
	fs.str(&cfg.LogLevel, "log-level", "CLIPCUT_LOG_LEVEL", "info", "Log level: debug, info, warn or error.")
	fs.str(&cfg.LogFormat, "log-format", "CLIPCUT_LOG_FORMAT", "text", "Log format: text or json.")
	if m == modeMigrate {
		return fs, cfg
	}
	fs.str(&cfg.Addr, "addr", "CLIPCUT_ADDR", ":8080", "HTTP listen address.")
	fs.duration(&cfg.ShutdownTimeout, "shutdown-timeout", "CLIPCUT_SHUTDOWN_TIMEOUT", 30*time.Second, "On SIGTERM, how long to let requests and jobs finish before stopping.")
	if m != modeWorker {
		fs.duration(&cfg.SessionTTL, "session-ttl", "CLIPCUT_SESSION_TTL", 30*24*time.Hour, "How long a login session lasts.")
		fs.str(&cfg.CookieSecure, "cookie-secure", "CLIPCUT_COOKIE_SECURE", "auto", "Secure attribute of the session cookie: auto (when the request is HTTPS), always or never.")
		fs.bool(&cfg.TrustProxy, "trust-proxy", "CLIPCUT_TRUST_PROXY", false, "Take the client address and scheme from X-Forwarded-For/-Proto (only behind a proxy that sets them).")
		fs.int64(&cfg.MaxBodyBytes, "graphql-max-body", "CLIPCUT_GRAPHQL_MAX_BODY", 1<<20, "Largest GraphQL request body, in bytes.")
		fs.int(&cfg.ComplexityLimit, "graphql-complexity-limit", "CLIPCUT_GRAPHQL_COMPLEXITY_LIMIT", 5000, "Largest GraphQL operation cost (one per field, lists times their page size); 0 disables.")
		fs.int(&cfg.DepthLimit, "graphql-depth-limit", "CLIPCUT_GRAPHQL_DEPTH_LIMIT", 12, "Deepest GraphQL selection nesting; 0 disables.")
		fs.duration(&cfg.KeepAlive, "ws-keepalive", "CLIPCUT_WS_KEEPALIVE", 15*time.Second, "Interval of websocket keep-alive pings.")
	}
	if m != modeAPI {
		fs.int(&cfg.Workers, "workers", "CLIPCUT_WORKERS", max(1, runtime.NumCPU()), "Jobs run at once by this process.")
	}
	return fs, cfg
}

func printUsage(w io.Writer, m mode, cfg *Config) {
	fmt.Fprintf(w, "Usage: clipcut %s [flags]\n\n%s\n\nEvery flag can also be set by the environment variable shown.\n\n", m, modeSummary[m])
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FLAG\tENVIRONMENT\tDEFAULT\tMEANING")
	for _, r := range cfg.usage {
		def := r.def
		if def == `""` {
			def = "(none)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.flag, r.env, def, r.help)
	}
	tw.Flush()
}

// Validate reports every problem with the configuration at once.
func (c *Config) Validate(m mode) error {
	errs := append([]error(nil), c.envErrors...)
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if strings.TrimSpace(c.DataDir) == "" {
		bad("--data-dir (CLIPCUT_DATA_DIR) must not be empty")
	}
	if c.DatabaseURL != "" {
		if _, err := pgxpool.ParseConfig(c.DatabaseURL); err != nil {
			bad("--database-url (DATABASE_URL) is not a PostgreSQL URL: %v", err)
		}
	}
	if c.DBMaxConns < 2 {
		bad("--db-max-conns (CLIPCUT_DB_MAX_CONNS) must be at least 2, got %d", c.DBMaxConns)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("--log-level (CLIPCUT_LOG_LEVEL) must be debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("--log-format (CLIPCUT_LOG_FORMAT) must be text or json, got %q", c.LogFormat)
	}
	if m == modeMigrate {
		return errors.Join(errs...)
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("--addr (CLIPCUT_ADDR) must be host:port or :port, got %q", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("--addr (CLIPCUT_ADDR) has an invalid port %q", port)
	}
	if c.ShutdownTimeout <= 0 {
		bad("--shutdown-timeout (CLIPCUT_SHUTDOWN_TIMEOUT) must be positive")
	}
	if m != modeWorker {
		if c.SessionTTL < time.Minute {
			bad("--session-ttl (CLIPCUT_SESSION_TTL) must be at least 1m, got %s", c.SessionTTL)
		}
		switch c.CookieSecure {
		case "auto", "always", "never":
		default:
			bad("--cookie-secure (CLIPCUT_COOKIE_SECURE) must be auto, always or never, got %q", c.CookieSecure)
		}
		if c.MaxBodyBytes < 1024 {
			bad("--graphql-max-body (CLIPCUT_GRAPHQL_MAX_BODY) must be at least 1024 bytes, got %d", c.MaxBodyBytes)
		}
		if c.ComplexityLimit < 0 || c.DepthLimit < 0 {
			bad("GraphQL limits must not be negative")
		}
		if c.KeepAlive <= 0 {
			bad("--ws-keepalive (CLIPCUT_WS_KEEPALIVE) must be positive")
		}
	}
	if m != modeAPI && c.Workers < 1 {
		bad("--workers (CLIPCUT_WORKERS) must be at least 1, got %d", c.Workers)
	}
	return errors.Join(errs...)
}
