package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// TokenParam is the query parameter a browser brings the token in once;
// the server trades it for a cookie.
const TokenParam = "token"

// NewToken returns a random token: 32 bytes from crypto/rand, base64url
// without padding.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ValidateToken accepts a token of at least MinTokenLen letters, digits
// and -._~+/=, the characters that travel unchanged in headers, cookies and
// URLs.
func ValidateToken(token string) error {
	if token == "" {
		return fmt.Errorf("empty token; pass --token or set LAMIN_SERVE_TOKEN, or omit both for a random one")
	}
	for _, c := range token {
		if !strings.ContainsRune("-._~+/=", c) && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !('0' <= c && c <= '9') {
			return fmt.Errorf("token holds %q; use only letters, digits and -._~+/=, or omit it for a random one", c)
		}
	}
	if len(token) < MinTokenLen {
		return fmt.Errorf("token is %d characters, too easy to guess; use at least %d (e.g. from `openssl rand -base64 24`), or omit it for a random one", len(token), MinTokenLen)
	}
	return nil
}

// MinTokenLen is the shortest token ValidateToken accepts.
const MinTokenLen = 16

// ParseTrustedProxies reads proxy addresses, each an IP address or a CIDR
// range ("10.0.0.5", "10.0.0.0/8", "::1"), given one per value or comma
// separated.
func ParseTrustedProxies(values []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if p, err := netip.ParsePrefix(s); err == nil {
				out = append(out, p.Masked())
				continue
			}
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is neither an IP address nor a CIDR range such as 10.0.0.0/8", s)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return out, nil
}

// overTLS reports whether the browser's connection used TLS: directly, or
// through a trusted proxy that says so in X-Forwarded-Proto (the first
// value, the one the proxy facing the browser set).
func (s *Server) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if len(s.proxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	trusted := false
	for _, p := range s.proxies {
		trusted = trusted || p.Contains(a)
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return trusted && strings.EqualFold(strings.TrimSpace(proto), "https")
}

// tokenDigest is the SHA-256 of a token; comparing digests in constant
// time reveals neither the token nor its length.
type tokenDigest [sha256.Size]byte

func digest(token string) tokenDigest { return sha256.Sum256([]byte(token)) }

func (d tokenDigest) matches(token string) bool {
	got := digest(token)
	return subtle.ConstantTimeCompare(d[:], got[:]) == 1
}

// cookieName names the session cookie after the port the browser talked
// to: cookies are shared by every port of a host, so two servers on one
// machine would otherwise overwrite each other's.
func cookieName(r *http.Request) string {
	_, port, err := net.SplitHostPort(r.Host)
	if err != nil || port == "" || strings.Trim(port, "0123456789") != "" {
		return "lamin_token"
	}
	return "lamin_token_" + port
}

// authorized runs next only for requests carrying the token: as
// `Authorization: Bearer <token>`, in the session cookie, or once as
// ?token=, which sets the cookie and redirects to the same URL without it.
func (s *Server) authorized(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has(TokenParam) {
			if !s.token.matches(q.Get(TokenParam)) {
				s.fail(w, r, failf(errUnauthorized, "the token in the URL is wrong; open the URL `lamin serve` printed when it started"))
				return
			}
			http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: q.Get(TokenParam), Path: "/",
				HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.overTLS(r)})
			q.Del(TokenParam)
			u := url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: q.Encode()}
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		if auth := r.Header.Get("Authorization"); auth != "" {
			scheme, token, _ := strings.Cut(auth, " ")
			if !strings.EqualFold(scheme, "Bearer") || !s.token.matches(strings.TrimSpace(token)) {
				s.fail(w, r, failf(errUnauthorized, "wrong token in the Authorization header; send `Authorization: Bearer <token>` with the token `lamin serve` printed"))
				return
			}
			next(w, r)
			return
		}
		c, err := r.Cookie(cookieName(r))
		switch {
		case err == nil && s.token.matches(c.Value):
			next(w, r)
		case err == nil:
			s.fail(w, r, failf(errUnauthorized, "the session cookie holds an old token (was the server restarted?); open the URL `lamin serve` printed when it started"))
		default:
			s.fail(w, r, failf(errUnauthorized, "missing token; send `Authorization: Bearer <token>`, or open the URL `lamin serve` printed (it ends in ?token=...)"))
		}
	}
}
