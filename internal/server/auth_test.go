package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lamin-go/lamin/internal/server"
)

func TestHealthzAnswersWithoutAToken(t *testing.T) {
	f := newFixture(t)
	res := f.do(http.MethodGet, "/healthz")
	if res.StatusCode != http.StatusOK || strings.TrimSpace(res.body) != "ok" {
		t.Fatalf("healthz: %s %q", res.Status, res.body)
	}
}

func TestRequestsWithoutTheRightTokenAreRefusedWithTheFix(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name, path, header, fix string
	}{
		{"no token on the API", "/api/instance", "", "Authorization: Bearer"},
		{"a wrong bearer token", "/api/instance", "Authorization: Bearer nope", "Authorization: Bearer"},
		{"a token of another scheme", "/api/instance", "Authorization: Basic " + testToken, "Authorization: Bearer"},
		{"a wrong token in the URL", "/api/instance?token=nope", "", "URL `lamin serve` printed"},
		{"a stale session cookie", "/api/instance", "Cookie: lamin_token_" + port(f) + "=old", "old token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var res response
			if c.header == "" {
				res = f.do(http.MethodGet, c.path)
			} else {
				res = f.do(http.MethodGet, c.path, c.header)
			}
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %s, want 401: %s", res.Status, res.body)
			}
			if msg := res.errorMessage(t); !strings.Contains(msg, c.fix) {
				t.Errorf("message %q does not name the fix %q", msg, c.fix)
			}
			if res.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	t.Run("a page without a token", func(t *testing.T) {
		res := f.do(http.MethodGet, "/")
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "missing token") {
			t.Fatalf("status %s: %s", res.Status, res.body)
		}
		if strings.Contains(res.body, "testuser1") {
			t.Errorf("the refusal tells who serves what:\n%s", res.body)
		}
	})
}

func port(f *fixture) string { return f.srv.URL[strings.LastIndex(f.srv.URL, ":")+1:] }

func TestABearerTokenOpensTheAPI(t *testing.T) {
	f := newFixture(t)
	var info map[string]string
	f.getOK("/api/instance").decode(t, &info)
	if info["instance"] != "testuser1/mydata" || info["user"] != "testuser1" || info["storage_type"] != "local" ||
		info["storage"] != f.in.Storage().Root {
		t.Errorf("instance info %v", info)
	}
}

func TestTheTokenInTheURLBecomesACookieAndDisappearsFromTheURL(t *testing.T) {
	f := newFixture(t)
	res := f.do(http.MethodGet, "/ui/artifacts?key__startswith=raw/&token="+testToken)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %s, want 303: %s", res.Status, res.body)
	}
	if loc := res.Header.Get("Location"); loc != "/ui/artifacts?key__startswith=raw%2F" {
		t.Errorf("redirect to %q, want the same URL without the token", loc)
	}
	cookies := res.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v", cookies)
	}
	c := cookies[0]
	if c.Value != testToken || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" {
		t.Errorf("cookie %+v: want the token, HttpOnly, SameSite=Strict, Path=/", c)
	}
	page := f.do(http.MethodGet, "/ui/artifacts?key__startswith=raw/", "Cookie: "+c.Name+"="+c.Value)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, f.raw.UID) {
		t.Fatalf("with the cookie: %s\n%s", page.Status, page.body)
	}
	api := f.do(http.MethodGet, "/api/instance", "Cookie: "+c.Name+"="+c.Value)
	if api.StatusCode != http.StatusOK {
		t.Fatalf("API with the cookie: %s %s", api.Status, api.body)
	}
}

func TestTokensAreRandomAndCheckedBeforeServing(t *testing.T) {
	a, err := server.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := server.NewToken()
	if a == b || len(a) != 43 || server.ValidateToken(a) != nil {
		t.Errorf("tokens %q and %q: want two different valid 43-character tokens", a, b)
	}
	for _, bad := range []string{"", "with space", "semi;colon", "quote\""} {
		if server.ValidateToken(bad) == nil {
			t.Errorf("token %q accepted", bad)
		}
		if _, err := server.New(nil, server.Config{Token: bad}); err == nil {
			t.Errorf("server made with token %q", bad)
		}
	}
}
