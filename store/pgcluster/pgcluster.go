// Package pgcluster runs a private PostgreSQL cluster for clipcut from the
// PostgreSQL server binaries installed on the machine: initdb on first use,
// pg_ctl start and stop. It is what lets `clipcut serve` work with no
// DATABASE_URL. The cluster listens only on a Unix socket in a private
// directory, so it never collides with another PostgreSQL on the machine.
//
// PostgreSQL refuses to run as root; when clipcut runs as root, the cluster
// is owned and run by the "postgres" system user.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
)

// Options configure a cluster.
type Options struct {
	// Dir is the data directory (for example ./var/pg). Created if missing.
	Dir string
	// BinDir holds initdb, pg_ctl and postgres. Empty: the newest
	// /usr/lib/postgresql/*/bin, then $PATH.
	BinDir string
	// Database is created on first start (default "clipcut").
	Database string
	// Ephemeral trades durability for speed (fsync off): for tests only.
	Ephemeral bool
	Logger    *slog.Logger
}

// Cluster is a running private cluster.
type Cluster struct {
	opts      Options
	binDir    string
	socketDir string
	cred      *syscall.Credential // non-nil when PostgreSQL runs as another user
}

const superuser = "clipcut"

// Start initializes the cluster if needed, starts it (or adopts one already
// running on Dir, left by a process that was killed) and creates the
// database.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Database == "" {
		opts.Database = "clipcut"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("postgres: data dir: %w", err)
	}
	opts.Dir = dir
	binDir, err := findBinDir(opts.BinDir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts, binDir: binDir}
	if os.Geteuid() == 0 {
		cred, err := postgresCredential()
		if err != nil {
			return nil, err
		}
		c.cred = cred
	}
	if err := c.prepareDir(dir); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	}
	// Unix socket paths are limited to about 107 bytes; a deep data dir
	// gets its socket in a short directory derived from its path instead.
	// The socket dir is made after initdb, which wants an empty data dir.
	c.socketDir = filepath.Join(dir, "run")
	if len(c.socketDir)+len("/.s.PGSQL.5432") > 100 {
		sum := sha256.Sum256([]byte(dir))
		c.socketDir = filepath.Join(os.TempDir(), "clipcut-pg-"+hex.EncodeToString(sum[:6]))
	}
	if err := c.prepareDir(c.socketDir); err != nil {
		return nil, err
	}
	pid, stale := c.inspectPidFile()
	switch {
	case pid > 0 && stale == "":
		opts.Logger.WarnContext(ctx, "adopting a PostgreSQL cluster that was already running", "dir", dir, "pid", pid)
	default:
		if stale != "" {
			// PostgreSQL itself refuses to start while the PID in its
			// lock files answers, which a zombie or a reused PID does.
			opts.Logger.WarnContext(ctx, "PostgreSQL was not shut down cleanly: its postmaster.pid is stale; "+
				"starting it, which runs crash recovery", "dir", dir, "pid", pid, "reason", stale)
			if err := c.removeStaleLockFiles(pid); err != nil {
				return nil, err
			}
		}
		if err := c.start(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.createDatabase(ctx); err != nil {
		_ = c.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	return c, nil
}

// URL is the connection string for the cluster's database.
func (c *Cluster) URL() string { return c.URLFor(c.opts.Database) }

// URLFor is the connection string for another database on the cluster.
func (c *Cluster) URLFor(database string) string {
	q := url.Values{"host": {c.socketDir}, "sslmode": {"disable"}}
	return "postgres://" + superuser + "@/" + url.PathEscape(database) + "?" + q.Encode()
}

// Dir is the data directory.
func (c *Cluster) Dir() string { return c.opts.Dir }

// Stop shuts the cluster down (fast mode: open transactions roll back,
// everything committed is on disk) and waits until it has exited.
func (c *Cluster) Stop(ctx context.Context) error {
	out, err := c.command(ctx, "pg_ctl", "stop", "-D", c.opts.Dir, "-m", "fast", "-w", "-t", "60").CombinedOutput()
	if err != nil && c.running(context.WithoutCancel(ctx)) {
		return fmt.Errorf("postgres: stop: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func findBinDir(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(filepath.Join(explicit, "pg_ctl")); err != nil {
			return "", fmt.Errorf("postgres: no pg_ctl in %s (CLIPCUT_POSTGRES_BIN)", explicit)
		}
		return explicit, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return majorOf(dirs[i]) > majorOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("postgres: PostgreSQL server binaries (pg_ctl, initdb) not found in /usr/lib/postgresql/*/bin or $PATH: " +
		"install the postgresql package (make run does), or set DATABASE_URL to use an existing server")
}

func majorOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("postgres: running as root, and PostgreSQL refuses to run as root, " +
			"but there is no \"postgres\" user to run it as: install the postgresql package or set DATABASE_URL")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// prepareDir creates a directory with the owner and mode PostgreSQL
// insists on, and checks that PostgreSQL's user can reach it.
func (c *Cluster) prepareDir(d string) error {
	// Parents are made traversable (MkdirAll would give them d's 0700).
	if err := os.MkdirAll(filepath.Dir(d), 0o755); err != nil {
		return fmt.Errorf("postgres: create %s: %w", filepath.Dir(d), err)
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return fmt.Errorf("postgres: create %s: %w", d, err)
	}
	if err := os.Chmod(d, 0o700); err != nil {
		return fmt.Errorf("postgres: chmod %s: %w", d, err)
	}
	if c.cred == nil {
		return nil
	}
	if err := os.Chown(d, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
		return fmt.Errorf("postgres: chown %s to postgres: %w", d, err)
	}
	// The postgres user must reach d through every parent; say so plainly
	// instead of letting initdb fail obscurely.
	probe := exec.Command("/usr/bin/test", "-w", d)
	probe.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	if err := probe.Run(); err != nil {
		return fmt.Errorf("postgres: the postgres user cannot reach %s (PostgreSQL runs as postgres when clipcut runs as root): "+
			"give its parent directories o+x, or set CLIPCUT_DATA_DIR to a directory such as /var/lib/clipcut", d)
	}
	return nil
}

// command builds an exec.Cmd for a PostgreSQL program, run as the postgres user when needed, in its own
// process group so a Ctrl-C at the terminal reaches clipcut, which then
// stops the cluster in order, rather than the cluster directly.
func (c *Cluster) command(ctx context.Context, prog string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, prog), args...)
	cmd.Dir = c.opts.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	return cmd
}

func (c *Cluster) initdb(ctx context.Context) error {
	c.opts.Logger.InfoContext(ctx, "creating private PostgreSQL cluster", "dir", c.opts.Dir)
	args := []string{"-D", c.opts.Dir, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"}
	if c.opts.Ephemeral {
		args = append(args, "--no-sync")
	}
	out, err := c.command(ctx, "initdb", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("postgres: initdb %s: %w: %s", c.opts.Dir, err, tail(out))
	}
	return nil
}

func (c *Cluster) running(ctx context.Context) bool {
	return c.command(ctx, "pg_ctl", "status", "-D", c.opts.Dir).Run() == nil
}

func (c *Cluster) start(ctx context.Context) error {
	serverOpts := []string{
		"-c listen_addresses=''",
		"-k " + c.socketDir,
		"-c unix_socket_permissions=0700",
		"-c max_connections=200",
	}
	if c.opts.Ephemeral {
		serverOpts = append(serverOpts, "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
	}
	logFile := filepath.Join(c.opts.Dir, "postgres.log")
	out, err := c.command(ctx, "pg_ctl", "start", "-D", c.opts.Dir, "-w", "-t", "60",
		"-l", logFile, "-o", strings.Join(serverOpts, " ")).CombinedOutput()
	if err != nil {
		logTail, _ := os.ReadFile(logFile)
		return fmt.Errorf("postgres: start cluster in %s: %w: %s %s", c.opts.Dir, err, tail(out), tail(logTail))
	}
	c.opts.Logger.InfoContext(ctx, "started private PostgreSQL cluster", "dir", c.opts.Dir, "socket_dir", c.socketDir)
	return nil
}

func (c *Cluster) createDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.URLFor("postgres"))
	if err != nil {
		return fmt.Errorf("postgres: connect to private cluster: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.opts.Database).Scan(&exists); err != nil {
		return fmt.Errorf("postgres: look up database: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.opts.Database}.Sanitize()); err != nil {
		return fmt.Errorf("postgres: create database %s: %w", c.opts.Database, err)
	}
	return nil
}

func tail(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
