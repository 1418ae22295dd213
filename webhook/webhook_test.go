package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/webhook"
)

func TestSignAndVerifySignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"e1","type":"video.ready"}`)
	now := time.Unix(1_800_000_000, 0)
	h := webhook.Sign(now, body, "whsec_test")
	require.Regexp(t, `^t=1800000000,v1=[0-9a-f]{64}$`, h)
	require.NoError(t, webhook.VerifySignature("whsec_test", h, body, 5*time.Minute, now.Add(time.Minute)))

	for name, tc := range map[string]struct {
		secret, header string
		body           []byte
		want           error
	}{
		"other secret":    {"whsec_other", h, body, webhook.ErrSignatureMismatch},
		"changed body":    {"whsec_test", h, []byte(`{"id":"e2"}`), webhook.ErrSignatureMismatch},
		"no header":       {"whsec_test", "", body, webhook.ErrBadSignatureHeader},
		"no signature":    {"whsec_test", "t=1800000000", body, webhook.ErrBadSignatureHeader},
		"replayed later":  {"whsec_test", webhook.Sign(now.Add(-time.Hour), body, "whsec_test"), body, webhook.ErrTooOld},
		"extra v1 passes": {"whsec_test", h + ",v1=00", body, nil},
	} {
		t.Run(name, func(t *testing.T) {
			err := webhook.VerifySignature(tc.secret, tc.header, tc.body, 5*time.Minute, now)
			if tc.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
	require.True(t, strings.HasPrefix(webhook.NewSecret(), "whsec_"))
	require.NotEqual(t, webhook.NewSecret(), webhook.NewSecret())
}

// TestVerify is the receiver's check: the header as received, the raw
// body, a five-minute window, any of several v1 entries.
func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"e1","type":"video.ready","data":{}}`)
	sent := time.Unix(1_800_000_000, 0)
	header := func(value string) http.Header {
		h := http.Header{}
		if value != "" {
			h.Set(webhook.SignatureHeader, value)
		}
		return h
	}
	rotated := webhook.Sign(sent, body, "whsec_new_secret", "whsec_old_secret")
	require.Regexp(t, `^t=1800000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$`, rotated)

	for name, tc := range map[string]struct {
		secret string
		header http.Header
		body   []byte
		now    time.Time
		want   error
	}{
		"valid":                      {"whsec_old_secret", header(webhook.Sign(sent, body, "whsec_old_secret")), body, sent.Add(4 * time.Minute), nil},
		"two v1, the new matches":    {"whsec_new_secret", header(rotated), body, sent, nil},
		"two v1, the old matches":    {"whsec_old_secret", header(rotated), body, sent, nil},
		"two v1, neither matches":    {"whsec_other_secret", header(rotated), body, sent, webhook.ErrSignatureMismatch},
		"tampered body":              {"whsec_old_secret", header(rotated), []byte(`{"id":"e1","type":"video.ready","data":{"x":1}}`), sent, webhook.ErrSignatureMismatch},
		"tampered timestamp":         {"whsec_old_secret", header(strings.Replace(rotated, "t=1800000000", "t=1800000001", 1)), body, sent, webhook.ErrSignatureMismatch},
		"expired timestamp":          {"whsec_old_secret", header(rotated), body, sent.Add(webhook.Tolerance + time.Second), webhook.ErrTooOld},
		"timestamp from the future":  {"whsec_old_secret", header(rotated), body, sent.Add(-webhook.Tolerance - time.Second), webhook.ErrTooOld},
		"missing header":             {"whsec_old_secret", header(""), body, sent, webhook.ErrNoSignature},
		"header without a v1":        {"whsec_old_secret", header("t=1800000000"), body, sent, webhook.ErrBadSignatureHeader},
		"header without a timestamp": {"whsec_old_secret", header(strings.TrimPrefix(rotated, "t=1800000000,")), body, sent, webhook.ErrBadSignatureHeader},
	} {
		t.Run(name, func(t *testing.T) {
			err := webhook.Verify(tc.secret, tc.header, tc.body, tc.now)
			if tc.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestPolicyRefusesNonPublicAddressesByDefault(t *testing.T) {
	t.Parallel()
	var def webhook.Policy
	for _, ip := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"::1", "fe80::1", "fd00::1", "0.0.0.0", "::", "224.0.0.1", "100.64.0.1", "::ffff:127.0.0.1", "255.255.255.255"} {
		require.False(t, def.Allowed(netip.MustParseAddr(ip)), ip)
	}
	for _, ip := range []string{"93.184.215.14", "2606:4700::1111", "8.8.8.8"} {
		require.True(t, def.Allowed(netip.MustParseAddr(ip)), ip)
	}
	require.True(t, webhook.Policy{AllowPrivate: true}.Allowed(netip.MustParseAddr("127.0.0.1")))
	allow, err := webhook.ParseAllowList("10.0.0.0/8, 192.168.1.20")
	require.NoError(t, err)
	p := webhook.Policy{Allow: allow}
	require.True(t, p.Allowed(netip.MustParseAddr("10.9.9.9")))
	require.True(t, p.Allowed(netip.MustParseAddr("192.168.1.20")))
	require.False(t, p.Allowed(netip.MustParseAddr("192.168.1.21")))
	require.False(t, p.Allowed(netip.MustParseAddr("127.0.0.1")))
	_, err = webhook.ParseAllowList("10.0.0.0/8, nonsense")
	require.Error(t, err)
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var def webhook.Policy
	for raw, want := range map[string]string{
		"":                                   "https://",
		"ftp://example.com/hook":             "https://",
		"/relative":                          "https://",
		"https://":                           "no host",
		"https://user:pass@example.com/hook": "user name or password",
		"https://example.com/hook#frag":      "fragment",
		"http://127.0.0.1:9000/hook":         "127.0.0.1",
		"http://10.0.0.5/hook":               "10.0.0.5",
		"http://169.254.169.254/latest":      "169.254.169.254",
		"http://[::1]/hook":                  "::1",
		"http://localhost:8080/hook":         "resolves to",
		"http://no-such-host.invalid/hook":   "cannot be resolved",
		"https://example.com:99999/":         "port",
	} {
		err := def.CheckURL(ctx, raw)
		var ue *webhook.URLError
		require.ErrorAs(t, err, &ue, raw)
		require.Contains(t, ue.Reason, want, raw)
	}
	require.NoError(t, webhook.Policy{AllowPrivate: true}.CheckURL(ctx, "http://127.0.0.1:9000/hook"))
	require.NoError(t, webhook.Policy{AllowPrivate: true}.CheckURL(ctx, "http://localhost:9000/hook"))
}

func send(c *webhook.Client, url string) webhook.Result {
	return c.Send(context.Background(), webhook.Request{URL: url, Secrets: []string{"whsec_x"}, EventID: "e1", EventType: "video.ready", Body: []byte(`{}`)})
}

func TestClientRefusesBlockedAddressesAtDialTime(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]

	def := webhook.NewClient(webhook.Options{})
	// localhost resolves to loopback: refused at dial time whatever the name.
	for _, u := range []string{srv.URL, "http://localhost" + port} {
		res := send(def, u)
		require.ErrorIs(t, res.Err, webhook.ErrBlockedAddress, u)
		require.Zero(t, res.StatusCode)
	}
	require.Zero(t, hits.Load(), "no request reached the loopback receiver")

	allowed := webhook.NewClient(webhook.Options{Policy: webhook.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}})
	res := send(allowed, srv.URL)
	require.NoError(t, res.Err)
	require.Equal(t, 200, res.StatusCode)
	require.EqualValues(t, 1, hits.Load())
}

// hang waits until the client goes away (or two minutes pass) and reports
// whether it went away.
func hang(r *http.Request) bool {
	select {
	case <-r.Context().Done():
		return true
	case <-time.After(2 * time.Minute):
		return false
	}
}

// ended waits for a handler to report how it ended.
func ended[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(time.Minute):
		t.Fatalf("the %s handler never returned", what)
		var zero T
		return zero
	}
}

func TestClientBoundsBadReceivers(t *testing.T) {
	t.Parallel()
	var written atomic.Int64
	hangEnded, slowEnded, gigabytesEnded := make(chan bool, 1), make(chan bool, 1), make(chan struct{}, 1)
	mux := http.NewServeMux()
	// Handlers read the request body first: the server notices a client
	// that hung up only after that.
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		hangEnded <- hang(r)
	})
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		slowEnded <- hang(r)
	})
	mux.HandleFunc("/gigabytes", func(w http.ResponseWriter, r *http.Request) {
		defer func() { gigabytesEnded <- struct{}{} }()
		_, _ = io.ReadAll(r.Body)
		chunk := make([]byte, 1<<20)
		for range 4096 { // 4 GiB, if anyone read it
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if webhook.Verify("whsec_x", r.Header, body, time.Now()) != nil ||
			r.Header.Get(webhook.EventIDHeader) != "e1" || r.Header.Get(webhook.EventTypeHeader) != "video.ready" {
			http.Error(w, "bad signature", 400)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := webhook.NewClient(webhook.Options{Policy: webhook.Policy{AllowPrivate: true}, Timeout: 500 * time.Millisecond})

	// The handlers would hang for two minutes: the client's 500 ms timeout
	// is what ends each request, which the server sees as a cancellation.
	// The clock bound only separates the timeout from the handlers' own end
	// and holds on a busy machine.
	start := time.Now()
	res := send(c, srv.URL+"/hang")
	require.ErrorContains(t, res.Err, "timed out")
	require.True(t, ended(t, hangEnded, "/hang"), "the server saw the request cancelled")
	require.Less(t, time.Since(start), 30*time.Second)

	start = time.Now()
	res = send(c, srv.URL+"/slow-body")
	require.True(t, ended(t, slowEnded, "/slow-body"), "a body that never ends is cut off by the total timeout")
	require.Less(t, time.Since(start), 30*time.Second)

	start = time.Now()
	res = send(c, srv.URL+"/gigabytes")
	require.Equal(t, 200, res.StatusCode)
	require.NoError(t, res.Err, "a 2xx is delivered, whatever follows")
	ended(t, gigabytesEnded, "/gigabytes") // its writes failed: the client hung up
	require.Less(t, time.Since(start), 30*time.Second)
	require.Less(t, written.Load(), int64(64<<20), "the receiver could not push more than socket buffers beyond the 64 KiB read")

	res = send(c, srv.URL+"/redirect")
	require.Equal(t, http.StatusFound, res.StatusCode)
	require.ErrorContains(t, res.Err, "redirects are not followed")

	res = send(c, srv.URL+"/fail")
	require.Equal(t, 500, res.StatusCode)
	require.ErrorContains(t, res.Err, "500")

	res = send(c, srv.URL+"/ok")
	require.NoError(t, res.Err)
	require.Equal(t, 200, res.StatusCode)
	require.False(t, errors.Is(res.Err, webhook.ErrBlockedAddress))
}

// IPv6 addresses that carry an IPv4 address reach it through a
// translator, relay or tunnel: they are judged by what they carry too.
func TestPolicyChecksIPv4EmbeddedInIPv6(t *testing.T) {
	t.Parallel()
	var def webhook.Policy
	allowLocalNAT64 := webhook.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("64:ff9b:1::/48")}}
	allowLoopback := webhook.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	for _, tc := range []struct {
		name   string
		policy webhook.Policy
		ip     string
		want   bool
	}{
		{"IPv4-compatible loopback", def, "::127.0.0.1", false},
		{"IPv4-compatible metadata", def, "::169.254.169.254", false},
		{"IPv4-mapped loopback", def, "::ffff:127.0.0.1", false},
		{"IPv4-mapped private", def, "::ffff:10.0.0.1", false},
		{"IPv4-translated loopback", def, "::ffff:0:127.0.0.1", false},
		{"NAT64 loopback", def, "64:ff9b::7f00:1", false},
		{"NAT64 metadata", def, "64:ff9b::a9fe:a9fe", false},
		{"NAT64 private", def, "64:ff9b::c0a8:101", false},
		{"NAT64 public", def, "64:ff9b::808:808", true},
		{"local NAT64 refused by default", def, "64:ff9b:1::808:808", false},
		{"local NAT64 allowed, public", allowLocalNAT64, "64:ff9b:1::808:808", true},
		{"local NAT64 allowed, loopback", allowLocalNAT64, "64:ff9b:1::7f00:1", false},
		{"6to4 loopback", def, "2002:7f00:1::", false},
		{"6to4 metadata", def, "2002:a9fe:a9fe::1", false},
		{"6to4 private", def, "2002:a00:1::1", false},
		{"6to4 public", def, "2002:808:808::1", true},
		{"Teredo client loopback", def, "2001:0:4136:e378:8000:63bf:80ff:fffe", false},
		{"Teredo client metadata", def, "2001:0:4136:e378:8000:63bf:5601:5601", false},
		{"Teredo server metadata", def, "2001:0:a9fe:a9fe::f7f7:f7f7", false},
		{"Teredo public", def, "2001:0:4136:e378:8000:63bf:f7f7:f7f7", true},
		{"plain public IPv6", def, "2606:4700::1111", true},
		{"plain public IPv4", def, "93.184.215.14", true},
		{"allowed loopback through NAT64", allowLoopback, "64:ff9b::7f00:1", true},
		{"allowed loopback, mapped", allowLoopback, "::ffff:127.0.0.2", true},
		{"allowed loopback, NAT64 private", allowLoopback, "64:ff9b::a00:1", false},
		{"IPv6 loopback", allowLoopback, "::1", false},
		{"everything allowed", webhook.Policy{AllowPrivate: true}, "64:ff9b::7f00:1", true},
	} {
		require.Equal(t, tc.want, tc.policy.Allowed(netip.MustParseAddr(tc.ip)), "%s: %s", tc.name, tc.ip)
	}

	for raw, carried := range map[string]string{
		"http://[64:ff9b::7f00:1]/hook":    "127.0.0.1",
		"http://[::127.0.0.1]/hook":        "127.0.0.1",
		"http://[2002:7f00:1::]/hook":      "127.0.0.1",
		"http://[64:ff9b::a9fe:a9fe]/hook": "169.254.169.254",
	} {
		err := def.CheckURL(context.Background(), raw)
		var ue *webhook.URLError
		require.ErrorAs(t, err, &ue, raw)
		require.Contains(t, ue.Reason, "carrying "+carried, raw)
	}
}

// The dialer applies the same rule to the address it connects to: every
// form below names the loopback receiver, and none reaches it.
func TestClientRefusesIPv4EmbeddedInIPv6AtDialTime(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]

	def := webhook.NewClient(webhook.Options{})
	for _, host := range []string{"[::ffff:127.0.0.1]", "[::127.0.0.1]", "[::ffff:0:127.0.0.1]", "[64:ff9b::7f00:1]",
		"[2002:7f00:1::]", "[2001:0:4136:e378:8000:63bf:80ff:fffe]"} {
		res := send(def, "http://"+host+port+"/hook")
		require.ErrorIs(t, res.Err, webhook.ErrBlockedAddress, host)
		require.Zero(t, res.StatusCode, host)
	}
	require.Zero(t, hits.Load(), "no request reached the loopback receiver")

	// Allowing the loopback network allows its IPv4-mapped form, which
	// connects to the same receiver.
	allowed := webhook.NewClient(webhook.Options{Policy: webhook.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}})
	res := send(allowed, "http://[::ffff:127.0.0.1]"+port+"/hook")
	require.NoError(t, res.Err)
	require.Equal(t, 200, res.StatusCode)
	require.EqualValues(t, 1, hits.Load())
}
