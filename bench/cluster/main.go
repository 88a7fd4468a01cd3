// Command cluster runs docparse as 1, 2 and 3 nodes on this machine, on
// one PostgreSQL database and one S3 bucket (versitygw), and measures the
// files each node processes, the end-to-end throughput, and what the
// database sees per poll, per file and per webhook delivery.
//
//	go run ./bench/cluster [-nodes 1,2,3] [-files 120] [-batch 10] [-polls 3000] [-idle 20s] [-bin PATH] [-dir DIR]
//
// For each node count it makes a fresh PostgreSQL database of its own (so
// that its pg_stat_database row counts only docparse) and a fresh bucket,
// starts the nodes (`docparse serve`, each with its own loopback port and
// data directory, --blob-url s3://...), and runs four phases one after the
// other, each measured apart by the database's counters (xact_commit,
// tup_returned/fetched/inserted/updated/deleted, blks_hit/read, and the
// scans of the tables, pg_stat_user_tables):
//
//   - idle: nothing asked for -idle (20 s); what the nodes cost the database by
//     themselves (River's fetch polls and leader election, the webhook
//     sweepers), per second. This rate is taken off the other phases.
//   - polls: -polls GET of one processed batch, spread over the nodes.
//   - files: -files one-page text PDFs in batches of -batch, uploaded to
//     the nodes in turn, each batch polled on another node every 500 ms
//     until it ends (those polls are taken off at the per-poll cost); no
//     webhook endpoint yet, so no delivery.
//   - deliveries: a webhook endpoint is created and recovers every event
//     so far (POST .../recover): the nodes' sweepers deliver them to a
//     receiver on 127.0.0.1.
//
// pg_stat_statements gives statement counts when the server preloads it;
// the program says whether it could.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/blob/blobtest"
	"github.com/docparse/docparse/internal/extract/pdftest"
)

func main() { harness.Main("cluster", run) }

type options struct {
	nodes []int
	files int
	batch int
	polls int
	idle  time.Duration
	work  *harness.Workdir
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := harness.FlagSet("cluster", stderr)
	var wf harness.WorkFlags
	wf.Register(fs, 30*time.Minute)
	wf.RegisterDir(fs)
	nodes := fs.String("nodes", "1,2,3", "node counts to run, comma-separated")
	var o options
	fs.IntVar(&o.files, "files", 120, "files of the files phase")
	fs.IntVar(&o.batch, "batch", 10, "files per batch")
	fs.IntVar(&o.polls, "polls", 3000, "polls of the polls phase")
	fs.DurationVar(&o.idle, "idle", 20*time.Second, "length of the idle phase, whose rate is taken off the others")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, s := range strings.Split(*nodes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 9 {
			return fmt.Errorf("-nodes: %q is not a node count from 1 to 9", s)
		}
		o.nodes = append(o.nodes, n)
	}
	if o.files < 1 || o.batch < 1 || o.batch > 30 || o.polls < 1 || o.idle < time.Second {
		return errors.New("-files and -polls must be at least 1, -batch from 1 to 30, -idle at least 1s")
	}
	ctx, end, err := wf.Begin(ctx, "cluster", stdout)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, end()) }()
	o.work = wf.Workdir
	var rows []result
	for _, n := range o.nodes {
		r, err := measure(ctx, o, n, stdout)
		if err != nil {
			return fmt.Errorf("%d nodes: %w", n, err)
		}
		rows = append(rows, r)
	}
	fmt.Fprintln(stdout, "\nsummary")
	fmt.Fprintln(stdout, "| nodes | files/s | files per node | load avg | idle commits/s | per poll: commits, rows read, scans | per file: commits, rows read, rows written, scans | per delivery: commits, rows read, rows written, scans |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(stdout, "| %d | %.2f | %s | %s | %.1f | %s | %s | %s |\n", r.nodes, r.filesPerSec, r.perNode, r.load,
			r.idle.commits, r.poll.short(false), r.file.short(true), r.delivery.short(true))
	}
	return nil
}

// result is one node count's figures.
type result struct {
	nodes       int
	filesPerSec float64
	perNode     string
	load        string
	idle        rates // per second
	poll        rates // per poll
	file        rates // per file
	delivery    rates // per delivery
}

// counters are a database's cumulative statistics.
type counters struct {
	at                         time.Time
	commits, rollbacks         float64
	returned, fetched          float64
	inserted, updated, deleted float64
	blksHit, blksRead          float64
	seqScans, idxScans         float64
	statements                 float64 // pg_stat_statements calls; -1 when unavailable
	tables                     map[string]tableCounts
}

// tableCounts are one table's cumulative scans and rows
// (pg_stat_user_tables).
type tableCounts struct {
	seqScans, seqRows, idxScans, idxRows, written float64
}

// rates are counters' differences divided by a unit count (or seconds).
type rates struct {
	commits, rollbacks, returned, fetched, written, blksHit, blksRead, scans, statements float64
}

func (r rates) String() string {
	s := fmt.Sprintf("commits %.2f, rollbacks %.2f, rows returned %.1f, fetched %.1f, written %.2f, table scans %.2f, blocks hit %.1f, read %.2f",
		r.commits, r.rollbacks, r.returned, r.fetched, r.written, r.scans, r.blksHit, r.blksRead)
	if r.statements >= 0 {
		s += fmt.Sprintf(", statements %.2f", r.statements)
	}
	return s
}

func (r rates) short(written bool) string {
	if written {
		return fmt.Sprintf("%.2f, %.0f, %.1f, %.1f", r.commits, r.returned+r.fetched, r.written, r.scans)
	}
	return fmt.Sprintf("%.2f, %.0f, %.1f", r.commits, r.returned+r.fetched, r.scans)
}

// diff returns (b - a - background*seconds - minus) / units.
func diff(a, b counters, background rates, minus rates, units float64) rates {
	secs := b.at.Sub(a.at).Seconds()
	f := func(x, y, bg, m float64) float64 { return (y - x - bg*secs - m) / units }
	r := rates{
		commits:   f(a.commits, b.commits, background.commits, minus.commits),
		rollbacks: f(a.rollbacks, b.rollbacks, background.rollbacks, minus.rollbacks),
		returned:  f(a.returned, b.returned, background.returned, minus.returned),
		fetched:   f(a.fetched, b.fetched, background.fetched, minus.fetched),
		written: f(a.inserted+a.updated+a.deleted, b.inserted+b.updated+b.deleted,
			background.written, minus.written),
		blksHit:    f(a.blksHit, b.blksHit, background.blksHit, minus.blksHit),
		blksRead:   f(a.blksRead, b.blksRead, background.blksRead, minus.blksRead),
		scans:      f(a.seqScans+a.idxScans, b.seqScans+b.idxScans, background.scans, minus.scans),
		statements: -1,
	}
	if a.statements >= 0 && b.statements >= 0 {
		r.statements = f(a.statements, b.statements, background.statements, minus.statements)
	}
	return r
}

// scale returns r times k (a per-unit cost times units).
func (r rates) scale(k float64) rates {
	return rates{r.commits * k, r.rollbacks * k, r.returned * k, r.fetched * k, r.written * k, r.blksHit * k, r.blksRead * k, r.scans * k, r.statements * k}
}

// stats reads the database's counters over conn. Other backends flush
// their statistics to the views at most once a second, and one that goes
// idle within a second of its last flush keeps them for 10 s
// (PGSTAT_IDLE_INTERVAL): callers wait flushWait after a phase before
// they read.
type stats struct {
	conn       *pgx.Conn
	statements bool
}

const flushWait = 11 * time.Second

func (s *stats) read(ctx context.Context) (counters, error) {
	var c counters
	c.statements = -1
	if _, err := s.conn.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
		return c, err
	}
	err := s.conn.QueryRow(ctx, `SELECT d.xact_commit, d.xact_rollback, d.tup_returned, d.tup_fetched, d.tup_inserted, d.tup_updated, d.tup_deleted,
		d.blks_hit, d.blks_read, COALESCE(t.seq, 0), COALESCE(t.idx, 0)
		FROM pg_stat_database d, (SELECT SUM(seq_scan) AS seq, SUM(idx_scan) AS idx FROM pg_stat_user_tables) t
		WHERE d.datname = current_database()`).Scan(&c.commits, &c.rollbacks, &c.returned, &c.fetched, &c.inserted, &c.updated, &c.deleted,
		&c.blksHit, &c.blksRead, &c.seqScans, &c.idxScans)
	if err != nil {
		return c, fmt.Errorf("read pg_stat_database: %w", err)
	}
	if s.statements {
		if err := s.conn.QueryRow(ctx, `SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&c.statements); err != nil {
			return c, fmt.Errorf("read pg_stat_statements: %w", err)
		}
	}
	rows, err := s.conn.Query(ctx, `SELECT relname, seq_scan, seq_tup_read, COALESCE(idx_scan, 0), COALESCE(idx_tup_fetch, 0),
		n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables`)
	if err != nil {
		return c, fmt.Errorf("read pg_stat_user_tables: %w", err)
	}
	c.tables = map[string]tableCounts{}
	for rows.Next() {
		var name string
		var t tableCounts
		if err := rows.Scan(&name, &t.seqScans, &t.seqRows, &t.idxScans, &t.idxRows, &t.written); err != nil {
			rows.Close()
			return c, fmt.Errorf("read pg_stat_user_tables: %w", err)
		}
		c.tables[name] = t
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("read pg_stat_user_tables: %w", err)
	}
	c.at = time.Now()
	return c, nil
}

// tableCosts lists the tables that a phase from a to b read most rows of,
// per unit, with the idle phase's rate (idleA to idleB) taken off: at
// most five, each as "name: seq scans (rows), index scans (rows), rows
// written".
func tableCosts(a, b, idleA, idleB counters, units float64) string {
	k := b.at.Sub(a.at).Seconds() / idleB.at.Sub(idleA.at).Seconds()
	type cost struct {
		name string
		tableCounts
	}
	var costs []cost
	for name, y := range b.tables {
		x, ix, iy := a.tables[name], idleA.tables[name], idleB.tables[name]
		f := func(x, y, ix, iy float64) float64 { return (y - x - (iy-ix)*k) / units }
		costs = append(costs, cost{name, tableCounts{f(x.seqScans, y.seqScans, ix.seqScans, iy.seqScans), f(x.seqRows, y.seqRows, ix.seqRows, iy.seqRows),
			f(x.idxScans, y.idxScans, ix.idxScans, iy.idxScans), f(x.idxRows, y.idxRows, ix.idxRows, iy.idxRows), f(x.written, y.written, ix.written, iy.written)}})
	}
	slices.SortFunc(costs, func(p, q cost) int { return cmp.Compare(q.seqRows+q.idxRows, p.seqRows+p.idxRows) })
	var out []string
	for _, c := range costs[:min(5, len(costs))] {
		out = append(out, fmt.Sprintf("%s: %.2f seq scans (%.0f rows), %.2f index scans (%.1f rows), %.2f written", c.name, c.seqScans, c.seqRows, c.idxScans, c.idxRows, c.written))
	}
	return strings.Join(out, "; ")
}

// readCost is what one read costs the database in commits (its own
// transactions, counted by the next read), to take off.
func (s *stats) readCost() rates {
	if s.statements {
		return rates{commits: 4}
	}
	return rates{commits: 3}
}

func measure(ctx context.Context, o options, n int, stdout io.Writer) (res result, err error) {
	res.nodes = n
	fmt.Fprintf(stdout, "\n== %d node(s); load average %s\n", n, harness.LoadAverage())
	s3dir, err := os.MkdirTemp(o.work.Dir, "s3-")
	if err != nil {
		return res, err
	}
	s3, stopS3, err := blobtest.Launch(s3dir)
	if err != nil {
		return res, err
	}
	defer stopS3()
	db, err := harness.NewPostgresDatabase(ctx, o.work.Dir, fmt.Sprintf("cluster%d", n))
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	for k, v := range s3.Env() {
		db.Env = append(db.Env, k+"="+v)
	}
	key, err := harness.CreateKey(ctx, o.work.Bin, db, "bench")
	if err != nil {
		return res, err
	}
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		return res, err
	}
	defer conn.Close(context.Background())
	st := &stats{conn: conn}
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err == nil {
		var x int64
		st.statements = conn.QueryRow(ctx, "SELECT COUNT(*) FROM pg_stat_statements").Scan(&x) == nil
	}
	if st.statements {
		fmt.Fprintln(stdout, "pg_stat_statements: available, statements counted")
	} else {
		fmt.Fprintln(stdout, "pg_stat_statements: not available (the server does not preload it: shared_preload_libraries); no statement counts")
	}

	// The nodes: each its own port and data directory; --data-dir after
	// the one Start gives wins.
	var clients []*harness.Client
	var servers []*harness.Server
	defer func() {
		for _, s := range servers {
			err = errors.Join(err, s.Stop())
		}
	}()
	for i := range n {
		dir := filepath.Join(db.DataDir, fmt.Sprintf("node%d", i+1))
		srv, err := harness.Start(ctx, o.work.Bin, db, nil, "--data-dir", dir, "--blob-url", s3.URL(),
			"--rate-limit", "0", "--allow-private-webhooks")
		if err != nil {
			return res, err
		}
		servers = append(servers, srv)
		clients = append(clients, harness.NewClient(srv.URL, key))
	}
	extID, err := clients[0].CreateExtraction(ctx, "cluster bench")
	if err != nil {
		return res, err
	}

	// Warm up: one batch with a file per node, so every node has read a
	// PDF; it is the batch the polls phase reads.
	warm, err := uploadAll(ctx, clients, extID, n, n, 0)
	if err != nil {
		return res, err
	}
	if _, err := waitAll(ctx, clients, extID, warm); err != nil {
		return res, err
	}

	// Idle.
	if err := pause(ctx, flushWait); err != nil {
		return res, err
	}
	a, err := st.read(ctx)
	if err != nil {
		return res, err
	}
	if err := pause(ctx, o.idle); err != nil {
		return res, err
	}
	b, err := st.read(ctx)
	if err != nil {
		return res, err
	}
	res.idle = diff(a, b, rates{}, st.readCost(), b.at.Sub(a.at).Seconds())
	idleA, idleB := a, b
	fmt.Fprintf(stdout, "idle, per second (all %d nodes): %v\n", n, res.idle)

	// Polls.
	a = b
	if err := pollPhase(ctx, clients, extID, warm[0].id, o.polls); err != nil {
		return res, err
	}
	if err := pause(ctx, flushWait); err != nil {
		return res, err
	}
	if b, err = st.read(ctx); err != nil {
		return res, err
	}
	res.poll = diff(a, b, res.idle, st.readCost(), float64(o.polls))
	fmt.Fprintf(stdout, "per poll (%d polls): %v\n  tables: %s\n", o.polls, res.poll, tableCosts(a, b, idleA, idleB, float64(o.polls)))

	// Files.
	a = b
	start := time.Now()
	sent, err := uploadAll(ctx, clients, extID, o.files, o.batch, 1000)
	if err != nil {
		return res, err
	}
	polls, err := waitAll(ctx, clients, extID, sent)
	if err != nil {
		return res, err
	}
	took := time.Since(start)
	if err := pause(ctx, flushWait); err != nil {
		return res, err
	}
	if b, err = st.read(ctx); err != nil {
		return res, err
	}
	pollCost := res.poll.scale(float64(polls))
	pollCost.commits += st.readCost().commits
	res.file = diff(a, b, res.idle, pollCost, float64(o.files))
	res.filesPerSec = float64(o.files) / took.Seconds()
	if res.perNode, err = filesPerNode(ctx, conn, start); err != nil {
		return res, err
	}
	fmt.Fprintf(stdout, "files: %d in %.1f s = %.2f files/s; per node %s; %d polls taken off\n", o.files, took.Seconds(), res.filesPerSec, res.perNode, polls)
	fmt.Fprintf(stdout, "per file: %v\n  tables (the phase's polls not taken off): %s\n", res.file, tableCosts(a, b, idleA, idleB, float64(o.files)))
	if b, err = st.read(ctx); err != nil { // after filesPerNode's query
		return res, err
	}

	// Deliveries.
	a = b
	delivered, err := deliveryPhase(ctx, clients[0], start.Add(-time.Hour))
	if err != nil {
		return res, err
	}
	if err := pause(ctx, flushWait); err != nil {
		return res, err
	}
	if b, err = st.read(ctx); err != nil {
		return res, err
	}
	res.delivery = diff(a, b, res.idle, st.readCost(), float64(delivered))
	fmt.Fprintf(stdout, "per delivery (%d deliveries): %v\n  tables: %s\n", delivered, res.delivery, tableCosts(a, b, idleA, idleB, float64(delivered)))
	res.load = harness.LoadAverage()
	fmt.Fprintf(stdout, "load average at the end: %s\n", res.load)
	return res, nil
}

// sentBatch is a batch uploaded to node, to be polled on another.
type sentBatch struct {
	node int
	id   string
}

// uploadAll uploads files one-page text PDFs (numbered from first) in
// batches of batch, to the nodes in turn, all at once.
func uploadAll(ctx context.Context, clients []*harness.Client, extID string, files, batch, first int) ([]sentBatch, error) {
	var sent []sentBatch
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, files/batch+1)
	for i, b := 0, 0; i < files; i, b = i+batch, b+1 {
		var parts []harness.Part
		for j := i; j < min(i+batch, files); j++ {
			parts = append(parts, harness.BytesPart(fmt.Sprintf("invoice-%d.pdf", first+j), invoicePDF(first+j)))
		}
		node := b % len(clients)
		wg.Go(func() {
			ans, err := clients[node].Upload(ctx, extID, parts)
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			sent = append(sent, sentBatch{node: node, id: ans.Batch.ID})
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	return sent, <-errs
}

// invoicePDF is a one-page text PDF, different for each i.
func invoicePDF(i int) []byte {
	lines := []string{
		"ACME Supplies Ltd", "12 Harbour Road, Springfield", "",
		fmt.Sprintf("Invoice No: %d", 50001+i),
		fmt.Sprintf("Date: 2026-%02d-%02d", 1+i%12, 1+(i*7)%28),
		"", "Widgets x 3        30.00", "Shipping            5.00",
		fmt.Sprintf("Total: %d.%02d EUR", 35+i%50, i%100),
	}
	return pdftest.Minimal([]string{pdftest.Lines(lines, 72, 720, 12, 16)}, false)
}

// waitAll polls each batch on the node after the one it was uploaded to,
// every 500 ms, until every batch has ended; it returns the polls made.
// A batch that ends other than processed is an error.
func waitAll(ctx context.Context, clients []*harness.Client, extID string, sent []sentBatch) (int, error) {
	var polls atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, len(sent))
	for _, s := range sent {
		c := clients[(s.node+1)%len(clients)]
		wg.Go(func() {
			ans, err := c.WatchBatch(ctx, extID, s.id, 500*time.Millisecond, func(harness.BatchAnswer) { polls.Add(1) })
			if err != nil {
				errs <- err
				return
			}
			if ans.Batch.Status != "processed" {
				errs <- fmt.Errorf("batch %s ended %s: %v", s.id, ans.Batch.Status, ans.Batch.Counts)
			}
		})
	}
	wg.Wait()
	close(errs)
	return int(polls.Load()), <-errs
}

// pollPhase makes polls GETs of one batch, spread over the nodes, eight
// at a time.
func pollPhase(ctx context.Context, clients []*harness.Client, extID, batchID string, polls int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(polls) {
					return
				}
				if _, err := clients[(int(i)+w)%len(clients)].Batch(ctx, extID, batchID); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// filesPerNode counts the file jobs created since since that each River
// client (one per node) completed, most first.
func filesPerNode(ctx context.Context, conn *pgx.Conn, since time.Time) (string, error) {
	rows, err := conn.Query(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'process_file' AND state = 'completed' AND created_at >= $1
		GROUP BY attempted_by[array_upper(attempted_by, 1)]`, since)
	if err != nil {
		return "", fmt.Errorf("count jobs per node: %w", err)
	}
	counts, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return "", fmt.Errorf("count jobs per node: %w", err)
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = strconv.FormatInt(c, 10)
	}
	return strings.Join(parts, "/"), nil
}

// deliveryPhase creates a webhook endpoint to a receiver on 127.0.0.1 and
// has it recover every event since since; it returns once the receiver
// has had every one of them, with their number.
func deliveryPhase(ctx context.Context, c *harness.Client, since time.Time) (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	arrived := make(chan struct{}, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		seen[r.Header.Get("webhook-id")] = true
		mu.Unlock()
		select {
		case arrived <- struct{}{}:
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()
	var ep struct {
		Endpoint struct {
			ID string `json:"id"`
		} `json:"webhook_endpoint"`
	}
	if err := c.Call(ctx, http.MethodPost, "/v1/webhook_endpoints", map[string]any{"url": "http://" + ln.Addr().String() + "/hook"}, http.StatusCreated, &ep); err != nil {
		return 0, err
	}
	var rec struct {
		Queued int `json:"queued"`
	}
	if err := c.Call(ctx, http.MethodPost, "/v1/webhook_endpoints/"+ep.Endpoint.ID+"/recover", map[string]any{"since": since.UTC().Format(time.RFC3339)}, http.StatusAccepted, &rec); err != nil {
		return 0, err
	}
	want := rec.Queued
	if want == 0 {
		return 0, errors.New("recover queued nothing")
	}
	timeout := time.NewTimer(5 * time.Minute)
	defer timeout.Stop()
	for {
		mu.Lock()
		got := len(seen)
		mu.Unlock()
		if got >= want {
			return got, nil
		}
		select {
		case <-arrived:
		case <-timeout.C:
			return 0, fmt.Errorf("the receiver had %d of %d deliveries after 5 minutes", got, want)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// pause waits d, or less when ctx ends (its error).
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
