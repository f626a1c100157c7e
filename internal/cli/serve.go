package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/server"
	"github.com/spf13/cobra"
)

// serveTokenEnv holds the token of `lamin serve` when --token is not given.
const serveTokenEnv = "LAMIN_SERVE_TOKEN"

type serveOptions struct {
	addr    string
	token   string
	proxies []string
}

func (app *App) serveCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080] [--token T]",
		Short: "Serve the current instance as a read-only HTTP API and web UI",
		Long: `Serve the current instance over HTTP until interrupted: a read-only JSON API
(/api/instance, /api/REGISTRY?FIELD__LOOKUP=VALUE..., /api/REGISTRY/search?q=TEXT,
/api/artifacts/UID, /api/runs/UID, /api/transforms/UID, /api/artifacts/UID/content,
/api/lineage/UID?format=json|svg|dot|mermaid|text) and web pages (/, /ui/REGISTRY,
/ui/artifacts/UID, ...).

Every request except /healthz needs the token: API clients send
"Authorization: Bearer TOKEN"; a browser opens the printed URL once, which
ends in ?token=TOKEN and leaves a session cookie. The token is --token, else
$LAMIN_SERVE_TOKEN, else a random one made at start-up; a given token must
be at least 16 characters. Pass --addr 127.0.0.1:0 for any free port; the
line on stderr names the one bound.

Behind a reverse proxy that terminates TLS, name it with --trusted-proxy
(an IP address or CIDR range, repeatable): its X-Forwarded-Proto: https then
makes the session cookie Secure. The header is ignored from anyone else.`,
		Example: `  lamin serve
  LAMIN_SERVE_TOKEN=$(cat token) lamin serve --addr 0.0.0.0:8080
  curl -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/api/artifact?key__startswith=raw/'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.serveRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on, host:port")
	cmd.Flags().StringVar(&o.token, "token", "", "the token requests must carry, 16 characters or more (default: $"+serveTokenEnv+", else a random one)")
	cmd.Flags().StringSliceVar(&o.proxies, "trusted-proxy", nil, "IP or CIDR of a reverse proxy whose X-Forwarded-Proto is believed (repeatable)")
	return cmd
}

func (app *App) serveRun(ctx context.Context, o serveOptions) error {
	token := o.token
	if token == "" {
		token = app.Getenv(serveTokenEnv)
	}
	if token == "" {
		var err error
		if token, err = server.NewToken(); err != nil {
			return err
		}
	}
	if err := server.ValidateToken(token); err != nil {
		return usagef("%v", err)
	}
	proxies, err := server.ParseTrustedProxies(o.proxies)
	if err != nil {
		return usagef("%v", err)
	}
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	srv, err := server.New(in, server.Config{Token: token, Log: slog.New(slog.NewTextHandler(app.Err, nil)), TrustedProxies: proxies})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w; pass a free host:port with --addr", o.addr, err)
	}
	lamin.NewMessages(app.Err).Important("serving %s at http://%s/?%s=%s", in.Slug(), ln.Addr(), server.TokenParam, url.QueryEscape(token))
	return srv.Run(ctx, ln)
}
