package s3

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	valid := Config{Bucket: "my-bucket"}
	tests := []struct {
		name      string
		change    func(c *Config)
		wantField string // "" means valid
	}{
		{"a bucket alone is valid", func(c *Config) {}, ""},
		{"a full config is valid", func(c *Config) {
			*c = Config{Bucket: "b.1", Prefix: "a/b", Endpoint: "http://127.0.0.1:7070/", Region: "eu-west-1",
				AccessKey: "ak", SecretKey: "sk", SessionToken: "tok", PathStyle: true, PartSize: MinPartSize, Concurrency: 8}
		}, ""},
		{"an empty bucket is invalid", func(c *Config) { c.Bucket = "" }, "Bucket"},
		{"a bucket with a slash is invalid", func(c *Config) { c.Bucket = "a/b" }, "Bucket"},
		{"a prefix with a leading slash is invalid", func(c *Config) { c.Prefix = "/a" }, "Prefix"},
		{"a prefix with a trailing slash is invalid", func(c *Config) { c.Prefix = "a/" }, "Prefix"},
		{"a prefix with a parent segment is invalid", func(c *Config) { c.Prefix = "a/../b" }, "Prefix"},
		{"an endpoint without scheme is invalid", func(c *Config) { c.Endpoint = "127.0.0.1:7070" }, "Endpoint"},
		{"an ftp endpoint is invalid", func(c *Config) { c.Endpoint = "ftp://host" }, "Endpoint"},
		{"an endpoint with a path is invalid", func(c *Config) { c.Endpoint = "http://host/bucket" }, "Endpoint"},
		{"a region with spaces is invalid", func(c *Config) { c.Region = "us east 1" }, "Region"},
		{"an access key without secret is invalid", func(c *Config) { c.AccessKey = "ak" }, "SecretKey"},
		{"a secret without access key is invalid", func(c *Config) { c.SecretKey = "sk" }, "AccessKey"},
		{"a session token without keys is invalid", func(c *Config) { c.SessionToken = "tok" }, "AccessKey"},
		{"a part size below 5 MiB is invalid", func(c *Config) { c.PartSize = 1 << 20 }, "PartSize"},
		{"a part size above 5 GiB is invalid", func(c *Config) { c.PartSize = MaxPartSize + 1 }, "PartSize"},
		{"a negative concurrency is invalid", func(c *Config) { c.Concurrency = -1 }, "Concurrency"},
		{"a huge concurrency is invalid", func(c *Config) { c.Concurrency = MaxConcurrency + 1 }, "Concurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.change(&c)
			err := c.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate succeeded")
			}
			if !strings.HasPrefix(err.Error(), "invalid S3 config: "+tt.wantField+" ") {
				t.Fatalf("Validate = %q, want it to name %s", err, tt.wantField)
			}
		})
	}
}

func TestValidateDoesNotEchoEndpointCredentials(t *testing.T) {
	err := Config{Bucket: "b", Endpoint: "http://user:hunter2@host"}.Validate()
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Validate = %v, want an error without the password", err)
	}
}

func TestStringHidesSecrets(t *testing.T) {
	c := Config{Bucket: "b", Prefix: "p", Endpoint: "http://h:1", Region: "us-east-1", AccessKey: "AKID",
		SecretKey: "s3cr3t-value", SessionToken: "t0ken-value", PathStyle: true}
	tests := []struct {
		name string
		got  string
	}{
		{"String hides them", c.String()},
		{"%v hides them", fmt.Sprintf("%v", c)},
		{"%+v hides them", fmt.Sprintf("%+v", c)},
		{"%#v hides them", fmt.Sprintf("%#v", c)},
		{"a pointer hides them", fmt.Sprintf("%v", &c)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.got, "s3cr3t") || strings.Contains(tt.got, "t0ken") {
				t.Fatalf("%q shows a secret", tt.got)
			}
			for _, want := range []string{"s3://b/p", "http://h:1", "AKID", "secret key ***", "session token ***"} {
				if !strings.Contains(tt.got, want) {
					t.Errorf("%q does not contain %q", tt.got, want)
				}
			}
		})
	}
}

// isolateAWSEnv clears the AWS settings of the environment, points the
// shared files at dir, and disables the EC2 metadata service, so that the
// credential chain looks nowhere but where a test says.
func isolateAWSEnv(t *testing.T, dir string) {
	t.Helper()
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
}

func TestConfigFromURL(t *testing.T) {
	keys := map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "sekrit-9x"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range keys {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name        string
		url         string
		env         map[string]string
		credentials string // content of the shared credentials file
		want        Config
		wantErr     string
	}{
		{
			name: "a bucket alone uses AWS S3 in the default region",
			url:  "s3://bucket", env: keys,
			want: Config{Bucket: "bucket", Region: "us-east-1", AccessKey: "AKID", SecretKey: "sekrit-9x"},
		},
		{
			name: "an endpoint from the environment selects path-style addressing",
			url:  "s3://bucket/some/prefix", env: with(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:7070", "AWS_REGION": "eu-west-1"}),
			want: Config{Bucket: "bucket", Prefix: "some/prefix", Endpoint: "http://127.0.0.1:7070", Region: "eu-west-1",
				AccessKey: "AKID", SecretKey: "sekrit-9x", PathStyle: true},
		},
		{
			name: "the S3-specific endpoint wins over the general one",
			url:  "s3://bucket", env: with(map[string]string{"AWS_ENDPOINT_URL": "http://general:1", "AWS_ENDPOINT_URL_S3": "http://s3only:2"}),
			want: Config{Bucket: "bucket", Endpoint: "http://s3only:2", Region: "us-east-1", AccessKey: "AKID", SecretKey: "sekrit-9x", PathStyle: true},
		},
		{
			name: "AWS_DEFAULT_REGION is used when AWS_REGION is unset",
			url:  "s3://bucket", env: with(map[string]string{"AWS_DEFAULT_REGION": "ap-south-1"}),
			want: Config{Bucket: "bucket", Region: "ap-south-1", AccessKey: "AKID", SecretKey: "sekrit-9x"},
		},
		{
			name: "a trailing slash is dropped from the prefix",
			url:  "s3://bucket/prefix/", env: keys,
			want: Config{Bucket: "bucket", Prefix: "prefix", Region: "us-east-1", AccessKey: "AKID", SecretKey: "sekrit-9x"},
		},
		{
			name: "a session token is kept",
			url:  "s3://bucket", env: with(map[string]string{"AWS_SESSION_TOKEN": "TOKEN"}),
			want: Config{Bucket: "bucket", Region: "us-east-1", AccessKey: "AKID", SecretKey: "sekrit-9x", SessionToken: "TOKEN"},
		},
		{
			name:        "credentials come from the shared credentials file",
			url:         "s3://bucket",
			credentials: "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n",
			want:        Config{Bucket: "bucket", Region: "us-east-1", AccessKey: "FILEKEY", SecretKey: "FILESECRET"},
		},
		{name: "no credentials is an error", url: "s3://bucket", wantErr: "no AWS credentials found"},
		{name: "an http URL is rejected", url: "http://bucket/x", env: keys, wantErr: "want s3://bucket/prefix"},
		{name: "a URL without bucket is rejected", url: "s3:///x", env: keys, wantErr: "no bucket"},
		{name: "a URL with a port is rejected", url: "s3://bucket:9000/x", env: keys, wantErr: "without port"},
		{name: "a URL with credentials is rejected without echoing them", url: "s3://me:hunter2@bucket", env: keys, wantErr: "credentials in the URL"},
		{name: "a prefix with an empty segment is rejected", url: "s3://bucket/a//b", env: keys, wantErr: "Prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			isolateAWSEnv(t, dir)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.credentials != "" {
				if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(tt.credentials), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ConfigFromURL(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ConfigFromURL(%q) error = %v, want one containing %q", tt.url, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "sekrit") {
					t.Fatalf("error %q shows a secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ConfigFromURL(%q): %v", tt.url, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("ConfigFromURL(%q) mismatch (-want +got):\n%s", tt.url, diff)
			}
		})
	}
}
