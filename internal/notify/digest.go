package notify

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// MaxDigestItems is the most items one digest lists; the rest are counted
// in DataMore.
const MaxDigestItems = 50

// DigestNotificationID returns the outbox ID of the digest of date for
// scope ("inspector" with an account ID, "province" with a unit code), so
// enqueuing a day's digests twice yields each once.
func DigestNotificationID(date thaidate.Date, scope, key string) string {
	return "digest/" + date.String() + "/" + scope + "/" + key
}

// Digest scopes (DataScope).
const (
	DigestScopeInspector = "inspector"
	DigestScopeProvince  = "province"
)

// DigestResult says what EnqueueDigests did for a day: nothing on a
// weekend or holiday, otherwise how many digests it enqueued (recipients
// with nothing open get none).
type DigestResult struct {
	Date       string `json:"date"`
	Skipped    string `json:"skipped,omitempty"` // "weekend" or "holiday"
	Inspectors int    `json:"inspectors"`
	Provinces  int    `json:"provinces"`
}

// digestRow is one open item as the digest queries read it.
type digestRow struct {
	AssignmentID string
	DirectiveID  string
	Subject      string
	DocNumber    string
	UnitCode     string
	UnitName     string
	UnitType     models.UnitType
	Region       int
	ItemNumber   int
	Cycle        int
	Level        int
	DueAt        *time.Time
}

// EnqueueDigests enqueues the daily digests of date into the outbox (as
// pending notifications the Dispatcher picks up): one per active inspector
// listing the open escalations in the inspector's regions, and one per
// province listing the province centre's own items still awaiting a report.
// On a weekend or a day in the holidays table it does nothing. Overdue is
// judged at now. Idempotent: the notification IDs are derived from the
// date (DigestNotificationID).
func EnqueueDigests(ctx context.Context, db *gorm.DB, date thaidate.Date, now time.Time) (DigestResult, error) {
	db = db.WithContext(ctx)
	res := DigestResult{Date: date.String()}
	if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
		res.Skipped = "weekend"
		return res, nil
	}
	holidays, err := store.ListHolidays(ctx, db, date.String(), date.String())
	if err != nil {
		return res, fmt.Errorf("notify: digest holiday check: %w", err)
	}
	if len(holidays) > 0 {
		res.Skipped = "holiday"
		return res, nil
	}

	var out []models.Notification
	// Inspectors: open escalations in their regions, one line per item at
	// its highest open level.
	var inspectors []models.Account
	if err := db.Preload("Regions").Where("role = ? AND disabled = ?", models.RoleInspector, false).
		Order("id").Find(&inspectors).Error; err != nil {
		return res, fmt.Errorf("notify: digest inspectors: %w", err)
	}
	for _, insp := range inspectors {
		regions := make([]int, 0, len(insp.Regions))
		for _, r := range insp.Regions {
			regions = append(regions, r.Region)
		}
		if len(regions) == 0 {
			continue
		}
		slices.Sort(regions)
		var rows []digestRow
		if err := db.Raw(`SELECT e.assignment_id, a.directive_id, d.subject, d.doc_number, e.unit_code,
  COALESCE(u.name_th, '') AS unit_name, COALESCE(u.type, '') AS unit_type, e.region, e.item_number, e.cycle, e.level, ai.due_at
FROM escalations e
JOIN assignments a ON a.id = e.assignment_id
JOIN directives d ON d.id = a.directive_id
LEFT JOIN assignment_items ai ON ai.assignment_id = e.assignment_id AND ai.item_number = e.item_number AND ai.cycle = e.cycle
LEFT JOIN units u ON u.code = e.unit_code
WHERE e.closed_at IS NULL AND e.region IN ?`, regions).Scan(&rows).Error; err != nil {
			return res, fmt.Errorf("notify: digest escalations: %w", err)
		}
		rows = highestLevelPerItem(rows)
		if len(rows) == 0 {
			continue
		}
		regionText := make([]string, len(regions))
		for i, r := range regions {
			regionText[i] = strconv.Itoa(r)
		}
		n, err := digestNotification(DigestNotificationID(date, DigestScopeInspector, strconv.FormatInt(insp.ID, 10)),
			RecipientSpec{AccountIDs: []int64{insp.ID}}, map[string]any{
				DataDate: date.String(), DataScope: DigestScopeInspector, DataRegions: strings.Join(regionText, ", "),
			}, rows, true, now)
		if err != nil {
			return res, err
		}
		out = append(out, n)
		res.Inspectors++
	}

	// Provinces: the centre's own items still awaiting a report.
	var rows []digestRow
	if err := db.Raw(`SELECT a.id AS assignment_id, a.directive_id, d.subject, d.doc_number, a.unit_code,
  a.region, ai.item_number, ai.cycle, ai.escalation_level AS level, ai.due_at
FROM assignment_items ai
JOIN assignments a ON a.id = ai.assignment_id
JOIN directives d ON d.id = a.directive_id
JOIN units u ON u.code = a.unit_code
WHERE u.type = ? AND a.status IN ? AND ai.status IN ? AND d.status = ?`,
		models.UnitProvince,
		[]models.AssignmentStatus{models.AssignmentAssigned, models.AssignmentAcknowledged},
		[]models.ItemStatus{models.ItemOpen, models.ItemReturned, models.ItemExtended},
		models.DirectiveIssued).Scan(&rows).Error; err != nil {
		return res, fmt.Errorf("notify: digest province items: %w", err)
	}
	byUnit := map[string][]digestRow{}
	for _, r := range rows {
		byUnit[r.UnitCode] = append(byUnit[r.UnitCode], r)
	}
	codes := make([]string, 0, len(byUnit))
	for code := range byUnit {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		n, err := digestNotification(DigestNotificationID(date, DigestScopeProvince, code),
			RecipientSpec{UnitCodes: []string{code}}, map[string]any{
				DataDate: date.String(), DataScope: DigestScopeProvince, DataUnitCode: code,
			}, byUnit[code], false, now)
		if err != nil {
			return res, err
		}
		out = append(out, n)
		res.Provinces++
	}

	if len(out) > 0 {
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&out, 100).Error; err != nil {
			return res, fmt.Errorf("notify: enqueue digests: %w", err)
		}
	}
	return res, nil
}

// highestLevelPerItem keeps one row per assignment item and cycle, the one
// with the highest open escalation level.
func highestLevelPerItem(rows []digestRow) []digestRow {
	type key struct {
		assignment  string
		item, cycle int
	}
	best := map[key]digestRow{}
	for _, r := range rows {
		k := key{r.AssignmentID, r.ItemNumber, r.Cycle}
		if cur, ok := best[k]; !ok || r.Level > cur.Level {
			best[k] = r
		}
	}
	out := make([]digestRow, 0, len(best))
	for _, r := range best {
		out = append(out, r)
	}
	return out
}

// digestNotification builds one digest outbox row: items ordered by due
// (items without a due last), then unit and item number, at most
// MaxDigestItems of them.
func digestNotification(id string, to RecipientSpec, data map[string]any, rows []digestRow, withUnit bool, now time.Time) (models.Notification, error) {
	slices.SortFunc(rows, func(a, b digestRow) int {
		switch {
		case a.DueAt == nil && b.DueAt != nil:
			return 1
		case a.DueAt != nil && b.DueAt == nil:
			return -1
		case a.DueAt != nil && !a.DueAt.Equal(*b.DueAt):
			return a.DueAt.Compare(*b.DueAt)
		}
		return cmp.Or(cmp.Compare(a.UnitCode, b.UnitCode), cmp.Compare(a.AssignmentID, b.AssignmentID),
			cmp.Compare(a.ItemNumber, b.ItemNumber), cmp.Compare(a.Cycle, b.Cycle))
	})
	data[DataCount] = strconv.Itoa(len(rows))
	if len(rows) > MaxDigestItems {
		data[DataMore] = strconv.Itoa(len(rows) - MaxDigestItems)
		rows = rows[:MaxDigestItems]
	}
	items := make([]map[string]string, 0, len(rows))
	for _, r := range rows {
		it := map[string]string{
			DataAssignmentID: r.AssignmentID, DataDirectiveID: r.DirectiveID, DataSubject: r.Subject,
			DataDocNumber: r.DocNumber, DataUnitCode: r.UnitCode, DataItem: strconv.Itoa(r.ItemNumber),
			DataCycle: strconv.Itoa(r.Cycle), DataLevel: strconv.Itoa(r.Level), "overdue": "false",
		}
		if withUnit {
			it[DataUnitName] = UnitDisplayName(models.Unit{Type: r.UnitType, NameTH: r.UnitName}, LangThai)
		}
		if r.DueAt != nil {
			it[DataDueAt] = r.DueAt.UTC().Format(time.RFC3339)
			if !now.Before(*r.DueAt) {
				it["overdue"] = "true"
			}
		}
		items = append(items, it)
	}
	data[DataItems] = items
	dataJSON, err := json.Marshal(data)
	if err != nil {
		return models.Notification{}, err
	}
	toJSON, err := json.Marshal(to)
	if err != nil {
		return models.Notification{}, err
	}
	return models.Notification{
		ID: id, Kind: KindDigest, Recipients: string(toJSON), Template: KindDigest, Language: LangThai,
		Data: string(dataJSON), Status: models.NotificationPending, CreatedAt: now.UTC(),
	}, nil
}
