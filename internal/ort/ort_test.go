package ort

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/ort/orttest"
)

func TestRunDetector(t *testing.T) {
	dir := orttest.ModelsDir(t)
	rt, err := Load(filepath.Join(dir, "libonnxruntime.so"))
	if err != nil {
		t.Fatal(err)
	}
	if again, err := Load(filepath.Join(dir, "libonnxruntime.so")); err != nil || again != rt {
		t.Fatalf("second Load = %p, %v; want the same runtime", again, err)
	}
	s, err := rt.NewSession(filepath.Join(dir, "det.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A white page with a black bar across it: text-like, the detector
	// marks some pixels, and every value is a probability.
	const h, w = 64, 96
	in := Tensor{Shape: []int64{1, 3, h, w}, Data: make([]float32, 3*h*w)}
	for i := range in.Data {
		y := (i / w) % h
		x := i % w
		in.Data[i] = 2.2
		if y >= 28 && y < 36 && x >= 10 && x < 86 {
			in.Data[i] = -2
		}
	}
	out, err := s.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Shape) != 4 || out.Shape[2] != h || out.Shape[3] != w || len(out.Data) != h*w {
		t.Fatalf("output shape %v with %d values, want [1 1 %d %d]", out.Shape, len(out.Data), h, w)
	}
	for _, v := range out.Data {
		if v < 0 || v > 1 {
			t.Fatalf("output value %g outside [0, 1]", v)
		}
	}

	// Bad input: the error comes from the library, as an error.
	_, err = s.Run(Tensor{Shape: []int64{1, 2, h, w}, Data: make([]float32, 2*h*w)})
	if err == nil || !strings.Contains(err.Error(), "dimensions") {
		t.Errorf("two channels: err = %v, want the library's complaint about dimensions", err)
	}
	if _, err := s.Run(Tensor{Shape: []int64{1, 3, h, w}, Data: make([]float32, 5)}); err == nil {
		t.Error("a shape that does not fit the data ran")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := orttest.ModelsDir(t)
	if _, err := Load(filepath.Join(t.TempDir(), "libonnxruntime.so")); err == nil {
		t.Error("Load of a missing library succeeded")
	}
	rt, err := Load(filepath.Join(dir, "libonnxruntime.so"))
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "none.onnx")
	if _, err := rt.NewSession(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing model: err = %v, want one naming %s", err, missing)
	}
	junk := filepath.Join(t.TempDir(), "junk.onnx")
	if err := os.WriteFile(junk, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.NewSession(junk); err == nil {
		t.Error("a file that is no model loaded")
	}
}
