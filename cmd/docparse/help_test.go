package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// commandsOfUsage returns the commands the top-level usage lists ("serve",
// "keys create", "extractions list", ...) and, for each group of
// groupUsage, its subcommands: every command a user can ask help of.
func commandsOfUsage(t *testing.T) [][]string {
	t.Helper()
	seen := map[string]bool{}
	var out [][]string
	add := func(words ...string) {
		if k := strings.Join(words, " "); !seen[k] {
			seen[k] = true
			out = append(out, words)
		}
	}
	word := regexp.MustCompile(`^[a-z]+$`)
	for _, line := range strings.Split(usage, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || fields[0] != "docparse" {
			continue
		}
		var cmd []string
		for _, f := range fields[1:] {
			if !word.MatchString(f) || len(cmd) == 2 {
				break
			}
			cmd = append(cmd, f)
		}
		add(cmd...)
	}
	for g, text := range groupUsage {
		add(g)
		for _, line := range strings.Split(text, "\n")[1:] {
			// "  create --file FILE ...", "  list | get ID | delete ID",
			// "  enable|disable ENDPOINT_ID"
			for _, alt := range strings.Split(line, "|") {
				fields := strings.Fields(alt)
				if len(fields) > 0 && word.MatchString(fields[0]) && len(line) > 2 && line[:2] == "  " && line[2] != ' ' {
					add(g, fields[0])
				}
			}
		}
	}
	if len(out) < 30 {
		t.Fatalf("found only %d commands in the usage: %v", len(out), out)
	}
	return out
}

// TestEveryCommandHelp: "docparse COMMAND --help" of every command, group
// and subcommand prints its usage on stdout, nothing on stderr, and exits
// 0; a command's help lists its own flags, and an administration command's
// not every serve flag.
func TestEveryCommandHelp(t *testing.T) {
	t.Parallel()
	getenv := func(string) string { return "" }
	cmds := commandsOfUsage(t)
	t.Logf("%d commands", len(cmds))
	for _, cmd := range cmds {
		for _, flag := range []string{"--help", "-h"} {
			args := append(append([]string{}, cmd...), flag)
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
			name := strings.Join(args, " ")
			if err != nil {
				t.Errorf("docparse %s: %v (exit %d), want exit 0", name, err, exitCode(err))
			}
			if stderr.Len() > 0 {
				t.Errorf("docparse %s wrote to stderr: %s", name, stderr.String())
			}
			out := stdout.String()
			if !strings.Contains(strings.ToLower(out), "usage") && !strings.HasPrefix(out, "docparse ") {
				t.Errorf("docparse %s printed no usage:\n%s", name, out)
			}
		}
	}
	// Own flags, and not serve's, for an administration command.
	for _, c := range []struct {
		args      []string
		want, not []string
	}{
		{[]string{"keys", "create", "--help"}, []string{"-account", "-name", "-data-dir", "-database-url"}, []string{"-rate-limit", "-ocr-models"}},
		{[]string{"users", "create", "--help"}, []string{"-account", "-email"}, []string{"-workers"}},
		{[]string{"secrets", "rotate", "--help"}, []string{"-new-key-file"}, []string{"-trusted-proxies"}},
		{[]string{"migrate", "--help"}, []string{"-to", "-blob-url", "-check", "-data-dir"}, []string{"-rate-limit"}},
		{[]string{"serve", "--help"}, []string{"-rate-limit", "-ocr-models", "-workers"}, nil},
		{[]string{"upload", "--help"}, []string{"-wait", "-name", "-json", "-api-key"}, nil},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), c.args, getenv, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		listed := func(f string) bool { return regexp.MustCompile(`\n  ` + f + `( |\n)`).MatchString(stdout.String()) }
		for _, w := range c.want {
			if !listed(w) {
				t.Errorf("docparse %s lacks %s:\n%s", strings.Join(c.args, " "), w, stdout.String())
			}
		}
		for _, n := range c.not {
			if listed(n) {
				t.Errorf("docparse %s lists serve's %s", strings.Join(c.args, " "), n)
			}
		}
	}
}

// The client commands' global flags may come before the command.
func TestGlobalFlagsAnywhere(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"--json", "extractions", "list"}, []string{"extractions", "list", "--json"}},
		{[]string{"--api-key", "K", "--base-url=http://h", "upload", "ext", "a.pdf"}, []string{"upload", "--api-key", "K", "--base-url=http://h", "ext", "a.pdf"}},
		{[]string{"--json", "webhooks", "create", "--url", "u"}, []string{"webhooks", "create", "--json", "--url", "u"}},
		{[]string{"extractions", "list", "--json"}, []string{"extractions", "list", "--json"}},
		{[]string{"--json"}, []string{"--json"}},
		{[]string{"--data-dir", "x", "serve"}, []string{"--data-dir", "x", "serve"}},
	} {
		if got := hoistGlobalFlags(c.in); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("hoistGlobalFlags(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
