package blob

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Location is a parsed blob URL: a directory (Dir) or an S3 bucket (S3,
// without credentials or temporary folder).
type Location struct {
	Dir string
	S3  *S3Config
}

// awsEndpoint is where an s3:// URL without endpoint= goes.
const awsEndpoint = "s3.amazonaws.com"

// ParseURL reads a blob URL:
//
//	file://PATH   a directory (relative paths are relative to the working directory)
//	s3://BUCKET?endpoint=http://HOST:PORT&region=REGION&use_path_style=true
//
// An s3:// URL without endpoint is AWS (over HTTPS). The error says what is
// wrong with the URL; it never holds credentials (a URL carries none).
func ParseURL(raw string) (Location, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return Location{}, fmt.Errorf("blob url %q: want file://PATH or s3://BUCKET", raw)
	}
	switch scheme {
	case "file":
		if rest == "" {
			return Location{}, fmt.Errorf("blob url %q: file:// needs a path", raw)
		}
		return Location{Dir: filepath.FromSlash(rest)}, nil
	case "s3":
		return parseS3(raw)
	}
	return Location{}, fmt.Errorf("blob url %q: unknown scheme %q, want file or s3", raw, scheme)
}

func parseS3(raw string) (Location, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Location{}, fmt.Errorf("blob url: %w", err)
	}
	bad := func(why string) (Location, error) { return Location{}, fmt.Errorf("blob url %q: %s", raw, why) }
	if u.User != nil {
		return bad("credentials do not go in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	if u.Host == "" {
		return bad("missing bucket (s3://BUCKET)")
	}
	if err := s3utils.CheckValidBucketNameStrict(u.Host); err != nil {
		return bad(fmt.Sprintf("bucket %q: %v", u.Host, err))
	}
	if u.Path != "" && u.Path != "/" {
		return bad("a path after the bucket is not supported")
	}
	c := &S3Config{Bucket: u.Host, Endpoint: awsEndpoint, Secure: true}
	q := u.Query()
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(q)) {
		v := q.Get(name)
		switch name {
		case "endpoint":
			e, err := url.Parse(v)
			switch {
			case err != nil || (e.Scheme != "http" && e.Scheme != "https"):
				errs = append(errs, fmt.Errorf("endpoint %q: want http://HOST[:PORT] or https://HOST[:PORT]", v))
			case e.Host == "" || e.Hostname() == "":
				errs = append(errs, fmt.Errorf("endpoint %q: missing host", v))
			case (e.Path != "" && e.Path != "/") || e.RawQuery != "" || e.User != nil:
				errs = append(errs, fmt.Errorf("endpoint %q: only a scheme, host and port", v))
			default:
				c.Endpoint, c.Secure = e.Host, e.Scheme == "https"
			}
		case "region":
			c.Region = v
		case "use_path_style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("use_path_style=%q: not true or false", v))
			}
			c.PathStyle = b
		default:
			errs = append(errs, fmt.Errorf("unknown parameter %q (want endpoint, region, use_path_style)", name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Location{}, fmt.Errorf("blob url %q: %w", raw, err)
	}
	return Location{S3: c}, nil
}

// OpenURL opens the store a blob URL names (ParseURL): a directory,
// created when missing, or an S3 bucket, which must exist, with the
// credentials AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, when set,
// AWS_SESSION_TOKEN read through getenv. An S3 store downloads the files
// engines read (Store.Local) into dataDir/tmp/blobs.
func OpenURL(ctx context.Context, raw, dataDir string, getenv func(string) string) (Store, error) {
	loc, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	if loc.S3 == nil {
		return NewLocal(loc.Dir)
	}
	c := *loc.S3
	c.AccessKey, c.SecretKey, c.SessionToken = getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN")
	if c.AccessKey == "" || c.SecretKey == "" {
		return nil, fmt.Errorf("blob url %q: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", raw)
	}
	c.TempDir = filepath.Join(dataDir, "tmp", "blobs")
	return NewS3(ctx, c)
}
