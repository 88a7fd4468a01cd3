package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// ParseEngines turns a -db flag into a list of engines: "sqlite",
// "postgres" or "both", comma-separated.
func ParseEngines(s string) ([]string, error) {
	var out []string
	for _, e := range strings.Split(s, ",") {
		switch e = strings.TrimSpace(e); e {
		case "sqlite", "postgres":
			out = append(out, e)
		case "both":
			out = append(out, "sqlite", "postgres")
		default:
			return nil, fmt.Errorf("-db %q: want sqlite, postgres or both", e)
		}
	}
	return out, nil
}

// RunEngines runs measure once per engine, with the server's log going to
// logPath when it is set (one file for every run, LogFile), and prints the
// lines every run returned under "summary:".
func RunEngines(engines []string, logPath string, stdout io.Writer, measure func(engine string, logw io.Writer) ([]string, error)) (err error) {
	var logw io.Writer
	if logPath != "" {
		lf, err := OpenLog(logPath, false)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, lf.Close()) }()
		logw = lf
	}
	var summary []string
	for _, engine := range engines {
		lines, err := measure(engine, logw)
		if err != nil {
			return fmt.Errorf("%s: %w", engine, err)
		}
		summary = append(summary, lines...)
	}
	fmt.Fprintln(stdout, "summary:")
	for _, s := range summary {
		fmt.Fprintln(stdout, "  "+s)
	}
	return nil
}

// LogFile is a file that servers' logs are written to: buffered, and safe
// for concurrent use (Start drains a server's log from its own goroutine,
// and several servers may share one file).
type LogFile struct {
	mu sync.Mutex
	f  *os.File
	w  *bufio.Writer
}

// OpenLog creates the log file at path, or appends to it when appendTo is
// set. Close flushes and closes it.
func OpenLog(path string, appendTo bool) (*LogFile, error) {
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, err
	}
	return &LogFile{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (l *LogFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Close flushes what is buffered and closes the file.
func (l *LogFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.w.Flush(), l.f.Close())
}
