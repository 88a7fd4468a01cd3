package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Help: "docparse COMMAND [SUBCOMMAND] --help" (or -h) prints that
// command's usage and flags on stdout and exits 0, and "docparse GROUP
// --help" the subcommands of a group. The client commands' global flags
// (--json, --api-key, --base-url) may come before the command too.

// groupUsage is what "docparse GROUP --help" prints: the subcommands of
// the commands that have some.
var groupUsage = map[string]string{
	"keys": `usage: docparse keys SUBCOMMAND
  create --account NAME [--name LABEL]   create an API key (printed on stdout)
  list --account NAME                    list an account's active keys
  revoke --account NAME KEY_ID           revoke a key at once
`,
	"users": `usage: docparse users create --account NAME --email EMAIL < password
  create a dashboard user; the password is the first line of stdin
`,
	"extractions": `usage: docparse extractions SUBCOMMAND
  create --schema FILE [--name NAME]     an extraction from JSON (or just its fields array)
  list                                   the extractions, newest first
  get EXTRACTION_ID                      one extraction with its schema
`,
	"batches": `usage: docparse batches SUBCOMMAND
  get EXTRACTION_ID BATCH_ID             a batch with its files
  list EXTRACTION_ID [--status S]        an extraction's batches, newest first
`,
	"events": `usage: docparse events tail [--after EVENT_ID] [--type T1,T2] [--no-follow] [--every 3s]
  print the events feed, then follow it
`,
	"secrets":         secretsUsage,
	"classifications": classificationsUsage,
	"webhooks":        webhooksUsage + "\n",
}

// isHelpFlag reports whether arg asks for help.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

// asksHelp reports whether args ask for help: a help flag before any "--".
func asksHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelpFlag(a) {
			return true
		}
	}
	return false
}

// help prints the help args ask for on stdout. A command's own help comes
// from running it with stdout as its error stream: its flags parse
// first, see the help flag, print the usage and stop before doing
// anything.
func help(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if isHelpFlag(args[0]) || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if g, ok := groupUsage[args[0]]; ok && (len(args) == 1 || isHelpFlag(args[1])) {
		fmt.Fprint(stdout, g)
		return nil
	}
	err := dispatch(ctx, args, getenv, stdin, stdout, stdout)
	if err == nil || err == errUsage {
		return nil
	}
	return err
}

// globalFlags are the client commands' flags that may come before the
// command ("docparse --json extractions list"), and whether each takes a
// value.
var globalFlags = map[string]bool{"json": false, "api-key": true, "base-url": true}

// hoistGlobalFlags moves the global flags that come before the command to
// after it, where the command's flag set reads them.
func hoistGlobalFlags(args []string) []string {
	var lead []string
	i := 0
	for i < len(args) {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		takes, ok := globalFlags[name]
		if !strings.HasPrefix(args[i], "-") || !ok {
			break
		}
		lead = append(lead, args[i])
		i++
		if takes && !hasValue && i < len(args) {
			lead = append(lead, args[i])
			i++
		}
	}
	if len(lead) == 0 || i == len(args) {
		return args
	}
	out := []string{args[i]}
	rest := args[i+1:]
	// A group's subcommand stays right after it: "docparse --json
	// extractions list" is "docparse extractions list --json".
	if _, group := groupUsage[args[i]]; group && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		out, rest = append(out, rest[0]), rest[1:]
	}
	out = append(out, lead...)
	return append(out, rest...)
}

// adminUsage is the usage of an administration command whose flag set
// holds every serve flag (serveFlagSet) besides its own: header, then its
// own flags, where the database is and the serve flags named in show, and
// a pointer to serve's help for the rest.
func adminUsage(fs *flag.FlagSet, header string, show ...string) func() {
	return func() {
		serve := serveFlagNames()
		out := fs.Output()
		fmt.Fprint(out, header)
		fmt.Fprintln(out, "\nFlags:")
		shown := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
		shown.SetOutput(out)
		show = append(show, "data-dir", "database-url")
		fs.VisitAll(func(f *flag.Flag) {
			if !serve[f.Name] || slices.Contains(show, f.Name) {
				shown.Var(f.Value, f.Name, f.Usage)
			}
		})
		shown.PrintDefaults()
		fmt.Fprintln(out, "\nEvery flag of docparse serve is accepted too (docparse serve --help), with its DOCPARSE_* environment twin.")
	}
}

// serveFlagNames returns the names of serve's flags.
func serveFlagNames() map[string]bool {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	_ = serveFlags(fs, &config{}, func(string) string { return "" })
	names := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { names[f.Name] = true })
	return names
}
