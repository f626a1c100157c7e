package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/lamin-go/lamin/internal/meta"
)

// Pool limits of the database/sql handle returned by Open.
const (
	// MaxOpenConns caps the connections one process holds to the server.
	MaxOpenConns = 16
	// DefaultConnectTimeout applies when the URL sets no connect_timeout.
	DefaultConnectTimeout = 10 * time.Second
)

const example = "postgresql://user@host:5432/lamin"

// Open connects to the PostgreSQL database named by rawURL, a
// postgres:// or postgresql:// URL with a host and a database name. It does
// not migrate; call Migrate or CheckSchema on the returned store.
//
// Errors are one line and never contain the password: a malformed URL is
// reported as "--db <url>: …", a failed connection as
// "connect to <url>: <reason>; <hint>".
func Open(ctx context.Context, rawURL string) (*meta.Store, error) {
	target, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("--db %s: %s", RedactURL(rawURL), oneLine(configReason(err), target.password))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if _, set := cfg.RuntimeParams["jit"]; !set {
		// The planner over-estimates recursive lineage queries and compiles
		// them, turning 16 ms into seconds.
		cfg.RuntimeParams["jit"] = "off"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(MaxOpenConns)
	db.SetMaxIdleConns(MaxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, connectError(target, err)
	}
	return meta.New(db, Dialect{}), nil
}

// dbURL is what Open reports about a URL: never the password itself.
type dbURL struct {
	scheme   string
	user     string
	password string
	host     string // host:port, or hosts as written
	database string
}

// String renders the URL with the password masked and without options.
func (u dbURL) String() string {
	var b strings.Builder
	b.WriteString(u.scheme + "://")
	if u.user != "" || u.password != "" {
		b.WriteString(u.user)
		if u.password != "" {
			b.WriteString(":***")
		}
		b.WriteString("@")
	}
	b.WriteString(u.host + "/" + u.database)
	return b.String()
}

// parseURL checks that raw is a PostgreSQL URL naming a host and a database.
// The host and the database may also come from the host and dbname options.
func parseURL(raw string) (dbURL, error) {
	bad := func(msg string) (dbURL, error) {
		return dbURL{}, fmt.Errorf("--db %s: %s", RedactURL(raw), msg)
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "postgres" && scheme != "postgresql") {
		return bad("not a PostgreSQL URL; use one like " + example)
	}
	rest, _, _ = strings.Cut(rest, "#")
	rest, rawQuery, _ := strings.Cut(rest, "?")
	authority, path, _ := strings.Cut(rest, "/")
	u := dbURL{scheme: scheme, host: authority}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo := authority[:at]
		u.host = authority[at+1:]
		user, pw, _ := strings.Cut(userinfo, ":")
		var err error
		if u.user, err = url.PathUnescape(user); err != nil {
			return bad("invalid user name in URL")
		}
		if u.password, err = url.PathUnescape(pw); err != nil {
			return bad("invalid password in URL")
		}
	}
	opts, err := url.ParseQuery(rawQuery)
	if err != nil {
		return bad("invalid options after '?'")
	}
	if u.database, err = url.PathUnescape(path); err != nil {
		return bad("invalid database name in URL")
	}
	if u.database == "" {
		u.database = opts.Get("dbname")
	}
	if u.host == "" {
		u.host = opts.Get("host")
	}
	if u.host == "" {
		return bad("name the server, e.g. " + example)
	}
	if u.database == "" {
		return bad("name the database, e.g. " + example)
	}
	if !strings.Contains(u.host, ",") && !strings.HasPrefix(u.host, "/") {
		if _, _, err := net.SplitHostPort(u.host); err != nil {
			port := opts.Get("port")
			if port == "" {
				port = "5432"
			}
			u.host = net.JoinHostPort(strings.Trim(u.host, "[]"), port)
		}
	}
	return u, nil
}

// RedactURL returns u with the password of its user info and any password
// or sslpassword option replaced by "***". Everything else is kept as written.
func RedactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		if user, _, hasPW := strings.Cut(authority[:at], ":"); hasPW {
			authority = user + ":***" + authority[at:]
		}
	}
	if q := strings.IndexByte(tail, '?'); q >= 0 {
		path, query := tail[:q+1], tail[q+1:]
		query, frag, hasFrag := strings.Cut(query, "#")
		parts := strings.Split(query, "&")
		for i, p := range parts {
			k, _, hasValue := strings.Cut(p, "=")
			if key, err := url.QueryUnescape(k); err == nil && hasValue &&
				(strings.EqualFold(key, "password") || strings.EqualFold(key, "sslpassword")) {
				parts[i] = k + "=***"
			}
		}
		tail = path + strings.Join(parts, "&")
		if hasFrag {
			tail += "#" + frag
		}
	}
	return scheme + "://" + authority + tail
}

// configReason is the cause of a pgx configuration error, without the
// connection string pgx puts in front of it.
func configReason(err error) string {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap().Error()
	}
	return err.Error()
}

// connectError explains a failed first contact with the server.
func connectError(u dbURL, err error) error {
	hint := "check that the server is running and reachable"
	var reason string
	var pgErr *pgconn.PgError
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &pgErr):
		reason = pgErr.Message
		switch {
		case pgErr.Code == "3D000":
			hint = "create the database first, e.g. createdb " + u.database
		case strings.HasPrefix(pgErr.Code, "28"):
			hint = "check the user name and password"
		default:
			reason += " (SQLSTATE " + pgErr.Code + ")"
		}
	case errors.Is(err, context.DeadlineExceeded):
		reason = "timed out"
	case errors.As(err, &dnsErr):
		reason = "unknown host " + dnsErr.Name
	case errors.As(err, &opErr) && opErr.Err != nil:
		reason = opErr.Err.Error()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			reason = "timed out"
		}
	default:
		reason = err.Error()
	}
	return fmt.Errorf("connect to %s: %s; %s", u, oneLine(reason, u.password), hint)
}

// oneLine collapses whitespace runs (newlines included) and masks secret.
func oneLine(s, secret string) string {
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "***")
	}
	return strings.Join(strings.Fields(s), " ")
}
