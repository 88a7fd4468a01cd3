package httpapi

import (
	"context"
	"net/http"
	"time"
)

// healthz answers while the process is up.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz answers 200 when the database is reachable and migrated.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		return errorf(http.StatusServiceUnavailable, "database_unavailable", "the database does not answer")
	}
	ok, err := s.db.Migrated(ctx)
	if err != nil || !ok {
		return errorf(http.StatusServiceUnavailable, "not_migrated", "the database is not migrated")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}
