package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Copying an installation from one database to another (docparse migrate
// --to): every table of docparse's schema, in chunks of rows by primary
// key, read from one snapshot of the source and written to the
// destination one transaction per chunk, then verified by a row count and
// a checksum per table.
//
// The destination is made a mirror of the snapshot: a row the source
// deleted since an earlier copy is deleted (the keys of both sides are
// read side by side in key order), a row missing there is inserted, a row
// the source changed since is updated (the destination's rows of a chunk
// are read by their keys). So a second run after an
// interruption, or after the source went on working, copies what is
// missing or changed and nothing else. A destination that holds rows this
// installation never had is refused before anything is written (Copy).

// copyTable is a table Copy copies and its primary key.
type copyTable struct {
	name string
	key  []string
}

// copyTables are the tables Copy copies, each after the tables its rows
// reference.
var copyTables = []copyTable{
	{"accounts", []string{"id"}},
	{"account_usage", []string{"account_id"}},
	{"users", []string{"id"}},
	{"sessions", []string{"id"}},
	{"api_keys", []string{"id"}},
	{"extractions", []string{"id"}},
	{"batches", []string{"id"}},
	{"files", []string{"id"}},
	{"classifications", []string{"id"}},
	{"classification_batches", []string{"id"}},
	{"classification_files", []string{"id"}},
	{"webhook_endpoints", []string{"id"}},
	{"events", []string{"id"}},
	{"deliveries", []string{"id"}},
	{"delivery_attempts", []string{"id"}},
	{"idempotency_keys", []string{"account_id", "key"}},
	// Pending deletions of documents: a copy that keeps its blob store
	// (no --blob-url) must still delete them.
	{"blob_deletions", []string{"blob_key"}},
}

// notCopied reports whether Copy leaves table out on purpose: the
// destination's own record of its migrations, and River's tables (its
// jobs are the source's queue; the destination's queue is filled by the
// pipeline from the copied files, see pipeline.Service.RequeueUnfinished).
func notCopied(table string) bool {
	return table == "docparse_migrations" || strings.HasPrefix(table, "river_") || strings.HasPrefix(table, "sqlite_")
}

// CopiedTables lists the tables Copy copies, in the order it copies them.
func CopiedTables() []string {
	names := make([]string, len(copyTables))
	for i, t := range copyTables {
		names[i] = t.name
	}
	return names
}

// Tables lists the tables of db's schema (on PostgreSQL, of the schema
// of its search path), sorted.
func (db *DB) Tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if db.engine == Postgres {
		q = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	names, err := queryStrings(ctx, db.r, q)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return names, nil
}

// UnknownTables lists the tables of db's schema that Copy neither copies
// nor leaves out on purpose: a table a migration added without teaching
// Copy about it. Copy refuses to run while there is one.
func (db *DB) UnknownTables(ctx context.Context) ([]string, error) {
	names, err := db.Tables(ctx)
	if err != nil {
		return nil, err
	}
	known := CopiedTables()
	var unknown []string
	for _, n := range names {
		if !notCopied(n) && !slices.Contains(known, n) {
			unknown = append(unknown, n)
		}
	}
	return unknown, nil
}

// Snapshot is one consistent view of a database for reading: what Copy
// copies and what its checksums are taken over, while the database's own
// server may go on writing (SQLite in WAL mode reads beside the writer).
// It holds one connection until Close. Not safe for concurrent use.
type Snapshot struct {
	c      *sql.Conn
	engine Engine
}

// Snapshot begins a read-only view of db. The caller closes it.
func (db *DB) Snapshot(ctx context.Context) (*Snapshot, error) {
	c, err := db.r.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	// Not BeginTx: the SQLite pool begins IMMEDIATE transactions, which
	// take the write lock. A deferred BEGIN reads from the snapshot its
	// first read takes, which the statement below does at once.
	begin := `BEGIN`
	if db.engine == Postgres {
		begin = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`
	}
	if _, err := c.ExecContext(ctx, begin); err != nil {
		c.Close()
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	var n int
	if err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
		c.Close()
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return &Snapshot{c: c, engine: db.engine}, nil
}

// Close ends the snapshot and gives its connection back.
func (s *Snapshot) Close() error {
	_, err := s.c.ExecContext(context.Background(), `ROLLBACK`)
	return errors.Join(err, s.c.Close())
}

// BlobKeys lists the distinct blob keys the snapshot's files and
// classification files name, sorted.
func (s *Snapshot) BlobKeys(ctx context.Context) ([]string, error) {
	keys, err := queryStrings(ctx, s.c, `SELECT blob_key FROM files UNION SELECT blob_key FROM classification_files`)
	if err != nil {
		return nil, fmt.Errorf("list blob keys: %w", err)
	}
	slices.Sort(keys)
	return keys, nil
}

// TableSum is a table's row count and checksum: SHA-256 over its rows in
// primary key order (bytewise), each column's value in a form that is the
// same whichever engine holds it (see sumValue).
type TableSum struct {
	Table string
	Rows  int64
	Sum   [sha256.Size]byte
}

// CopyProgress is what Copy has done to one table so far.
type CopyProgress struct {
	Table    string
	Rows     int64 // source rows read
	Inserted int64
	Updated  int64
	Deleted  int64
	Done     bool // the table is copied
}

// CopyOptions tune Copy.
type CopyOptions struct {
	// ChunkRows is how many source rows one destination transaction
	// covers. Default 500.
	ChunkRows int
	// Progress, if set, is called after each chunk is committed but a
	// table's last, and when a table is done (CopyProgress.Done).
	Progress func(CopyProgress)
}

// ConflictError is a destination that holds data this installation does
// not: Copy refuses it.
type ConflictError struct {
	Table string
	Key   string // the row's primary key, "a/b" when it has two columns
	Why   string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("destination table %s, row %s: %s", e.Table, e.Key, e.Why)
}

// Copy makes dst's tables a copy of the snapshot's (see the top of this
// file) and returns the sums of the snapshot's tables, taken as it read
// them, to compare with dst.TableSums. dst must be migrated. It refuses,
// with a *ConflictError and before writing anything, a destination that
// holds an account the snapshot has not (or has created at another time),
// and, when it meets one, a row that differs in its account or creation
// time or that was changed on the destination after it was copied (its
// updated_at is later than the source's). An interrupted Copy leaves the
// chunks it committed; running it again goes on from there.
func (s *Snapshot) Copy(ctx context.Context, dst *DB, opts CopyOptions) ([]TableSum, error) {
	if opts.ChunkRows <= 0 {
		opts.ChunkRows = 500
	}
	if err := s.checkAccounts(ctx, dst); err != nil {
		return nil, err
	}
	var sums []TableSum
	for _, t := range copyTables {
		sum, err := s.copyTable(ctx, dst, t, opts)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		sums = append(sums, sum)
	}
	return sums, nil
}

// checkAccounts refuses a destination holding an account that the
// snapshot has not, or has with another creation time: the data of
// another installation. Accounts are never deleted, so a copy of this
// installation holds none.
func (s *Snapshot) checkAccounts(ctx context.Context, dst *DB) error {
	read := func(x queryer) (map[string]int64, error) {
		rows, err := x.QueryContext(ctx, `SELECT id, created_at FROM accounts`)
		if err != nil {
			return nil, fmt.Errorf("read accounts: %w", err)
		}
		defer rows.Close()
		m := map[string]int64{}
		for rows.Next() {
			var id string
			var at int64
			if err := rows.Scan(&id, &at); err != nil {
				return nil, fmt.Errorf("read accounts: %w", err)
			}
			m[id] = at
		}
		return m, rows.Err()
	}
	src, err := read(s.c)
	if err != nil {
		return err
	}
	have, err := read(dst.r)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	ids := make([]string, 0, len(have))
	for id := range have {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		at, ok := src[id]
		switch {
		case !ok:
			return &ConflictError{Table: "accounts", Key: id, Why: "this installation has no such account: the destination holds another installation's data; copy into an empty database"}
		case at != have[id]:
			return &ConflictError{Table: "accounts", Key: id, Why: "an account of this id was created at another time: the destination holds another installation's data; copy into an empty database"}
		}
	}
	return nil
}

// tableShape is what copying a table needs to know of its columns.
type tableShape struct {
	copyTable
	cols  []string
	types []colType // by cols, as the destination declares them
	keyAt []int     // indexes in cols of the key columns
	// identity columns: a row the destination holds under the same key
	// with other values there is not this row (account_id, created_at).
	identity []int
	updated  int // index of updated_at, or -1
}

type colType byte

const (
	colText colType = iota
	colInt
	colFloat
	colBool
)

// shape reads t's columns from db (their types), in name order: the
// order of a row's values everywhere, so that both engines' rows sum
// alike.
func (db *DB) shape(ctx context.Context, t copyTable) (tableShape, error) {
	types, err := db.columnTypes(ctx, t.name)
	if err != nil {
		return tableShape{}, err
	}
	sh := tableShape{copyTable: t, updated: -1}
	for c := range types {
		sh.cols = append(sh.cols, c)
	}
	slices.Sort(sh.cols)
	for i, c := range sh.cols {
		sh.types = append(sh.types, types[c])
		switch c {
		case "account_id", "created_at":
			if !slices.Contains(t.key, c) {
				sh.identity = append(sh.identity, i)
			}
		case "updated_at":
			sh.updated = i
		}
	}
	for _, k := range t.key {
		i := slices.Index(sh.cols, k)
		if i < 0 {
			return tableShape{}, fmt.Errorf("no key column %s", k)
		}
		sh.keyAt = append(sh.keyAt, i)
	}
	return sh, nil
}

// copyShape is the shape of t on the destination, checked to be the
// shape it has in the snapshot.
func (s *Snapshot) copyShape(ctx context.Context, dst *DB, t copyTable) (tableShape, error) {
	sh, err := dst.shape(ctx, t)
	if err != nil {
		return sh, err
	}
	rows, err := s.c.QueryContext(ctx, `SELECT * FROM `+t.name+` LIMIT 0`)
	if err != nil {
		return sh, fmt.Errorf("read columns: %w", err)
	}
	cols, err := rows.Columns()
	rows.Close()
	if err != nil {
		return sh, fmt.Errorf("read columns: %w", err)
	}
	slices.Sort(cols)
	if !slices.Equal(cols, sh.cols) {
		return sh, fmt.Errorf("the source's columns (%s) are not the destination's (%s): run the same docparse version on both",
			strings.Join(cols, ", "), strings.Join(sh.cols, ", "))
	}
	return sh, nil
}

// columnTypes returns the kinds of value of table's columns, by name.
func (db *DB) columnTypes(ctx context.Context, table string) (map[string]colType, error) {
	q := `SELECT name, type FROM pragma_table_info($1)`
	if db.engine == Postgres {
		q = `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1`
	}
	rows, err := db.r.QueryContext(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("destination columns: %w", err)
	}
	defer rows.Close()
	m := map[string]colType{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("destination columns: %w", err)
		}
		switch strings.ToLower(typ) {
		case "text":
			m[name] = colText
		case "bigint", "integer":
			m[name] = colInt
		case "double precision":
			m[name] = colFloat
		case "boolean":
			m[name] = colBool
		default:
			return nil, fmt.Errorf("destination column %s.%s: type %s unknown to copy", table, name, typ)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("destination columns: %w", err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("destination has no table %s: migrate it first", table)
	}
	return m, nil
}

// row is one row's values, normalised (normalise) in tableShape.cols order.
type row []any

// normalise turns a value as a driver answers it into the one form both
// engines' values take: nil, string, int64, float64 or bool.
func normalise(v any, t colType) (any, error) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if v == nil {
		return nil, nil
	}
	switch t {
	case colText:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case colInt:
		switch n := v.(type) {
		case int64:
			return n, nil
		case int32:
			return int64(n), nil
		case float64:
			if n == math.Trunc(n) {
				return int64(n), nil
			}
		}
	case colFloat:
		switch n := v.(type) {
		case float64:
			return n, nil
		case int64:
			return float64(n), nil
		}
	case colBool:
		switch b := v.(type) {
		case bool:
			return b, nil
		case int64:
			return b != 0, nil
		}
	}
	return nil, fmt.Errorf("value of type %T in a column of kind %d", v, t)
}

// keyOf is r's primary key as text, for ordering (bytewise, as both
// engines order the keys in keyOrder) and messages.
func (sh tableShape) keyOf(r row) []string {
	k := make([]string, len(sh.keyAt))
	for i, at := range sh.keyAt {
		k[i], _ = r[at].(string)
	}
	return k
}

// keyOrder is the ORDER BY of the key on engine e: bytewise on both.
// (On PostgreSQL the key's index, in the database's collation, cannot
// serve it: the statements that use it read a table once, sorted once.)
func (sh tableShape) keyOrder(e Engine) string {
	cols := make([]string, len(sh.key))
	for i, k := range sh.key {
		cols[i] = k + e.bytewise()
	}
	return strings.Join(cols, ", ")
}

// bytewise is the collation clause that compares text bytewise: SQLite's
// default, "C" on PostgreSQL (whose default follows the locale).
func (e Engine) bytewise() string {
	if e == Postgres {
		return ` COLLATE "C"`
	}
	return ""
}

// keyIn is the condition "the key is one of keys", passed as one
// parameter per key column from $n (stringList, stringPairs: one
// statement whatever the number of keys), and its arguments.
func (sh tableShape) keyIn(e Engine, n int, keys [][]string) (string, []any) {
	cols := make([][]string, len(sh.key))
	for _, k := range keys {
		for i := range cols {
			cols[i] = append(cols[i], k[i])
		}
	}
	if len(sh.key) == 1 {
		cond, arg := e.inStrings(sh.key[0], n, cols[0])
		return cond, []any{arg}
	}
	list, a, b := e.stringPairs(n, cols[0], cols[1])
	return "(" + sh.key[0] + ", " + sh.key[1] + ") IN (SELECT k.a, k.b FROM " + list + ")", []any{a, b}
}

type queryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// scan reads every row of rows (the columns cols, in order) into fn.
func (sh tableShape) scan(rows *sql.Rows, fn func(row) error) error {
	defer rows.Close()
	for rows.Next() {
		vals := make(row, len(sh.cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			n, err := normalise(v, sh.types[i])
			if err != nil {
				return fmt.Errorf("column %s: %w", sh.cols[i], err)
			}
			vals[i] = n
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// chunkAfter reads at most limit rows of the table on x whose key is
// after from (nil: from the start), in key order. Only for the source:
// on SQLite the key's index serves the order.
func (sh tableShape) chunkAfter(ctx context.Context, x queryer, e Engine, from []string, limit int) ([]row, error) {
	q := `SELECT ` + strings.Join(sh.cols, ", ") + ` FROM ` + sh.name
	var args []any
	if from != nil {
		var ors []string
		for i := range sh.key {
			var ands []string
			for j := range i {
				ands = append(ands, fmt.Sprintf("%s = $%d", sh.key[j], j+1))
			}
			ands = append(ands, fmt.Sprintf("%s%s > $%d", sh.key[i], e.bytewise(), i+1))
			ors = append(ors, "("+strings.Join(ands, " AND ")+")")
		}
		q += ` WHERE ` + strings.Join(ors, " OR ")
		for _, k := range from {
			args = append(args, k)
		}
	}
	q += ` ORDER BY ` + sh.keyOrder(e) + ` LIMIT ` + strconv.Itoa(limit)
	rows, err := x.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []row
	err = sh.scan(rows, func(r row) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// byKeys reads the rows of the table on x whose keys are keys, by the
// key's index, keyed by their key joined with "\x00".
func (sh tableShape) byKeys(ctx context.Context, x queryer, e Engine, keys [][]string) (map[string]row, error) {
	cond, args := sh.keyIn(e, 1, keys)
	rows, err := x.QueryContext(ctx, `SELECT `+strings.Join(sh.cols, ", ")+` FROM `+sh.name+` WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	m := map[string]row{}
	err = sh.scan(rows, func(r row) error {
		m[strings.Join(sh.keyOf(r), "\x00")] = r
		return nil
	})
	return m, err
}

// copyTable copies one table, chunk by chunk, and returns the source's
// sum of it.
func (s *Snapshot) copyTable(ctx context.Context, dst *DB, t copyTable, opts CopyOptions) (TableSum, error) {
	sh, err := s.copyShape(ctx, dst, t)
	if err != nil {
		return TableSum{}, err
	}
	p := CopyProgress{Table: t.name}
	if p.Deleted, err = s.deleteGone(ctx, dst, sh, opts.ChunkRows); err != nil {
		return TableSum{}, err
	}
	h := sha256.New()
	var from []string
	for {
		src, err := sh.chunkAfter(ctx, s.c, s.engine, from, opts.ChunkRows)
		if err != nil {
			return TableSum{}, fmt.Errorf("read source: %w", err)
		}
		for _, r := range src {
			sumRow(h, r)
		}
		p.Rows += int64(len(src))
		if len(src) > 0 {
			err = dst.Tx(ctx, func(tx *Tx) error { return sh.mirror(ctx, tx, src, &p) })
			if err != nil {
				return TableSum{}, err
			}
		}
		if len(src) < opts.ChunkRows {
			break
		}
		if opts.Progress != nil {
			opts.Progress(p)
		}
		from = sh.keyOf(src[len(src)-1])
	}
	p.Done = true
	if opts.Progress != nil {
		opts.Progress(p)
	}
	ts := TableSum{Table: t.name, Rows: p.Rows}
	h.Sum(ts.Sum[:0])
	return ts, nil
}

// deleteGone deletes from the destination the rows of the table the
// snapshot has not (deleted at the source since an earlier copy), in
// transactions of chunk rows, and returns how many. It reads the keys of
// both sides once, in key order, side by side.
func (s *Snapshot) deleteGone(ctx context.Context, dst *DB, sh tableShape, chunk int) (int64, error) {
	keys := `SELECT ` + strings.Join(sh.key, ", ") + ` FROM ` + sh.name + ` ORDER BY `
	srcRows, err := s.c.QueryContext(ctx, keys+sh.keyOrder(s.engine))
	if err != nil {
		return 0, fmt.Errorf("read source keys: %w", err)
	}
	defer srcRows.Close()
	dstRows, err := dst.r.QueryContext(ctx, keys+sh.keyOrder(dst.engine))
	if err != nil {
		return 0, fmt.Errorf("read destination keys: %w", err)
	}
	defer dstRows.Close()
	next := func(rows *sql.Rows) ([]string, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		k := make([]string, len(sh.key))
		ptrs := make([]any, len(k))
		for i := range k {
			ptrs[i] = &k[i]
		}
		return k, rows.Scan(ptrs...)
	}
	var gone [][]string
	sk, err := next(srcRows)
	for err == nil {
		var dk []string
		if dk, err = next(dstRows); err != nil || dk == nil {
			break
		}
		for err == nil && sk != nil && compareKeys(sk, dk) < 0 {
			sk, err = next(srcRows)
		}
		if err == nil && (sk == nil || compareKeys(sk, dk) != 0) {
			gone = append(gone, dk)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("read keys: %w", err)
	}
	srcRows.Close()
	dstRows.Close()
	for part := range slices.Chunk(gone, chunk) {
		err := dst.Tx(ctx, func(tx *Tx) error {
			cond, args := sh.keyIn(dst.engine, 1, part)
			_, err := tx.x.ExecContext(ctx, `DELETE FROM `+sh.name+` WHERE `+cond, args...)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("delete %d rows the source deleted: %w", len(part), err)
		}
	}
	return int64(len(gone)), nil
}

// compareKeys orders two keys bytewise.
func compareKeys(a, b []string) int {
	return slices.Compare(a, b)
}

// mirror makes the destination hold the source rows src in tx:
// inserted, or updated where they differ (update).
func (sh tableShape) mirror(ctx context.Context, tx *Tx, src []row, p *CopyProgress) error {
	keys := make([][]string, len(src))
	for i, r := range src {
		keys[i] = sh.keyOf(r)
	}
	have, err := sh.byKeys(ctx, tx.x, tx.engine, keys)
	if err != nil {
		return fmt.Errorf("read destination: %w", err)
	}
	var insert []row
	for i, r := range src {
		h, ok := have[strings.Join(keys[i], "\x00")]
		switch {
		case !ok:
			insert = append(insert, r)
		case !slices.Equal(r, h):
			if err := sh.update(ctx, tx, r, h); err != nil {
				return err
			}
			p.Updated++
		}
	}
	if err := sh.insert(ctx, tx, insert); err != nil {
		return err
	}
	p.Inserted += int64(len(insert))
	return nil
}

func (sh tableShape) keyWhere(n int) string {
	conds := make([]string, len(sh.key))
	for i, k := range sh.key {
		conds[i] = fmt.Sprintf("%s = $%d", k, n+i)
	}
	return strings.Join(conds, " AND ")
}

func (sh tableShape) keyArgs(r row) []any {
	args := make([]any, len(sh.keyAt))
	for i, at := range sh.keyAt {
		args[i] = r[at]
	}
	return args
}

// update writes the source's src over the destination's have, the same
// row changed at the source since it was copied; a row that is not the
// same (identity) or that the destination changed later is a
// *ConflictError.
func (sh tableShape) update(ctx context.Context, tx *Tx, src, have row) error {
	key := strings.Join(sh.keyOf(src), "/")
	for _, at := range sh.identity {
		if src[at] != have[at] {
			return &ConflictError{Table: sh.name, Key: key, Why: fmt.Sprintf("its %s is %v on the destination and %v here: the destination holds another installation's data; copy into an empty database", sh.cols[at], have[at], src[at])}
		}
	}
	if sh.updated >= 0 {
		if d, s := have[sh.updated].(int64), src[sh.updated].(int64); d > s {
			return &ConflictError{Table: sh.name, Key: key, Why: "changed on the destination after it was copied (updated_at later than the source's): did a node run on it? copy into an empty database"}
		}
	}
	sets := make([]string, len(sh.cols))
	for i, c := range sh.cols {
		sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	args := append(slices.Clone(src), sh.keyArgs(src)...)
	if _, err := tx.x.ExecContext(ctx, `UPDATE `+sh.name+` SET `+strings.Join(sets, ", ")+` WHERE `+sh.keyWhere(len(sh.cols)+1), args...); err != nil {
		return fmt.Errorf("update row %s: %w", key, err)
	}
	return nil
}

// insert inserts rows, in statements of about 8000 parameters at most
// (PostgreSQL takes 65535 in one, SQLite 32766).
func (sh tableShape) insert(ctx context.Context, tx *Tx, rows []row) error {
	for part := range slices.Chunk(rows, max(1, 8000/len(sh.cols))) {
		var b strings.Builder
		b.WriteString(`INSERT INTO ` + sh.name + ` (` + strings.Join(sh.cols, ", ") + `) VALUES `)
		args := make([]any, 0, len(part)*len(sh.cols))
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, r[j])
				b.WriteString("$" + strconv.Itoa(len(args)))
			}
			b.WriteByte(')')
		}
		if _, err := tx.x.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert %d rows from %s: %w", len(part), strings.Join(sh.keyOf(part[0]), "/"), err)
		}
	}
	return nil
}

// sumRow adds r to a table's checksum: each value tagged with its kind,
// text with its length, so no two rows write the same bytes.
func sumRow(h hash.Hash, r row) {
	var buf bytes.Buffer
	for _, v := range r {
		switch v := v.(type) {
		case nil:
			buf.WriteByte('N')
		case bool:
			if v {
				buf.WriteByte('T')
			} else {
				buf.WriteByte('F')
			}
		case int64:
			buf.WriteByte('I')
			buf.Write(binary.BigEndian.AppendUint64(nil, uint64(v)))
		case float64:
			buf.WriteByte('D')
			buf.Write(binary.BigEndian.AppendUint64(nil, math.Float64bits(v)))
		case string:
			buf.WriteByte('S')
			buf.Write(binary.BigEndian.AppendUint64(nil, uint64(len(v))))
			buf.WriteString(v)
		}
	}
	buf.WriteByte('\n')
	h.Write(buf.Bytes())
}

// TableSums reads the row count and checksum of every table Copy copies
// on db, as Copy takes them on its source, to verify a copy.
func (db *DB) TableSums(ctx context.Context) ([]TableSum, error) {
	return tableSums(ctx, db, db.r, db.engine)
}

// Sums reads the row count and checksum of every table Copy copies in the
// snapshot (what Copy returns, without copying), with the columns dst
// has.
func (s *Snapshot) Sums(ctx context.Context, dst *DB) ([]TableSum, error) {
	return tableSums(ctx, dst, s.c, s.engine)
}

// tableSums sums the tables on x (of engine e) with the columns they have
// on db, each read once in key order.
func tableSums(ctx context.Context, db *DB, x queryer, e Engine) ([]TableSum, error) {
	var sums []TableSum
	for _, t := range copyTables {
		sh, err := db.shape(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("sum %s: %w", t.name, err)
		}
		rows, err := x.QueryContext(ctx, `SELECT `+strings.Join(sh.cols, ", ")+` FROM `+t.name+` ORDER BY `+sh.keyOrder(e))
		if err != nil {
			return nil, fmt.Errorf("sum %s: %w", t.name, err)
		}
		h := sha256.New()
		ts := TableSum{Table: t.name}
		err = sh.scan(rows, func(r row) error {
			sumRow(h, r)
			ts.Rows++
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sum %s: %w", t.name, err)
		}
		h.Sum(ts.Sum[:0])
		sums = append(sums, ts)
	}
	return sums, nil
}
