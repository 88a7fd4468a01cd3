// Package httpapi serves docparse's JSON API. routes.go lists every route;
// each resource has its own file. Handlers return errors; one adapter maps
// them to status codes and the JSON error body of API.md.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/ratelimit"
	"github.com/docparse/docparse/internal/store"
)

// Config tunes the API.
type Config struct {
	// Limits are the per-account request and key creation limits, shared
	// with the dashboard; nil limits nothing.
	Limits *ratelimit.Limits
	// Body bounds how slowly any request body (an upload above all) may
	// arrive; zero fields take the defaults.
	Body ratelimit.BodyConfig
	// Dashboard, when set, serves /dashboard/ behind the same access log,
	// request ids and metrics as the API. It does its own authentication:
	// API keys are not checked there and do not open it.
	Dashboard http.Handler
}

// Server is the JSON API. Safe for concurrent use.
type Server struct {
	db      *store.DB
	svc     *pipeline.Service
	log     *slog.Logger
	limits  *ratelimit.Limits
	body    ratelimit.BodyConfig
	metrics *httpMetrics
	keys    *keyCache
	polls   *pollCache
	dash    http.Handler
	handler http.Handler
}

// New returns the API server.
func New(db *store.DB, svc *pipeline.Service, cfg Config, logger *slog.Logger) *Server {
	s := &Server{db: db, svc: svc, log: logger, metrics: newHTTPMetrics(svc.Metrics()), keys: newKeyCache(svc.Now), polls: newPollCache(),
		dash: cfg.Dashboard, limits: cfg.Limits, body: cfg.Body.WithDefaults()}
	s.handler = s.routes()
	// GET /metrics says each metric's type (# TYPE), so that Prometheus
	// reads histograms as histograms. The library keeps this setting
	// process-wide; docparse never turns it off.
	metrics.ExposeMetadata(true)
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// apiError is an error with its own status and code.
type apiError struct {
	status int
	code   string
	msg    string
	header http.Header
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// errorBody is API.md's error object.
type errorBody struct {
	Error     string            `json:"error"`
	Code      string            `json:"code"`
	RequestID string            `json:"request_id"`
	Fields    map[string]string `json:"fields,omitempty"`
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyAuth
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// handlerFunc is a handler that returns its error for the adapter.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// writeError answers err as API.md's JSON error. Internal errors are
// logged once, with the request id, and answered without detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	body := errorBody{RequestID: requestID(r.Context())}
	status := http.StatusInternalServerError
	var ae *apiError
	var ve *docparse.ValidationError
	var mbe *http.MaxBytesError
	var sbe *ratelimit.SlowBodyError
	var qe *docparse.QuotaError
	var le *docparse.LimitError
	switch {
	case errors.As(err, &ae):
		status, body.Code, body.Error = ae.status, ae.code, ae.msg
		for k, v := range ae.header {
			w.Header()[k] = v
		}
	case errors.As(err, &ve):
		status, body.Code = http.StatusBadRequest, "invalid_request"
		if ve.Semantic {
			status, body.Code = http.StatusUnprocessableEntity, "invalid_schema"
		}
		body.Error, body.Fields = ve.Error(), ve.Fields
	case errors.As(err, &mbe):
		status, body.Code, body.Error = http.StatusRequestEntityTooLarge, "request_too_large",
			fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit)
	case errors.As(err, &sbe):
		status, body.Code, body.Error = http.StatusRequestTimeout, "request_timeout", sbe.Error()+"; nothing was stored"
	case errors.As(err, &qe):
		status, body.Code, body.Error = quotaAnswer(w, qe)
	case errors.Is(err, docparse.ErrNotFound):
		status, body.Code, body.Error = http.StatusNotFound, "not_found", notFoundMessage(err)
	case errors.Is(err, docparse.ErrTooLarge):
		status, body.Code, body.Error = http.StatusRequestEntityTooLarge, "too_large", strings.TrimSuffix(err.Error(), ": too large")
	case errors.As(err, &le):
		status, body.Code, body.Error = http.StatusConflict, "limit_reached", le.Error()
	case errors.Is(err, docparse.ErrConflict):
		status, body.Code, body.Error = http.StatusConflict, "conflict", strings.TrimSuffix(err.Error(), ": conflict")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		status, body.Code, body.Error = 499, "client_closed_request", "the client closed the request"
	default:
		s.log.Error("internal error", "request_id", body.RequestID, "method", r.Method, "path", r.URL.Path, "err", err)
		body.Code, body.Error = "internal_error", "an internal error occurred; quote the request_id when reporting it"
	}
	writeJSON(w, status, body)
}

// quotaAnswer is the status, code and message of an upload refused by a
// quota: 413 storage_quota_exceeded for stored bytes (the upload is too
// large for what is left; freeing space, not waiting, helps), 429
// file_quota_exceeded with Retry-After (seconds until 00:00 UTC) for files
// per day.
func quotaAnswer(w http.ResponseWriter, qe *docparse.QuotaError) (int, string, string) {
	if qe.Quota == docparse.QuotaFilesPerDay {
		w.Header().Set("Retry-After", strconv.FormatInt(int64(max((qe.RetryAfter+time.Second-1)/time.Second, 1)), 10))
		return http.StatusTooManyRequests, "file_quota_exceeded", qe.Error()
	}
	return http.StatusRequestEntityTooLarge, "storage_quota_exceeded", qe.Error()
}

// notFoundMessage says what was not found: "no such extraction ext_1".
func notFoundMessage(err error) string {
	if nf, ok := errors.AsType[*docparse.NotFoundError](err); ok {
		return "no such " + nf.What()
	}
	return "not found"
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"encode response","code":"internal_error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// decodeOptionalJSON is decodeJSON for a body that may be left out: an
// empty body leaves dst as it is.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(w, r, dst)
}

// maxJSONBody bounds JSON request bodies.
const maxJSONBody = 1 << 20

// decodeJSON decodes a JSON request body into dst, refusing other content
// types (415), bodies over 1 MB (413), malformed JSON and unknown
// parameters (400).
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "the request body must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		var sbe *ratelimit.SlowBodyError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe), errors.As(err, &sbe):
			return err
		case errors.As(err, &se):
			return errorf(http.StatusBadRequest, "invalid_json", "malformed JSON at byte %d: %s", se.Offset, se.Error())
		case errors.As(err, &te):
			return errorf(http.StatusBadRequest, "invalid_json", "%s must be a JSON %s, not %s", jsonPath(te.Field), jsonType(te.Type.String()), te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return errorf(http.StatusBadRequest, "unknown_parameter", "%s", strings.TrimPrefix(err.Error(), "json: "))
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return errorf(http.StatusBadRequest, "invalid_json", "the request body is empty or truncated")
		default:
			return errorf(http.StatusBadRequest, "invalid_json", "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "invalid_json", "the request body holds more than one JSON value")
	}
	return nil
}

func jsonPath(field string) string {
	if field == "" {
		return "the body"
	}
	return field
}

func jsonType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "array"
	case strings.HasPrefix(goType, "map") || strings.HasPrefix(goType, "struct") || strings.Contains(goType, "."):
		return "object"
	case strings.HasPrefix(goType, "float") || strings.HasPrefix(goType, "int"):
		return "number"
	case goType == "bool":
		return "boolean"
	case goType == "string" || strings.HasSuffix(goType, "Type"):
		return "string"
	}
	return goType
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "req_" + hex.EncodeToString(b)
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged wraps every request: request id, the minimum body rate, panic
// recovery, one access-log line, metrics.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		auth := &authInfo{}
		ctx := context.WithValue(r.Context(), keyRequestID, id)
		r = r.WithContext(context.WithValue(ctx, keyAuth, auth))
		ratelimit.LimitBody(w, r, s.body)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", id, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					s.writeError(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			d := time.Since(start)
			s.metrics.observe(r.Pattern, sw.status, d)
			s.accessLog(r, id, sw, d, auth)
		}()
		next.ServeHTTP(sw, r)
	})
}

// accessLog writes the access-log line of a request. slog.Attr values
// rather than alternating keys and values: nothing is boxed in an
// interface, so the line costs no allocation of its own beyond the
// record's overflow (the attributes past the fifth).
func (s *Server) accessLog(r *http.Request, id string, sw *statusWriter, d time.Duration, auth *authInfo) {
	ctx := r.Context()
	if !s.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := [8]slog.Attr{slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", sw.status), slog.Int64("bytes", sw.size), slog.Float64("duration_ms", float64(d.Microseconds())/1000)}
	n := 6
	if auth.accountID != "" {
		attrs[6], attrs[7] = slog.String("account_id", auth.accountID), slog.String("key_id", auth.keyID)
		n = 8
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs[:n]...)
}

// handle adapts a handlerFunc.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}
