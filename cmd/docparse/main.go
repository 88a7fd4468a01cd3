// Command docparse is the docparse service and its administration
// commands, in one binary.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if err != errUsage && err != errReported && err != errBatchNotProcessed {
			fmt.Fprintln(os.Stderr, "docparse:", err)
		}
		os.Exit(exitCode(err))
	}
}

const usage = `docparse: document extraction with webhooks, in one binary.

Server:
  docparse serve [flags]                              run the API and the workers
  docparse migrate [flags]                            apply database migrations and exit
  docparse migrate --to postgres://... [--blob-url s3://...]
                                                      copy this SQLite installation to PostgreSQL (and S3)
  docparse keys create --account NAME [--name LABEL]  create an API key (printed on stdout)
  docparse keys list --account NAME                   list an account's active keys
  docparse keys revoke --account NAME KEY_ID          revoke a key at once
  docparse users create --account NAME --email EMAIL  create a dashboard user (password: first line of stdin)
  docparse secrets rotate [--new-key-file FILE]       seal every stored secret again under a new key
  docparse secrets status                             count stored secrets by the key that sealed them

Client (DOCPARSE_API_KEY and DOCPARSE_BASE_URL, or --api-key and --base-url):
  docparse extractions create --schema FILE [--name NAME]
  docparse extractions list | get EXTRACTION_ID
  docparse upload EXTRACTION_ID FILES... [--name NAME] [--wait]
  docparse batches get EXTRACTION_ID BATCH_ID | list EXTRACTION_ID [--status S]
  docparse results EXTRACTION_ID BATCH_ID [--format json|csv] [--out FILE]
  docparse classifications create --file FILE | list | get | delete | batches | batch | override
  docparse classify CLASSIFICATION_ID FILES... [--name NAME] [--wait]
  docparse webhooks list | create | test | rotate | enable | disable | delete | attempts | listen
  docparse events tail [--after EVENT_ID] [--no-follow]
  docparse version

Run "docparse COMMAND --help" for the flags of a command. Every flag of
serve has a DOCPARSE_* environment twin (--rate-limit is
DOCPARSE_RATE_LIMIT); DATABASE_URL=postgres://... selects PostgreSQL.
Webhook secrets are sealed (AES-256-GCM) under DOCPARSE_SECRET_KEY
(base64 of 32 bytes; required with PostgreSQL, the same on every node)
or, on SQLite without it, the key file secret.key in the data directory.
Client commands add --json for machine-readable output.

Exit codes: 0 success; 1 usage or configuration error; 2 API or other
error; 3 upload --wait or classify --wait saw the batch end failed or
partial.
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// run is the whole program: it reads nothing but its arguments.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	args = hoistGlobalFlags(args)
	if asksHelp(args) {
		return help(ctx, args, getenv, stdin, stdout)
	}
	return dispatch(ctx, args, getenv, stdin, stdout, stderr)
}

// dispatch runs the command args name.
func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	// The commands that take their arguments, the environment and the
	// output streams; serve and users, which take other streams,
	// are in the switch below.
	commands := map[string]func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error{
		"keys": keys, "secrets": secretsCmd,
		"extractions": extractionsCmd, "upload": uploadCmd, "batches": batchesCmd, "results": resultsCmd,
		"classifications": classificationsCmd, "classify": classifyCmd,
		"webhooks": webhooksCmd, "events": eventsCmd, "migrate": migrate,
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(ctx, args[1:], getenv, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stderr)
	case "users":
		return users(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "docparse", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "docparse: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}
