package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"net"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docparse/docparse/client"
)

// The client commands talk to a running docparse through the public SDK.
// They read DOCPARSE_API_KEY and DOCPARSE_BASE_URL (or --api-key and
// --base-url).

// errBatchNotProcessed: --wait saw the batch end failed or partial (exit
// code 3).
var errBatchNotProcessed = errors.New("batch did not end processed")

// defaultBaseURL is where `docparse serve` listens by default.
const defaultBaseURL = "http://127.0.0.1:8080"

// cli is one client command's context.
type cli struct {
	ctx    context.Context
	fs     *flag.FlagSet
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	apiKey  string
	baseURL string
	asJSON  bool

	required []*string // flags parse requires (requiredString)
}

func newCLI(ctx context.Context, name, usage string, getenv func(string) string, stdout, stderr io.Writer) *cli {
	c := &cli{ctx: ctx, stdout: stdout, stderr: stderr, getenv: getenv}
	c.fs = flag.NewFlagSet("docparse "+name, flag.ContinueOnError)
	c.fs.SetOutput(stderr)
	c.fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: docparse %s\n\nFlags:\n", usage)
		c.fs.PrintDefaults()
	}
	// The key's default is read after parsing, so that --help never
	// prints it.
	c.fs.StringVar(&c.apiKey, "api-key", "", "API key (default: env DOCPARSE_API_KEY)")
	c.fs.StringVar(&c.baseURL, "base-url", "", "server URL (default: env DOCPARSE_BASE_URL, else "+defaultBaseURL+")")
	c.fs.BoolVar(&c.asJSON, "json", false, "print JSON instead of text")
	return c
}

// parse parses args, allowing flags after positional arguments, and checks
// the positional count is within [min, max] (max < 0: no limit) and that
// every required flag is given; else it prints the usage.
func (c *cli) parse(args []string, min, max int) ([]string, error) {
	var pos []string
	for {
		if err := c.fs.Parse(args); err != nil {
			return nil, errUsage
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	missing := slices.ContainsFunc(c.required, func(v *string) bool { return *v == "" })
	if len(pos) < min || (max >= 0 && len(pos) > max) || missing {
		c.fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

// requiredString defines a string flag that parse requires.
func (c *cli) requiredString(name, usage string) *string {
	v := c.fs.String(name, "", usage)
	c.required = append(c.required, v)
	return v
}

// parseClient parses args as parse does and then makes the API client: the
// start of every client command that has no check of its own between the
// two.
func (c *cli) parseClient(args []string, min, max int) ([]string, *client.Client, error) {
	pos, err := c.parse(args, min, max)
	if err != nil {
		return nil, nil, err
	}
	api, err := c.client()
	if err != nil {
		return nil, nil, err
	}
	return pos, api, nil
}

func (c *cli) client() (*client.Client, error) {
	if c.apiKey == "" {
		c.apiKey = c.getenv("DOCPARSE_API_KEY")
	}
	if c.baseURL == "" {
		c.baseURL = c.getenv("DOCPARSE_BASE_URL")
	}
	if c.baseURL == "" {
		c.baseURL = defaultBaseURL
	}
	if c.apiKey == "" {
		fmt.Fprintln(c.stderr, "docparse: no API key: set DOCPARSE_API_KEY or pass --api-key (create one with: docparse keys create --account NAME)")
		return nil, errUsage
	}
	return client.New(strings.TrimRight(c.baseURL, "/"), c.apiKey, client.WithUserAgent("docparse-cli/"+version)), nil
}

func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (c *cli) table(header string, rows [][]string) {
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// printList prints the items of a listing: one JSON array with --json
// (null when there are none), else a table of header and one row an item.
// An error of items is reported with apiError and ends the listing.
func printList[T any](c *cli, items iter.Seq2[T, error], header string, row func(T) []string) error {
	var all []T
	var rows [][]string
	for it, err := range items {
		if err != nil {
			return apiError(c.stderr, err)
		}
		all = append(all, it)
		rows = append(rows, row(it))
	}
	if c.asJSON {
		return c.printJSON(all)
	}
	c.table(header, rows)
	return nil
}

// printOne prints one API answer v: as JSON with --json, else as text
// does. An error of the call that returned v is reported as apiError does.
func printOne[T any](c *cli, v T, err error, text func(T)) error {
	if err != nil {
		return apiError(c.stderr, err)
	}
	if c.asJSON {
		return c.printJSON(v)
	}
	text(v)
	return nil
}

// create makes the API client, creates p with the client's method call
// (such as CreateExtraction) and prints the answer as printOne does.
func create[P, T any](c *cli, p P, call func(*client.Client, context.Context, P) (T, error), text func(T)) error {
	api, err := c.client()
	if err != nil {
		return err
	}
	v, err := call(api, c.ctx, p)
	return printOne(c, v, err, text)
}

// isTerminal reports whether w is a terminal (progress bars and live
// counts then redraw in place; otherwise output is plain lines).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// apiError prints an API error the way users want it: the message, the
// code and the request id, with the fields of a validation error.
func apiError(stderr io.Writer, err error) error {
	var ae *client.Error
	if !errors.As(err, &ae) {
		var ne net.Error
		var oe *net.OpError
		if errors.As(err, &oe) || errors.As(err, &ne) {
			fmt.Fprintf(stderr, "docparse: cannot reach the server: %v\n(is `docparse serve` running there? set DOCPARSE_BASE_URL or --base-url)\n", errors.Unwrap(err))
			return errReported
		}
		return err
	}
	fmt.Fprintf(stderr, "docparse: %s (%d %s, request %s)\n", ae.Message, ae.StatusCode, ae.Code, ae.RequestID)
	for path, why := range ae.Fields {
		fmt.Fprintf(stderr, "  %s: %s\n", path, why)
	}
	return errReported
}

// errReported is an error already printed (exit code 2).
var errReported = errors.New("reported")

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// extractionsCmd: docparse extractions create|list|get.
func extractionsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: docparse extractions create --schema FILE [--name NAME] | list | get ID")
		return errUsage
	}
	switch args[0] {
	case "create":
		c := newCLI(ctx, "extractions create", "extractions create --schema FILE [--name NAME]", getenv, stdout, stderr)
		schema := c.requiredString("schema", "JSON file: an extraction ({name, fields, options, ...}) or just its fields array")
		name := c.fs.String("name", "", "name of the extraction (overrides the file's)")
		if _, err := c.parse(args[1:], 0, 0); err != nil {
			return err
		}
		p, err := readSchema(*schema)
		if err != nil {
			return err
		}
		if *name != "" {
			p.Name = *name
		}
		if p.Name == "" {
			fmt.Fprintln(stderr, "docparse: the extraction needs a name: put \"name\" in the schema file or pass --name")
			return errUsage
		}
		return create(c, p, (*client.Client).CreateExtraction, func(e *client.Extraction) { fmt.Fprintln(stdout, e.ID) })
	case "list":
		c := newCLI(ctx, "extractions list", "extractions list", getenv, stdout, stderr)
		_, api, err := c.parseClient(args[1:], 0, 0)
		if err != nil {
			return err
		}
		return printList(c, api.ListExtractions(ctx, client.ListParams{Limit: 100}), "ID\tNAME\tFIELDS\tCREATED", func(e client.Extraction) []string {
			return []string{e.ID, e.Name, fmt.Sprint(len(e.Fields)), fmtTime(&e.CreatedAt)}
		})
	case "get":
		c := newCLI(ctx, "extractions get", "extractions get EXTRACTION_ID", getenv, stdout, stderr)
		pos, api, err := c.parseClient(args[1:], 1, 1)
		if err != nil {
			return err
		}
		e, err := api.GetExtraction(ctx, pos[0])
		if err != nil {
			return apiError(stderr, err)
		}
		return c.printJSON(e)
	}
	fmt.Fprintf(stderr, "docparse extractions: unknown subcommand %q (create, list, get)\n", args[0])
	return errUsage
}

// readSchema reads an extraction from a JSON file: a whole extraction
// object, or only its fields array.
func readSchema(path string) (client.ExtractionParams, error) {
	var p client.ExtractionParams
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("read schema: %w", err)
	}
	trimmed := strings.TrimSpace(string(b))
	if strings.HasPrefix(trimmed, "[") {
		if err := json.Unmarshal(b, &p.Fields); err != nil {
			return p, fmt.Errorf("schema %s: %w", path, err)
		}
		return p, nil
	}
	dec := json.NewDecoder(strings.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("schema %s: %w", path, err)
	}
	return p, nil
}
