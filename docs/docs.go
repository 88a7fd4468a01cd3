// Package docs holds the documents that the server serves as they are
// committed here, so that each exists once.
package docs

import _ "embed" // for go:embed

//go:embed openapi.json
var openAPI string

// OpenAPI returns openapi.json, the OpenAPI 3.1 document of the /v1 API
// that GET /v1/openapi.json answers. Tests of package httpapi validate
// live requests and answers of every route against it.
func OpenAPI() string { return openAPI }
