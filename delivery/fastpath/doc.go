// Package fastpath answers players' media requests without net/http's
// per-request machinery. NewListener wraps the server's net.Listener:
// connections that carry only GET and HEAD of /media/ (what players and
// CDNs send) are read, parsed and answered here, through the same
// http.Handler as everything else; the first request of any other shape
// hands its connection, every byte already read included, to the
// http.Server that calls Accept. So everything except media-only
// connections goes through plain net/http.
//
// The package knows nothing of media: it parses a request into exactly
// the *http.Request net/http would make (a differential test and a fuzzer
// hold the two equal), writes responses in one buffer, and sends files
// with sendfile, their headers in the same packets (MSG_MORE on Linux,
// where socket calls also bypass the runtime's system call accounting;
// see sock_linux.go). Off Linux it uses the net package's calls.
package fastpath
