package s3

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/hashing"
)

const (
	// DefaultRegion is the region used when none is configured.
	DefaultRegion = "us-east-1"
	// DefaultConcurrency is the number of parts transferred at once when
	// Config.Concurrency is 0.
	DefaultConcurrency = 4
	// MinPartSize is the smallest part size S3 accepts for all but the last
	// part of a multipart upload (5 MiB).
	MinPartSize int64 = 5 << 20
	// MaxPartSize is the largest part size, and the largest object a single
	// PutObject may write (5 GiB).
	MaxPartSize int64 = 5 << 30
	// MaxConcurrency is the largest accepted Config.Concurrency.
	MaxConcurrency = 64
	// maxObjectKeyLen is S3's limit on the length of an object key in bytes.
	maxObjectKeyLen = 1024
)

// Config describes where a Store keeps its objects and how it talks to the
// S3 service. The zero values of Region, PartSize and Concurrency select
// DefaultRegion, hashing.PartSize and DefaultConcurrency.
type Config struct {
	// Bucket is the name of an existing bucket.
	Bucket string
	// Prefix is prepended to every key, separated by a slash; "" stores keys
	// at the top of the bucket. It has the form of a blob key: no leading
	// or trailing slash, no empty segments.
	Prefix string
	// Endpoint is the service URL, such as "http://127.0.0.1:7070"; "" uses
	// AWS S3 for Region.
	Endpoint string
	// Region is the signing region.
	Region string
	// AccessKey is the access key ID. When both AccessKey and SecretKey are
	// empty, New takes credentials from the default AWS chain.
	AccessKey string
	// SecretKey is the secret access key. It is never printed.
	SecretKey string
	// SessionToken is the token of temporary credentials, if any. It is
	// never printed.
	SessionToken string
	// PathStyle addresses buckets as endpoint/bucket rather than as
	// bucket.endpoint, as most self-hosted servers require.
	PathStyle bool
	// PartSize is the multipart part size in bytes, and the largest object
	// written with a single PutObject. Only the default, hashing.PartSize,
	// makes ETags equal the hashing package's multipart hashes.
	PartSize int64
	// Concurrency bounds the number of parts uploaded or downloaded at once
	// by one operation.
	Concurrency int
}

// withDefaults returns c with zero-valued optional fields filled in.
func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.PartSize == 0 {
		c.PartSize = hashing.PartSize
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	return c
}

// Validate reports the first invalid field of c, naming it in the error.
// Zero values of optional fields are valid.
func (c Config) Validate() error {
	bad := func(field, value, format string, args ...any) error {
		return fmt.Errorf("invalid S3 config: %s %s: %s", field, value, fmt.Sprintf(format, args...))
	}
	if err := checkBucket(c.Bucket); err != "" {
		return bad("Bucket", fmt.Sprintf("%q", c.Bucket), "%s", err)
	}
	if c.Prefix != "" {
		if err := blob.ValidKey(c.Prefix); err != nil {
			return bad("Prefix", fmt.Sprintf("%q", c.Prefix), "not a valid key (no leading or trailing slash, no empty, \".\" or \"..\" segments)")
		}
		if len(c.Prefix) >= maxObjectKeyLen {
			return bad("Prefix", fmt.Sprintf("%q", c.Prefix), "%d bytes long, leaves no room for keys within S3's %d-byte limit", len(c.Prefix), maxObjectKeyLen)
		}
	}
	if c.Endpoint != "" {
		if err := checkEndpoint(c.Endpoint); err != "" {
			return bad("Endpoint", fmt.Sprintf("%q", redact(c.Endpoint)), "%s", err)
		}
	}
	if c.Region != "" && strings.IndexFunc(c.Region, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	}) >= 0 {
		return bad("Region", fmt.Sprintf("%q", c.Region), "want lowercase letters, digits and hyphens, as in %q", DefaultRegion)
	}
	switch {
	case c.AccessKey != "" && c.SecretKey == "":
		return bad("SecretKey", `""`, "empty while AccessKey is set")
	case c.AccessKey == "" && c.SecretKey != "":
		return bad("AccessKey", `""`, "empty while SecretKey is set")
	case c.AccessKey == "" && c.SessionToken != "":
		return bad("AccessKey", `""`, "empty while SessionToken is set")
	case strings.ContainsFunc(c.AccessKey, isSpaceOrControl):
		return bad("AccessKey", fmt.Sprintf("%q", c.AccessKey), "contains white space or control characters")
	}
	if c.PartSize != 0 && (c.PartSize < MinPartSize || c.PartSize > MaxPartSize) {
		return bad("PartSize", fmt.Sprint(c.PartSize), "want 0 (default) or %d..%d bytes", MinPartSize, MaxPartSize)
	}
	if c.Concurrency < 0 || c.Concurrency > MaxConcurrency {
		return bad("Concurrency", fmt.Sprint(c.Concurrency), "want 0 (default) or 1..%d", MaxConcurrency)
	}
	return nil
}

func isSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f
}

// checkBucket returns what is wrong with a bucket name, or "". Besides the
// current S3 rules it accepts the upper-case letters and underscores of
// legacy buckets and of some self-hosted servers.
func checkBucket(b string) string {
	switch {
	case b == "":
		return "empty"
	case len(b) > 255:
		return fmt.Sprintf("%d bytes long, limit is 255", len(b))
	}
	for i, r := range b {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
		if !ok {
			return fmt.Sprintf("character %q at byte %d; want letters, digits, '.', '-' or '_'", r, i)
		}
	}
	return ""
}

// checkEndpoint returns what is wrong with an endpoint URL, or "".
func checkEndpoint(e string) string {
	u, err := url.Parse(e)
	switch {
	case err != nil:
		return "not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "want an http:// or https:// URL"
	case u.Host == "":
		return "no host"
	case u.User != nil:
		return "credentials in the URL are not supported; use AccessKey and SecretKey"
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return "want only scheme, host and port"
	}
	return ""
}

// Root returns the store's location as "s3://bucket" or
// "s3://bucket/prefix".
func (c Config) Root() string {
	if c.Prefix == "" {
		return "s3://" + c.Bucket
	}
	return "s3://" + c.Bucket + "/" + c.Prefix
}

// endpointName returns the endpoint for messages: Endpoint without a
// trailing slash, or the AWS S3 endpoint of the region.
func (c Config) endpointName() string {
	if c.Endpoint != "" {
		return strings.TrimSuffix(c.Endpoint, "/")
	}
	region := c.Region
	if region == "" {
		region = DefaultRegion
	}
	return "https://s3." + region + ".amazonaws.com"
}

// String describes c on one line with the secret key and session token
// printed as "***".
func (c Config) String() string {
	var b strings.Builder
	b.WriteString(c.Root())
	b.WriteString(" (endpoint ")
	b.WriteString(c.endpointName())
	if c.Region != "" {
		b.WriteString(", region " + c.Region)
	}
	if c.PathStyle {
		b.WriteString(", path-style")
	}
	if c.AccessKey != "" {
		fmt.Fprintf(&b, ", access key %s", c.AccessKey)
	} else {
		b.WriteString(", default credentials")
	}
	if c.SecretKey != "" {
		b.WriteString(", secret key ***")
	}
	if c.SessionToken != "" {
		b.WriteString(", session token ***")
	}
	if c.PartSize != 0 {
		fmt.Fprintf(&b, ", part size %d", c.PartSize)
	}
	if c.Concurrency != 0 {
		fmt.Fprintf(&b, ", concurrency %d", c.Concurrency)
	}
	b.WriteString(")")
	return b.String()
}

// GoString is like String, so that %#v does not print secrets either.
func (c Config) GoString() string { return "s3.Config(" + c.String() + ")" }

// ConfigFromURL returns the Config for rawURL, of the form s3://bucket or
// s3://bucket/prefix, completed from the usual AWS settings: the endpoint
// from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (or the shared config
// file's endpoint_url), with path-style addressing when an endpoint is
// set; the region from AWS_REGION, AWS_DEFAULT_REGION or the shared config
// profile, else DefaultRegion; and credentials from the default chain
// (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared credentials and
// config files, and the other sources of config.LoadDefaultConfig).
func ConfigFromURL(rawURL string) (Config, error) {
	cfg, err := parseURL(rawURL)
	if err != nil {
		return Config{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return Config{}, fmt.Errorf("%s: loading AWS configuration: %s", cfg.Root(), oneLine(err.Error()))
	}
	cfg.Endpoint = firstNonEmpty(os.Getenv("AWS_ENDPOINT_URL_S3"), os.Getenv("AWS_ENDPOINT_URL"))
	if cfg.Endpoint == "" && awsCfg.BaseEndpoint != nil {
		cfg.Endpoint = *awsCfg.BaseEndpoint
	}
	cfg.PathStyle = cfg.Endpoint != ""
	cfg.Region = firstNonEmpty(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), awsCfg.Region, DefaultRegion)
	creds, err := awsCfg.Credentials.Retrieve(ctx)
	if err != nil {
		return Config{}, fmt.Errorf("%s: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or configure a profile", cfg.Root())
	}
	cfg.AccessKey = creds.AccessKeyID
	cfg.SecretKey = creds.SecretAccessKey
	cfg.SessionToken = creds.SessionToken
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// parseURL splits an s3:// URL into bucket and prefix.
func parseURL(rawURL string) (Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Config{}, errors.New("invalid S3 URL: want s3://bucket/prefix")
	}
	switch {
	case u.Scheme != "s3":
		return Config{}, fmt.Errorf("invalid S3 URL %q: want s3://bucket/prefix", u.Redacted())
	case u.User != nil:
		return Config{}, errors.New("invalid S3 URL: credentials in the URL are not supported")
	case u.Host == "":
		return Config{}, fmt.Errorf("invalid S3 URL %q: no bucket", rawURL)
	case u.RawQuery != "" || u.Fragment != "" || u.Port() != "":
		return Config{}, fmt.Errorf("invalid S3 URL %q: want s3://bucket/prefix without port, query or fragment", rawURL)
	}
	cfg := Config{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// redact returns rawURL with any password replaced, or a placeholder if
// it does not parse.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// oneLine collapses runs of white space, including newlines, into single
// spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
