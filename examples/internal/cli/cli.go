// Package cli is what the example commands share that is not the point
// of any of them: a main that hands run the process's arguments,
// environment and streams, and a client configured from the environment.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/docparse/docparse/client"
)

// Main calls run with the command line's arguments, the environment and
// the standard streams, under a context that an interrupt cancels. When
// run fails, Main prints the error after name and exits with status 1.
func Main(name string, run func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Client returns a client of the server at DOCPARSE_BASE_URL (default
// http://127.0.0.1:8080) that authenticates with DOCPARSE_API_KEY, which
// must be set.
func Client(getenv func(string) string) (*client.Client, error) {
	key := getenv("DOCPARSE_API_KEY")
	if key == "" {
		return nil, errors.New("DOCPARSE_API_KEY is not set")
	}
	base := getenv("DOCPARSE_BASE_URL")
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	return client.New(base, key), nil
}
