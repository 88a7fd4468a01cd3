package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/docparse/docparse/internal/pipeline"
)

// users manages dashboard users directly in the database (no server
// needed). The password is the first line of stdin, so that it stays out
// of the process list and the shell history:
//
//	printf '%s\n' "$PASSWORD" | docparse users create --account acme --email a@example.com
func users(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, "usage: docparse users create --account NAME --email EMAIL < password\n")
		return errUsage
	}
	var c config
	fs, envErr := serveFlagSet("users create", &c, getenv, stderr)
	acct := fs.String("account", "", "account name (created if needed)")
	email := fs.String("email", "", "the user's email, with which they sign in")
	if err := parseAdminFlags(fs, args[1:], envErr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "docparse users create: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *acct == "" || *email == "" {
		fmt.Fprint(stderr, "docparse users create: --account and --email are required\n")
		return errUsage
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if n := utf8.RuneCountInString(password); n < pipeline.MinPasswordLength {
		fmt.Fprintf(stderr, "docparse users create: the password (first line of stdin) has %d characters; it needs at least %d\n",
			n, pipeline.MinPasswordLength)
		return errUsage
	}
	db, svc, err := openAdmin(ctx, c, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := svc.CreateUser(ctx, *acct, *email, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\t%s\n", u.ID, u.Email)
	return nil
}
