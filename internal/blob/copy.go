package blob

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
)

// Digest is a blob's size and SHA-256.
type Digest struct {
	Size   int64
	SHA256 [sha256.Size]byte
}

// Sum reads key's content in s and returns its digest. A missing key is
// ErrNotFound.
func Sum(ctx context.Context, s Store, key string) (Digest, error) {
	r, _, err := s.Open(ctx, key)
	if err != nil {
		return Digest{}, err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, ctxReader{ctx, r})
	if err != nil {
		return Digest{}, fmt.Errorf("read blob %s: %w", key, err)
	}
	d := Digest{Size: n}
	h.Sum(d.SHA256[:0])
	return d, nil
}

// ctxReader stops reading when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// CopyResult is what Copy did with one key.
type CopyResult struct {
	Digest        // of the content, on both stores
	Copied   bool // false: dst held the same content already
	NotFound bool // src holds nothing under the key: nothing was done
}

// Copy makes dst hold under key what src holds, unless it already does
// (same size and SHA-256), and verifies it by reading dst's content back.
// A key missing in src is reported in the result, not as an error (the
// row naming it may have been deleted since it was read). A dst that
// holds other content after the copy is an error.
func Copy(ctx context.Context, src, dst Store, key string) (CopyResult, error) {
	want, err := Sum(ctx, src, key)
	if errors.Is(err, ErrNotFound) {
		return CopyResult{NotFound: true}, nil
	}
	if err != nil {
		return CopyResult{}, fmt.Errorf("source: %w", err)
	}
	have, err := Sum(ctx, dst, key)
	if err == nil && have == want {
		return CopyResult{Digest: want}, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return CopyResult{}, fmt.Errorf("destination: %w", err)
	}
	r, _, err := src.Open(ctx, key)
	if err != nil {
		return CopyResult{}, fmt.Errorf("source: %w", err)
	}
	defer r.Close()
	if _, _, err := dst.Put(ctx, key, r, -1, nil); err != nil {
		return CopyResult{}, fmt.Errorf("destination: %w", err)
	}
	have, err = Sum(ctx, dst, key)
	if err != nil {
		return CopyResult{}, fmt.Errorf("destination: %w", err)
	}
	if have != want {
		return CopyResult{}, fmt.Errorf("blob %s: the destination holds %d bytes (sha256 %x) after the copy, the source %d (sha256 %x)",
			key, have.Size, have.SHA256[:8], want.Size, want.SHA256[:8])
	}
	return CopyResult{Digest: want, Copied: true}, nil
}
