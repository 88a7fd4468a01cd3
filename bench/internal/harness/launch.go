package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// Workdir is a benchmark program's temporary directory and the docparse
// binary it runs.
type Workdir struct {
	Dir string // holds the built binary, data directories, generated files
	Bin string // docparse binary
}

// Prepare makes a temporary directory named prefix* under parent (the
// system's temporary directory when empty) and builds ./cmd/docparse into
// it unless bin names a binary (Binary). Close removes the directory.
func Prepare(ctx context.Context, parent, prefix, bin string, stdout io.Writer) (*Workdir, error) {
	dir, err := os.MkdirTemp(parent, prefix)
	if err != nil {
		return nil, err
	}
	w := &Workdir{Dir: dir}
	if w.Bin, err = Binary(ctx, bin, dir, stdout); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return w, nil
}

// Begin starts a run of the benchmark name under f: a context that ends
// after f.Timeout, f.Workdir: a work directory docparse-bench-<name>-*
// under f.Dir holding the docparse binary (Prepare with f.Bin), and the
// machine line on stdout. The caller calls end when the run is over: it
// removes the directory, then releases the context, and returns what
// went wrong in removing.
func (f *WorkFlags) Begin(ctx context.Context, name string, stdout io.Writer) (_ context.Context, end func() error, _ error) {
	ctx, cancel := context.WithTimeout(ctx, f.Timeout)
	w, err := Prepare(ctx, f.Dir, "docparse-bench-"+name+"-", f.Bin, stdout)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	f.Workdir = w
	fmt.Fprintf(stdout, "machine: %s\n", Machine())
	return ctx, func() error {
		defer cancel()
		return w.Close()
	}, nil
}

// Close removes the directory and everything in it.
func (w *Workdir) Close() error { return os.RemoveAll(w.Dir) }

// Binary returns bin when it is set; otherwise it says "building
// ./cmd/docparse ..." on stdout and builds it into dir (Build).
func Binary(ctx context.Context, bin, dir string, stdout io.Writer) (string, error) {
	if bin != "" {
		return bin, nil
	}
	fmt.Fprintln(stdout, "building ./cmd/docparse ...")
	return Build(ctx, dir)
}

// LaunchOptions describe one `docparse serve` to launch (Workdir.Launch).
type LaunchOptions struct {
	Engine string // "sqlite" or "postgres"
	Label  string // names the PostgreSQL schema (NewDatabase)
	// Accounts get one API key each, made before the server starts; nil
	// is one account, "bench".
	Accounts []string
	Log      io.Writer // the server's log (Start); nil discards it
	Args     []string  // flags of docparse serve
}

// Instance is a running `docparse serve` over a database of its own: what
// one measurement runs against.
type Instance struct {
	*Server
	DB   *Database
	Keys []string // Keys[i] is the API key of LaunchOptions.Accounts[i]
}

// Launch makes a fresh database in w.Dir, creates the accounts' API keys
// and starts w.Bin's `docparse serve` on it. The caller must Close the
// instance, which stops the server and then removes the database.
func (w *Workdir) Launch(ctx context.Context, o LaunchOptions) (*Instance, error) {
	accounts := o.Accounts
	if accounts == nil {
		accounts = []string{"bench"}
	}
	db, err := NewDatabase(ctx, o.Engine, w.Dir, o.Label)
	if err != nil {
		return nil, err
	}
	in := &Instance{DB: db}
	for _, account := range accounts {
		key, err := CreateKey(ctx, w.Bin, db, account)
		if err != nil {
			return nil, errors.Join(err, db.Close())
		}
		in.Keys = append(in.Keys, key)
	}
	if in.Server, err = Start(ctx, w.Bin, db, o.Log, o.Args...); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return in, nil
}

// Client returns a client of the server with the API key of the account
// at index account of LaunchOptions.Accounts.
func (in *Instance) Client(account int) *Client { return NewClient(in.URL, in.Keys[account]) }

// Close stops the server (Server.Stop), then drops the database
// (Database.Close), and returns what went wrong in either.
func (in *Instance) Close() error {
	var err error
	if serr := in.Stop(); serr != nil {
		err = fmt.Errorf("stop docparse: %w", serr)
	}
	return errors.Join(err, in.DB.Close())
}
