package httpapi

import (
	"io"
	"net/http"

	"github.com/docparse/docparse/docs"
)

// serveOpenAPI answers the OpenAPI document of the API, docs/openapi.json
// as it was built in, to anyone: it describes the API and holds no
// account's data.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := io.WriteString(w, docs.OpenAPI())
	return err
}
