package extract

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// OCR runs Tesseract (Debian's tesseract-ocr) as a separate program, one
// process per image, at most Config.Workers at once. Tesseract is a program
// and not a library here on purpose: it keeps cgo out of the build, and a
// crash or a runaway allocation in it takes down one process, not the
// server.

const (
	// ocrDPI is the resolution PDF pages are rendered at for OCR. 200 dpi
	// reads 8-point text reliably at about half the cost of 300 dpi; see
	// ocr_test.go for the figures.
	ocrDPI = 200
	// maxRenderPixels caps a rendered page (or region): a huge page is
	// rendered at a lower resolution instead of needing gigabytes.
	maxRenderPixels = 16_000_000
	// minOCRConf drops words Tesseract itself barely believes (in 0-100):
	// below it they are mostly glyphs read into rules, logos and noise.
	minOCRConf = 15
	// maxOCROutput bounds what one Tesseract run may print: its TSV is
	// about 100 bytes a word.
	maxOCROutput = 64 << 20
	// ocrLangTimeout bounds tesseract --list-langs at start-up.
	ocrLangTimeout = 30 * time.Second
)

// defaultOCRLanguages are used when Config.OCRLanguages is empty, as far as
// they are installed.
var defaultOCRLanguages = []string{"eng", "fra", "deu", "spa"}

// tesseract is an installed Tesseract with the languages it may use.
type tesseract struct {
	path      string
	installed []string // every language traineddata found, sorted
	langs     []string // the default languages of a call
}

// findTesseract locates the program and lists its languages. An error
// means OCR is unavailable, which is not fatal for the Engine.
func findTesseract(path string) (*tesseract, error) {
	if path == "" {
		path = "tesseract"
	}
	abs, err := exec.LookPath(path)
	if err != nil {
		return nil, fmt.Errorf("find tesseract: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ocrLangTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, abs, "--list-langs")
	ownProcessGroup(cmd)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out // Tesseract 4 printed the list on stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("tesseract --list-langs: %w", err)
	}
	t := &tesseract{path: abs}
	for _, line := range strings.Split(out.String(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.ContainsAny(line, " :") {
			continue // the "List of available languages in ..." heading
		}
		t.installed = append(t.installed, line)
	}
	slices.Sort(t.installed)
	if err := t.setLanguages(nil); err != nil {
		return nil, err
	}
	return t, nil
}

// setLanguages sets the default languages of a call: want, which must be
// installed, or when want is empty those of defaultOCRLanguages that are,
// or else every installed language but the special osd and equ.
func (t *tesseract) setLanguages(want []string) error {
	var langs, missing []string
	for _, l := range want {
		code := tesseractLang(l)
		switch {
		case !slices.Contains(t.installed, code):
			missing = append(missing, l)
		case !slices.Contains(langs, code):
			langs = append(langs, code)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s not installed for tesseract (installed: %s)", strings.Join(missing, ", "), strings.Join(t.installed, ", "))
	}
	if len(langs) == 0 {
		for _, l := range defaultOCRLanguages {
			if slices.Contains(t.installed, l) {
				langs = append(langs, l)
			}
		}
	}
	if len(langs) == 0 {
		for _, l := range t.installed {
			if l != "osd" && l != "equ" {
				langs = append(langs, l)
			}
		}
	}
	if len(langs) == 0 {
		return fmt.Errorf("tesseract has no language installed")
	}
	t.langs = langs
	return nil
}

// iso639 maps ISO 639-1 codes, as schemas name languages, to Tesseract's
// ISO 639-2 names for the languages Debian packages.
var iso639 = map[string]string{
	"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita",
	"nl": "nld", "pt": "por", "pl": "pol", "sv": "swe", "da": "dan",
	"nb": "nor", "no": "nor", "fi": "fin", "cs": "ces", "sk": "slk",
	"hu": "hun", "ro": "ron", "tr": "tur", "el": "ell", "ru": "rus",
	"uk": "ukr", "bg": "bul", "hr": "hrv", "sl": "slv", "et": "est",
	"lv": "lav", "lt": "lit", "ca": "cat", "ja": "jpn", "zh": "chi_sim",
	"ko": "kor", "ar": "ara", "he": "heb", "hi": "hin",
}

// tesseractLang turns "de", "de-CH" or "deu" into Tesseract's "deu".
func tesseractLang(l string) string {
	l = strings.TrimSpace(l)
	if base, _, ok := strings.Cut(l, "-"); ok && len(base) == 2 {
		l = base
	}
	if code, ok := iso639[strings.ToLower(l)]; ok {
		return code
	}
	return l
}

// languages picks the languages of one call: those of want that are
// installed, or the defaults when none is.
func (t *tesseract) languages(want []string) []string {
	var out []string
	for _, l := range want {
		code := tesseractLang(l)
		if slices.Contains(t.installed, code) && !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	if len(out) == 0 {
		return t.langs
	}
	return out
}

// ocrWord is one word Tesseract read, in the pixels of its input.
type ocrWord struct {
	page int // 1-based page of a multi-page input (TIFF)
	line int // a key shared by the words of one Tesseract text line
	text string
	box  Box
	conf float64 // 0-100
}

// ocrPage is one page of Tesseract's answer.
type ocrPage struct {
	width, height float64
	words         []ocrWord
	lines         map[int]Box // Tesseract's text lines, by ocrWord.line
}

// runOCR runs Tesseract on the image at path and parses its TSV, and says
// how much CPU time the process took. dpi is the resolution when the
// caller knows it (a rendered page), 0 to let Tesseract read it from the
// file or estimate it. A cpuLimit above 0 kills the process once it has
// used that much CPU time (see runTesseract).
//
// Only ever pass a file whose signature was checked (see imageInfo) or that
// the Engine wrote: Tesseract reads a file it does not recognise as an
// image as a list of image paths to open.
//
// pixels is the size of the image (the largest, for a list of images),
// counted against Config.OCRMemory before Tesseract starts.
func (e *Engine) runOCR(ctx context.Context, path string, dpi int, pixels int64, langs []string, cpuLimit time.Duration) ([]ocrPage, time.Duration, error) {
	return e.runOCRSegmented(ctx, path, dpi, pixels, langs, psmAuto, cpuLimit)
}

// Tesseract's page segmentation modes that the engine uses.
const (
	psmAuto  = 3 // fully automatic: columns and blocks found on the page
	psmBlock = 6 // the page is one uniform block of text
)

// runOCRSegmented is runOCR with Tesseract's page segmentation mode psm.
func (e *Engine) runOCRSegmented(ctx context.Context, path string, dpi int, pixels int64, langs []string, psm int, cpuLimit time.Duration) ([]ocrPage, time.Duration, error) {
	if strings.HasPrefix(path, "-") {
		path = "./" + path // not an option, nor "-" for standard input
	}
	args := []string{path, "stdout", "-l", strings.Join(langs, "+"), "--psm", strconv.Itoa(psm)}
	if dpi > 0 {
		args = append(args, "--dpi", strconv.Itoa(dpi))
	}
	args = append(args, "tsv")
	out, cpu, err := e.runTesseract(ctx, args, pixels, cpuLimit)
	if err != nil {
		return nil, cpu, err
	}
	return parseTSV(out), cpu, nil
}

// runTesseract runs Tesseract with args and returns what it printed and
// the CPU time (user and system) it took. The call waits for one of the
// Engine's OCR slots, and for the memory an image of pixels takes to read
// to fit in Config.OCRMemory (see ocrMemory); the process is killed when
// ctx ends, and, when cpuLimit is above 0, once its CPU time exceeds
// cpuLimit (errCPULimit).
func (e *Engine) runTesseract(ctx context.Context, args []string, pixels int64, cpuLimit time.Duration) ([]byte, time.Duration, error) {
	if e.ocr == nil {
		return nil, 0, errOCRUnavailable(e.ocrErr)
	}
	if e.ocrMem != nil {
		need := min(ocrMemory(pixels), e.cfg.OCRMemory)
		if err := e.ocrMem.Acquire(ctx, need); err != nil {
			return nil, 0, ctxError(ctx)
		}
		defer e.ocrMem.Release(need)
	}
	select {
	case e.ocrSlots <- struct{}{}:
		defer func() { <-e.ocrSlots }()
	case <-ctx.Done():
		return nil, 0, ctxError(ctx)
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(pctx, e.ocr.path, args...)
	// One thread per process: parallelism comes from running Workers
	// processes, and OpenMP threads in each would only compete for cores.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.WaitDelay = killGrace
	ownProcessGroup(cmd)
	stdout := &cappedBuffer{limit: maxOCROutput}
	stderr := &cappedBuffer{limit: 4 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	var over atomic.Bool
	err := cmd.Start()
	if err == nil {
		if cpuLimit > 0 {
			stop := make(chan struct{})
			defer close(stop)
			go watchCPU(cmd.Process.Pid, cpuLimit, stop, func() { over.Store(true); cancel() })
		}
		err = cmd.Wait()
	}
	var cpu time.Duration
	if cmd.ProcessState != nil {
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if cerr := ctxError(ctx); cerr != nil {
		return nil, cpu, cerr
	}
	if over.Load() {
		return nil, cpu, errCPULimit
	}
	var execErr *exec.Error
	switch {
	case errors.As(err, &execErr):
		// The program was there at start-up and is gone now.
		return nil, cpu, errOCRUnavailable(err)
	case err != nil && killedFromOutside(err):
		// Not the image's fault (an interrupt, a kill from a supervisor or
		// the OOM killer, or Tesseract's own crash): a transient error, so
		// the file is tried again.
		return nil, cpu, fmt.Errorf("%w: %w", errOCRInterrupted, err)
	case err != nil:
		return nil, cpu, newError(CodeCorruptDocument, "The image could not be read.",
			fmt.Errorf("tesseract: %w: %s", err, strings.TrimSpace(stderr.String())))
	case stdout.over:
		return nil, cpu, newError(CodeTooManyPages, "The image holds too much text.", nil)
	}
	return stdout.Bytes(), cpu, nil
}

// ocrMemory is what a Tesseract process reading an image of pixels is
// counted for: its program and language models (45 MB with one language,
// 90 MB with four) plus 4 bytes per pixel (211 MB measured reading a blank
// 49-megapixel page with one language, 2026-12-06).
func ocrMemory(pixels int64) int64 {
	const base, perPixel = 96 << 20, 4
	return base + perPixel*max(0, pixels)
}

// errOCRInterrupted is runTesseract's when a signal ended Tesseract (from
// outside, or its own crash): transient, never a fault of the document.
var errOCRInterrupted = errors.New("tesseract was stopped by a signal")

func killedFromOutside(err error) bool {
	_, ok := killedBySignal(err)
	return ok
}

// errCPULimit is runTesseract's when the process overran its CPU limit.
var errCPULimit = errors.New("tesseract: cpu time limit exceeded")

// watchCPU calls kill once the process pid has used more than limit of
// CPU time, read from /proc every cpuPoll, until stop closes. Where /proc
// cannot be read (not Linux), it kills after limit*cpuWallFactor of wall
// time instead.
func watchCPU(pid int, limit time.Duration, stop <-chan struct{}, kill func()) {
	start := time.Now()
	tick := time.NewTicker(cpuPoll)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		used, ok := procCPU(pid)
		if !ok {
			used = time.Since(start) / cpuWallFactor
		}
		if used > limit {
			kill()
			return
		}
	}
}

const (
	cpuPoll       = 50 * time.Millisecond
	cpuWallFactor = 4
	clockTicks    = 100 // USER_HZ, 100 on every Linux architecture Go runs on
)

// procCPU reads the user and system time of process pid from
// /proc/PID/stat (fields 14 and 15, after the command name in brackets).
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, true
}

func errOCRUnavailable(cause error) *Error {
	return newError(CodeOCRUnavailable, "Text recognition (OCR) is not available on this server.", cause)
}

// parseTSV reads Tesseract's tsv output: a header line, then one row per
// page, block, paragraph, line and word (level 1 to 5) with
// level page_num block_num par_num line_num word_num left top width height conf text.
// Rows it cannot read are skipped.
func parseTSV(b []byte) []ocrPage {
	var pages []ocrPage
	page := func(n int) *ocrPage {
		for len(pages) < n {
			pages = append(pages, ocrPage{lines: map[int]Box{}})
		}
		return &pages[n-1]
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 12)
		if len(f) < 11 {
			continue
		}
		var n [10]int
		ok := true
		for i := range n {
			v, err := strconv.Atoi(f[i])
			if err != nil {
				ok = false
				break
			}
			n[i] = v
		}
		if !ok || n[1] < 1 || n[1] > 1<<16 {
			continue // the header, or garbage
		}
		level, pageNum := n[0], n[1]
		box := Box{X0: float64(n[6]), Y0: float64(n[7]), X1: float64(n[6] + n[8]), Y1: float64(n[7] + n[9])}
		lineKey := n[2]<<20 | n[3]<<10 | n[4]
		p := page(pageNum)
		switch level {
		case 1:
			p.width, p.height = box.X1, box.Y1
		case 4:
			p.lines[lineKey] = box
		case 5:
			conf, err := strconv.ParseFloat(f[10], 64)
			if err != nil || len(f) < 12 {
				continue
			}
			text := strings.TrimSpace(f[11])
			if text == "" || conf < minOCRConf {
				continue
			}
			p.words = append(p.words, ocrWord{page: pageNum, line: lineKey, text: text, box: box, conf: min(conf, 100)})
		}
	}
	return pages
}

// placeOCR turns the words of one page into placedWords in page
// coordinates: x*scale+dx, y*scale+dy. Every word of a Tesseract line gets
// the line's baseline and height as size, so that groupLines keeps the line
// together and joins lines of other blocks on the same row (Tesseract puts
// the label and the value of a table row in different blocks).
//
// A scan is rarely straight: over the width of a page, half a degree moves
// a row by more than the tolerance of sameLine. So the baselines are
// measured in a frame turned by the page's skew (the median slope of its
// long lines): a word's bottom y becomes y - slope*x, the same along a
// row however far apart its cells are. The line's baseline is the lower
// median of its words' (most words have no descender).
func placeOCR(p ocrPage, scale, dx, dy float64) []placedWord {
	byLine := map[int][]int{}
	var keys []int
	for i, w := range p.words {
		if _, ok := byLine[w.line]; !ok {
			keys = append(keys, w.line)
		}
		byLine[w.line] = append(byLine[w.line], i)
	}
	slope := pageSkew(p, byLine)
	out := make([]placedWord, 0, len(p.words))
	for _, key := range keys {
		idx := byLine[key]
		bottoms := make([]float64, len(idx))
		height := 0.0
		for j, i := range idx {
			b := p.words[i].box
			bottoms[j] = b.Y1 - slope*(b.X0+b.X1)/2
			height = max(height, b.Y1-b.Y0)
		}
		slices.Sort(bottoms)
		baseline := bottoms[(len(bottoms)-1)/2]
		if lb, ok := p.lines[key]; ok && lb.Y1 > lb.Y0 {
			height = min(lb.Y1-lb.Y0, 2*height)
		}
		for _, i := range idx {
			w := p.words[i]
			out = append(out, placedWord{
				Word: Word{
					Text: w.text,
					Box:  Box{X0: w.box.X0*scale + dx, Y0: w.box.Y0*scale + dy, X1: w.box.X1*scale + dx, Y1: w.box.Y1*scale + dy},
					Conf: w.conf / 100,
				},
				baseline: baseline*scale + dy,
				size:     height * scale,
			})
		}
	}
	return out
}

// pageSkew estimates the slope (dy/dx) of the page's text from its lines
// of three or more words spanning at least 200 pixels: the median of their
// least-squares slopes through the words' bottoms, within +-0.1 (6
// degrees). 0 when no line qualifies.
func pageSkew(p ocrPage, byLine map[int][]int) float64 {
	var slopes []float64
	for _, idx := range byLine {
		if len(idx) < 3 {
			continue
		}
		first, last := p.words[idx[0]].box, p.words[idx[len(idx)-1]].box
		if last.X1-first.X0 < 200 {
			continue
		}
		var sx, sy, sxx, sxy float64
		for _, i := range idx {
			b := p.words[i].box
			x, y := (b.X0+b.X1)/2, b.Y1
			sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
		}
		n := float64(len(idx))
		den := n*sxx - sx*sx
		if den <= 0 {
			continue
		}
		if m := (n*sxy - sx*sy) / den; m >= -0.1 && m <= 0.1 {
			slopes = append(slopes, m)
		}
	}
	if len(slopes) == 0 {
		return 0
	}
	slices.Sort(slopes)
	return slopes[len(slopes)/2]
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cappedBuffer keeps the first limit bytes written to it and notes whether
// more came; it never fails a write, so the writing process is not blocked.
type cappedBuffer struct {
	bytes.Buffer
	limit int
	over  bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.limit - c.Len(); room < len(p) {
		c.over = true
		if room > 0 {
			c.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return c.Buffer.Write(p)
}
