// Package redistest starts a redis-server of a test's own: on a free loopback port, with no
// persistence, in a temporary directory, killed when the test ends. Tests that need Redis call
// Start; where redis-server is not installed they skip, saying how to install it, except under
// CI=true, where they fail.
package redistest

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a redis-server of a test's own, on a loopback port, with no persistence.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	conf string   // if set, written to a config file given first, as redis-server --sentinel needs
	args []string // after the port, bind and persistence settings

	// Addr is the server's host:port on 127.0.0.1.
	Addr string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	out    bytes.Buffer
}

// Start starts a redis-server for t, with args added to its command line, and kills it when t
// ends. Without the binary it skips the test, or fails it under CI=true, where it must be
// installed.
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	return startServer(t, "", args)
}

// StartSentinel starts a Sentinel that monitors master under the name "primary".
func StartSentinel(t testing.TB, master *Server) *Server {
	t.Helper()
	host, port, err := net.SplitHostPort(master.Addr)
	if err != nil {
		t.Fatalf("redistest: master address: %v", err)
	}
	return startServer(t, "sentinel monitor primary "+host+" "+port+" 1\n", []string{"--sentinel"})
}

func startServer(t testing.TB, conf string, args []string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server not found, and CI=true requires it: %v", err)
		}
		t.Skip("redis-server not found: apt-get install -y redis-server")
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), conf: conf, args: args}
	// A port found free may be taken before redis-server binds it: try a few.
	for attempt := 0; ; attempt++ {
		s.Addr = freeAddr(t)
		if err := s.start(); err == nil {
			break
		} else if attempt == 4 {
			t.Fatalf("starting redis-server: %v\n%s", err, s.output())
		}
	}
	t.Cleanup(s.Stop)
	return s
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: finding a free port: %v", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// Restart starts the server again on its address, after Stop, empty: it keeps nothing on disk.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("restarting redis-server: %v\n%s", err, s.output())
	}
}

func (s *Server) start() error {
	_, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return err
	}
	var argv []string
	if s.conf != "" {
		conf := filepath.Join(s.dir, "redis.conf")
		if err := os.WriteFile(conf, []byte(s.conf), 0o600); err != nil {
			return err
		}
		argv = append(argv, conf)
	}
	argv = append(argv, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--loglevel", "warning")
	cmd := exec.Command(s.bin, append(argv, s.args...)...)
	s.mu.Lock()
	s.out.Reset()
	cmd.Stdout, cmd.Stderr = &lockedWriter{s}, &lockedWriter{s}
	s.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()

	c := redis.NewClient(ClientOptions(s.Addr))
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return err
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return err
		}
	}
}

// Stop kills the server, as a crash would, and waits for it to exit.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited
}

func (s *Server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// Client returns a client of the server (see [ClientOptions]), closed when the test ends.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(ClientOptions(s.Addr))
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

type lockedWriter struct{ s *Server }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.out.Write(p)
}

// ClientOptions are options for a client of addr that retries neither commands nor dials, so that
// calls while the server is stopped fail at once.
func ClientOptions(addr string) *redis.Options {
	return &redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second, DialerRetries: 1, DialerRetryTimeout: time.Millisecond}
}
