package dashboard_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/servertest"
)

// chromium runs headless Chromium with args against a throwaway profile
// and returns its stdout. Without a chromium binary the test is skipped,
// except under CI=true, where it fails: CI installs Debian's chromium.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but chromium is not installed (apt-get install -y chromium): %v", err)
		}
		t.Skip("chromium not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// TestBrowserLoginPage renders the sign-in page in a real browser at phone
// width: the DOM it builds holds the form, and the screenshot is a real
// image of that size, not a blank one.
func TestBrowserLoginPage(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{NoWorkers: true, NoRateLimit: true})
	u := srv.URL + "/dashboard/login"

	dom := string(chromium(t, "--window-size=390,844", "--dump-dom", u))
	for _, want := range []string{`<form method="post" action="/dashboard/login"`, `type="password"`, `name="csrf_token"`, "Sign in"} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM of %s lacks %q:\n%s", u, want, dom)
		}
	}

	shot := filepath.Join(t.TempDir(), "login.png")
	chromium(t, "--window-size=390,844", "--hide-scrollbars", "--screenshot="+shot, u)
	img := checkRendered(t, shot)
	if b := img.Bounds(); b.Dx() != 390 || b.Dy() != 844 {
		t.Errorf("screenshot is %dx%d, want 390x844", b.Dx(), b.Dy())
	}
}

// checkRendered decodes a PNG screenshot and fails the test when it is
// (nearly) one flat colour, as a page that failed to render is.
func checkRendered(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode screenshot %s: %v", path, err)
	}
	// A page that failed to render is one flat colour.
	colours := map[uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 4 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 4 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if len(colours) < 8 {
		t.Errorf("screenshot %s has %d colours; the page did not render", path, len(colours))
	}
	return img
}
