package s3

import (
	"strings"
	"testing"
)

func TestNewReportsUnusableBuckets(t *testing.T) {
	const badSecret = "wrong-secret-3f9a"
	tests := []struct {
		name      string
		fakeSkip  string // why gofakes3 cannot run the case, if it cannot
		change    func(c *Config, srv *testServer)
		wantWords string
	}{
		{
			name:      "a missing bucket is reported",
			change:    func(c *Config, _ *testServer) { c.Bucket = "lamin-test-" + runID + "-missing" },
			wantWords: "does not exist",
		},
		{
			name:      "wrong credentials are reported",
			fakeSkip:  "gofakes3 accepts any credentials",
			change:    func(c *Config, _ *testServer) { c.SecretKey = badSecret },
			wantWords: "denied",
		},
		{
			name:      "an unreachable endpoint is reported",
			change:    func(c *Config, _ *testServer) { c.Endpoint = "http://127.0.0.1:1" },
			wantWords: "cannot reach the endpoint",
		},
	}
	forEachServer(t, func(t *testing.T, srv *testServer) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if srv.fake && tt.fakeSkip != "" {
					t.Skip(tt.fakeSkip)
				}
				cfg := srv.config(srv.newBucket(t))
				tt.change(&cfg, srv)
				s, err := New(t.Context(), cfg)
				if err == nil {
					t.Fatalf("New succeeded with %v", s.Root())
				}
				msg := err.Error()
				t.Logf("New: %s", msg)
				if strings.ContainsAny(msg, "\r\n") {
					t.Errorf("error spans several lines: %q", msg)
				}
				for _, want := range []string{cfg.Endpoint, cfg.Bucket, tt.wantWords} {
					if !strings.Contains(msg, want) {
						t.Errorf("error %q does not contain %q", msg, want)
					}
				}
				for _, secret := range []string{srv.secretKey, badSecret} {
					if strings.Contains(msg, secret) {
						t.Errorf("error %q contains the secret key", msg)
					}
				}
			})
		}
	})
}

func TestNewOpensAnExistingBucket(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *testServer) {
		tests := []struct {
			name     string
			prefix   string
			wantRoot string
		}{
			{"a store without prefix is rooted at the bucket", "", "s3://%s"},
			{"a store with a prefix is rooted below it", "a/b", "s3://%s/a/b"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := srv.newStore(t, func(c *Config) { c.Prefix = tt.prefix })
				if want := strings.Replace(tt.wantRoot, "%s", s.Bucket(), 1); s.Root() != want {
					t.Fatalf("Root() = %q, want %q", s.Root(), want)
				}
			})
		}
	})
}
