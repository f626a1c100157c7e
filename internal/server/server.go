package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/lamin-go/lamin"
)

// ShutdownTimeout is how long Run lets requests in flight finish once its
// context is done.
const ShutdownTimeout = 5 * time.Second

// Timeouts of the HTTP server (see Config for overriding them).
const (
	// IdleTimeout closes keep-alive connections idle for this long.
	IdleTimeout = 2 * time.Minute
	// WriteTimeout bounds writing one response; a download of an
	// artifact's bytes instead gets this long for every chunk, so a large
	// file on a slow link completes while a stalled client is cut off.
	WriteTimeout = time.Minute
)

// Config configures a Server.
type Config struct {
	// Token is the secret every request except /healthz must carry (see
	// NewToken). It must use only token characters and be at least
	// MinTokenLen long.
	Token string
	// Log receives one line per request that failed on the server's side
	// (status 500); nil discards them. Tokens are never logged.
	Log *slog.Logger
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-Proto header is believed (see ParseTrustedProxies): a
	// request they forward with "https" gets Secure cookies. The header is
	// ignored from anyone else.
	TrustedProxies []netip.Prefix
	// IdleTimeout and WriteTimeout override the package defaults when
	// positive.
	IdleTimeout, WriteTimeout time.Duration
}

// Server answers the HTTP API and the web pages of one open instance. It
// is an http.Handler; Run serves it on a listener.
type Server struct {
	in      *lamin.Instance
	token   tokenDigest
	log     *slog.Logger
	pages   map[string]*template.Template
	mux     *http.ServeMux
	proxies []netip.Prefix
	idle    time.Duration
	write   time.Duration
}

// New returns a server over in, which the caller keeps open while the
// server runs and closes afterwards.
func New(in *lamin.Instance, c Config) (*Server, error) {
	if err := ValidateToken(c.Token); err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{in: in, token: digest(c.Token), log: log, pages: pages, mux: http.NewServeMux(),
		proxies: c.TrustedProxies, idle: IdleTimeout, write: WriteTimeout}
	if c.IdleTimeout > 0 {
		s.idle = c.IdleTimeout
	}
	if c.WriteTimeout > 0 {
		s.write = c.WriteTimeout
	}
	s.routes()
	return s, nil
}

// routes registers every endpoint. GET patterns also answer HEAD; other
// methods are refused in ServeHTTP before routing.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	s.handle("GET /api/instance", s.apiInstance)
	s.handle("GET /api/lineage/{uid}", s.apiLineage)
	s.handle("GET /api/{registry}", s.apiFilter)
	s.handle("GET /api/{registry}/{uid}", s.apiRecord) // and /api/{registry}/search
	s.handle("GET /api/{registry}/{uid}/content", s.apiContent)
	s.handle("GET /{$}", s.pageHome)
	s.handle("GET /static/style.css", s.styleSheet)
	s.handle("GET /ui/search", s.pageSearch)
	s.handle("GET /ui/{registry}", s.pageFilter)
	s.handle("GET /ui/{registry}/{uid}", s.pageRecord)
	s.handle("/", func(w http.ResponseWriter, r *http.Request) error {
		return failf(errNoRoute, "no page or endpoint at %s; start at / or see the API under /api/", r.URL.Path)
	})
}

// handle registers a handler that runs only for requests carrying the
// token and whose error, if any, becomes the response.
func (s *Server) handle(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	s.mux.Handle(pattern, s.authorized(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}))
}

// ServeHTTP refuses methods other than GET and HEAD (the API is
// read-only), sets the headers every response carries and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		s.fail(w, r, failf(errMethod, "%s is not allowed: lamin serve is read-only; use GET", r.Method))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Run serves on ln until ctx is done, then stops accepting connections and
// waits up to ShutdownTimeout for requests in flight. It returns nil after
// a clean shutdown.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: s.idle, WriteTimeout: s.write,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(stop)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	if err != nil {
		return fmt.Errorf("stop serving: %w", err)
	}
	return nil
}
