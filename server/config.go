package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/webhook"
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
	// GraphQLLimits bound a GraphQL document before it is validated.
	GraphQLLimits graph.DocumentLimits
	// GraphQLTimeout is the deadline of each query and mutation.
	GraphQLTimeout  time.Duration
	KeepAlive       time.Duration
	Workers         int
	ShutdownTimeout time.Duration
	JobRescueAfter  time.Duration
	JobTimeoutBase  time.Duration
	CORSOrigins     string

	RateLimitGraphQL string
	RateLimitUploads string
	RateLimitAuth    string

	AnalyticsRetention      time.Duration
	AnalyticsIPRate         int
	AnalyticsRollupInterval time.Duration

	// MediaPrivacyTTL bounds how long /media/ trusts a video's privacy
	// it read, should the notifier's change notice be lost.
	MediaPrivacyTTL time.Duration

	PublicURL     string
	MediaBaseURL  string
	MediaS3Mode   string
	MediaFastPath bool
	PlaybackTTL   time.Duration
	SecretKeys    string
	MediaWorkers  int
	FFmpeg        string
	FFprobe       string
	X264Preset    string
	MP4Downloads  bool
	// ChunkSeconds is the length of the chunks long videos are encoded
	// in, by every worker (0: one job per video).
	ChunkSeconds  int
	Transcriber   string
	WhisperBin    string
	WhisperModel  string
	OpenAIBaseURL string
	OpenAIAPIKey  string
	OpenAIModel   string
	SphinxBin     string
	SphinxModel   string
	S3Endpoint    string
	S3Bucket      string
	S3Region      string
	S3AccessKey   string
	S3SecretKey   string
	S3UseSSL      bool
	S3Prefix      string
	MaxUploadSize string
	StorageQuota  string
	DailyUploads  int
	UploadExpiry  time.Duration

	WebhookAllowPrivate bool
	WebhookAllowCIDRs   string
	WebhookTimeout      time.Duration
	WebhookRetryWindow  time.Duration
	WebhookPlaybackTTL  time.Duration
	WebhookWorkers      int

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

// envAliases are the older names of renamed variables: still read, the
// new name winning when both are set.
var envAliases = map[string]string{
	"CLIPCUT_OUTBOUND_ALLOW_CIDRS":   "CLIPCUT_WEBHOOK_ALLOW_CIDRS",
	"CLIPCUT_OUTBOUND_ALLOW_PRIVATE": "CLIPCUT_WEBHOOK_ALLOW_PRIVATE",
}

// flagAliases are the older names of renamed flags.
var flagAliases = map[string]string{
	"outbound-allow-cidrs":   "webhook-allow-cidrs",
	"outbound-allow-private": "webhook-allow-private",
}

// lookupEnv reads env, or its older name.
func lookupEnv(env string) (string, bool) {
	if v, ok := os.LookupEnv(env); ok {
		return v, true
	}
	if old, ok := envAliases[env]; ok {
		return os.LookupEnv(old)
	}
	return "", false
}

func (fs flagSet) str(p *string, name, env, def, help string) {
	if v, ok := lookupEnv(env); ok {
		def = v
	}
	fs.StringVar(p, name, def, help)
	if old, ok := flagAliases[name]; ok {
		fs.StringVar(p, old, def, "Older name of --"+name+".")
	}
	fs.cfg.usage = append(fs.cfg.usage, usageRow{"--" + name, env, strconv.Quote(def), help})
}

func parseEnv[T any](fs flagSet, env string, def T, parse func(string) (T, error)) T {
	if v, ok := lookupEnv(env); ok {
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
	if old, ok := flagAliases[name]; ok {
		fs.BoolVar(p, old, def, "Older name of --"+name+".")
	}
	fs.cfg.usage = append(fs.cfg.usage, usageRow{"--" + name, env, strconv.FormatBool(def), help})
}

func (fs flagSet) duration(p *time.Duration, name, env string, def time.Duration, help string) {
	def = parseEnv(fs, env, def, time.ParseDuration)
	fs.DurationVar(p, name, def, help)
	fs.cfg.usage = append(fs.cfg.usage, usageRow{"--" + name, env, def.String(), help})
}

// secret registers a setting that is a secret (a key, a password, a URL
// with a password in it). Besides the flag and env, it may come from the
// file named by env+"_FILE", the Docker and Kubernetes secrets convention:
// the file's content, trailing newlines trimmed, is the value. Setting both
// env and env_FILE is an error Validate reports. Errors name the variable
// and the path, never the value, and --help shows "(set)" instead of it.
func (fs flagSet) secret(p *string, name, env, help string) {
	def, inEnv := os.LookupEnv(env)
	if path, ok := os.LookupEnv(env + secretFileSuffix); ok {
		if inEnv {
			fs.cfg.envErrors = append(fs.cfg.envErrors, fmt.Errorf("%s and %s%s are both set: set only one", env, env, secretFileSuffix))
		} else if v, err := readSecretFile(path); err != nil {
			fs.cfg.envErrors = append(fs.cfg.envErrors, fmt.Errorf("%s%s=%q: %v", env, secretFileSuffix, path, err))
		} else {
			def = v
		}
	}
	fs.StringVar(p, name, def, help)
	shown := `""`
	if def != "" {
		shown = "(set)"
	}
	fs.cfg.usage = append(fs.cfg.usage, usageRow{"--" + name, env, shown, help + " Or " + env + secretFileSuffix + ": the path of a file holding it."})
}

// secretFileSuffix turns a secret's variable into the one naming a file
// that holds it.
const secretFileSuffix = "_FILE"

// readSecretFile reads a secret from path. Its errors describe why the file
// cannot be read and never quote what it holds.
func readSecretFile(path string) (string, error) {
	if strings.TrimSpace(path) == "" {
		return "", errors.New("empty path")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("cannot read the secret file: %v", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
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
	fs.secret(&cfg.DatabaseURL, "database-url", "DATABASE_URL", "PostgreSQL connection URL. Empty: start a private cluster under <data-dir>/pg.")
	fs.int(&cfg.DBMaxConns, "db-max-conns", "CLIPCUT_DB_MAX_CONNS", 20, "Most database connections this process opens.")
	fs.str(&cfg.PostgresBin, "postgres-bin", "CLIPCUT_POSTGRES_BIN", "", "Directory with initdb and pg_ctl for the private cluster. Empty: the newest /usr/lib/postgresql/*/bin, then $PATH.")
	fs.str(&cfg.LogLevel, "log-level", "CLIPCUT_LOG_LEVEL", "info", "Log level: debug, info, warn or error.")
	fs.str(&cfg.LogFormat, "log-format", "CLIPCUT_LOG_FORMAT", "text", "Log format: text or json.")
	if m == modeMigrate {
		return fs, cfg
	}
	processFlags(fs, m)
	if m != modeWorker {
		apiFlags(fs)
	}
	if m != modeAPI {
		workerFlags(fs)
	}
	return fs, cfg
}

// processFlags are the settings of every serving process.
func processFlags(fs flagSet, m mode) {
	cfg := fs.cfg
	fs.str(&cfg.Addr, "addr", "CLIPCUT_ADDR", ":8080", "HTTP listen address.")
	fs.secret(&cfg.SecretKeys, "secret-keys", "CLIPCUT_SECRET_KEYS", "Comma-separated keys (32+ characters each) that sign upload and playback URLs; the first signs, all verify (rotation). Empty: a key generated once in <data-dir>/secret.key. Set it when running several processes.")
	fs.str(&cfg.MaxUploadSize, "max-upload-size", "CLIPCUT_MAX_UPLOAD_SIZE", "10GiB", "Largest file one upload may be (for example 500MiB, 10GiB).")
	fs.duration(&cfg.UploadExpiry, "upload-expiry", "CLIPCUT_UPLOAD_EXPIRY", 24*time.Hour, "How long an unfinished upload may take before it is removed.")
	fs.str(&cfg.S3Endpoint, "s3-endpoint", "CLIPCUT_S3_ENDPOINT", "", "S3-compatible endpoint for media (host:port or URL: AWS S3, MinIO, R2). Empty: local disk under <data-dir>/media.")
	fs.str(&cfg.S3Bucket, "s3-bucket", "CLIPCUT_S3_BUCKET", "clipcut", "S3 bucket for media; created if missing.")
	fs.str(&cfg.S3Region, "s3-region", "CLIPCUT_S3_REGION", "", "S3 region (empty: discovered).")
	fs.secret(&cfg.S3AccessKey, "s3-access-key", "CLIPCUT_S3_ACCESS_KEY", "S3 access key.")
	fs.secret(&cfg.S3SecretKey, "s3-secret-key", "CLIPCUT_S3_SECRET_KEY", "S3 secret key.")
	fs.bool(&cfg.S3UseSSL, "s3-use-ssl", "CLIPCUT_S3_USE_SSL", true, "Use HTTPS to reach S3 (an http:// or https:// endpoint overrides it).")
	fs.str(&cfg.S3Prefix, "s3-prefix", "CLIPCUT_S3_PREFIX", "", "Key prefix for every object, to share a bucket.")
	fs.duration(&cfg.ShutdownTimeout, "shutdown-timeout", "CLIPCUT_SHUTDOWN_TIMEOUT", 30*time.Second, "On SIGTERM, how long to let requests and jobs finish before stopping.")
	fs.bool(&cfg.WebhookAllowPrivate, "outbound-allow-private", "CLIPCUT_OUTBOUND_ALLOW_PRIVATE", false, "Let outbound requests (webhooks, imports) reach private, loopback and link-local addresses (only where every user is trusted: this is what SSRF protection refuses). Older name: --webhook-allow-private, CLIPCUT_WEBHOOK_ALLOW_PRIVATE.")
	fs.str(&cfg.WebhookAllowCIDRs, "outbound-allow-cidrs", "CLIPCUT_OUTBOUND_ALLOW_CIDRS", "", "Comma-separated networks outbound requests (webhooks, imports) may reach although they are not public (10.1.0.0/16, 192.168.1.20). Older name: --webhook-allow-cidrs, CLIPCUT_WEBHOOK_ALLOW_CIDRS.")
	fs.duration(&cfg.WebhookTimeout, "webhook-timeout", "CLIPCUT_WEBHOOK_TIMEOUT", 10*time.Second, "How long one webhook delivery attempt may take, connecting and reading the answer included.")
	if m != modeAPI {
		fs.duration(&cfg.WebhookRetryWindow, "webhook-retry-window", "CLIPCUT_WEBHOOK_RETRY_WINDOW", jobs.DefaultWebhookRetryWindow, "How long a failing webhook delivery is retried (exponential backoff, 10s doubling up to 1h) before it is marked FAILED.")
		fs.duration(&cfg.WebhookPlaybackTTL, "webhook-playback-ttl", "CLIPCUT_WEBHOOK_PLAYBACK_TTL", jobs.DefaultWebhookPlaybackTTL, "How long the signed playback URLs of a private video in webhook payloads (video.playable, video.ready, video.edited) stay valid, from the delivery attempt; 1m to 7 days.")
		fs.int(&cfg.WebhookWorkers, "webhook-workers", "CLIPCUT_WEBHOOK_WORKERS", 10, "Webhook deliveries this process makes at once (network-bound; slow receivers only hold these).")
	}
}

// apiFlags are the settings of processes that serve the API (serve, api).
func apiFlags(fs flagSet) {
	cfg := fs.cfg
	fs.duration(&cfg.SessionTTL, "session-ttl", "CLIPCUT_SESSION_TTL", 30*24*time.Hour, "How long a login session lasts.")
	fs.str(&cfg.CookieSecure, "cookie-secure", "CLIPCUT_COOKIE_SECURE", "auto", "Secure attribute of the session cookie: auto (when the request is HTTPS), always or never.")
	fs.bool(&cfg.TrustProxy, "trust-proxy", "CLIPCUT_TRUST_PROXY", false, "Take the client address and scheme from X-Forwarded-For/-Proto (only behind a proxy that sets them).")
	fs.int64(&cfg.MaxBodyBytes, "graphql-max-body", "CLIPCUT_GRAPHQL_MAX_BODY", 1<<20, "Largest GraphQL request body, in bytes.")
	fs.int(&cfg.ComplexityLimit, "graphql-complexity-limit", "CLIPCUT_GRAPHQL_COMPLEXITY_LIMIT", 5000, "Largest GraphQL operation cost (one per field, lists times their page size); 0 disables.")
	fs.int(&cfg.DepthLimit, "graphql-depth-limit", "CLIPCUT_GRAPHQL_DEPTH_LIMIT", 12, "Deepest GraphQL selection nesting, fragments followed; 0 disables.")
	def := graph.DefaultDocumentLimits
	fs.int(&cfg.GraphQLLimits.Bytes, "graphql-max-document-bytes", "CLIPCUT_GRAPHQL_MAX_DOCUMENT_BYTES", def.Bytes, "Longest GraphQL query text, in bytes (refused before the body is decoded); 0 disables.")
	fs.int(&cfg.GraphQLLimits.Tokens, "graphql-max-tokens", "CLIPCUT_GRAPHQL_MAX_TOKENS", def.Tokens, "Most lexical tokens in a GraphQL document (parsing stops past it); 0 disables.")
	fs.int(&cfg.GraphQLLimits.Selections, "graphql-max-selections", "CLIPCUT_GRAPHQL_MAX_SELECTIONS", def.Selections, "Most selections in one GraphQL selection set; 0 disables.")
	fs.int(&cfg.GraphQLLimits.Aliases, "graphql-max-aliases", "CLIPCUT_GRAPHQL_MAX_ALIASES", def.Aliases, "Most aliased fields in a GraphQL document; 0 disables.")
	fs.int(&cfg.GraphQLLimits.FragmentSpreads, "graphql-max-fragment-spreads", "CLIPCUT_GRAPHQL_MAX_FRAGMENT_SPREADS", def.FragmentSpreads, "Most ...Fragment spreads written in a GraphQL document; 0 disables.")
	fs.int(&cfg.GraphQLLimits.Fields, "graphql-max-fields", "CLIPCUT_GRAPHQL_MAX_FIELDS", def.Fields, "Most fields in a GraphQL document once its fragments are expanded (each fragment counted once, however often spread); 0 disables.")
	fs.int(&cfg.GraphQLLimits.DuplicateFields, "graphql-max-duplicate-fields", "CLIPCUT_GRAPHQL_MAX_DUPLICATE_FIELDS", def.DuplicateFields, "Most fields repeating a response name already selected in the same place, subfields included (field merging compares them pairwise); 0 disables.")
	fs.duration(&cfg.GraphQLTimeout, "graphql-timeout", "CLIPCUT_GRAPHQL_TIMEOUT", 30*time.Second, "Server-side deadline of each GraphQL query and mutation (not of a subscription's lifetime); 0 disables.")
	fs.duration(&cfg.KeepAlive, "ws-keepalive", "CLIPCUT_WS_KEEPALIVE", 15*time.Second, "Interval of websocket keep-alive pings.")
	fs.str(&cfg.PublicURL, "public-url", "CLIPCUT_PUBLIC_URL", "", "Base URL clients reach this server at (https://video.example.com), used in upload and status URLs. Empty: taken from each request.")
	fs.str(&cfg.MediaBaseURL, "media-base-url", "CLIPCUT_MEDIA_BASE_URL", "", "Base URL of /media/ in playback URLs, for a CDN in front of it (https://cdn.example.com). Empty: the public URL.")
	fs.str(&cfg.MediaS3Mode, "media-s3-mode", "CLIPCUT_MEDIA_S3_MODE", "proxy", "How media in S3 is served: proxy (streamed through clipcut) or redirect (302 to a short-lived presigned URL).")
	fs.bool(&cfg.MediaFastPath, "media-fast-path", "CLIPCUT_MEDIA_FAST_PATH", true, "Answer GET and HEAD of /media/ on connections that fetch only media (players, CDNs) without net/http's per-request overhead, a segment's headers sent in the same packets as its data; the first other request moves the connection to net/http. false: net/http serves everything.")
	fs.duration(&cfg.MediaPrivacyTTL, "media-privacy-ttl", "CLIPCUT_MEDIA_PRIVACY_TTL", 5*time.Second, "How long /media/ reuses a video's privacy read from the database. A change reaches every replica at once through the notifier; this only bounds an answer kept while the notifier reconnects.")
	fs.duration(&cfg.PlaybackTTL, "playback-ttl", "CLIPCUT_PLAYBACK_TTL", 6*time.Hour, "How long the signed playback URLs given to a private video's viewers stay valid.")
	fs.str(&cfg.StorageQuota, "user-storage-quota", "CLIPCUT_USER_STORAGE_QUOTA", "100GiB", "Total size of the uploads of one user; 0 for unlimited. Administrators are exempt; an administrator can set an account its own limit in the admin area.")
	fs.int(&cfg.DailyUploads, "user-daily-uploads", "CLIPCUT_USER_DAILY_UPLOADS", 50, "Uploads one user may start per 24 hours; 0 for unlimited. Administrators are exempt; an administrator can set an account its own limit in the admin area.")
	fs.str(&cfg.RateLimitGraphQL, "rate-limit-graphql", "CLIPCUT_RATE_LIMIT_GRAPHQL", "1200/1m", "GraphQL requests per API token, user or (anonymous) client address: <requests>/<period> as a token bucket (that many at once, refilled over the period); off disables. Counted per API process.")
	fs.str(&cfg.RateLimitUploads, "rate-limit-uploads", "CLIPCUT_RATE_LIMIT_UPLOADS", "60/1m", "Upload creations (createUpload, tus POST, POST /upload) per API token or user, as <requests>/<period>; off disables. Counted per API process.")
	fs.str(&cfg.RateLimitAuth, "rate-limit-auth", "CLIPCUT_RATE_LIMIT_AUTH", "30/1m", "signUp and logIn attempts per client address, as <requests>/<period>; off disables. Failed logins are also throttled per account and client address, and slowed (never locked) per account. Counted per API process.")
	fs.int(&cfg.AnalyticsIPRate, "analytics-ip-rate", "CLIPCUT_ANALYTICS_IP_RATE", 1000, "Player analytics events accepted per second from one client address (bursts of ten times that); 0 disables this limit. Each viewer id is also limited to 5 per second.")
	fs.str(&cfg.CORSOrigins, "cors-origins", "CLIPCUT_CORS_ORIGINS", "", "Comma-separated origins (https://app.example.com) whose pages may call /graphql and the REST API with a bearer token; * for any. Empty: same origin only. Session cookies are never honoured cross-origin.")
}

// workerFlags are the settings of processes that work jobs (serve, worker).
func workerFlags(fs flagSet) {
	cfg := fs.cfg
	fs.int(&cfg.Workers, "workers", "CLIPCUT_WORKERS", max(1, runtime.NumCPU()), "Light background jobs (probing, cleanup, deletion) run at once by this process.")
	fs.int(&cfg.MediaWorkers, "media-workers", "CLIPCUT_MEDIA_WORKERS", max(1, runtime.NumCPU()/4), "Transcodes and image jobs run at once by this process; each ffmpeg uses every core, so about one per four cores.")
	fs.str(&cfg.FFmpeg, "ffmpeg", "CLIPCUT_FFMPEG", "ffmpeg", "ffmpeg program (name on $PATH or path).")
	fs.str(&cfg.FFprobe, "ffprobe", "CLIPCUT_FFPROBE", "ffprobe", "ffprobe program (name on $PATH or path).")
	fs.bool(&cfg.MP4Downloads, "mp4-downloads", "CLIPCUT_MP4_DOWNLOADS", false, "Also make a progressive MP4 of each video's top rendition for download (a remux: seconds, no second encode).")
	fs.str(&cfg.Transcriber, "transcriber", "CLIPCUT_TRANSCRIBER", "auto", "Subtitle engine: whisper (whisper.cpp), openai (an OpenAI-compatible API), sphinx (pocketsphinx, offline), none, or auto (whisper when a model is set, else sphinx when installed, else none).")
	fs.str(&cfg.WhisperBin, "whisper-bin", "CLIPCUT_WHISPER_BIN", "", "whisper.cpp command-line program (empty: whisper-cli, then main, on $PATH).")
	fs.str(&cfg.WhisperModel, "whisper-model", "CLIPCUT_WHISPER_MODEL", "", "whisper.cpp model file (ggml-*.bin); never downloaded by clipcut.")
	fs.str(&cfg.OpenAIBaseURL, "openai-base-url", "CLIPCUT_OPENAI_BASE_URL", "https://api.openai.com/v1", "Base URL of the OpenAI-compatible transcription API, including /v1 (OpenAI, whisper.cpp server, faster-whisper servers).")
	fs.secret(&cfg.OpenAIAPIKey, "openai-api-key", "CLIPCUT_OPENAI_API_KEY", "API key for the openai engine (sent as a bearer token; never logged).")
	fs.str(&cfg.OpenAIModel, "openai-model", "CLIPCUT_OPENAI_MODEL", "whisper-1", "Model name for the openai engine.")
	fs.str(&cfg.SphinxBin, "sphinx-bin", "CLIPCUT_SPHINX_BIN", "", "pocketsphinx program (empty: pocketsphinx_continuous, then pocketsphinx, on $PATH).")
	fs.str(&cfg.SphinxModel, "sphinx-model-dir", "CLIPCUT_SPHINX_MODEL_DIR", "", "pocketsphinx model directory (empty: Debian's /usr/share/pocketsphinx/model/en-us).")
	fs.duration(&cfg.JobRescueAfter, "job-rescue-after", "CLIPCUT_JOB_RESCUE_AFTER", 15*time.Minute, "Backstop for dead workers: a job still marked running this long after it started, and past its own timeout, is retried elsewhere. Worker leases normally return a dead worker's jobs within seconds.")
	fs.duration(&cfg.JobTimeoutBase, "job-timeout-base", "CLIPCUT_JOB_TIMEOUT_BASE", jobs.DefaultTimeoutBase, "Fixed part of media job timeouts, which stop hung work: a transcode may take this plus 6x the video's length. A killed worker's jobs do not wait for it: its lease returns them to the queue within seconds.")
	fs.duration(&cfg.AnalyticsRetention, "analytics-retention", "CLIPCUT_ANALYTICS_RETENTION", 90*24*time.Hour, "How long raw player events are kept before the hourly job deletes them; hourly and daily rollups and view counts are kept for good. 0 keeps them for ever.")
	fs.duration(&cfg.AnalyticsRollupInterval, "analytics-rollup-interval", "CLIPCUT_ANALYTICS_ROLLUP_INTERVAL", jobs.AnalyticsRollupInterval, "How often player events are summarised into the hourly and daily figures the dashboards show (and so how far they lag behind); between 1s and 1h.")
	fs.str(&cfg.X264Preset, "x264-preset", "CLIPCUT_X264_PRESET", "veryfast", "x264 preset for the HLS ladder: ultrafast ... veryslow (slower: smaller files at the same quality).")
	fs.int(&cfg.ChunkSeconds, "transcode-chunk-seconds", "CLIPCUT_TRANSCODE_CHUNK_SECONDS", 30, "A video longer than this (plus one 4-second segment) is encoded in chunks of about this length (rounded up to whole segments; the first half as long, so the video plays sooner), each a job any worker process takes, so one video uses every worker; 0 encodes every video in one job.")
}

func printUsage(w io.Writer, m mode, cfg *Config) {
	fmt.Fprintf(w, "Usage: clipcut %s [flags]\n\n%s\n\nEvery flag can also be set by the environment variable shown. A secret can instead be read from a file: set the variable with _FILE appended (DATABASE_URL_FILE=/run/secrets/db) and the file's content, trailing newline trimmed, is the value.\n\n", m, modeSummary[m])
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
	fmt.Fprint(w, "\nTracing is off unless the standard OpenTelemetry variables name an OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER and the others apply): see the README's Tracing section.\n")
}

// Validate reports every problem with the configuration at once.
func (c *Config) Validate(m mode) error {
	errs := append([]error(nil), c.envErrors...)
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	c.validateProcess(m, bad)
	if m == modeMigrate {
		return errors.Join(errs...)
	}
	if m != modeWorker {
		c.validateAPI(bad)
	}
	if m != modeAPI {
		c.validateWorker(bad)
	}
	if c.S3Endpoint != "" && (c.S3AccessKey == "" || c.S3SecretKey == "" || c.S3Bucket == "") {
		bad("--s3-endpoint (CLIPCUT_S3_ENDPOINT) needs CLIPCUT_S3_BUCKET, CLIPCUT_S3_ACCESS_KEY and CLIPCUT_S3_SECRET_KEY")
	}
	return errors.Join(errs...)
}

// problem records one invalid setting.
type problem func(format string, args ...any)

// validateProcess checks the settings of every process.
func (c *Config) validateProcess(m mode, bad problem) {
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
		return
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("--addr (CLIPCUT_ADDR) must be host:port or :port, got %q", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("--addr (CLIPCUT_ADDR) has an invalid port %q", port)
	}
	if _, err := parseSecretKeys(c.SecretKeys); err != nil {
		bad("--secret-keys (CLIPCUT_SECRET_KEYS): %v", err)
	}
	if _, err := webhook.ParseAllowList(c.WebhookAllowCIDRs); err != nil {
		bad("--outbound-allow-cidrs (CLIPCUT_OUTBOUND_ALLOW_CIDRS): %v", err)
	}
	if c.WebhookTimeout < time.Second || c.WebhookTimeout > 5*time.Minute {
		bad("--webhook-timeout (CLIPCUT_WEBHOOK_TIMEOUT) must be between 1s and 5m, got %s", c.WebhookTimeout)
	}
	if m != modeAPI && c.WebhookWorkers < 1 {
		bad("--webhook-workers (CLIPCUT_WEBHOOK_WORKERS) must be at least 1, got %d", c.WebhookWorkers)
	}
	if m != modeAPI && (c.WebhookPlaybackTTL < time.Minute || c.WebhookPlaybackTTL > 7*24*time.Hour) {
		bad("--webhook-playback-ttl (CLIPCUT_WEBHOOK_PLAYBACK_TTL) must be between 1m and 168h, got %s", c.WebhookPlaybackTTL)
	}
	if m != modeAPI && c.WebhookRetryWindow < time.Minute {
		bad("--webhook-retry-window (CLIPCUT_WEBHOOK_RETRY_WINDOW) must be at least 1m, got %s", c.WebhookRetryWindow)
	}
	if c.ShutdownTimeout <= 0 {
		bad("--shutdown-timeout (CLIPCUT_SHUTDOWN_TIMEOUT) must be positive")
	}
	if n, err := ParseBytes(c.MaxUploadSize); err != nil || n <= 0 {
		bad("--max-upload-size (CLIPCUT_MAX_UPLOAD_SIZE) must be a positive size like 10GiB, got %q", c.MaxUploadSize)
	}
	if c.UploadExpiry < time.Minute {
		bad("--upload-expiry (CLIPCUT_UPLOAD_EXPIRY) must be at least 1m, got %s", c.UploadExpiry)
	}
}

// validateAPI checks the settings of API processes.
func (c *Config) validateAPI(bad problem) {
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
	if l := c.GraphQLLimits; c.ComplexityLimit < 0 || c.DepthLimit < 0 || l.Bytes < 0 || l.Tokens < 0 || l.Selections < 0 ||
		l.Aliases < 0 || l.FragmentSpreads < 0 || l.Fields < 0 || l.DuplicateFields < 0 {
		bad("GraphQL limits must not be negative")
	}
	if c.GraphQLTimeout < 0 {
		bad("--graphql-timeout (CLIPCUT_GRAPHQL_TIMEOUT) must not be negative")
	}
	if c.KeepAlive <= 0 {
		bad("--ws-keepalive (CLIPCUT_WS_KEEPALIVE) must be positive")
	}
	if n, err := ParseBytes(c.StorageQuota); err != nil || n < 0 {
		bad("--user-storage-quota (CLIPCUT_USER_STORAGE_QUOTA) must be a size like 100GiB or 0, got %q", c.StorageQuota)
	}
	if c.DailyUploads < 0 {
		bad("--user-daily-uploads (CLIPCUT_USER_DAILY_UPLOADS) must not be negative")
	}
	for _, l := range []struct{ flag, env, value string }{
		{"--rate-limit-graphql", "CLIPCUT_RATE_LIMIT_GRAPHQL", c.RateLimitGraphQL},
		{"--rate-limit-uploads", "CLIPCUT_RATE_LIMIT_UPLOADS", c.RateLimitUploads},
		{"--rate-limit-auth", "CLIPCUT_RATE_LIMIT_AUTH", c.RateLimitAuth},
	} {
		if _, err := auth.ParseRateLimit(l.value); err != nil {
			bad("%s (%s): %v", l.flag, l.env, err)
		}
	}
	if _, err := parseOrigins(c.CORSOrigins); err != nil {
		bad("--cors-origins (CLIPCUT_CORS_ORIGINS): %v", err)
	}
	if c.AnalyticsIPRate < 0 {
		bad("--analytics-ip-rate (CLIPCUT_ANALYTICS_IP_RATE) must not be negative")
	}
	if c.MediaS3Mode != "proxy" && c.MediaS3Mode != "redirect" {
		bad("--media-s3-mode (CLIPCUT_MEDIA_S3_MODE) must be proxy or redirect, got %q", c.MediaS3Mode)
	}
	if c.MediaPrivacyTTL <= 0 {
		bad("--media-privacy-ttl (CLIPCUT_MEDIA_PRIVACY_TTL) must be positive, got %s", c.MediaPrivacyTTL)
	}
	if c.PlaybackTTL < time.Minute || c.PlaybackTTL > 7*24*time.Hour {
		bad("--playback-ttl (CLIPCUT_PLAYBACK_TTL) must be between 1m and 168h, got %s", c.PlaybackTTL)
	}
	for _, u := range []struct{ flag, env, value string }{
		{"--public-url", "CLIPCUT_PUBLIC_URL", c.PublicURL}, {"--media-base-url", "CLIPCUT_MEDIA_BASE_URL", c.MediaBaseURL},
	} {
		if u.value == "" {
			continue
		}
		if parsed, err := url.Parse(u.value); err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
			bad("%s (%s) must be an absolute http(s) URL, got %q", u.flag, u.env, u.value)
		}
	}
}

// validateWorker checks the settings of processes that work jobs.
func (c *Config) validateWorker(bad problem) {
	if c.Workers < 1 {
		bad("--workers (CLIPCUT_WORKERS) must be at least 1, got %d", c.Workers)
	}
	if c.ChunkSeconds < 0 {
		bad("--transcode-chunk-seconds (CLIPCUT_TRANSCODE_CHUNK_SECONDS) must be 0 (no chunks) or more, got %d", c.ChunkSeconds)
	}
	if c.MediaWorkers < 1 {
		bad("--media-workers (CLIPCUT_MEDIA_WORKERS) must be at least 1, got %d", c.MediaWorkers)
	}
	if c.JobRescueAfter < time.Second {
		bad("--job-rescue-after (CLIPCUT_JOB_RESCUE_AFTER) must be at least 1s, got %s", c.JobRescueAfter)
	}
	if c.AnalyticsRetention != 0 && c.AnalyticsRetention < 24*time.Hour {
		bad("--analytics-retention (CLIPCUT_ANALYTICS_RETENTION) must be 0 or at least 24h, got %s", c.AnalyticsRetention)
	}
	if c.AnalyticsRollupInterval < time.Second || c.AnalyticsRollupInterval > time.Hour {
		bad("--analytics-rollup-interval (CLIPCUT_ANALYTICS_ROLLUP_INTERVAL) must be between 1s and 1h, got %s", c.AnalyticsRollupInterval)
	}
	if c.JobTimeoutBase < time.Second {
		bad("--job-timeout-base (CLIPCUT_JOB_TIMEOUT_BASE) must be at least 1s, got %s", c.JobTimeoutBase)
	}
	if _, _, err := media.SelectTranscriber(c.transcriberConfig()); err != nil {
		bad("--transcriber (CLIPCUT_TRANSCRIBER): %v", err)
	}
	switch c.X264Preset {
	case "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow":
	default:
		bad("--x264-preset (CLIPCUT_X264_PRESET) must be an x264 preset such as veryfast, got %q", c.X264Preset)
	}
	for _, tool := range []struct{ flag, env, value string }{{"--ffmpeg", "CLIPCUT_FFMPEG", c.FFmpeg}, {"--ffprobe", "CLIPCUT_FFPROBE", c.FFprobe}} {
		if _, err := exec.LookPath(tool.value); err != nil {
			bad("%s (%s): %q not found; install ffmpeg (make run does) or set the path", tool.flag, tool.env, tool.value)
		}
	}
}

// UploadDir is where upload bytes live: <data-dir>/uploads.
func (c *Config) UploadDir() string { return filepath.Join(c.DataDir, "uploads") }

// ParseBytes reads a size such as "1048576", "500MB", "10GiB" or "0".
// Decimal (KB, MB, GB, TB) and binary (KiB, MiB, GiB, TiB) units are
// accepted, case-insensitively.
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("unknown unit in %q", s)
	}
	return int64(v * mult), nil
}

// parseSecretKeys splits CLIPCUT_SECRET_KEYS; empty means "generate".
func parseSecretKeys(s string) ([][]byte, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var keys [][]byte
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if len(k) < 32 {
			return nil, errors.New("every key must be at least 32 characters")
		}
		keys = append(keys, []byte(k))
	}
	return keys, nil
}

// WorkDir holds jobs' scratch files: <data-dir>/work.
func (c *Config) WorkDir() string { return filepath.Join(c.DataDir, "work") }

func (c *Config) storageConfig() storage.Config {
	return storage.Config{
		Dir:        c.MediaDir(),
		S3Endpoint: c.S3Endpoint, S3Bucket: c.S3Bucket, S3Region: c.S3Region,
		S3AccessKey: c.S3AccessKey, S3SecretKey: c.S3SecretKey, S3UseSSL: c.S3UseSSL, S3Prefix: c.S3Prefix,
	}
}

func (c *Config) mediaTools() jobs.MediaTools {
	return jobs.MediaTools{FFmpeg: c.FFmpeg, FFprobe: c.FFprobe, Preset: c.X264Preset, MP4Downloads: c.MP4Downloads, ChunkSeconds: c.ChunkSeconds}
}

func (c *Config) transcriberConfig() media.TranscriberConfig {
	return media.TranscriberConfig{
		Engine:  c.Transcriber,
		Whisper: media.WhisperConfig{Binary: c.WhisperBin, Model: c.WhisperModel},
		OpenAI:  media.OpenAIConfig{BaseURL: c.OpenAIBaseURL, APIKey: c.OpenAIAPIKey, Model: c.OpenAIModel},
		Sphinx:  media.SphinxConfig{Binary: c.SphinxBin, ModelDir: c.SphinxModel},
	}
}

// webhookConfig is what the webhook settings make: the address policy
// (checked when a webhook is created and at every connection) and the
// delivery settings.
type webhookConfig struct {
	Policy   webhook.Policy
	Settings jobs.WebhookSettings
}

func (c *Config) webhookSettings() webhookConfig {
	allow, _ := webhook.ParseAllowList(c.WebhookAllowCIDRs) // validated
	p := webhook.Policy{AllowPrivate: c.WebhookAllowPrivate, Allow: allow}
	return webhookConfig{Policy: p, Settings: jobs.WebhookSettings{
		Client:      webhook.NewClient(webhook.Options{Policy: p, Timeout: c.WebhookTimeout}),
		RetryWindow: c.WebhookRetryWindow, PlaybackTTL: c.WebhookPlaybackTTL,
	}}
}
