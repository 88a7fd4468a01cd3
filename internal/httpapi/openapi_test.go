package httpapi_test

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"

	"github.com/docparse/docparse/docs"
	"github.com/docparse/docparse/internal/extract/pdftest"
	"github.com/docparse/docparse/internal/servertest"
)

// The OpenAPI document, docs/openapi.json, is checked three ways: it is a
// valid OpenAPI 3.1 document; it describes exactly the routes of
// routes.go; and every route, driven live, is asked and answered as it
// says, as are the webhook deliveries (TestOpenAPILive, and
// TestOpenAPILimits for the refusals of the limits).

// freeForm lists where the document leaves an answer's members open:
// results shaped by the user's schema, an error's fields by path,
// headers, examples and the e-invoice as its XML holds it. Strict
// validation, which refuses any member the document does not name,
// skips them.
var freeForm = []string{
	"$.body.result**", "$.body.confidence**", "$.body.sources**", "$.body.citations**", "$.body.einvoice**",
	"$.body.files[*].result**", "$.body.files[*].confidence**", "$.body.files[*].sources**", "$.body.files[*].citations**", "$.body.files[*].einvoice**",
	"$.body.data[*].request_headers**", "$.body.data[*].response_headers**", "$.body.fields**",
	"$.body.**.example**", "$.body.**.page_value**", "$.body.**.xml_value**",
}

// newContract loads docs/openapi.json into a validator that checks
// formats (date-time) and the bodies of every media type the API speaks,
// and refuses members the document does not name (strict mode).
func newContract(t *testing.T) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument([]byte(docs.OpenAPI()))
	if err != nil {
		t.Fatalf("parse docs/openapi.json: %v", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions(), config.WithStandardBodyDecoders(),
		config.WithStrictMode(), config.WithStrictIgnorePaths(freeForm...))
	if len(errs) > 0 {
		t.Fatalf("build the validator of docs/openapi.json: %v", errs)
	}
	return v
}

// webhookValidator returns a func that validates the body of a webhook
// delivery against the schema WebhookEvent, which the document's webhooks
// send, and returns what breaks it, "" when nothing does.
func webhookValidator(t *testing.T) func(body []byte) string {
	t.Helper()
	doc, err := libopenapi.NewDocument([]byte(docs.OpenAPI()))
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	schema := m.Model.Components.Schemas.GetOrZero("WebhookEvent")
	if schema == nil || m.Model.Webhooks.GetOrZero("event") == nil {
		t.Fatal("docs/openapi.json has no webhook event sending the schema WebhookEvent")
	}
	v := schema_validation.NewSchemaValidator(config.WithFormatAssertions())
	return func(body []byte) string {
		if ok, errs := v.ValidateSchemaBytesWithVersion(schema.Schema(), body, 3.1); !ok {
			return describe(errs)
		}
		return ""
	}
}

// short is b cut to a length a failure message can show.
func short(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "..."
	}
	return string(b)
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("\n  " + e.Message + ": " + e.Reason)
		for _, f := range e.SchemaValidationErrors {
			b.WriteString("\n    " + f.FieldPath + " " + f.Reason + " (" + f.KeywordLocation + ")")
		}
	}
	return b.String()
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	v := newContract(t)
	if ok, errs := v.ValidateDocument(); !ok {
		t.Fatalf("docs/openapi.json is not a valid OpenAPI document:%s", describe(errs))
	}
	var head struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal([]byte(docs.OpenAPI()), &head); err != nil || head.OpenAPI != "3.1.0" {
		t.Fatalf("docs/openapi.json: openapi = %q (%v), want 3.1.0", head.OpenAPI, err)
	}
}

// routePatterns reads the patterns of the routes that routes.go hands to
// mux.Handle, "GET /v1/events" and the like, from its source: a route
// added there is a route the document must describe.
func routePatterns(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Handle" {
			return true
		}
		if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			p, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return true
	})
	if len(out) < 30 {
		t.Fatalf("found %d routes in routes.go: %q; is the parser still reading mux.Handle calls?", len(out), out)
	}
	return out
}

// documented returns the operations of the document as "METHOD /path".
func documented(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(docs.OpenAPI()), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "patch", "delete", "head", "options", "trace":
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// apiRoutes are the routes the document must describe: every /v1 route
// and the health checks.
func apiRoutes(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, p := range routePatterns(t) {
		method, path, ok := strings.Cut(p, " ")
		if ok && (strings.HasPrefix(path, "/v1/") || path == "/healthz" || path == "/readyz") {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	routes, ops := apiRoutes(t), documented(t)
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("routes.go serves %s, which docs/openapi.json does not describe", r)
		}
	}
	for _, o := range ops {
		if !slices.Contains(routes, o) {
			t.Errorf("docs/openapi.json describes %s, which routes.go does not serve", o)
		}
	}
}

// contract drives a live server and validates each request and answer
// against the document, recording which routes answered with success.
type contract struct {
	t       *testing.T
	e       *env
	v       validator.Validator
	covered map[string]bool
}

// call is one request: route is its pattern as routes.go writes it, with
// the path values in vars; without key, the env's key is sent unless
// anon. A bad request breaks the document, and the test checks that the
// document says so: a server that refuses it must be described refusing
// it.
type call struct {
	route string
	vars  map[string]string
	query string
	anon  bool
	key   string
	ct    string
	body  []byte
	hdr   []string
	bad   bool
	want  int // the status expected; 0 takes any
}

func (c *contract) do(k call) response {
	c.t.Helper()
	method, pattern, _ := strings.Cut(k.route, " ")
	path := pattern
	for name, value := range k.vars {
		path = strings.ReplaceAll(path, "{"+name+"}", value)
	}
	if strings.Contains(path, "{") {
		c.t.Fatalf("%s: path values %v leave %s", k.route, k.vars, path)
	}
	newReq := func() *http.Request {
		req, err := http.NewRequest(method, c.e.srv.URL+path+k.query, bytes.NewReader(k.body))
		if err != nil {
			c.t.Fatal(err)
		}
		if k.body == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		switch {
		case k.key != "":
			req.Header.Set("Authorization", "Bearer "+k.key)
		case !k.anon:
			req.Header.Set("Authorization", "Bearer "+c.e.key)
		}
		if k.ct != "" {
			req.Header.Set("Content-Type", k.ct)
		}
		for i := 0; i+1 < len(k.hdr); i += 2 {
			req.Header.Set(k.hdr[i], k.hdr[i+1])
		}
		return req
	}
	resp, err := http.DefaultClient.Do(newReq())
	if err != nil {
		c.t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatal(err)
	}
	what := method + " " + path + k.query
	if k.want != 0 && resp.StatusCode != k.want {
		c.t.Fatalf("%s = %d %s, want %d", what, resp.StatusCode, short(body), k.want)
	}
	ok, errs := c.v.ValidateHttpRequest(newReq())
	switch {
	case k.bad && ok:
		c.t.Errorf("%s: the server refuses it (%d %s) but docs/openapi.json accepts the request", what, resp.StatusCode, short(body))
	case !k.bad && !ok:
		c.t.Errorf("%s: the request breaks docs/openapi.json:%s", what, describe(errs))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if ok, errs := c.v.ValidateHttpResponse(newReq(), resp); !ok {
		c.t.Errorf("%s: the answer %d %s breaks docs/openapi.json:%s", what, resp.StatusCode, short(body), describe(errs))
	}
	if resp.StatusCode < 400 {
		c.covered[k.route] = true
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// json sends v as the JSON body of a call.
func (c *contract) json(k call, v any) response {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	k.ct, k.body = "application/json", b
	return c.do(k)
}

// idOf is the id of the object under name in r's body.
func idOf(t *testing.T, r response, name string) string {
	t.Helper()
	id, _ := r.json(t)[name].(map[string]any)["id"].(string)
	if id == "" {
		t.Fatalf("no %s.id in %s", name, r.body)
	}
	return id
}

// waitFor polls a batch through the contract until it ends.
func (c *contract) waitFor(k call) response {
	c.t.Helper()
	var r response
	if !servertest.Eventually(60*time.Second, func() bool {
		r = c.do(k)
		s := r.json(c.t)["batch"].(map[string]any)["status"]
		return s == "processed" || s == "partial" || s == "failed"
	}) {
		c.t.Fatalf("%s %v did not end within 60s", k.route, k.vars)
	}
	return r
}

// TestOpenAPILive drives every route of the API on a real server, with
// successes and the usual refusals, and validates each request and
// answer against docs/openapi.json; a route of routes.go that it does not
// answer with success fails it.
func TestOpenAPILive(t *testing.T) {
	eachEnv(t, envOptions{}, func(t *testing.T, e *env) {
		c := &contract{t: t, e: e, v: newContract(t), covered: map[string]bool{}}
		const (
			keys   = "/v1/api_keys"
			exts   = "/v1/extractions"
			ext    = exts + "/{extraction_id}"
			btcs   = ext + "/batches"
			btc    = btcs + "/{batch_id}"
			file   = btc + "/files/{file_id}"
			clss   = "/v1/classifications"
			cls    = clss + "/{classification_id}"
			cbtcs  = cls + "/batches"
			cbtc   = cbtcs + "/{batch_id}"
			cfile  = cbtc + "/files/{file_id}"
			eps    = "/v1/webhook_endpoints"
			ep     = eps + "/{endpoint_id}"
			events = "/v1/events"
			event  = events + "/{event_id}"
		)

		// Operations and the document itself, without a key.
		c.do(call{route: "GET /healthz", anon: true, want: 200})
		c.do(call{route: "GET /readyz", anon: true, want: 200})
		if r := c.do(call{route: "GET /v1/openapi.json", anon: true, want: 200}); r.header.Get("Content-Type") != "application/json" || string(r.body) != docs.OpenAPI() {
			t.Errorf("GET /v1/openapi.json answers %s, %d bytes; want application/json, docs/openapi.json (%d bytes)",
				r.header.Get("Content-Type"), len(r.body), len(docs.OpenAPI()))
		}

		// API keys, and the refusals every authenticated route shares.
		r := c.json(call{route: "POST " + keys, hdr: []string{"Idempotency-Key", "key-1"}, want: 201}, map[string]any{"name": "ci"})
		keyID := idOf(t, r, "api_key")
		if r = c.json(call{route: "POST " + keys, hdr: []string{"Idempotency-Key", "key-1"}, want: 201}, map[string]any{"name": "ci"}); r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replayed key creation: Idempotent-Replayed = %q", r.header.Get("Idempotent-Replayed"))
		}
		c.do(call{route: "GET " + keys, query: "?limit=1", want: 200})
		c.do(call{route: "GET " + keys, anon: true, bad: true, want: 401})
		c.do(call{route: "GET " + keys, key: "dp_live_00000000000000000000000000000000", want: 401})
		c.do(call{route: "GET " + keys, query: "?limit=0", bad: true, want: 400})
		c.do(call{route: "GET " + keys, query: "?cursor=bm9wZQ", want: 400})
		c.json(call{route: "POST " + keys, bad: true, want: 400}, map[string]any{"name": "ci", "scope": "all"})
		c.json(call{route: "POST " + keys, bad: true, want: 400}, map[string]any{"name": strings.Repeat("n", 201)})
		c.do(call{route: "DELETE " + keys + "/{key_id}", vars: map[string]string{"key_id": keyID}, want: 204})
		c.do(call{route: "DELETE " + keys + "/{key_id}", vars: map[string]string{"key_id": keyID}, want: 404})

		// Extractions.
		r = c.json(call{route: "POST " + exts, hdr: []string{"Idempotency-Key", "ext-1"}, want: 201}, einvoiceSchema)
		extID := idOf(t, r, "extraction")
		x := map[string]string{"extraction_id": extID}
		c.json(call{route: "POST " + exts, hdr: []string{"Idempotency-Key", "ext-1"}, want: 201}, einvoiceSchema)
		c.json(call{route: "POST " + keys, hdr: []string{"Idempotency-Key", "ext-1"}, want: 422}, map[string]any{})
		c.json(call{route: "POST " + exts, bad: true, want: 400}, map[string]any{"fields": einvoiceSchema["fields"]})
		c.json(call{route: "POST " + exts, bad: true, want: 422}, map[string]any{"name": "x", "fields": []map[string]any{{"key": "a", "type": "money"}}})
		c.do(call{route: "POST " + exts, ct: "text/plain", body: []byte("name=x"), bad: true, want: 415})
		c.do(call{route: "GET " + exts, want: 200})
		c.do(call{route: "GET " + ext, vars: x, want: 200})
		c.do(call{route: "GET " + ext, vars: map[string]string{"extraction_id": "ext_01JZ8Q4WJ6R2N0XK9M3T5V7B1C"}, want: 404})
		c.do(call{route: "GET " + ext, vars: x, key: e.newKey("globex"), want: 404}) // another account's
		c.json(call{route: "PATCH " + ext, vars: x, want: 200}, map[string]any{"description": "e-invoices", "options": map[string]any{"infer_missing": true}})
		c.json(call{route: "PATCH " + ext, vars: x, bad: true, want: 400}, map[string]any{"review_threshold": 2})

		// An extraction batch: a text invoice, an e-invoice whose page
		// contradicts its XML (einvoice and warnings) and an empty file.
		xml := einvoiceFile(t, "cii-en16931.xml")
		forged := pdftest.Attach(pdftest.Text([]string{"Lieferant GmbH", "Invoice number: 471102", "Invoice date: 2018-03-05", "Total: 592.87 EUR"}),
			pdftest.Attachment{Name: "factur-x.xml", Data: xml, Compress: true})
		ct, body := multipartBody(t, "May", []upload{{"invoice.txt", corpusFile(t, "invoice.txt")}, {"forged.pdf", forged}, {"empty.txt", nil}})
		r = c.do(call{route: "POST " + btcs, vars: x, ct: ct, body: body, hdr: []string{"Idempotency-Key", "btc-1"}, want: 202})
		b := map[string]string{"extraction_id": extID, "batch_id": idOf(t, r, "batch")}
		c.do(call{route: "POST " + btcs, vars: x, ct: "application/json", body: []byte("{}"), bad: true, want: 415})
		r = c.waitFor(call{route: "GET " + btc, vars: b, want: 200})
		c.do(call{route: "GET " + btc, vars: b, hdr: []string{"If-None-Match", r.header.Get("ETag")}, want: 304})
		c.do(call{route: "GET " + btcs, vars: x, query: "?status=partial&updated_after=2020-01-01T00:00:00Z&limit=10", want: 200})
		c.do(call{route: "GET " + btcs, vars: x, query: "?status=done", bad: true, want: 400})
		c.do(call{route: "GET " + btcs, vars: map[string]string{"extraction_id": "ext_none"}, want: 404})
		for _, f := range r.json(t)["files"].([]any) {
			fv := map[string]string{"extraction_id": extID, "batch_id": b["batch_id"], "file_id": f.(map[string]any)["id"].(string)}
			c.do(call{route: "GET " + file, vars: fv, want: 200})
			c.do(call{route: "GET " + file + "/content", vars: fv, want: 200})
		}
		c.do(call{route: "GET " + file, vars: map[string]string{"extraction_id": extID, "batch_id": b["batch_id"], "file_id": "file_none"}, want: 404})
		c.do(call{route: "GET " + btc + "/export", vars: b, want: 200})
		c.do(call{route: "GET " + btc + "/export", vars: b, query: "?format=csv", want: 200})
		c.do(call{route: "GET " + btc + "/export", vars: b, query: "?format=xml", bad: true, want: 400})

		// Classifications, a batch and an override.
		r = c.json(call{route: "POST " + clss, want: 201}, map[string]any{"name": "Mail", "categories": []map[string]any{
			{"name": "Invoice", "keywords": []string{"invoice", "total"}, "linked_extraction_id": extID},
			{"name": "Letter", "description": "Anything else", "keywords": []string{"dear"}}}})
		clsID := idOf(t, r, "classification")
		cv := map[string]string{"classification_id": clsID}
		cats := r.json(t)["classification"].(map[string]any)["categories"].([]any)
		letter := cats[1].(map[string]any)["id"].(string)
		c.json(call{route: "POST " + clss, bad: true, want: 422}, map[string]any{"name": "Mail", "categories": []map[string]any{{"name": "Only"}}})
		c.do(call{route: "GET " + clss, want: 200})
		c.do(call{route: "GET " + cls, vars: cv, want: 200})
		c.json(call{route: "PATCH " + cls, vars: cv, want: 200}, map[string]any{"threshold": 0.4})
		ct, body = multipartBody(t, "", []upload{{"invoice.txt", corpusFile(t, "invoice.txt")}, {"empty.txt", nil}})
		r = c.do(call{route: "POST " + cbtcs, vars: cv, ct: ct, body: body, want: 202})
		cb := map[string]string{"classification_id": clsID, "batch_id": idOf(t, r, "batch")}
		r = c.waitFor(call{route: "GET " + cbtc, vars: cb, want: 200})
		c.do(call{route: "GET " + cbtc, vars: cb, hdr: []string{"If-None-Match", r.header.Get("ETag")}, want: 304})
		c.do(call{route: "GET " + cbtcs, vars: cv, query: "?status=partial", want: 200})
		for _, f := range r.json(t)["files"].([]any) {
			fv := map[string]string{"classification_id": clsID, "batch_id": cb["batch_id"], "file_id": f.(map[string]any)["id"].(string)}
			c.do(call{route: "GET " + cfile, vars: fv, want: 200})
			c.do(call{route: "GET " + cfile + "/content", vars: fv, want: 200})
			c.json(call{route: "PATCH " + cfile, vars: fv, want: 200}, map[string]any{"classified_category_id": letter})
			c.json(call{route: "PATCH " + cfile, vars: fv, want: 200}, map[string]any{"classified_category_id": nil})
			c.json(call{route: "PATCH " + cfile, vars: fv, want: 422}, map[string]any{"classified_category_id": "cat_none"})
			c.json(call{route: "PATCH " + cfile, vars: fv, bad: true, want: 400}, map[string]any{})
		}

		// Webhook endpoints, with a real receiver.
		rc := servertest.NewReceiver(t)
		r = c.json(call{route: "POST " + eps, hdr: []string{"Idempotency-Key", "we-1"}, want: 201},
			map[string]any{"url": rc.URL, "description": "ci", "event_types": []string{"file.processed", "endpoint.test"}})
		epID := idOf(t, r, "webhook_endpoint")
		w := map[string]string{"endpoint_id": epID}
		c.json(call{route: "POST " + eps, hdr: []string{"Idempotency-Key", "we-1"}, want: 201},
			map[string]any{"url": rc.URL, "description": "ci", "event_types": []string{"file.processed", "endpoint.test"}})
		c.json(call{route: "POST " + eps, bad: true, want: 400}, map[string]any{"url": rc.URL, "event_types": []string{"file.lost"}})
		c.do(call{route: "GET " + eps, want: 200})
		c.do(call{route: "GET " + ep, vars: w, want: 200})
		c.json(call{route: "PATCH " + ep, vars: w, want: 200}, map[string]any{"enabled": false})
		if r = c.json(call{route: "PATCH " + ep, vars: w, want: 200}, map[string]any{"enabled": true, "event_types": []string{}}); r.json(t)["recovery"] == nil {
			t.Errorf("re-enabling answered no recovery: %s", r.body)
		}
		c.json(call{route: "POST " + ep + "/rotate_secret", vars: w, hdr: []string{"Idempotency-Key", "rot-1"}, want: 200}, map[string]any{"grace_period_seconds": 60})
		c.json(call{route: "POST " + ep + "/rotate_secret", vars: w, hdr: []string{"Idempotency-Key", "rot-1"}, want: 200}, map[string]any{"grace_period_seconds": 60})
		c.do(call{route: "POST " + ep + "/rotate_secret", vars: w, want: 200})
		c.json(call{route: "POST " + ep + "/rotate_secret", vars: w, bad: true, want: 400}, map[string]any{"grace_period_seconds": -1})
		c.do(call{route: "POST " + ep + "/test", vars: w, want: 200})
		c.do(call{route: "GET " + ep + "/attempts", vars: w, want: 200})
		c.json(call{route: "POST " + ep + "/recover", vars: w, want: 202}, map[string]any{"since": time.Now().Add(-time.Hour).UTC()})
		c.json(call{route: "POST " + ep + "/recover", vars: w, bad: true, want: 400}, map[string]any{})
		c.do(call{route: "POST " + ep + "/test", vars: map[string]string{"endpoint_id": "we_none"}, want: 404})

		// Events: every kind the batches above emitted, and a resend.
		r = c.do(call{route: "GET " + events, query: "?limit=100", want: 200})
		var feed struct {
			Data []struct{ ID, Type string }
		}
		if err := json.Unmarshal(r.body, &feed); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, ev := range feed.Data {
			kinds[ev.Type] = true
		}
		for _, k := range []string{"extraction.completed", "file.needs_review", "file.failed", "classification.completed", "file.classified"} {
			if !kinds[k] {
				t.Errorf("the events feed has no %s to validate, only %v", k, kinds)
			}
		}
		c.do(call{route: "GET " + events, query: "?type=file.failed,extraction.completed&after=" + feed.Data[0].ID, want: 200})
		c.do(call{route: "GET " + events, query: "?type=file.lost", want: 400})
		ev := map[string]string{"event_id": feed.Data[0].ID}
		c.do(call{route: "GET " + event, vars: ev, want: 200})
		c.do(call{route: "GET " + event, vars: map[string]string{"event_id": "evt_none"}, want: 404})
		c.do(call{route: "POST " + event + "/resend", vars: ev, want: 202})
		c.json(call{route: "POST " + event + "/resend", vars: ev, want: 202}, map[string]any{"endpoint_id": epID})
		c.json(call{route: "POST " + event + "/resend", vars: ev, want: 404}, map[string]any{"endpoint_id": "we_none"})

		// Deletions.
		c.do(call{route: "DELETE " + ep, vars: w, want: 204})
		c.do(call{route: "DELETE " + cls, vars: cv, want: 204})
		c.do(call{route: "GET " + cbtc, vars: cb, want: 404})
		c.do(call{route: "DELETE " + ext, vars: x, want: 204})
		c.do(call{route: "DELETE " + ext, vars: x, want: 404})

		// The deliveries the receiver got: endpoint.test and the resends.
		deliveries := rc.WaitN(30*time.Second, 3)
		if len(deliveries) < 3 {
			t.Fatalf("the receiver got %d deliveries, want at least 3", len(deliveries))
		}
		validWebhook := webhookValidator(t)
		for _, d := range deliveries {
			if err := validWebhook(d.Body); err != "" {
				t.Errorf("a delivery's body %s breaks WebhookEvent of docs/openapi.json:%s", short(d.Body), err)
			}
		}

		for _, route := range apiRoutes(t) {
			if !c.covered[route] {
				t.Errorf("%s was not answered with success here: drive it and validate its answer", route)
			}
		}
	})
}

// TestOpenAPILimits validates the answers of the limits against
// docs/openapi.json: too many files (413), too many API keys (409), a
// batch name or an Idempotency-Key too long (400), and the rate limit
// (429 with Retry-After), all with rate limiting on.
func TestOpenAPILimits(t *testing.T) {
	eachEnv(t, envOptions{rateLimit: 0.01, maxFiles: 1}, func(t *testing.T, e *env) {
		c := &contract{t: t, e: e, v: newContract(t), covered: map[string]bool{}}
		r := c.json(call{route: "POST /v1/extractions", want: 201}, invoiceSchema)
		x := map[string]string{"extraction_id": idOf(t, r, "extraction")}
		txt := upload{"a.txt", []byte("Invoice 1")}
		ct, body := multipartBody(t, "", []upload{txt, txt})
		c.do(call{route: "POST /v1/extractions/{extraction_id}/batches", vars: x, ct: ct, body: body, want: 413})
		ct, body = multipartBody(t, strings.Repeat("n", 201), []upload{txt})
		c.do(call{route: "POST /v1/extractions/{extraction_id}/batches", vars: x, ct: ct, body: body, bad: true, want: 400})
		c.json(call{route: "POST /v1/extractions", hdr: []string{"Idempotency-Key", strings.Repeat("k", 256)}, bad: true, want: 400}, invoiceSchema)
		for range 4 { // the account has one key already
			c.json(call{route: "POST /v1/api_keys", want: 201}, map[string]any{})
		}
		c.json(call{route: "POST /v1/api_keys", want: 409}, map[string]any{})
		for {
			r := c.do(call{route: "GET /v1/api_keys", want: 0})
			if r.status == http.StatusTooManyRequests {
				if r.header.Get("Retry-After") == "" || r.header.Get("RateLimit-Remaining") != "0" {
					t.Errorf("429 without Retry-After or RateLimit-Remaining 0: %v", r.header)
				}
				break
			}
			if r.status != http.StatusOK {
				t.Fatalf("GET /v1/api_keys = %d %s before the rate limit", r.status, r.body)
			}
		}
	})
}
