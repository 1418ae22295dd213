package auth_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
)

// A session Authenticate has just cached is refused at once after LogOut,
// and a session revoked elsewhere (ForgetSession, as a notification of
// another replica's revocation calls it) too.
func TestCachedSessionRefusedAtOnceAfterRevocation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := newService(t)

	sess, err := svc.LogIn(ctx, owner, password, auth.Client{IP: "127.0.0.4"})
	require.NoError(t, err)
	v, err := svc.Authenticate(ctx, sess.Token)
	require.NoError(t, err)
	_, err = svc.Authenticate(ctx, sess.Token) // from the cache
	require.NoError(t, err)
	ended, err := svc.LogOut(ctx, v)
	require.NoError(t, err)
	require.True(t, ended)
	_, err = svc.Authenticate(ctx, sess.Token)
	require.ErrorIs(t, err, auth.ErrUnauthenticated)

	other, err := svc.LogIn(ctx, owner, password, auth.Client{IP: "127.0.0.4"})
	require.NoError(t, err)
	v, err = svc.Authenticate(ctx, other.Token)
	require.NoError(t, err)
	_, err = st.RevokeSession(ctx, v.SessionID) // as another replica would
	require.NoError(t, err)
	svc.ForgetSession(v.SessionID)
	_, err = svc.Authenticate(ctx, other.Token)
	require.ErrorIs(t, err, auth.ErrUnauthenticated)
}
