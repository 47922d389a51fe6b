package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/models"
)

// Buckets of the dashboard counters (models.ProgressCount). Assignment
// buckets count units, item buckets count assignment items (one per item
// and cycle).
const (
	// BucketUnits: assignments not withdrawn.
	BucketUnits = "units"
	// BucketAcknowledged: assignments acknowledged (รับทราบ), on time or
	// not; BucketAckOnTime and BucketAckLate split them by the
	// acknowledgement due.
	BucketAcknowledged = "acknowledged"
	BucketAckOnTime    = "ack_on_time"
	BucketAckLate      = "ack_late"
	// BucketAckAwaiting: assignments still to be acknowledged, keyed by
	// their acknowledgement due.
	BucketAckAwaiting = "ack_awaiting"
	// BucketEscalated: assignments with an open escalation.
	BucketEscalated = "escalated"
	// BucketItems: assignment items (every cycle).
	BucketItems = "items"
	// BucketAwaiting: items the unit owes a report for (open, returned,
	// extended), keyed by their due.
	BucketAwaiting = "awaiting"
	// BucketReported: items reported and awaiting review.
	BucketReported = "reported"
	// BucketAccepted: items whose report was accepted.
	BucketAccepted = "accepted"
	// BucketReturned: items whose report was returned (also awaiting).
	BucketReturned = "returned"
	// BucketEnded: items waived, closed or lapsed.
	BucketEnded = "ended"
	// BucketOnTime and BucketLate: items reported (awaiting review or
	// accepted) at or before their due, or after it.
	BucketOnTime = "on_time"
	BucketLate   = "late"
	// BucketItemsEscalated: items awaiting a report with an escalation.
	BucketItemsEscalated = "items_escalated"
)

// ProgressKey identifies one counter.
type ProgressKey struct {
	DirectiveID, ProvinceCode, Bucket, DueKey string
}

// DueKey is the counter key of a due instant: UTC, second precision, fixed
// width, so that keys compare as the instants do; "" for no due.
func DueKey(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// ProgressDeltas accumulates counter changes before they are written.
type ProgressDeltas map[ProgressKey]int64

// AddAssignment adds sign × the contribution of assignment a (in province
// province) to d.
func (d ProgressDeltas) AddAssignment(province string, a models.Assignment, sign int64) {
	add := func(bucket, due string) {
		d[ProgressKey{a.DirectiveID, province, bucket, due}] += sign
	}
	if a.Status == models.AssignmentWithdrawn {
		return
	}
	add(BucketUnits, "")
	if a.AcknowledgedAt != nil {
		add(BucketAcknowledged, "")
		if a.AcknowledgedAt.After(a.AckDueAt) {
			add(BucketAckLate, "")
		} else {
			add(BucketAckOnTime, "")
		}
	} else if a.Status == models.AssignmentAssigned {
		add(BucketAckAwaiting, DueKey(&a.AckDueAt))
	}
	if a.EscalationLevel > 0 {
		add(BucketEscalated, "")
	}
}

// AddItem adds sign × the contribution of item it of an assignment of
// directive directiveID in province province to d.
func (d ProgressDeltas) AddItem(directiveID, province string, it models.AssignmentItem, sign int64) {
	add := func(bucket, due string) {
		d[ProgressKey{directiveID, province, bucket, due}] += sign
	}
	add(BucketItems, "")
	switch {
	case it.Status.AwaitingReport():
		add(BucketAwaiting, DueKey(it.DueAt))
		if it.Status == models.ItemReturned {
			add(BucketReturned, "")
		}
		if it.EscalationLevel > 0 {
			add(BucketItemsEscalated, "")
		}
	case it.Status == models.ItemReported, it.Status == models.ItemAccepted:
		if it.Status == models.ItemReported {
			add(BucketReported, "")
		} else {
			add(BucketAccepted, "")
		}
		if it.ReportedAt != nil && it.DueAt != nil && it.ReportedAt.After(*it.DueAt) {
			add(BucketLate, "")
		} else {
			add(BucketOnTime, "")
		}
	default:
		add(BucketEnded, "")
	}
}

// ProgressShards is how many rows each counter is spread over
// (models.ProgressCount.Shard). Concurrent acknowledgements of one
// directive in one province would otherwise all update the same few rows
// and wait on each other's row locks on PostgreSQL (seen in P2 as the
// main lock wait, issue #16); readers sum the shards.
const ProgressShards = 8

// ProgressShard is the counter shard of the changes of assignment id: a
// hash of the ID, so that one assignment's changes always land in the same
// shard (its +1 and -1 meet in one row) while different assignments
// spread over all of them.
func ProgressShard(assignmentID string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(assignmentID))
	return int(h.Sum32() % ProgressShards)
}

// WriteProgress adds the non-zero deltas of d to the counters of shard
// (0 ≤ shard < ProgressShards) in tx, in key order (so concurrent
// transactions lock counter rows in the same order and cannot deadlock on
// them).
func WriteProgress(tx *gorm.DB, d ProgressDeltas, shard int) error {
	if shard < 0 || shard >= ProgressShards {
		return fmt.Errorf("store: progress shard %d out of range", shard)
	}
	rows := make([]models.ProgressCount, 0, len(d))
	for k, n := range d {
		if n != 0 {
			rows = append(rows, models.ProgressCount{DirectiveID: k.DirectiveID, ProvinceCode: k.ProvinceCode, Bucket: k.Bucket, DueKey: k.DueKey, Shard: shard, N: n})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.DirectiveID != b.DirectiveID {
			return a.DirectiveID < b.DirectiveID
		}
		if a.ProvinceCode != b.ProvinceCode {
			return a.ProvinceCode < b.ProvinceCode
		}
		if a.Bucket != b.Bucket {
			return a.Bucket < b.Bucket
		}
		return a.DueKey < b.DueKey
	})
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "directive_id"}, {Name: "province_code"}, {Name: "bucket"}, {Name: "due_key"}, {Name: "shard"}},
		DoUpdates: clause.Set{{Column: clause.Column{Name: "n"}, Value: clause.Expr{SQL: "progress_counts.n + excluded.n"}}},
	}).Create(&rows).Error
}

// ProvinceOf returns the code of the province unit code belongs to: the
// unit itself when it is a province's centre, else the nearest province
// among its ancestors; "" for a unit outside any province (the national
// centre, a ministry) or an unknown one.
func ProvinceOf(tx *gorm.DB, code string) (string, error) {
	// One query (a recursive walk up the parents, stopping at the first
	// province, the national centre, a ministry or 6 levels) instead of
	// one per level: it runs in every assignment save.
	var found []string
	err := tx.Session(&gorm.Session{NewDB: true}).Raw(`WITH RECURSIVE up (code, type, parent_code, depth) AS (
  SELECT code, type, parent_code, 0 FROM units WHERE code = ?
  UNION ALL
  SELECT u.code, u.type, u.parent_code, up.depth + 1 FROM units u JOIN up ON u.code = up.parent_code
  WHERE up.type NOT IN (?, ?, ?) AND up.depth < 6
)
SELECT code FROM up WHERE type = ? LIMIT 1`, code, models.UnitProvince, models.UnitNational, models.UnitMinistry, models.UnitProvince).Scan(&found).Error
	if err != nil || len(found) == 0 {
		return "", err
	}
	return found[0], nil
}

// RebuildProgress recomputes every counter from the assignments and items
// recorded: it empties progress_counts and writes the sums afresh. It is
// the migration's back-fill and the check the counters are tested
// against; callers run it in a transaction.
func RebuildProgress(tx *gorm.DB) error {
	if err := tx.Exec("DELETE FROM progress_counts").Error; err != nil {
		return err
	}
	provinces := map[string]string{}
	province := func(code string) (string, error) {
		if p, ok := provinces[code]; ok {
			return p, nil
		}
		p, err := ProvinceOf(tx, code)
		provinces[code] = p
		return p, err
	}
	d := ProgressDeltas{}
	assignmentProvince := map[string]string{}
	assignmentDirective := map[string]string{}
	// Read row by row through a cursor: the tables may be large, and the
	// counters they sum to are small.
	rows, err := tx.Model(&models.Assignment{}).Order("id").Rows()
	if err != nil {
		return fmt.Errorf("store: rebuild progress: %w", err)
	}
	var all []models.Assignment
	for rows.Next() {
		var a models.Assignment
		if err := tx.ScanRows(rows, &a); err != nil {
			_ = rows.Close()
			return fmt.Errorf("store: rebuild progress: %w", err)
		}
		all = append(all, models.Assignment{ID: a.ID, DirectiveID: a.DirectiveID, UnitCode: a.UnitCode, Status: a.Status,
			AckDueAt: a.AckDueAt, AcknowledgedAt: a.AcknowledgedAt, EscalationLevel: a.EscalationLevel})
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("store: rebuild progress: %w", err)
	}
	// Units are looked up once the cursor is closed (SQLite has one
	// connection inside a transaction).
	for _, a := range all {
		p, err := province(a.UnitCode)
		if err != nil {
			return err
		}
		assignmentProvince[a.ID], assignmentDirective[a.ID] = p, a.DirectiveID
		d.AddAssignment(p, a, 1)
	}
	rows, err = tx.Model(&models.AssignmentItem{}).Rows()
	if err != nil {
		return fmt.Errorf("store: rebuild progress: %w", err)
	}
	for rows.Next() {
		var it models.AssignmentItem
		if err := tx.ScanRows(rows, &it); err != nil {
			_ = rows.Close()
			return fmt.Errorf("store: rebuild progress: %w", err)
		}
		if dir, ok := assignmentDirective[it.AssignmentID]; ok {
			d.AddItem(dir, assignmentProvince[it.AssignmentID], it, 1)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("store: rebuild progress: %w", err)
	}
	// Written in chunks: a statement has a bounded number of parameters.
	chunk := ProgressDeltas{}
	for k, n := range d {
		chunk[k] = n
		if len(chunk) == 500 {
			if err := WriteProgress(tx, chunk, 0); err != nil {
				return err
			}
			chunk = ProgressDeltas{}
		}
	}
	return WriteProgress(tx, chunk, 0)
}

// ReadProgress returns every non-zero counter of the given directives
// (all directives when ids is nil), for tests and for the dashboards'
// own queries to compare with.
func ReadProgress(tx *gorm.DB, ids []string) (map[ProgressKey]int64, error) {
	q := tx.Model(&models.ProgressCount{}).Where("n <> 0")
	if ids != nil {
		q = q.Where("directive_id IN ?", ids)
	}
	var rows []models.ProgressCount
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[ProgressKey]int64, len(rows))
	for _, r := range rows {
		out[ProgressKey{r.DirectiveID, r.ProvinceCode, r.Bucket, r.DueKey}] += r.N // the shards summed
	}
	for k, n := range out {
		if n == 0 {
			delete(out, k)
		}
	}
	return out, nil
}

// lockClause is FOR UPDATE on PostgreSQL and nothing on SQLite, whose
// single writer already serialises transactions.
func lockClause(tx *gorm.DB) []clause.Expression {
	if IsPostgres(tx) {
		return []clause.Expression{clause.Locking{Strength: "UPDATE"}}
	}
	return nil
}

// BeforeAssignmentSave reads, under a row lock on PostgreSQL, what a
// change to assignment id will replace: the stored assignment row (found
// false when there is none yet) and its stored item rows for the given
// (item number, cycle) pairs. ApplyProgress uses it after the change.
func BeforeAssignmentSave(tx *gorm.DB, id string, keys [][2]int) (before models.Assignment, found bool, items map[[2]int]models.AssignmentItem, err error) {
	err = tx.Clauses(lockClause(tx)...).Where("id = ?", id).Take(&before).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return before, false, map[[2]int]models.AssignmentItem{}, nil
	}
	if err != nil {
		return before, false, nil, err
	}
	items = map[[2]int]models.AssignmentItem{}
	if len(keys) == 0 {
		return before, true, items, nil
	}
	var conds []string
	var args []any
	for _, k := range keys {
		conds = append(conds, "(item_number = ? AND cycle = ?)")
		args = append(args, k[0], k[1])
	}
	var rows []models.AssignmentItem
	if err := tx.Where("assignment_id = ?", id).Where(strings.Join(conds, " OR "), args...).Find(&rows).Error; err != nil {
		return before, true, nil, err
	}
	for _, r := range rows {
		items[[2]int{r.ItemNumber, r.Cycle}] = r
	}
	return before, true, items, nil
}

// DirectiveStamp returns a stamp of directive id's assignments and of the
// directive itself that changes with every saved change of any of them
// (a count, the latest update time and the sum of versions), for live
// pages and caches to tell whether what they show is current.
func DirectiveStamp(db *gorm.DB, id string) (string, error) {
	var r struct {
		N    int64
		Last sql.NullString // MAX of a time column: text on SQLite
		V    int64
	}
	if err := db.Model(&models.Assignment{}).Select("COUNT(*) AS n, MAX(updated_at) AS last, COALESCE(SUM(version), 0) AS v").
		Where("directive_id = ?", id).Scan(&r).Error; err != nil {
		return "", err
	}
	var d struct {
		Status    string
		UpdatedAt time.Time
	}
	if err := db.Model(&models.Directive{}).Select("status", "updated_at").Where("id = ?", id).Scan(&d).Error; err != nil {
		return "", err
	}
	return Stamp([]any{r.N, r.Last.String, r.V, d.Status, d.UpdatedAt.UTC()})
}

// Stamp identifies v's content: the first 12 bytes of the SHA-256 of its
// JSON, in hex (equal JSON, equal stamp). Dashboards, live pages and
// caches compare stamps to tell whether what they show is current.
func Stamp(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12]), nil
}
