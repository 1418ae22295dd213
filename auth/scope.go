package auth

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Scope is one permission a personal API token can carry, written
// `resource:action`. The GraphQL enum spells the same scope in capitals
// with an underscore (VIDEOS_READ is videos:read); see ScopeFromEnum.
type Scope string

// The scopes of personal API tokens.
const (
	ScopeVideosRead  Scope = "videos:read"
	ScopeVideosWrite Scope = "videos:write"
	// ScopeVideosShare signs, lists and revokes share links
	// (createPlaybackToken): a link lets anyone holding it play a private
	// video, so reading videos (videos:read) is not enough to make one.
	ScopeVideosShare   Scope = "videos:share"
	ScopeUploadsWrite  Scope = "uploads:write"
	ScopeAnalyticsRead Scope = "analytics:read"
	ScopeWebhooksRead  Scope = "webhooks:read"
	ScopeWebhooksWrite Scope = "webhooks:write"
	// ScopeAdmin lets a token act as its owner's administrator role:
	// the admin GraphQL fields and /admin/jobs. Only an administrator's
	// password session can grant it, and it stops working the moment the
	// owner is no longer an administrator (the role is read on every
	// request).
	ScopeAdmin Scope = "admin"
)

// Scopes lists every scope, in the order documentation shows them.
var Scopes = []Scope{
	ScopeVideosRead, ScopeVideosWrite, ScopeVideosShare, ScopeUploadsWrite,
	ScopeAnalyticsRead, ScopeWebhooksRead, ScopeWebhooksWrite, ScopeAdmin,
}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }

// Enum is the scope's GraphQL enum value (videos:read -> VIDEOS_READ).
func (s Scope) Enum() string {
	return strings.ToUpper(strings.Replace(string(s), ":", "_", 1))
}

// ScopeFromEnum turns a GraphQL enum value (VIDEOS_READ) into its scope
// (videos:read). The result is not checked; see Valid.
func ScopeFromEnum(enum string) Scope {
	return Scope(strings.ToLower(strings.Replace(enum, "_", ":", 1)))
}

// Allows reports whether the viewer may act with scope. Sessions carry
// every scope; an API token only those it was created with; anonymous
// viewers (nil) none.
func (v *Viewer) Allows(scope Scope) bool {
	if v == nil {
		return false
	}
	return !v.IsAPIToken() || slices.Contains(v.Scopes, scope)
}

// IsAPIToken reports whether the viewer authenticated with a personal API
// token rather than a password session.
func (v *Viewer) IsAPIToken() bool { return v != nil && v.TokenID != uuid.Nil }

// CheckScope returns nil when the viewer (possibly anonymous) may act with
// scope, and a FORBIDDEN error naming the missing scope when an API token
// lacks it. Anonymous viewers pass: whether they may act at all is the
// caller's decision.
func (v *Viewer) CheckScope(scope Scope) error {
	if v == nil || v.Allows(scope) {
		return nil
	}
	return &Error{Code: "FORBIDDEN", Message: fmt.Sprintf("This API token lacks the %s scope.", scope)}
}

// ErrNotAdmin is returned when a signed-in viewer who is not an
// administrator reaches for something only administrators may do.
var ErrNotAdmin = &Error{Code: "FORBIDDEN", Message: "Only administrators can do this."}

// ErrAccountDisabled is returned when the owner of a disabled account
// logs in with the right password.
var ErrAccountDisabled = &Error{Code: "FORBIDDEN", Message: "This account is disabled. Contact the administrators of this clipcut."}

// CheckAdmin returns nil when the viewer is an administrator acting
// through a password session or an API token with the admin scope;
// ErrUnauthenticated for anonymous viewers (nil); ErrNotAdmin for
// everyone else, and a FORBIDDEN error naming the scope for an
// administrator's token without it. The role comes from the account on
// every request, so a demoted administrator loses access at once.
func (v *Viewer) CheckAdmin() error {
	if v == nil {
		return ErrUnauthenticated
	}
	if !v.IsAdmin {
		return ErrNotAdmin
	}
	return v.CheckScope(ScopeAdmin)
}

// ErrSessionOnly is returned when an API token is used for something only a
// password session may do (managing API tokens, the account itself).
var ErrSessionOnly = &Error{Code: "FORBIDDEN", Message: "API tokens cannot do this; sign in with your password."}

// RequireScope guards a REST handler: a request with an API token lacking
// scope is answered 403 with a JSON error; sessions and anonymous
// requests pass (the handler decides what anonymous viewers may see).
func RequireScope(scope Scope, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v, err := ViewerFrom(r.Context()); err == nil {
			if err := v.CheckScope(scope); err != nil {
				WriteError(w, http.StatusForbidden, &Error{Code: "FORBIDDEN", Message: err.Error()})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
