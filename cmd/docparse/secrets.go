package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/docparse/docparse/internal/secretbox"
	"github.com/docparse/docparse/internal/store"
)

const secretsUsage = `usage:
  docparse secrets rotate [--new-key-file FILE] [--data-dir DIR] [--database-url URL]
      seal every stored secret again under a new key (resumable; run it again
      after an interruption). The new key is FILE (standard base64 of 32 bytes,
      mode 0600); without it:
        - with DOCPARSE_SECRET_KEY set: that key is the new one and
          DOCPARSE_SECRET_KEY_PREVIOUS the old one;
        - on SQLite with the key file: a new key is generated (in
          DATA_DIR/secret.key.new until the rotation is done).
      With the key file, secret.key holds the new key at the end.
  docparse secrets status [--data-dir DIR] [--database-url URL]
      count the stored secrets by the key id that sealed them
`

// secretsCmd runs "docparse secrets": key rotation and status, directly on
// the database (no server needed).
func secretsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "rotate" && args[0] != "status") {
		fmt.Fprint(stderr, secretsUsage)
		return errUsage
	}
	sub := args[0]
	var c config
	fset, envErr := serveFlagSet("secrets "+sub, &c, getenv, stderr)
	newKeyFile := ""
	if sub == "rotate" {
		fset.StringVar(&newKeyFile, "new-key-file", "", "file holding the new key: standard base64 of 32 bytes, mode 0600")
	}
	if err := fset.Parse(args[1:]); err != nil {
		return errUsage
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "docparse secrets %s: unexpected argument %q\n", sub, fset.Arg(0))
		return errUsage
	}
	if envErr != nil {
		return fmt.Errorf("%w: %w", errConfig, envErr)
	}
	logger := newLogger(stderr, "warn")
	current, src, err := secretbox.Load(getenv, c.DataDir, c.isPostgres())
	if err != nil {
		return fmt.Errorf("%w: %w", errConfig, err)
	}
	if sub == "status" {
		db, err := openDBWith(ctx, c, current, logger)
		if err != nil {
			return err
		}
		defer db.Close()
		return printSecretsStatus(ctx, db, current.PrimaryID(), stdout)
	}
	return rotateSecrets(ctx, c, current, src, newKeyFile, stdout, stderr)
}

func rotateSecrets(ctx context.Context, c config, current *secretbox.Box, src secretbox.Source, newKeyFile string, stdout, stderr io.Writer) error {
	logger := newLogger(stderr, "warn")
	box := current
	var newText string // the new key's text, to install in the key file
	pending := filepath.Join(c.DataDir, secretbox.KeyFileName+".new")
	switch {
	case newKeyFile != "":
		k, err := secretbox.ReadKeyFile(newKeyFile)
		if err != nil {
			return fmt.Errorf("%w: --new-key-file: %w", errConfig, err)
		}
		b, err := os.ReadFile(newKeyFile)
		if err != nil {
			return fmt.Errorf("%w: --new-key-file: %w", errConfig, err)
		}
		newText = strings.TrimSpace(string(b))
		box = current.WithPrimary(k)
	case src.File != "":
		// Key file mode: the new key waits in secret.key.new until every
		// secret is sealed under it, so that an interrupted rotation
		// resumes with the same key.
		k, err := secretbox.ReadKeyFile(pending)
		if errors.Is(err, fs.ErrNotExist) {
			text, gerr := secretbox.GenerateKey()
			if gerr != nil {
				return gerr
			}
			if err := secretbox.WriteKeyFile(pending, text, false); err != nil {
				return err
			}
			k, err = secretbox.ReadKeyFile(pending)
		}
		if err != nil {
			return err
		}
		b, err := os.ReadFile(pending)
		if err != nil {
			return err
		}
		newText = strings.TrimSpace(string(b))
		box = current.WithPrimary(k)
	}
	db, err := openDBWith(ctx, c, box, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.ResealSecrets(ctx)
	if err != nil {
		return fmt.Errorf("rotate secrets (sealed %d before the error; run again to resume): %w", n, err)
	}
	st, err := db.Secrets(ctx)
	if err != nil {
		return err
	}
	left := st.Plaintext
	for id, k := range st.ByKey {
		if id != box.PrimaryID() {
			left += k
		}
	}
	if left > 0 {
		return fmt.Errorf("rotate secrets: %d stored secrets are still not under key %s (changed meanwhile by a server with the old key?): run again", left, box.PrimaryID())
	}
	// Values sealed under the old key must not survive in freed space
	// (also after a run cut off before this point, which sealed everything
	// and leaves n = 0 now).
	if err := db.CompactSecrets(ctx); err != nil {
		return fmt.Errorf("rotate secrets: every secret is under key %s, but: %w (run again)", box.PrimaryID(), err)
	}
	fmt.Fprintf(stdout, "sealed %d endpoints' secrets again; every stored secret is under key %s\n", n, box.PrimaryID())
	switch {
	case src.File != "" && newText != "":
		if err := secretbox.WriteKeyFile(src.File, newText, true); err != nil {
			return fmt.Errorf("rotate secrets: every secret is under key %s but installing it in %s failed (run again): %w", box.PrimaryID(), src.File, err)
		}
		if err := os.Remove(pending); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		fmt.Fprintf(stdout, "%s now holds key %s; back it up with the database\n", src.File, box.PrimaryID())
	case src.Env && newKeyFile != "":
		fmt.Fprintf(stdout, "set %s to the content of %s on every node and restart them (nodes still on the old key cannot read webhook secrets until then)\n",
			secretbox.EnvKey, newKeyFile)
	case src.Env:
		fmt.Fprintf(stdout, "%s may now be unset\n", secretbox.EnvPreviousKey)
	}
	return nil
}

func printSecretsStatus(ctx context.Context, db *store.DB, primary string, stdout io.Writer) error {
	st, err := db.Secrets(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "configured key %s\n", primary)
	ids := make([]string, 0, len(st.ByKey))
	for id := range st.ByKey {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(stdout, "sealed under %s\t%d\n", id, st.ByKey[id])
	}
	fmt.Fprintf(stdout, "plaintext\t%d\n", st.Plaintext)
	return nil
}
