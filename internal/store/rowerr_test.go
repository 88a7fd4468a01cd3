package store

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

func TestRowErr(t *testing.T) {
	if err := rowErr(nil, "batch", "bat_1", "select batch"); err != nil {
		t.Errorf("rowErr(nil) = %v, want nil", err)
	}
	err := rowErr(fmt.Errorf("scan: %w", sql.ErrNoRows), "batch", "bat_1", "select batch")
	if nf, ok := errors.AsType[*docparse.NotFoundError](err); !ok || nf.What() != "batch bat_1" || !errors.Is(err, docparse.ErrNotFound) {
		t.Errorf("no row: %v, want batch bat_1 not found", err)
	}
	boom := errors.New("connection reset")
	err = rowErr(boom, "batch", "bat_1", "select batch")
	if !errors.Is(err, boom) || errors.Is(err, docparse.ErrNotFound) || err.Error() != "select batch: connection reset" {
		t.Errorf("other error: %v, want it wrapped as select batch", err)
	}
}

func TestOptionalRow(t *testing.T) {
	if found, err := optionalRow(nil, "select key"); !found || err != nil {
		t.Errorf("optionalRow(nil) = %v, %v, want found", found, err)
	}
	if found, err := optionalRow(fmt.Errorf("scan: %w", sql.ErrNoRows), "select key"); found || err != nil {
		t.Errorf("no row: %v, %v, want not found and no error", found, err)
	}
	boom := errors.New("connection reset")
	if found, err := optionalRow(boom, "select key"); found || !errors.Is(err, boom) || err.Error() != "select key: connection reset" {
		t.Errorf("other error: %v, %v, want it wrapped as select key", found, err)
	}
}

func TestLock(t *testing.T) {
	if got := Postgres.lock("FOR SHARE"); got != " FOR SHARE" {
		t.Errorf("postgres: %q, want %q", got, " FOR SHARE")
	}
	if got := SQLite.lock("FOR SHARE"); got != "" {
		t.Errorf("sqlite: %q, want no clause", got)
	}
}
