package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/docparse/docparse/internal/blob/blobtest"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/store/storetest"
)

// clusterNode is one `docparse serve` process of a cluster: its own
// loopback address and data directory, the same database and bucket as
// the others.
type clusterNode struct {
	addr, dataDir string
	cmd           *exec.Cmd
	stderr        io.Reader
}

// start starts the node's process; wait returns its base URL once it
// listens. A node still running when the test ends gets SIGTERM.
func (n *clusterNode) start(t *testing.T, bin string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", n.addr, "--data-dir", n.dataDir}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	n.stderr, _ = cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.cmd = cmd
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
}

func (n *clusterNode) wait(t *testing.T) string {
	t.Helper()
	return waitListening(t, n.stderr)
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// hookLog is a webhook receiver's record: what verified and what did not.
type hookLog struct {
	mu        sync.Mutex
	wh        *standardwebhooks.Webhook
	completed map[string]string // extraction.completed: event id -> batch id
	received  int
	bad       []string
}

func (h *hookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get("webhook-id")
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.wh == nil {
		h.bad = append(h.bad, id+": arrived before the endpoint's secret was known")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if err := h.wh.Verify(body, r.Header); err != nil {
		h.bad = append(h.bad, id+": "+err.Error())
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var ev struct {
		Type string `json:"type"`
		Data struct {
			BatchID string `json:"batch_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		h.bad = append(h.bad, id+": "+err.Error())
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.received++
	if ev.Type == "extraction.completed" {
		h.completed[id] = ev.Data.BatchID
	}
}

// TestCluster runs three `docparse serve` processes of the built binary
// on one fresh PostgreSQL schema and one versitygw bucket, each on its own
// loopback port with its own data directory, and a webhook receiver that
// verifies every delivery with the Standard Webhooks reference library.
// Batches of real documents are uploaded to every node and polled on
// another; right after the uploads one node is killed with SIGKILL and
// started again with the same flags, and takes one more batch. Every batch
// must end processed, every extraction.completed event reach the receiver
// signed, every file download byte for byte from a node other than the
// one it was uploaded to, and no document be left on any node's disk.
//
// Not parallel: three servers and their PDF readers take the machine.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	storetest.NeedPostgres(t)
	s3 := blobtest.Start(t)
	bin := buildBinary(t)
	t0 := time.Now()
	nodes := make([]*clusterNode, 3)
	for i := range nodes {
		nodes[i] = &clusterNode{addr: freeAddr(t), dataDir: t.TempDir()}
		if i > 0 {
			seedPDFiumCache(t, nodes[i].dataDir)
		}
	}
	extra := []string{"DOCPARSE_BLOB_URL=" + s3.URL()}
	for k, v := range s3.Env() {
		extra = append(extra, k+"="+v)
	}
	env, _, key := binaryEnv(t, bin, store.Postgres, nodes[0].dataDir, extra...)
	// A job cut off by the kill runs again once River's leader rescues it
	// (after --rescue-after, at its next rescue round), a delivery cut off
	// once its lease (webhook timeout + 5 s) ends.
	// The file timeout leaves room for a loaded machine: a file that times
	// out fails for good.
	args := []string{"--allow-private-webhooks", "--workers", "2", "--file-timeout", "15s", "--rescue-after", "21s",
		"--webhook-timeout", "2s", "--webhook-lease", "7s", "--shutdown-grace", "5s"}
	for _, n := range nodes {
		n.start(t, bin, env, args...)
	}
	clients := make([]testClient, len(nodes))
	for i, n := range nodes {
		clients[i] = testClient{t: t, base: n.wait(t), key: key}
	}

	t.Logf("%d nodes listening after %v", len(nodes), time.Since(t0).Round(time.Millisecond))
	hooks := &hookLog{completed: map[string]string{}}
	rc := httptest.NewServer(hooks)
	defer rc.Close()
	status, v := clients[0].do("POST", "/v1/webhook_endpoints", "application/json", strings.NewReader(`{"url":"`+rc.URL+`/hook"}`))
	if status != 201 {
		t.Fatalf("create endpoint: %d %v", status, v)
	}
	wh, err := standardwebhooks.NewWebhook(v["secret"].(string))
	if err != nil {
		t.Fatal(err)
	}
	hooks.mu.Lock()
	hooks.wh = wh
	hooks.mu.Unlock()
	extID := clients[1].createExtraction()

	type sent struct {
		node  int // uploaded to
		id    string
		files map[string][]byte
	}
	var batches []sent
	upload := func(node int) {
		tag := fmt.Sprintf("batch %d on node %d", len(batches), node)
		files := map[string][]byte{
			"QualityHosting.pdf": extractTestdata(t, "QualityHosting.pdf"),
			"invoice.txt":        append(extractTestdata(t, "invoice.txt"), "\n"+tag+"\n"...),
			"invoice.html":       extractTestdata(t, "invoice.html"),
		}
		batches = append(batches, sent{node: node, id: clients[node].upload(extID, files), files: files})
	}
	for range 2 {
		for i := range nodes {
			upload(i)
		}
	}

	// Kill node 1 while the batches are worked on.
	const killed = 1
	ids := make([]string, len(batches))
	for i, b := range batches {
		ids[i] = b.id
	}
	if countTerminal(clients[0], extID, ids...) == len(batches) {
		t.Fatal("every batch ended before the kill: it would interrupt nothing")
	}
	begun := time.Now()
	t.Logf("SIGKILL node %d %v after the start", killed, time.Since(t0).Round(time.Millisecond))
	nodes[killed].cmd.Process.Signal(syscall.SIGKILL)
	nodes[killed].cmd.Wait()
	// The downloads the kill cut off are removed when the node starts
	// again (blob.S3): checked with the rest of its folder at the end.
	t.Logf("the kill left %d downloads", len(filesUnder(t, filepath.Join(nodes[killed].dataDir, "tmp", "blobs"))))
	nodes[killed].start(t, bin, env, args...)
	clients[killed].base = nodes[killed].wait(t)
	upload(killed)

	deadline := time.Now().Add(90 * time.Second)
	for i, b := range batches {
		poller := clients[(b.node+1)%len(nodes)]
		got := poller.waitTerminal(extID, b.id, time.Until(deadline))
		counts, _ := got["counts"].(map[string]any)
		if got["status"] != "processed" || counts["processed"].(float64)+counts["needs_review"].(float64) != float64(len(b.files)) {
			_, full := poller.do("GET", "/v1/extractions/"+extID+"/batches/"+b.id, "", nil)
			t.Fatalf("batch %d (uploaded to node %d) polled on node %d: %v %v, want processed; files: %v",
				i, b.node, (b.node+1)%len(nodes), got["status"], counts, full["files"])
		}
	}

	t.Logf("every batch processed %v after the kill", time.Since(begun).Round(time.Millisecond))

	// Every file downloads byte for byte from a node it was not uploaded to.
	for _, b := range batches {
		other := clients[(b.node+2)%len(nodes)]
		_, v := other.do("GET", "/v1/extractions/"+extID+"/batches/"+b.id, "", nil)
		files, _ := v["files"].([]any)
		if len(files) != len(b.files) {
			t.Fatalf("batch %s has %d files, want %d", b.id, len(files), len(b.files))
		}
		for _, f := range files {
			f := f.(map[string]any)
			name := f["file_name"].(string)
			resp, got := other.send("GET", "/v1/extractions/"+extID+"/batches/"+b.id+"/files/"+f["id"].(string)+"/content", "", "", nil)
			if resp.StatusCode != 200 || !bytes.Equal(got, b.files[name]) {
				t.Errorf("%s of batch %s from node %d: %d, %d bytes; want 200 and the %d uploaded to node %d",
					name, b.id, (b.node+2)%len(nodes), resp.StatusCode, len(got), len(b.files[name]), b.node)
			}
		}
	}

	// Every extraction.completed of the feed reaches the receiver, signed
	// (at least once: a delivery cut off by the kill comes again).
	_, feed := clients[2].do("GET", "/v1/events?type=extraction.completed&limit=100", "", nil)
	want := map[string]string{} // event id -> batch id
	for _, e := range feed["data"].([]any) {
		e := e.(map[string]any)
		want[e["id"].(string)] = e["data"].(map[string]any)["batch_id"].(string)
	}
	if len(want) != len(batches) {
		t.Fatalf("the feed has %d extraction.completed events, want %d (one per batch)", len(want), len(batches))
	}
	missing := func() []string {
		hooks.mu.Lock()
		defer hooks.mu.Unlock()
		var m []string
		for id, batch := range want {
			if hooks.completed[id] != batch {
				m = append(m, id)
			}
		}
		return m
	}
	for len(missing()) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if m := missing(); len(m) > 0 {
		t.Fatalf("extraction.completed %v never delivered", m)
	}
	hooks.mu.Lock()
	if len(hooks.bad) > 0 {
		t.Errorf("deliveries that did not verify: %v", hooks.bad)
	}
	t.Logf("the receiver verified %d deliveries", hooks.received)
	hooks.mu.Unlock()

	// No document on any node's disk: stop them, then look at everything
	// they left in their data directories.
	for _, n := range nodes {
		n.cmd.Process.Signal(syscall.SIGTERM)
		if err := n.cmd.Wait(); err != nil {
			t.Errorf("node on %s exited with %v after SIGTERM", n.addr, err)
		}
	}
	var uploaded [][]byte
	for _, b := range batches {
		for _, content := range b.files {
			uploaded = append(uploaded, content)
		}
	}
	for i, n := range nodes {
		if _, err := os.Stat(filepath.Join(n.dataDir, "blobs")); !os.IsNotExist(err) {
			t.Errorf("node %d's data directory has a blobs folder (%v): documents must go to S3 only", i, err)
		}
		for p := range filesUnder(t, n.dataDir) {
			content, err := os.ReadFile(filepath.Join(n.dataDir, p))
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range uploaded {
				if bytes.Equal(content, u) {
					t.Errorf("node %d keeps an uploaded document at %s", i, p)
					break
				}
			}
			if strings.HasPrefix(p, "tmp") {
				t.Errorf("node %d left %s in its temporary folder", i, p)
			}
		}
	}
}

// filesUnder returns the set of regular files under dir (none when it
// does not exist), as paths relative to dir.
func filesUnder(t *testing.T, dir string) map[string]bool {
	t.Helper()
	set := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			set[rel] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// countTerminal returns how many of the batches ids are terminal, read
// through c.
func countTerminal(c testClient, extID string, ids ...string) int {
	n := 0
	for _, id := range ids {
		if terminal(c.batch(extID, id)) {
			n++
		}
	}
	return n
}
