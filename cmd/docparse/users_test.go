package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestUsersCreate(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DOCPARSE_DATA_DIR": t.TempDir()}
	create := func(email, stdin string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"users", "create", "--account", "acme", "--email", email},
			getenvFrom(env), strings.NewReader(stdin), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if out, err := create("ada@example.com", "short\n"); !errors.Is(err, errUsage) || !strings.Contains(out, "at least 10") {
		t.Fatalf("short password: err %v, output %q; want a usage error naming the minimum", err, out)
	}
	if out, err := create("ada@example.com", "long enough password\nsecond line\n"); err != nil || !strings.Contains(out, "ada@example.com") {
		t.Fatalf("create: err %v, output %q", err, out)
	}
	if _, err := create("ADA@example.com", "another long password"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate email: err %v, want already exists", err)
	}
}
