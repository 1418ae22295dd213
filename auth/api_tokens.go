package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/store"
)

// APITokenPrefix starts every personal API token. Secret scanners can find
// leaked tokens with the regular expression APITokenPattern.
const APITokenPrefix = "ccp_"

// APITokenPattern matches a personal API token anywhere in text: the prefix
// and 64 lowercase hexadecimal digits (32 random bytes). Hex, unlike
// base64url, has no '-' or '_' that would blur the word boundaries.
const APITokenPattern = `\bccp_[0-9a-f]{64}\b`

// MaxAPITokens is how many live API tokens one user may hold.
const MaxAPITokens = 50

// displayPrefixLen is how much of a token its owner sees in lists: the
// prefix and 8 characters, enough to tell tokens apart and useless to an
// attacker.
const displayPrefixLen = len(APITokenPrefix) + 8

// NewAPIToken is a newly created API token: the secret is shown once, here.
type NewAPIToken struct {
	Secret string
	Token  store.APIToken
}

// CreateAPIToken issues a personal API token for the viewer, who must be
// signed in with a password session (an API token cannot mint tokens,
// not even narrower ones, so a leaked token cannot outlive its revocation).
func (s *Service) CreateAPIToken(ctx context.Context, v *Viewer, name string, scopes []Scope, expiresAt *time.Time) (NewAPIToken, error) {
	if v == nil {
		return NewAPIToken{}, ErrUnauthenticated
	}
	if v.IsAPIToken() {
		return NewAPIToken{}, ErrSessionOnly
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 80 {
		return NewAPIToken{}, inputError("name", "Name must be 1 to 80 characters.")
	}
	if len(scopes) == 0 {
		return NewAPIToken{}, inputError("scopes", "Choose at least one scope.")
	}
	var names []string
	for _, sc := range scopes {
		if !sc.Valid() {
			return NewAPIToken{}, inputError("scopes", "Unknown scope %q.", sc)
		}
		if sc == ScopeAdmin && !v.IsAdmin {
			return NewAPIToken{}, ErrNotAdmin
		}
		if !slices.Contains(names, string(sc)) {
			names = append(names, string(sc))
		}
	}
	if expiresAt != nil && !expiresAt.After(time.Now()) {
		return NewAPIToken{}, inputError("expiresAt", "The expiry date must be in the future.")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return NewAPIToken{}, fmt.Errorf("create api token: %w", err)
	}
	secret := APITokenPrefix + hex.EncodeToString(raw)
	t, err := s.store.CreateAPIToken(ctx, store.NewAPIToken{
		UserID: v.UserID, Name: name, Prefix: secret[:displayPrefixLen],
		TokenHash: hashToken(secret), Scopes: names, ExpiresAt: expiresAt,
	}, MaxAPITokens)
	if errors.Is(err, store.ErrTooManyAPITokens) {
		return NewAPIToken{}, &Error{Code: "QUOTA_EXCEEDED",
			Message: fmt.Sprintf("You already have %d API tokens; revoke one first.", MaxAPITokens)}
	}
	if err != nil {
		return NewAPIToken{}, err
	}
	s.logger.InfoContext(ctx, "api token created", "user_id", v.UserID, "token_id", t.ID, "scopes", names)
	return NewAPIToken{Secret: secret, Token: t}, nil
}

// APITokens lists the viewer's live API tokens (never their secrets).
func (s *Service) APITokens(ctx context.Context, v *Viewer) ([]store.APIToken, error) {
	if v == nil {
		return nil, ErrUnauthenticated
	}
	if v.IsAPIToken() {
		return nil, ErrSessionOnly
	}
	return s.store.APITokens(ctx, v.UserID)
}

// RevokeAPIToken revokes one of the viewer's API tokens and reports whether
// a live one was revoked.
func (s *Service) RevokeAPIToken(ctx context.Context, v *Viewer, id uuid.UUID) (bool, error) {
	if v == nil {
		return false, ErrUnauthenticated
	}
	if v.IsAPIToken() {
		return false, ErrSessionOnly
	}
	ok, err := s.store.RevokeAPIToken(ctx, v.UserID, id)
	if err == nil && ok {
		s.logger.InfoContext(ctx, "api token revoked", "user_id", v.UserID, "token_id", id)
	}
	return ok, err
}

// authenticateAPIToken resolves a ccp_ token to its viewer.
func (s *Service) authenticateAPIToken(ctx context.Context, token string) (*Viewer, error) {
	t, err := s.store.APITokenByHash(ctx, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	scopes := make([]Scope, len(t.Scopes))
	for i, sc := range t.Scopes {
		scopes[i] = Scope(sc)
	}
	return &Viewer{UserID: t.UserID, IsAdmin: t.IsAdmin, TokenID: t.ID, Scopes: scopes}, nil
}
