package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/docparse/docparse/internal/store"
)

// keys manages API keys directly in the database (no server needed).
func keys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: docparse keys create|list|revoke --account NAME ...\n")
		return errUsage
	}
	sub := args[0]
	var c config
	fs, envErr := serveFlagSet("keys "+sub, &c, getenv, stderr)
	acct := fs.String("account", "", "account name (created if needed by create)")
	name := fs.String("name", "", "label of the new key (create)")
	if err := parseAdminFlags(fs, args[1:], envErr); err != nil {
		return err
	}
	if *acct == "" {
		fmt.Fprintf(stderr, "docparse keys %s: --account is required\n", sub)
		return errUsage
	}
	db, svc, err := openAdmin(ctx, c, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "create":
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "docparse keys create: unexpected argument %q\n", fs.Arg(0))
			return errUsage
		}
		_, secret, err := svc.CreateAccountKey(ctx, *acct, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret)
		return nil
	case "list":
		a, err := db.AccountByName(ctx, *acct)
		if err != nil {
			return err
		}
		ks, _, err := db.ListAPIKeys(ctx, a.ID, store.Page{Limit: 100})
		if err != nil {
			return err
		}
		for _, k := range ks {
			used := "never"
			if k.LastUsedAt != nil {
				used = k.LastUsedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%s\t%s\t...%s\tcreated %s\tlast used %s\n", k.ID, k.Name, k.Last4, k.CreatedAt.Format(time.RFC3339), used)
		}
		return nil
	case "revoke":
		if fs.NArg() != 1 {
			fmt.Fprint(stderr, "usage: docparse keys revoke --account NAME KEY_ID\n")
			return errUsage
		}
		a, err := db.AccountByName(ctx, *acct)
		if err != nil {
			return err
		}
		if err := db.RevokeAPIKey(ctx, a.ID, fs.Arg(0), time.Now()); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "revoked", fs.Arg(0))
		return nil
	}
	fmt.Fprintf(stderr, "docparse keys: unknown subcommand %q (create, list, revoke)\n", sub)
	return errUsage
}
