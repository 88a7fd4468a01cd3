package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, docparse.PrefixAPIKey, s.db.ListAPIKeys, func(k docparse.APIKey) string { return k.ID }, viewAPIKey)
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(in.Name) > 200 {
		v := &docparse.ValidationError{}
		v.Add("name", "must be at most 200 characters")
		return v
	}
	if d := s.limits.CreateKey(account(r)); !d.OK {
		e := errorf(http.StatusTooManyRequests, "rate_limited",
			"too many API keys created: an account may create at most %d per hour; retry after %d s", s.limits.Config().KeysPerHour, d.RetryAfter)
		e.header = http.Header{"Retry-After": []string{strconv.Itoa(d.RetryAfter)}}
		return e
	}
	return s.createsSecret(w, r, func(ctx context.Context, tx *store.Tx) (answer, error) {
		k, secret, err := s.svc.CreateAPIKeyTx(ctx, tx, account(r), in.Name)
		if err != nil {
			return answer{}, err
		}
		return answer{Status: http.StatusCreated,
			Body:   map[string]any{"api_key": viewAPIKey(k), "key": secret},
			Replay: map[string]any{"api_key": viewAPIKey(k), "key": nil}}, nil
	})
}

func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.RevokeAPIKey(r.Context(), account(r), r.PathValue("key_id"), s.svc.Now()); err != nil {
		return err
	}
	s.keys.forget(r.PathValue("key_id"))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
