package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/servertest"
	"github.com/docparse/docparse/internal/store"
)

// uploadText creates an extraction for key and uploads n one-line text
// files to it in each of batches batches; it returns the extraction and
// batch ids.
func uploadText(t *testing.T, base, key string, batches, n int) (string, []string) {
	t.Helper()
	schema, _ := json.Marshal(map[string]any{"name": "Notes", "fields": []map[string]any{{"key": "total", "type": "number"}}})
	st, v, _ := api(t, base, key, "POST", "/v1/extractions", "application/json", schema)
	if st != http.StatusCreated {
		t.Fatalf("create extraction = %d %v", st, v)
	}
	eid := v["extraction"].(map[string]any)["id"].(string)
	var bids []string
	for b := range batches {
		files := make([]servertest.File, n)
		for i := range files {
			files[i] = servertest.File{Name: fmt.Sprintf("note-%d-%d.txt", b, i), Content: []byte("Total: 12.00 EUR\n")}
		}
		ct, body := servertest.UploadForm(nil, files...)
		st, v, _ := api(t, base, key, "POST", "/v1/extractions/"+eid+"/batches", ct, body)
		if st != http.StatusAccepted {
			t.Fatalf("upload = %d %v", st, v)
		}
		bids = append(bids, v["batch"].(map[string]any)["id"].(string))
	}
	return eid, bids
}

// TestFairOrder: with one worker (and the spare slot), an account's single
// file uploaded after another account's backlog of 30 files is taken
// first, not 31st; a job River scheduled itself (a retry) that is due when
// an upload comes is moved to the head rather than left behind the
// backlog; and nothing of a lone account's backlog is held back (every
// job is due at once).
func TestFairOrder(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true, Workers: 1, HoldWorkers: true}, func(t *testing.T, srv *servertest.Server) {
		ctx := context.Background()
		keyA, keyB := srv.Key("flood"), srv.Key("single")
		eidA, bidsA := uploadText(t, srv.URL, keyA, 3, 10)

		now := "datetime('now', 'subsec')"
		retry := "datetime('now', 'subsec', '-1 seconds')"
		if srv.DB.Engine() == store.Postgres {
			now, retry = "now()", "now() - interval '1 second'"
		}
		var due int
		if err := srv.DB.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job
			WHERE kind = 'process_file' AND state = 'available' AND scheduled_at <= `+now).Scan(&due); err != nil {
			t.Fatal(err)
		}
		if due != 30 {
			t.Fatalf("%d of the lone account's 30 jobs are due, want all", due)
		}
		// A's last job as a due retry: River scheduled it at a real time.
		var retried string
		if err := srv.DB.Writer().QueryRowContext(ctx, `SELECT args->>'file_id' FROM river_job
			WHERE kind = 'process_file' ORDER BY id DESC LIMIT 1`).Scan(&retried); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.DB.Writer().ExecContext(ctx, `UPDATE river_job SET scheduled_at = `+retry+`
			WHERE kind = 'process_file' AND args->>'file_id' = $1`, retried); err != nil {
			t.Fatal(err)
		}
		eidB, bidsB := uploadText(t, srv.URL, keyB, 1, 1)

		srv.StartWorkers()
		waitEnded(t, srv.URL, keyA, eidA, bidsA...)
		waitEnded(t, srv.URL, keyB, eidB, bidsB...)

		// The order River took the files in: each file's last job (a job
		// that gave its slot up was inserted again) by the time it was
		// fetched, jobs fetched together in one group.
		rows, err := srv.DB.Writer().QueryContext(ctx, `SELECT id, args->>'file_id', attempted_at FROM river_job
			WHERE kind = 'process_file' AND attempted_at IS NOT NULL ORDER BY attempted_at, id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		group, lastID := map[string]int{}, map[string]int64{}
		g, prev := -1, ""
		for rows.Next() {
			var id int64
			var file string
			var at any
			if err := rows.Scan(&id, &file, &at); err != nil {
				t.Fatal(err)
			}
			if a := fmt.Sprint(at); a != prev {
				g, prev = g+1, a
			}
			if id > lastID[file] {
				group[file], lastID[file] = g, id
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(group) != 31 {
			t.Fatalf("%d files extracted, want 31", len(group))
		}
		_, v, _ := api(t, srv.URL, keyB, "GET", "/v1/extractions/"+eidB+"/batches/"+bidsB[0], "", nil)
		single := v["files"].([]any)[0].(map[string]any)["id"].(string)
		if group[single] != 0 {
			t.Errorf("the single file was taken in fetch %d, want the first", group[single]+1)
		}
		if group[retried] > 2 {
			t.Errorf("the retried file was taken in fetch %d, want one of the first 3", group[retried]+1)
		}
	})
}

// waitEnded polls the batches until each is terminal.
func waitEnded(t *testing.T, base, key, eid string, bids ...string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for _, bid := range bids {
		var v map[string]any
		ended := servertest.Eventually(time.Until(deadline), func() bool {
			_, v, _ = api(t, base, key, "GET", "/v1/extractions/"+eid+"/batches/"+bid, "", nil)
			s := v["batch"].(map[string]any)["status"]
			return s == "processed" || s == "partial" || s == "failed"
		})
		if !ended {
			t.Fatalf("batch %s never ended: %v", bid, v)
		}
	}
}

// TestSpareSlot: while an account runs as many files as it may
// (Workers: 1, here one held by the test), its other jobs wait, and
// another account's file is extracted at once in the spare slot; once the
// account's running file ends, its waiting files are extracted, none
// failed or lost.
func TestSpareSlot(t *testing.T) {
	t.Parallel()
	servertest.Each(t, servertest.Options{Parallel: true, NoRateLimit: true, Workers: 1}, func(t *testing.T, srv *servertest.Server) {
		ctx := context.Background()
		keyA, keyB := srv.Key("flood"), srv.Key("single")
		a, err := srv.DB.AccountByName(ctx, "flood")
		if err != nil {
			t.Fatal(err)
		}
		release := srv.Service.HoldSlot(pipeline.QueueExtract, a.ID)
		eidA, bidsA := uploadText(t, srv.URL, keyA, 1, 3)
		eidB, bidsB := uploadText(t, srv.URL, keyB, 1, 1)
		waitEnded(t, srv.URL, keyB, eidB, bidsB...)
		_, v, _ := api(t, srv.URL, keyA, "GET", "/v1/extractions/"+eidA+"/batches/"+bidsA[0], "", nil)
		if got := v["batch"].(map[string]any)["counts"].(map[string]any)["queued"]; got != 3.0 {
			t.Fatalf("the flooding account's files queued = %v while it runs its one file, want 3: %v", got, v["batch"])
		}
		release()
		waitEnded(t, srv.URL, keyA, eidA, bidsA...)
		_, v, _ = api(t, srv.URL, keyA, "GET", "/v1/extractions/"+eidA+"/batches/"+bidsA[0], "", nil)
		if got := v["batch"].(map[string]any)["status"]; got != "processed" {
			t.Fatalf("the flooding account's batch = %v, want processed: %v", got, v["batch"])
		}
	})
}
