package dashboard_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/servertest"
)

// TestDownloadOriginal: the file page and the classification batch page
// link the original uploads; they download as attachments with their own
// bytes, for their account only.
func TestDownloadOriginal(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true}, func(t *testing.T, srv *servertest.Server) {
		rc := servertest.NewReceiver(t)
		seedAccount(t, srv, "acme", "zebra", rc.URL)
		srv.User("acme", "a@acme.test", password)
		srv.User("globex", "b@globex.test", password)
		a := newBrowser(t, srv.URL)
		a.login("a@acme.test", password)

		var downloads []string
		for p := range crawl(t, a, "/dashboard/") {
			if strings.HasSuffix(p, "/content") {
				downloads = append(downloads, p)
			}
		}
		var ext, cls bool
		for _, p := range downloads {
			ext = ext || strings.HasPrefix(p, "/dashboard/extractions/")
			cls = cls || strings.HasPrefix(p, "/dashboard/classifications/")
		}
		if !ext || !cls {
			t.Fatalf("download links found: %v; want an extraction file's and a classification file's", downloads)
		}

		b := newBrowser(t, srv.URL)
		b.login("b@globex.test", password)
		anon := newBrowser(t, srv.URL)
		for _, p := range downloads {
			resp, err := a.c.Get(srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			got := read(t, resp)
			if got.status != http.StatusOK || !strings.Contains(got.body, "Invoice No: 42183017") ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), `filename=zebra`) {
				t.Errorf("A's download %s = %d %q %q", p, got.status, resp.Header.Get("Content-Disposition"), got.body)
			}
			if pg := b.get(p); pg.status != http.StatusNotFound || strings.Contains(pg.body, "42183017") {
				t.Errorf("B's download of %s = %d", p, pg.status)
			}
			if pg := anon.get(p); pg.path != "/dashboard/login" || strings.Contains(pg.body, "42183017") {
				t.Errorf("a visitor's download of %s landed on %s", p, pg.path)
			}
		}
	})
}
