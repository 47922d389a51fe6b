package api

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

func init() {
	extraRoutes = append(extraRoutes, func(r fiber.Router, d *Deps) {
		r.Post("/meetings/:id/directives", issueMeetingDirective(d))
	})
}

// MeetingDirectiveRequest is the body of POST /meetings/{id}/directives:
// a resolution of the meeting (มติที่ประชุม), written as POST /directives
// takes it but without source, issuer and document number, which the
// meeting gives. IssueDate defaults to the meeting's date (Bangkok).
type MeetingDirectiveRequest struct {
	IssueDate string         `json:"issue_date,omitempty"`
	Urgency   string         `json:"urgency"`
	Subject   string         `json:"subject"`
	Body      string         `json:"body"`
	Policy    *PolicyRequest `json:"policy,omitempty"`
	Items     []ItemRequest  `json:"items"`
}

// MeetingDirectiveAccepted answers POST /meetings/{id}/directives (202:
// the fan-out runs on). Number is K of "ข้อ K", the resolution's number
// within its meeting; DocNumber the whole document number.
type MeetingDirectiveAccepted struct {
	DirectiveAccepted
	MeetingID string `json:"meeting_id"`
	DocNumber string `json:"doc_number"`
	Number    int    `json:"number"`
}

// MeetingDirectiveView is one directive issued at a meeting, as GET
// /meetings/{id} lists it. Number is K of "ข้อ K" (0 for a directive
// linked to the meeting through POST /directives with its own number).
type MeetingDirectiveView struct {
	ID            string                 `json:"id"`
	DocNumber     string                 `json:"doc_number"`
	Number        int                    `json:"number,omitempty"`
	Subject       string                 `json:"subject"`
	IssueDate     string                 `json:"issue_date"`
	Urgency       string                 `json:"urgency"`
	Status        models.DirectiveStatus `json:"status"`
	UnitsTotal    int                    `json:"units_total"`
	UnitsAssigned int                    `json:"units_assigned"`
	CreatedAt     time.Time              `json:"created_at"`
}

// maxResolutionProbes bounds how many numbers one request tries when
// numbers it derived are taken by resolutions still starting.
const maxResolutionProbes = 10

// resolutionPrefix is the normalised document number of meeting m's
// resolutions without K: "มติที่ประชุม ศปก.ครส. ครั้งที่ N/YYYY ข้อ".
func resolutionPrefix(m models.Meeting) string {
	return workflows.NormalizeDocNumber("มติที่ประชุม ศปก.ครส. ครั้งที่ " + fmtInt(m.Number) + "/" + fmtInt(m.YearBE) + " ข้อ")
}

// resolutionDocNumber is the document number of resolution k of meeting m.
func resolutionDocNumber(m models.Meeting, k int) string {
	return resolutionPrefix(m) + " " + fmtInt(k)
}

// resolutionNumber returns K of a normalised document number of meeting
// m's resolution, or 0 when it is not one.
func resolutionNumber(m models.Meeting, docNorm string) int {
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

// listMeetingDirectives returns the directives linked to meeting m:
// resolutions by K, then any others by issue date.
func listMeetingDirectives(ctx context.Context, db *gorm.DB, m models.Meeting) ([]MeetingDirectiveView, error) {
	var rows []models.Directive
	if err := db.WithContext(ctx).Where("meeting_id = ?", m.ID).Order("issue_date, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]MeetingDirectiveView, 0, len(rows))
	for _, r := range rows {
		out = append(out, MeetingDirectiveView{ID: r.ID, DocNumber: r.DocNumber, Number: resolutionNumber(m, r.DocNumberNorm),
			Subject: r.Subject, IssueDate: r.IssueDate, Urgency: r.Urgency, Status: r.Status,
			UnitsTotal: r.UnitsTotal, UnitsAssigned: r.UnitsAssigned, CreatedAt: r.CreatedAt})
	}
	slices.SortStableFunc(out, func(a, b MeetingDirectiveView) int {
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

// issueMeetingDirective answers POST /meetings/{id}/directives for the
// secretariat and admins: it issues a resolution of the meeting through
// the normal directive life cycle, linked to the meeting and numbered
// within it ("มติที่ประชุม ศปก.ครส. ครั้งที่ N/YYYY ข้อ K", K = 1, 2, …,
// never reused). K is one more than the highest K among the meeting's
// stored directives; a number taken meanwhile by a resolution still
// starting (its row not yet written) is skipped, so numbers stay unique
// without a lock. A cancelled meeting takes no resolutions (409); one not
// held yet does.
func issueMeetingDirective(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleSecretariat, models.RoleAdmin); err != nil {
			return err
		}
		var req MeetingDirectiveRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		m, err := loadMeeting(c, d)
		if err != nil {
			return err
		}
		if m.Status == models.MeetingCancelled {
			return apperr.New(apperr.Conflict, "การประชุมนี้ถูกยกเลิกแล้ว ออกมติที่ประชุมไม่ได้ (meeting cancelled: it takes no resolutions)")
		}
		ctx := c.UserContext()
		db := d.DB.WithContext(ctx)
		issuer := models.NationalUnitCode
		var s models.MeetingSeries
		if err := db.Where("id = ?", m.SeriesID).Take(&s).Error; err == nil && s.OrganiserCode != "" {
			issuer = s.OrganiserCode
		} else if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		var norms []string
		if err := db.Model(&models.Directive{}).Where("meeting_id = ?", m.ID).Pluck("doc_number_norm", &norms).Error; err != nil {
			return err
		}
		k := 1
		for _, n := range norms {
			k = max(k, resolutionNumber(m, n)+1)
		}
		issueDate := req.IssueDate
		if strings.TrimSpace(issueDate) == "" {
			issueDate = thaidate.FromTime(m.StartsAt).String()
		}
		meetingID := m.ID
		parsed, err := parseDirective(ctx, d.DB, DirectiveRequest{
			Source: "meeting", Issuer: issuer, DocNumber: resolutionDocNumber(m, k), IssueDate: issueDate,
			Urgency: req.Urgency, Subject: req.Subject, Body: req.Body, MeetingID: &meetingID, Policy: req.Policy, Items: req.Items,
		}, p.Username)
		if err != nil {
			return err
		}
		in := parsed.input
		for probe := 0; ; probe, k = probe+1, k+1 {
			if probe == maxResolutionProbes {
				return apperr.New(apperr.Conflict, "มีการออกมติที่ประชุมนี้พร้อมกันหลายรายการ กรุณาลองใหม่ (too many resolutions of this meeting issued at once; retry)")
			}
			in.Directive.DocNumber = resolutionDocNumber(m, k)
			in.Directive.DocNumberNorm = workflows.NormalizeDocNumber(in.Directive.DocNumber)
			in.Directive.ID = workflows.DirectiveKey(in.Directive.IssuerCode, in.Directive.DocNumberNorm)
			var other models.Directive
			if n := db.Where("issuer_code = ? AND doc_number_norm = ?", in.Directive.IssuerCode, in.Directive.DocNumberNorm).
				Limit(1).Find(&other).RowsAffected; n > 0 {
				if other.MeetingID == nil || *other.MeetingID != m.ID {
					// Another meeting (of another series) holds the number.
					return duplicateDirective(other.ID, in.Directive.DocNumber)
				}
				continue // written since the numbers were read
			}
			err := startDirective(ctx, d, in)
			if e := apperr.As(err); e != nil && e.Code == apperr.Conflict {
				continue // taken by a resolution still starting
			}
			if err != nil {
				return err
			}
			break
		}
		return c.Status(fiber.StatusAccepted).JSON(MeetingDirectiveAccepted{
			DirectiveAccepted: DirectiveAccepted{ID: in.Directive.ID, WorkflowID: workflows.DirectiveWorkflowID(in.Directive.ID),
				UnitsTotal: len(in.Targets), Items: len(in.Items), Status: "issuing"},
			MeetingID: m.ID, DocNumber: in.Directive.DocNumber, Number: k,
		})
	}
}
