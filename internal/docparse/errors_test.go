package docparse

import (
	"errors"
	"fmt"
	"testing"
)

func TestNotFoundError(t *testing.T) {
	err := fmt.Errorf("get batch: %w", NotFound("batch", "bat_1"))
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = false", err)
	}
	if errors.Is(err, ErrLimit) || errors.Is(err, ErrConflict) {
		t.Errorf("%v is ErrLimit or ErrConflict", err)
	}
	nf, ok := errors.AsType[*NotFoundError](err)
	if !ok || nf.Kind != "batch" || nf.ID != "bat_1" {
		t.Fatalf("errors.AsType = %+v, %v; want batch bat_1", nf, ok)
	}
	if got, want := err.Error(), "get batch: batch bat_1: not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := NotFound("session", "").Error(); got != "session: not found" {
		t.Errorf("without an id: %q, want %q", got, "session: not found")
	}
}

func TestLimitError(t *testing.T) {
	err := error(&LimitError{What: "webhook endpoints", Max: 10, Remedy: "delete one"})
	if !errors.Is(err, ErrLimit) || errors.Is(err, ErrNotFound) {
		t.Errorf("%v: Is(ErrLimit) %v, Is(ErrNotFound) %v; want true, false", err, errors.Is(err, ErrLimit), errors.Is(err, ErrNotFound))
	}
	if got, want := err.Error(), "an account may hold at most 10 webhook endpoints; delete one first"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
