// Package auth owns accounts and sessions: argon2id password hashes, opaque
// session tokens stored only as SHA-256 hashes, login throttling, and the
// HTTP middleware that turns a bearer token or session cookie into the
// Viewer of a request.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/store"
)

// TokenPrefix starts every session token, so secret scanners can spot a
// leaked one.
const TokenPrefix = "ccs_"

// Limits on login failures within one ThrottleWindow. An address that
// keeps guessing one account's password, or guesses many accounts', is
// refused until the window ends; an account guessed at from many addresses
// is slowed, never locked, so its owner can still log in from elsewhere.
const (
	ThrottleWindow = 15 * time.Minute
	// MaxFailuresPerAccountAddress locks one (account, client address)
	// pair out for the rest of the window.
	MaxFailuresPerAccountAddress = 10
	// MaxFailuresPerEmail is MaxFailuresPerAccountAddress's former name.
	//
	// Deprecated: failures lock an account out only for the address that
	// made them; use MaxFailuresPerAccountAddress.
	MaxFailuresPerEmail = MaxFailuresPerAccountAddress
	// MaxFailuresPerIP locks one client address out of every account for
	// the rest of the window.
	MaxFailuresPerIP = 50
	// AccountSlowdownAfter is how many failures of one account, from any
	// addresses, start spacing its attempts out: from then on one attempt
	// at a time goes through, each AccountSlowdown(failures) after the
	// last.
	AccountSlowdownAfter = 20
	// MaxAccountSlowdown caps the interval between an account's attempts.
	MaxAccountSlowdown = time.Minute
)

// AccountSlowdown is how long an account with failures failed logins in
// the current window waits between attempts: nothing below
// AccountSlowdownAfter, then 1 s, doubling with every further failure up
// to MaxAccountSlowdown. An attacker spread over many addresses gets about
// one guess a minute; the owner waits at most that long.
func AccountSlowdown(failures int) time.Duration {
	if failures < AccountSlowdownAfter {
		return 0
	}
	if n := failures - AccountSlowdownAfter; n < 6 {
		return min(time.Second<<n, MaxAccountSlowdown)
	}
	return MaxAccountSlowdown
}

// Service signs users up and in and checks tokens.
type Service struct {
	store      *store.Store
	logger     *slog.Logger
	sessionTTL time.Duration
	// dummyHash is verified against when an email is unknown, so that an
	// unknown email costs as much time as a wrong password.
	dummyHash string
	// sessions caches live sessions for SessionCacheTTL.
	sessions *sessionCache
}

// NewService returns a Service issuing sessions that last sessionTTL.
func NewService(s *store.Store, logger *slog.Logger, sessionTTL time.Duration) (*Service, error) {
	dummy, err := HashPassword("not a real password, only here to spend time")
	if err != nil {
		return nil, err
	}
	return &Service{store: s, logger: logger, sessionTTL: sessionTTL, dummyHash: dummy, sessions: newSessionCache()}, nil
}

// SessionTTL is how long new sessions last.
func (s *Service) SessionTTL() time.Duration { return s.sessionTTL }

// Client describes where a request comes from, recorded on its session and
// used for throttling.
type Client struct {
	IP        string
	UserAgent string
	// BaseURL is the scheme and host the request was sent to, for links
	// back to this server.
	BaseURL string
}

// Session is a newly issued session: the token is shown once, here.
type Session struct {
	Token     string
	ExpiresAt time.Time
	User      store.User
}

// SignUp creates an account and its first session.
func (s *Service) SignUp(ctx context.Context, email, password, name string, client Client) (Session, error) {
	email = strings.TrimSpace(email)
	name = strings.TrimSpace(name)
	if err := validateEmail(email); err != nil {
		return Session{}, err
	}
	if n := utf8.RuneCountInString(password); n < 8 {
		return Session{}, inputError("password", "Password must be at least 8 characters.")
	} else if len(password) > 1024 {
		return Session{}, inputError("password", "Password must be at most 1024 bytes.")
	}
	if n := utf8.RuneCountInString(name); n < 1 || n > 80 {
		return Session{}, inputError("name", "Name must be 1 to 80 characters.")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return Session{}, err
	}
	user, err := s.store.CreateUser(ctx, email, name, hash)
	if errors.Is(err, store.ErrEmailTaken) {
		return Session{}, inputError("email", "An account with this email already exists.")
	}
	if err != nil {
		return Session{}, err
	}
	s.logger.InfoContext(ctx, "account created", "user_id", user.ID, "admin", user.IsAdmin)
	return s.issue(ctx, user, client)
}

func validateEmail(email string) error {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") || len(email) > 254 {
		return inputError("email", "Enter a valid email address, like name@example.com.")
	}
	return nil
}

// LogIn checks credentials and issues a session. Failures are counted per
// account and client address, per address and per account (see
// ThrottleWindow's constants): past the first two limits that address gets
// RATE_LIMITED until the window ends, even for the right password, while
// the account's owner can still log in from another address; past the
// account's, attempts from anywhere are spaced out. Accounts are keyed by
// the email typed, so an unknown email is throttled like a known one.
func (s *Service) LogIn(ctx context.Context, email, password string, client Client) (Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	account, pair, ip := "account:"+email, "pair:"+client.IP+" "+email, "ip:"+client.IP
	blocked, err := s.store.LoginBlockedFor(ctx, []string{pair, ip}, []int{MaxFailuresPerAccountAddress, MaxFailuresPerIP}, ThrottleWindow)
	if err != nil {
		return Session{}, err
	}
	if blocked > 0 {
		return Session{}, &Error{Code: "RATE_LIMITED", RetryAfter: blocked,
			Message: fmt.Sprintf("Too many failed logins. Try again in %d minutes.", int(blocked.Minutes())+1)}
	}
	wait, err := s.store.ClaimLoginAttempt(ctx, account, ThrottleWindow, AccountSlowdown)
	if err != nil {
		return Session{}, err
	}
	if wait > 0 {
		e := &Error{Code: "RATE_LIMITED", RetryAfter: wait}
		e.Message = fmt.Sprintf("Too many failed logins for this account. Try again in %d seconds.", e.RetryAfterSeconds())
		return Session{}, e
	}
	user, err := s.store.UserByEmail(ctx, email)
	hash := user.PasswordHash
	if errors.Is(err, store.ErrNotFound) {
		hash = s.dummyHash
	} else if err != nil {
		return Session{}, err
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return Session{}, fmt.Errorf("log in: %w", err)
	}
	if !ok || user.ID == uuid.Nil {
		if err := s.store.RecordLoginFailure(ctx, []string{account, pair, ip}, ThrottleWindow); err != nil {
			return Session{}, err
		}
		return Session{}, ErrInvalidCredentials
	}
	// Only the right password learns that the account is disabled.
	if user.DisabledAt != nil {
		return Session{}, ErrAccountDisabled
	}
	// The owner's own typos from this address are forgiven; the account's
	// count stays, so an attack in progress stays slowed.
	if err := s.store.ClearLoginFailures(ctx, pair); err != nil {
		return Session{}, err
	}
	return s.issue(ctx, user, client)
}

func (s *Service) issue(ctx context.Context, user store.User, client Client) (Session, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Session{}, fmt.Errorf("issue session: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	expires := time.Now().Add(s.sessionTTL)
	if _, err := s.store.CreateSession(ctx, user.ID, hashToken(token), expires, client.UserAgent, client.IP); err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: expires, User: user}, nil
}

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Viewer is the authenticated user behind a request: through a password
// session (SessionID set, every scope) or a personal API token (TokenID and
// Scopes set).
type Viewer struct {
	UserID    uuid.UUID
	IsAdmin   bool
	SessionID uuid.UUID
	// TokenID is the personal API token used, or uuid.Nil for a session.
	TokenID uuid.UUID
	// Scopes are the API token's scopes; ignored for sessions.
	Scopes []Scope
}

// Store returns the viewer in the form store queries take.
func (v *Viewer) Store() store.Viewer {
	if v == nil {
		return store.Viewer{}
	}
	return store.Viewer{UserID: v.UserID, IsAdmin: v.IsAdmin}
}

// Authenticate resolves a session token (ccs_) or a personal API token
// (ccp_) to its viewer. It returns
// ErrUnauthenticated for an unknown, expired or revoked token. A live
// session is remembered for SessionCacheTTL (see ForgetSession).
func (s *Service) Authenticate(ctx context.Context, token string) (*Viewer, error) {
	return s.authenticate(ctx, token, true)
}

// Recheck is Authenticate without the session cache, for re-checking a
// long-lived connection: its point is to see a change the cache may not
// have heard of yet (a revocation announced while the notifier was away).
func (s *Service) Recheck(ctx context.Context, token string) (*Viewer, error) {
	return s.authenticate(ctx, token, false)
}

func (s *Service) authenticate(ctx context.Context, token string, cached bool) (*Viewer, error) {
	if len(token) > 128 {
		return nil, ErrUnauthenticated
	}
	if strings.HasPrefix(token, APITokenPrefix) {
		return s.authenticateAPIToken(ctx, token)
	}
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, ErrUnauthenticated
	}
	hash := hashToken(token)
	now := time.Now()
	if v, ok := s.sessions.get(hash, now); ok && cached {
		return v, nil
	}
	sess, err := s.store.SessionByTokenHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	v := Viewer{UserID: sess.UserID, IsAdmin: sess.IsAdmin, SessionID: sess.ID}
	s.sessions.put(hash, v, now, sess.ExpiresAt)
	return &v, nil
}

// LogOut revokes the viewer's session and reports whether one was ended.
func (s *Service) LogOut(ctx context.Context, v *Viewer) (bool, error) {
	if v == nil {
		return false, nil
	}
	ok, err := s.store.RevokeSession(ctx, v.SessionID)
	s.sessions.forget(v.SessionID)
	return ok, err
}
