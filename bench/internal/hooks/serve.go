package hooks

import (
	"context"
	"errors"
	"io"

	"github.com/docparse/docparse/bench/internal/harness"
)

// Launch starts `docparse serve` for a webhook benchmark in w
// (Workdir.Launch): a fresh database on engine whose PostgreSQL schema
// label names, one account, the server's log to logw, and the flags
// --allow-private-webhooks (the receivers listen on 127.0.0.1) and
// --rate-limit 0 (uploads and polling never wait), then extra. The caller
// must Close the instance.
func Launch(ctx context.Context, w *harness.Workdir, engine, label string, logw io.Writer, extra ...string) (*harness.Instance, error) {
	args := append([]string{"--allow-private-webhooks", "--rate-limit", "0"}, extra...)
	return w.Launch(ctx, harness.LaunchOptions{Engine: engine, Label: label, Log: logw, Args: args})
}

// RunEngines runs measure once per engine (harness.RunEngines, with f's
// -log), each time against a fresh server started by Launch and closed
// when measure returns, and prints the verdicts under "summary:".
func RunEngines(ctx context.Context, f *harness.ServeFlags, engines []string, label string, stdout io.Writer, measure func(in *harness.Instance, engine string) (verdict string, err error)) error {
	return harness.RunEngines(engines, f.Log, stdout, func(engine string, logw io.Writer) (_ []string, err error) {
		in, err := Launch(ctx, f.Workdir, engine, label, logw)
		if err != nil {
			return nil, err
		}
		defer func() { err = errors.Join(err, in.Close()) }()
		verdict, err := measure(in, engine)
		return []string{verdict}, err
	})
}
