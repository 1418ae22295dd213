// Command plainput is the uploads benchmark's baseline: the simplest
// upload server, a net/http handler that writes a PUT body to a file with
// io.Copy (no fsync, as tusd's file store does not fsync either).
//
//	plainput -addr 127.0.0.1:9002 -dir /path/on/the/same/disk
//
// PUT /files/{name} stores the body as dir/name and answers 204 (with
// ?fsync=1, after fsync: what durability on acknowledgement costs); GET
// /healthz answers 200.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9002", "listen address")
	dir := flag.String("dir", "", "directory the files are written to")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("PUT /files/{name}", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Create(filepath.Join(*dir, filepath.Base(r.PathValue("name"))))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, err = io.Copy(f, r.Body)
		if err == nil && r.URL.Query().Get("fsync") == "1" {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
