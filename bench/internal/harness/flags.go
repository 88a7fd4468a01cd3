package harness

import (
	"flag"
	"io"
	"time"
)

// FlagSet returns the flag set of the program name, as Main runs it:
// Parse returns its errors (run returns them, Main prints them) and usage
// goes to stderr.
func FlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// BinUsage is the usage of a program's -bin flag (Workdir's binary).
const BinUsage = "docparse binary (default: go build ./cmd/docparse into a temporary directory)"

// WorkFlags are the flags of a program that runs a docparse binary in a
// work directory of its own (Begin).
type WorkFlags struct {
	Bin     string        // -bin: docparse binary; empty: build one (Prepare)
	Timeout time.Duration // -timeout: the whole run stops after this long
	Dir     string        // -dir (RegisterDir): where the work directory goes

	// Workdir is the run's work directory and binary: not a flag, Begin
	// sets it.
	Workdir *Workdir
}

// Register adds -bin and -timeout (default timeout) to fs.
func (f *WorkFlags) Register(fs *flag.FlagSet, timeout time.Duration) {
	fs.StringVar(&f.Bin, "bin", "", BinUsage)
	fs.DurationVar(&f.Timeout, "timeout", timeout, "the whole run stops after this long")
}

// RegisterDir adds -dir to fs: the parent of the work directory, which
// holds the generated files and the data directory.
func (f *WorkFlags) RegisterDir(fs *flag.FlagSet) {
	fs.StringVar(&f.Dir, "dir", "", "where to generate the files and the data directory (default: the system temporary directory)")
}

// ServeFlags are the flags of the programs that measure docparse serve on
// one or more engines.
type ServeFlags struct {
	WorkFlags
	DB  string // -db: engines, for ParseEngines
	Log string // -log (RegisterLog): file for the servers' log
}

// Register adds -bin, -db (default db) and -timeout (default timeout) to
// fs.
func (f *ServeFlags) Register(fs *flag.FlagSet, db string, timeout time.Duration) {
	f.WorkFlags.Register(fs, timeout)
	fs.StringVar(&f.DB, "db", db, "engines: sqlite, postgres or both (comma-separated)")
}

// RegisterLog adds -log to fs: the file RunEngines writes the servers' log
// to.
func (f *ServeFlags) RegisterLog(fs *flag.FlagSet) {
	fs.StringVar(&f.Log, "log", "", "file for the server's log (default: drained and discarded)")
}

// Flags returns the flag set of the program name (FlagSet) with f's
// flags on it: -bin, -db and -timeout (Register) and -log (RegisterLog).
func (f *ServeFlags) Flags(name string, stderr io.Writer, db string, timeout time.Duration) *flag.FlagSet {
	fs := FlagSet(name, stderr)
	f.Register(fs, db, timeout)
	f.RegisterLog(fs)
	return fs
}

// Parse parses args into fs and returns the engines that -db names
// (ParseEngines).
func (f *ServeFlags) Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return ParseEngines(f.DB)
}
