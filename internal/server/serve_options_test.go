package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/server"
)

// cookieOf opens the token URL from a client at remote (through
// X-Forwarded-Proto proto when set) and returns the session cookie line.
func cookieOf(t *testing.T, srv *server.Server, remote, proto string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://lamin.example:8080/?token="+testToken, nil)
	req.RemoteAddr = remote
	if proto != "" {
		req.Header.Set("X-Forwarded-Proto", proto)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Header().Get("Set-Cookie")
}

func TestSessionCookiesAreSecureOnlyBehindANamedTLSProxy(t *testing.T) {
	f := newFixture(t)
	proxies, err := server.ParseTrustedProxies([]string{"10.0.0.0/8, 192.168.1.7"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(f.in, server.Config{Token: testToken, TrustedProxies: proxies})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, remote, proto string
		secure              bool
	}{
		{"a trusted proxy forwarding https", "10.1.2.3:5555", "https", true},
		{"a trusted single address forwarding https", "192.168.1.7:5555", "https", true},
		{"a trusted proxy forwarding plain http", "10.1.2.3:5555", "http", false},
		{"a client claiming https without a proxy", "203.0.113.9:5555", "https", false},
		{"a trusted proxy that says nothing", "10.1.2.3:5555", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := cookieOf(t, srv, tt.remote, tt.proto)
			if c == "" || strings.Contains(c, "Secure") != tt.secure {
				t.Errorf("cookie %q, want Secure %v", c, tt.secure)
			}
		})
	}
	// Without --trusted-proxy the header is never believed.
	plain, err := server.New(f.in, server.Config{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if c := cookieOf(t, plain, "10.1.2.3:5555", "https"); strings.Contains(c, "Secure") {
		t.Errorf("no trusted proxy, cookie %q", c)
	}
}

// smallSendBuffers gives every accepted connection a small kernel send
// buffer, so what the server writes is bounded by what the client reads.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// serve runs srv on a loopback port until the test ends.
func serve(t *testing.T, srv *server.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := smallSendBuffers{l}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Run(ctx, ln); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	return "http://" + ln.Addr().String()
}

func TestADownloadSlowerThanTheWriteTimeoutCompletes(t *testing.T) {
	f := newFixture(t)
	big := strings.Repeat("0123456789abcdef", 1<<20) // 16 MiB
	a := f.save("big.txt", big, lamin.ArtifactOptions{Key: "big.txt"})
	srv, err := server.New(f.in, server.Config{Token: testToken, WriteTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, srv)
	// A client with a small receive buffer that reads at 4 MiB/s: the
	// download takes about 4 s, four times the write timeout, and the
	// kernel's buffers cannot hold what is not read yet. (The timeout is
	// a second, not less, so that a busy machine's scheduling pauses do
	// not look like a stalled client.)
	dialer := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 8<<10) })
	}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/artifacts/"+a.UID+"/content", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got strings.Builder
	buf := make([]byte, 32<<10)
	start := time.Now()
	for {
		n, err := res.Body.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("download cut off after %d bytes: %v", got.Len(), err)
		}
		if ahead := time.Duration(float64(got.Len())/(4<<20)*float64(time.Second)) - time.Since(start); ahead > 0 {
			time.Sleep(ahead)
		}
	}
	if got.Len() != len(big) || got.String() != big {
		t.Fatalf("downloaded %d bytes, want %d", got.Len(), len(big))
	}
}

func TestIdleKeepAliveConnectionsAreClosed(t *testing.T) {
	f := newFixture(t)
	srv, err := server.New(f.in, server.Config{Token: testToken, IdleTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, srv)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	r := bufio.NewReader(conn)
	res, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, err := r.ReadByte(); err != io.EOF {
		t.Fatalf("an idle connection got %v, want the server to close it", err)
	}
	if waited := time.Since(start); waited > 3*time.Second {
		t.Errorf("closed after %s", waited)
	}
}
