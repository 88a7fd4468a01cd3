package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"

	"github.com/docparse/docparse/internal/blob"
)

// TestCopy copies from a directory to each backend: a new key is copied
// and verified, a key the destination holds already is left, one it
// holds with other content is copied again, and a key the source lacks
// is reported.
func TestCopy(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, dst blob.Store) {
		ctx := context.Background()
		src, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		content := bytes.Repeat([]byte("%PDF-1.7 copy me\n"), 5000)
		put(t, src, "acc_1/bat_1/doc.pdf", content)
		want := blob.Digest{Size: int64(len(content)), SHA256: sha256.Sum256(content)}

		res, err := blob.Copy(ctx, src, dst, "acc_1/bat_1/doc.pdf")
		if err != nil || !res.Copied || res.Digest != want {
			t.Fatalf("Copy new = %+v, %v; want copied, size %d", res, err, want.Size)
		}
		if got := read(t, dst, "acc_1/bat_1/doc.pdf"); !bytes.Equal(got, content) {
			t.Fatalf("destination holds %d bytes, want the %d copied", len(got), len(content))
		}
		res, err = blob.Copy(ctx, src, dst, "acc_1/bat_1/doc.pdf")
		if err != nil || res.Copied || res.Digest != want {
			t.Errorf("Copy again = %+v, %v; want not copied, same digest", res, err)
		}
		put(t, dst, "acc_1/bat_1/doc.pdf", content[:100])
		res, err = blob.Copy(ctx, src, dst, "acc_1/bat_1/doc.pdf")
		if err != nil || !res.Copied {
			t.Errorf("Copy over other content = %+v, %v; want copied", res, err)
		}
		if d, err := blob.Sum(ctx, dst, "acc_1/bat_1/doc.pdf"); err != nil || d != want {
			t.Errorf("Sum after copy = %+v, %v; want %+v", d, err, want)
		}
		res, err = blob.Copy(ctx, src, dst, "acc_1/bat_1/gone.pdf")
		if err != nil || !res.NotFound || res.Copied {
			t.Errorf("Copy of a missing key = %+v, %v; want NotFound", res, err)
		}
	})
}
