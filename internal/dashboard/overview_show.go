package dashboard

import (
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// recentBatches is how many batches the overview lists.
const recentBatches = 10

// overviewView is the overview's, the page a user lands on: the newest
// batches, the review queue's size, the webhook endpoints' health,
// this month's usage and how long documents are kept.
type overviewView struct {
	page
	Batches     []store.RecentBatch
	Review      int64
	Endpoints   []docparse.Endpoint
	Failing     int // endpoints enabled but failing
	Disabled    int
	Usage       store.Usage
	MonthStart  time.Time
	HasAnything bool // any batch or endpoint: else the page says how to start
	// Retention is the server's --retention (pipeline.Config.Retention):
	// 0 keeps documents until deleted.
	Retention time.Duration
}

func (h *Handler) overviewPage(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
	ctx := r.Context()
	v := overviewView{page: pageOf(sess, "Overview", "overview")}
	var err error
	if v.Batches, err = h.db.RecentBatches(ctx, sess.AccountID, recentBatches); err != nil {
		return err
	}
	if v.Review, err = h.db.ReviewCount(ctx, sess.AccountID); err != nil {
		return err
	}
	if v.Endpoints, _, err = h.db.ListEndpoints(ctx, sess.AccountID, store.Page{Limit: store.MaxEndpoints}); err != nil {
		return err
	}
	for _, e := range v.Endpoints {
		switch {
		case !e.Enabled:
			v.Disabled++
		case e.FailingSince != nil:
			v.Failing++
		}
	}
	now := h.svc.Now()
	v.MonthStart = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if v.Usage, err = h.db.UsageSince(ctx, sess.AccountID, v.MonthStart); err != nil {
		return err
	}
	v.HasAnything = len(v.Batches) > 0 || len(v.Endpoints) > 0
	v.Retention = h.svc.Config().Retention
	h.render(w, r, http.StatusOK, "overview", v)
	return nil
}
