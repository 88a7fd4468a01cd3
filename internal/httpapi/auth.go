package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// authInfo is who a request is from. The logging middleware puts an empty
// one in the context; authenticated fills it.
type authInfo struct {
	accountID string
	keyID     string
}

// account returns the authenticated account of r.
func account(r *http.Request) string {
	a, _ := r.Context().Value(keyAuth).(*authInfo)
	if a == nil {
		return ""
	}
	return a.accountID
}

// touchEvery is how stale a key's last_used_at may get before a request
// writes it again: one write per key per minute, not one per request.
const touchEvery = time.Minute

// authenticated requires a valid, active API key (Bearer) and applies the
// account's rate limit.
func (s *Server) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if h == "" {
			s.writeError(w, r, errorf(http.StatusUnauthorized, "missing_api_key", "no API key: send Authorization: Bearer dp_live_..."))
			return
		}
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(token, "dp_live_") {
			s.writeError(w, r, errorf(http.StatusUnauthorized, "invalid_api_key", "the Authorization header must be Bearer dp_live_..."))
			return
		}
		hash := pipeline.HashKey(token)
		key, ok := s.keys.get(hash)
		if !ok {
			var err error
			key, err = s.db.APIKeyByHash(r.Context(), hash)
			if errors.Is(err, docparse.ErrNotFound) {
				s.writeError(w, r, errorf(http.StatusUnauthorized, "invalid_api_key", "the API key is invalid or revoked"))
				return
			}
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			s.keys.put(hash, key)
		}
		if a, _ := r.Context().Value(keyAuth).(*authInfo); a != nil {
			a.accountID, a.keyID = key.AccountID, key.ID
		}
		d := s.limits.Request(key.AccountID)
		d.SetHeaders(w.Header())
		if !d.OK {
			cfg := s.limits.Config()
			s.writeError(w, r, errorf(http.StatusTooManyRequests, "rate_limited",
				"too many requests: at most %g per second (burst %d) per account, all its API keys and dashboard sessions together; retry after %d s",
				cfg.Rate, cfg.Burst, d.RetryAfter))
			return
		}
		now := s.svc.Now()
		if key.LastUsedAt == nil || now.Sub(*key.LastUsedAt) > touchEvery {
			if err := s.db.TouchAPIKey(r.Context(), key.ID, now); err != nil {
				s.log.Warn("touch api key", "key_id", key.ID, "err", err)
			}
			key.LastUsedAt = &now
			s.keys.put(hash, key)
		}
		next.ServeHTTP(w, r)
	})
}
