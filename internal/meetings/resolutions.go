package meetings

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// Resolutions of a meeting (มติที่ประชุม) are directives numbered within it:
// "มติที่ประชุม ศปก.ครส. ครั้งที่ N/YYYY ข้อ K", K = 1, 2, … The directives
// domain issues them; this package owns the numbering, because it derives
// from the meeting's own number, and lists them with the meeting.

// resolutionPrefix is the normalised document number of meeting m's
// resolutions without K.
func resolutionPrefix(m models.Meeting) string {
	return workflows.NormalizeDocNumber("มติที่ประชุม ศปก.ครส. " + NumberLabel(m) + " ข้อ")
}

// ResolutionDocNumber is the document number of resolution k of meeting m
// (normalised, as workflows.NormalizeDocNumber writes it).
func ResolutionDocNumber(m models.Meeting, k int) string {
	return resolutionPrefix(m) + " " + strconv.Itoa(k)
}

// ResolutionNumber returns K of docNorm, a normalised document number, when
// it is one of meeting m's resolutions, and 0 otherwise.
func ResolutionNumber(m models.Meeting, docNorm string) int {
	rest, ok := strings.CutPrefix(docNorm, resolutionPrefix(m)+" ")
	if !ok {
		return 0
	}
	k, err := strconv.Atoi(rest)
	if err != nil || k < 1 {
		return 0
	}
	return k
}

// directives returns the directives linked to meeting m that p may see
// (as the directive domain scopes them: national roles all, others those
// with an assignment in their scope): resolutions by K, then any others by
// issue date.
func (s *service) directives(ctx context.Context, p *auth.Principal, m models.Meeting) ([]DirectiveView, error) {
	db := s.db(ctx)
	q := db.Where("meeting_id = ?", m.ID)
	if !p.SeesAll() {
		q = q.Where("EXISTS (SELECT 1 FROM assignments a WHERE a.directive_id = directives.id AND a.unit_code IN (?))", p.UnitCodes(db))
	}
	var rows []models.Directive
	if err := q.Order("issue_date, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]DirectiveView, 0, len(rows))
	for _, r := range rows {
		out = append(out, DirectiveView{ID: r.ID, DocNumber: r.DocNumber, Number: ResolutionNumber(m, r.DocNumberNorm),
			Subject: r.Subject, IssueDate: r.IssueDate, Urgency: r.Urgency, Status: r.Status,
			UnitsTotal: r.UnitsTotal, UnitsAssigned: r.UnitsAssigned, CreatedAt: r.CreatedAt})
	}
	slices.SortStableFunc(out, func(a, b DirectiveView) int {
		switch {
		case a.Number == b.Number:
			return 0
		case a.Number == 0:
			return 1
		case b.Number == 0:
			return -1
		}
		return a.Number - b.Number
	})
	return out, nil
}
