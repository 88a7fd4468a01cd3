// Command upload measures the memory of docparse while it receives the
// largest batch the API allows: 30 files of 25 MiB in one multipart POST.
// It samples the server's VmRSS and VmHWM (/proc/PID/status) every 20 ms
// during the upload and prints the peak, the upload time and rate, and
// the 202 answer's file_count.
//
//	go run ./bench/upload [-files 30] [-size 26214400] [-bin PATH] [-dir DIR]
//
// The files are generated on disk (printable pseudo-random text) and
// streamed through an io.Pipe and a multipart.Writer with a 256 KiB copy
// buffer: the client never holds a file in memory either. docparse runs on
// 127.0.0.1 with a fresh SQLite data directory. Everything generated is
// removed at the end.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
)

func main() { harness.Main("upload", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var wf harness.WorkFlags
	fs := harness.FlagSet("upload", stderr)
	wf.Register(fs, 10*time.Minute)
	wf.RegisterDir(fs)
	nfiles := fs.Int("files", 30, "files in the batch")
	size := fs.Int64("size", 25*1024*1024, "bytes per file")
	every := fs.Duration("every", 20*time.Millisecond, "RSS sampling interval")
	goal := fs.Int64("goal", 256, "peak RSS goal in MiB")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, end, err := wf.Begin(ctx, "upload", stdout)
	if err != nil {
		return err
	}
	w := wf.Workdir
	defer func() {
		if rerr := end(); rerr != nil {
			err = errors.Join(err, rerr)
		} else {
			fmt.Fprintf(stdout, "removed %s (generated files, data directory, binary)\n", w.Dir)
		}
	}()

	// Generate the files.
	genDir := filepath.Join(w.Dir, "files")
	if err := os.Mkdir(genDir, 0o755); err != nil {
		return err
	}
	t0 := time.Now()
	parts := make([]harness.Part, *nfiles)
	for i := range parts {
		name := fmt.Sprintf("big-%02d.txt", i+1)
		path := filepath.Join(genDir, name)
		if err := generate(path, *size, uint64(i+1)); err != nil {
			return err
		}
		if parts[i], err = harness.FilePart(path, name); err != nil {
			return err
		}
	}
	total := int64(*nfiles) * *size
	fmt.Fprintf(stdout, "generated %d files of %d bytes (%.0f MiB in all) in %s in %.1f s\n",
		*nfiles, *size, float64(total)/(1<<20), genDir, time.Since(t0).Seconds())

	inst, err := w.Launch(ctx, harness.LaunchOptions{Engine: "sqlite", Label: "upload"})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, inst.Close()) }()
	c := inst.Client(0)
	ext, err := c.CreateExtraction(ctx, "upload bench")
	if err != nil {
		return err
	}
	pid := strconv.Itoa(inst.PID)
	before, err := harness.ReadProcMemory(pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "docparse %s (pid %s, SQLite in %s): before the upload VmRSS %s, VmHWM %s\n",
		inst.URL, pid, inst.DB.DataDir, harness.MiB(before.RSS), harness.MiB(before.HWM))

	s := harness.StartSampler(pid, *every)
	start := time.Now()
	ans, uerr := c.Upload(ctx, ext, parts)
	elapsed := time.Since(start)
	peak := s.Stop()
	if uerr != nil {
		return uerr
	}
	self, _ := harness.ReadProcMemory("self")

	mb := float64(total) / (1 << 20)
	fmt.Fprintf(stdout, "upload: one multipart POST of %d files, %.0f MiB, in %.2f s: %.1f MiB/s\n", *nfiles, mb, elapsed.Seconds(), mb/elapsed.Seconds())
	fmt.Fprintf(stdout, "answer: 202, batch %s, status %s, file_count %d, page_count %d\n",
		ans.Batch.ID, ans.Batch.Status, ans.Batch.FileCount, ans.Batch.PageCount)
	fmt.Fprintf(stdout, "server during the upload (%d samples, every %v): peak VmRSS %s at %.2f s (%+.1f MiB over the %s before it); VmHWM %s\n",
		peak.Samples, *every, harness.MiB(peak.RSS), peak.At.Seconds(), float64(peak.RSS-before.RSS)/1024, harness.MiB(before.RSS), harness.MiB(peak.HWM))
	fmt.Fprintf(stdout, "server VmRSS per second of the upload (largest sample, MiB): %s\n", peak.Timeline())
	fmt.Fprintf(stdout, "client (this program) VmHWM: %s\n", harness.MiB(self.HWM))
	verdict := "met"
	if peak.RSS/1024 >= *goal {
		verdict = "MISSED"
	}
	fmt.Fprintf(stdout, "goal: server peak RSS during the upload < %d MiB: %s (peak VmRSS %s; the upload itself added %+.1f MiB)\n",
		*goal, verdict, harness.MiB(peak.RSS), float64(peak.RSS-before.RSS)/1024)
	if peak.HWM > peak.RSS {
		fmt.Fprintf(stdout, "note: VmHWM %s is above every sample taken during the upload: the process reached it before, at startup\n", harness.MiB(peak.HWM))
	}
	if ans.Batch.FileCount != *nfiles {
		return fmt.Errorf("file_count is %d, want %d", ans.Batch.FileCount, *nfiles)
	}
	return nil
}

// generate writes size bytes of printable text to path: a 1 MiB block of
// lines of pseudo-random words, seeded by seed so that every file differs,
// written over and over from a different offset each time.
func generate(path string, size int64, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:-/"
	block := make([]byte, 0, 1<<20)
	for len(block) < cap(block) {
		n := 40 + rng.IntN(80)
		for i := 0; i < n && len(block) < cap(block)-1; i++ {
			if i > 0 && rng.IntN(7) == 0 {
				block = append(block, ' ')
			} else {
				block = append(block, alphabet[rng.IntN(len(alphabet))])
			}
		}
		block = append(block, '\n')
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	var written int64
	for i := 0; written < size; i++ {
		off := (i * 4099) % len(block)
		for _, chunk := range [][]byte{block[off:], block[:off]} {
			chunk = chunk[:min(int64(len(chunk)), size-written)]
			k, err := f.Write(chunk)
			written += int64(k)
			if err != nil {
				f.Close()
				return err
			}
		}
	}
	return f.Close()
}
