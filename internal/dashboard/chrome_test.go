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

	"github.com/chromedp/chromedp"
)

// This file drives a real headless Chromium (Debian's chromium, which
// .ci/run installs) over the DevTools protocol. Without a chromium binary
// the browser tests are skipped, except under CI=true, where they fail.

// chromePath returns the chromium binary, skipping or failing the test
// when there is none.
func chromePath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but chromium is not installed (apt-get install -y chromium)")
	}
	t.Skip("chromium not installed")
	return ""
}

// chromium runs headless Chromium with args against a throwaway profile
// and returns its stdout.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	bin := chromePath(t)
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

// tab is one browser tab of a test, at a window size, with a deadline.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newTab starts a headless Chromium with a throwaway profile and opens a
// tab of width x height pixels. The browser is closed when the test ends.
func newTab(t *testing.T, base string, width, height int) *tab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromePath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// The first run starts the browser, which lives as long as ctx: no
	// deadline on it; each step gets its own.
	// Headless windows are at least 500 pixels wide: the viewport is
	// emulated so that phone widths are real.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &tab{t: t, ctx: ctx, base: base}
}

// stepTimeout bounds one step of a browser test.
const stepTimeout = 30 * time.Second

// run runs browser actions, failing the test with the step that failed.
func (b *tab) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("%s: %v (page %s)", step, err, loc)
	}
}

// get runs one action that returns a value.
func get[T any](b *tab, step string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("%s: %v (page %s)", step, err, loc)
	}
	return v
}

// eval runs JavaScript in the page and returns its JSON-decoded value.
func (b *tab) eval(js string) any {
	b.t.Helper()
	return get(b, "evaluate "+js, chromedp.Evaluate[any](js))
}

// open navigates to a dashboard path and waits for its body.
func (b *tab) open(path string) {
	b.t.Helper()
	b.run("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// text returns the text content of the first element matching sel.
//
// A page still loading may replace the node between the query and the
// read ("No node with given id found", seen in CI at load 10 right after
// a form's answer became visible): the text is read again, at most three
// times.
func (b *tab) text(sel string) string {
	b.t.Helper()
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		cancel()
		if err == nil {
			return v
		}
		if try < 3 && strings.Contains(err.Error(), "No node with given id found") {
			continue
		}
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("read %s: %v (page %s)", sel, err, loc)
	}
}

// path returns the path of the page the tab shows.
func (b *tab) path() string {
	b.t.Helper()
	return strings.TrimPrefix(get(b, "location", chromedp.Location()), b.base)
}

// signIn signs in through the form.
func (b *tab) signIn(email, password string) {
	b.t.Helper()
	b.open("/dashboard/login")
	b.run("sign in",
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`form[action="/dashboard/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.signout`)),
	)
}

// signedInTab is a desktop tab (1280 x 900) signed in through the form.
func signedInTab(t *testing.T, base, email, password string) *tab {
	t.Helper()
	b := newTab(t, base, 1280, 900)
	b.signIn(email, password)
	return b
}

// startNew opens the list page ("extractions") from the navigation, empty
// (a screenshot of it), then the new page of noun ("extraction") from the
// list's button, and waits for its form, form.
func (b *tab) startNew(list, noun, form string) {
	b.t.Helper()
	b.run("open "+list, chromedp.Click(chromedp.CSS(`nav a[href="/dashboard/`+list+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#`+list+`-empty`)))
	b.screenshot(list + "-empty")
	b.run("new "+noun, chromedp.Click(chromedp.CSS(`#new-`+noun)), chromedp.WaitVisible(chromedp.CSS(form)))
}

// screenshotDir is where browser tests leave screenshots of the main
// pages: $DOCPARSE_SCREENSHOTS when a person wants to look at them, else
// the test's own temporary directory, removed after it (tests running side
// by side never share one).
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("DOCPARSE_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot dir: %v", err)
	}
	return dir
}

// maxPageWeight is the most a dashboard page may load: its HTML and every
// script, style sheet and image it fetches, decoded.
const maxPageWeight = 300 << 10

// weight returns the bytes the current page loaded: the document and every
// resource, decoded (cached resources count too).
//
// It waits for the page to have loaded first: right after a form's answer
// shows, the navigation's entry may not have its size yet (0 bytes, seen
// in CI at load 10).
func (b *tab) weight() int {
	b.t.Helper()
	b.run("wait for the page to load", chromedp.Poll[chromedp.Void](
		`document.readyState === "complete" && performance.getEntriesByType("navigation").every(e => e.responseEnd > 0)`,
		chromedp.WithPollingInterval(20*time.Millisecond)))
	js := `performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
		.reduce((n, e) => n + (e.decodedBodySize || 0), 0)`
	v, _ := b.eval(js).(float64)
	return int(v)
}

// screenshot saves the whole page as name.png, checks that the page
// rendered (a page that failed to render is nearly one flat colour) and
// that it weighs at most maxPageWeight.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	w := b.weight()
	if w > maxPageWeight {
		b.t.Errorf("page %s (%s) loads %d KiB, more than %d KiB", name, b.path(), w>>10, maxPageWeight>>10)
	} else if w == 0 {
		b.t.Errorf("page %s (%s): the Performance API reports no bytes loaded", name, b.path())
	}
	png := get(b, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(screenshotDir(b.t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("write screenshot: %v", err)
	}
	checkRendered(b.t, path)
	b.t.Logf("screenshot: %s (page weight %d KiB)", path, w>>10)
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
