package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const (
	owner    = "ada@example.com"
	password = "correct horse battery"
)

func newService(t *testing.T) (*auth.Service, *store.Store) {
	t.Helper()
	st := storetest.NewStore(t)
	svc, err := auth.NewService(st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
	require.NoError(t, err)
	_, err = svc.SignUp(context.Background(), owner, password, "Ada", auth.Client{IP: "127.0.0.3"})
	require.NoError(t, err)
	return svc, st
}

func logIn(svc *auth.Service, ip, pw string) error {
	_, err := svc.LogIn(context.Background(), owner, pw, auth.Client{IP: ip})
	return err
}

// rateLimited returns err's retry-after, failing unless err is RATE_LIMITED.
func rateLimited(t *testing.T, err error) time.Duration {
	t.Helper()
	var ae *auth.Error
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "RATE_LIMITED", ae.Code, ae.Message)
	require.Positive(t, ae.RetryAfter)
	return ae.RetryAfter
}

func TestLogInThrottlesTheAddressNotTheAccount(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	for i := range 50 {
		err := logIn(svc, "127.0.0.2", fmt.Sprintf("guess %d", i))
		if i < auth.MaxFailuresPerAccountAddress {
			require.ErrorIs(t, err, auth.ErrInvalidCredentials, "attempt %d", i)
		} else {
			require.LessOrEqual(t, rateLimited(t, err), auth.ThrottleWindow, "attempt %d", i)
		}
	}
	rateLimited(t, logIn(svc, "127.0.0.2", password)) // even the right password, from that address

	require.NoError(t, logIn(svc, "127.0.0.3", password), "the owner, elsewhere, logs in at once")

	retry := rateLimited(t, logIn(svc, "127.0.0.2", "guess 51"))
	require.Greater(t, retry, time.Minute, "the attacker waits out the window")
	require.LessOrEqual(t, retry, auth.ThrottleWindow)
}

func TestLogInSlowsAnAccountGuessedFromManyAddresses(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := context.Background()
	for i := range auth.AccountSlowdownAfter {
		require.ErrorIs(t, logIn(svc, fmt.Sprintf("127.0.1.%d", i), "guess"), auth.ErrInvalidCredentials)
	}
	// Past the ceiling the account is slowed: of a burst from fresh
	// addresses, one attempt is checked and the others are told to wait.
	// (More failures are recorded here so that the interval is the
	// longest, and the burst cannot outlast it.)
	_, err := st.Pool().Exec(ctx, `UPDATE login_failures SET failures = 100 WHERE key LIKE 'account:%'`)
	require.NoError(t, err)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = logIn(svc, fmt.Sprintf("127.0.2.%d", i), "guess") })
	}
	wg.Wait()
	checked := 0
	for _, err := range errs {
		if errors.Is(err, auth.ErrInvalidCredentials) {
			checked++
			continue
		}
		require.LessOrEqual(t, rateLimited(t, err), auth.MaxAccountSlowdown)
	}
	require.Equal(t, 1, checked)

	// The owner is slowed too, never locked out: once the interval has
	// passed, the right password works.
	require.LessOrEqual(t, rateLimited(t, logIn(svc, "127.0.0.3", password)), auth.MaxAccountSlowdown)
	_, err = st.Pool().Exec(ctx, `UPDATE login_failures SET next_attempt_at = now() - interval '1 second' WHERE key LIKE 'account:%'`)
	require.NoError(t, err)
	require.NoError(t, logIn(svc, "127.0.0.3", password))
}

func TestAccountSlowdown(t *testing.T) {
	t.Parallel()
	n := auth.AccountSlowdownAfter
	for failures, want := range map[int]time.Duration{
		0: 0, n - 1: 0, n: time.Second, n + 1: 2 * time.Second, n + 5: 32 * time.Second,
		n + 6: auth.MaxAccountSlowdown, n + 100: auth.MaxAccountSlowdown,
	} {
		require.Equal(t, want, auth.AccountSlowdown(failures), failures)
	}
}
