package auth

import (
	"fmt"
	"time"
)

// Error is a failure the client caused and may be told about. Its Code is
// the GraphQL extensions.code; Field names the offending input field.
type Error struct {
	Code       string
	Field      string
	Message    string
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// PublicCode is the code clients see (GraphQL extensions.code).
func (e *Error) PublicCode() string { return e.Code }

// PublicField names the input field at fault, or "".
func (e *Error) PublicField() string { return e.Field }

// RetryAfterSeconds says when a rate-limited client may try again.
func (e *Error) RetryAfterSeconds() int {
	return int((e.RetryAfter + time.Second - 1) / time.Second)
}

func inputError(field, format string, args ...any) *Error {
	return &Error{Code: "BAD_USER_INPUT", Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrUnauthenticated is returned when a request needs a signed-in user and
// has none (or its session expired or was revoked).
var ErrUnauthenticated = &Error{Code: "UNAUTHENTICATED", Message: "You need to log in."}

// ErrInvalidCredentials is the one answer to a wrong password or an unknown
// email, so that logIn does not reveal which accounts exist.
var ErrInvalidCredentials = &Error{Code: "UNAUTHENTICATED", Message: "Incorrect email or password."}
