// Command fake-github serves the githubfake fake GitHub REST API on a local
// address for demos. Seed it with -seed or through the admin API under
// /_fake/ (for example POST /_fake/load with a githubfake.Seed document).
//
// Usage:
//
//	fake-github [-addr 127.0.0.1:8787] [-seed seed.json]
//
// It prints the API base URL on stdout and serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8787", "address to listen on")
	seed := flag.String("seed", "", "optional JSON seed file (githubfake.Seed)")
	flag.Parse()
	if err := run(*addr, *seed); err != nil {
		log.Fatal(err)
	}
}

func run(addr, seedPath string) error {
	f := githubfake.New()
	if seedPath != "" {
		if err := loadSeed(f, seedPath); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// The listener's address, not the flag, so that port 0 prints the real port.
	fmt.Printf("http://%s/\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadSeed applies a seed file; seeding panics on inconsistent input, which
// is reported as an error here.
func loadSeed(f *githubfake.Fake, path string) (err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var s githubfake.Seed
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s: %v", path, v)
		}
	}()
	f.Load(s)
	return nil
}
