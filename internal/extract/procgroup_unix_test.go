//go:build unix

package extract

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// signalTesseract writes a script that answers --list-langs like Tesseract,
// and otherwise records its process group in pgidFile, then sends itself
// sig (or, with an empty sig, exits 1 as a real failure would).
func signalTesseract(t *testing.T, sig, pgidFile string) string {
	t.Helper()
	script := "#!/bin/sh\n" +
		"if [ \"$1\" = --list-langs ]; then echo 'List of available languages (1):'; echo eng; exit 0; fi\n" +
		"ps -o pgid= -p $$ | tr -d ' ' > " + pgidFile + "\n"
	if sig != "" {
		script += "kill -" + sig + " $$\nsleep 5\n"
	}
	script += "echo 'cannot read' >&2\nexit 1\n"
	path := filepath.Join(t.TempDir(), "tesseract")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTesseractKilledBySignalIsTransient: a Tesseract ended by a signal
// from outside (a terminal's Ctrl-C, a kill, the OOM killer) or by a crash
// of its own (SIGSEGV) fails the call with a transient error, not a
// document code, so the file is read again; a plain failure (exit 1) stays
// corrupt_document. Every child runs in a process group of its own.
func TestTesseractKilledBySignalIsTransient(t *testing.T) {
	img := readTestdata(t, "dotmatrix-receipt.png")
	for _, tc := range []struct {
		sig       string
		transient bool
	}{
		{"INT", true}, {"TERM", true}, {"KILL", true}, {"HUP", true},
		{"SEGV", true}, {"ABRT", true}, {"", false},
	} {
		t.Run("sig"+tc.sig, func(t *testing.T) {
			if tc.sig == "HUP" && signal.Ignored(syscall.SIGHUP) {
				// Started under nohup: the script inherits SIGHUP
				// ignored, and a shell cannot undo that.
				t.Skip("SIGHUP is ignored in this process (nohup), and so in the script")
			}
			pgidFile := filepath.Join(t.TempDir(), "pgid")
			e := newTestEngine(t, Config{TesseractPath: signalTesseract(t, tc.sig, pgidFile)})
			_, err := e.ExtractWith(context.Background(), writeFile(t, "r.png", img), KindPNG, ExtractOptions{})
			if err == nil {
				t.Fatal("extract succeeded with a Tesseract that fails")
			}
			xe, isDoc := AsError(err)
			switch {
			case tc.transient && isDoc:
				t.Fatalf("killed by SIG%s: got document error %v, want a transient error", tc.sig, xe)
			case tc.transient && !errors.Is(err, errOCRInterrupted):
				t.Fatalf("killed by SIG%s: %v, want errOCRInterrupted", tc.sig, err)
			case !tc.transient && (!isDoc || xe.Code != CodeCorruptDocument):
				t.Fatalf("SIG%q: %v, want corrupt_document", tc.sig, err)
			}
			b, err := os.ReadFile(pgidFile)
			if err != nil {
				t.Fatal(err)
			}
			pgid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("pgid %q: %v", b, err)
			}
			if pgid == syscall.Getpgrp() {
				t.Fatalf("tesseract ran in the test's own process group %d", pgid)
			}
		})
	}
}
