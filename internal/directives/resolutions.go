package directives

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// MeetingDirectiveRequest is the body of POST /meetings/{id}/directives:
// a resolution of the meeting (มติที่ประชุม), written as POST /directives
// takes it but without source, issuer and document number, which the
// meeting gives. IssueDate defaults to the meeting's date (Bangkok).
type MeetingDirectiveRequest struct {
	IssueDate string         `json:"issue_date,omitempty" validate:"max=40,singleline"`
	Urgency   string         `json:"urgency" validate:"max=32,singleline"`
	Subject   string         `json:"subject" validate:"max=500,singleline"`
	Body      string         `json:"body" validate:"max=20000"`
	Policy    *PolicyRequest `json:"policy,omitempty"`
	Items     []ItemRequest  `json:"items" validate:"max=100,dive"`
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

// maxResolutionProbes bounds how many numbers one request tries when
// numbers it derived are taken by resolutions still starting.
const maxResolutionProbes = 10

// issueMeetingDirective answers POST /meetings/{id}/directives for the
// secretariat and admins: it issues a resolution of the meeting through
// the normal directive life cycle, linked to the meeting and numbered
// within it ("มติที่ประชุม ศปก.ครส. ครั้งที่ N/YYYY ข้อ K", K = 1, 2, …,
// never reused). K is one more than the highest K among the meeting's
// stored directives; a number taken meanwhile by a resolution still
// starting (its row not yet written) is skipped, so numbers stay unique
// without a lock. A cancelled meeting takes no resolutions (409); one not
// held yet does.
func (s *service) IssueResolution(ctx context.Context, p *auth.Principal, meetingID string, req MeetingDirectiveRequest) (MeetingDirectiveAccepted, error) {
	var accepted MeetingDirectiveAccepted
	if err := requireIssuer(p); err != nil {
		return accepted, err
	}
	m, err := meetings.Find(ctx, s.DB, meetingID)
	if err != nil {
		return accepted, err
	}
	if m.Status == models.MeetingCancelled {
		return accepted, apperr.New(apperr.Conflict, "การประชุมนี้ถูกยกเลิกแล้ว ออกมติที่ประชุมไม่ได้ (meeting cancelled: it takes no resolutions)")
	}
	db := s.db(ctx)
	issuer := models.NationalUnitCode
	var series models.MeetingSeries
	if err := db.Where("id = ?", m.SeriesID).Take(&series).Error; err == nil && series.OrganiserCode != "" {
		issuer = series.OrganiserCode
	} else if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return accepted, err
	}
	var norms []string
	if err := db.Model(&models.Directive{}).Where("meeting_id = ?", m.ID).Pluck("doc_number_norm", &norms).Error; err != nil {
		return accepted, err
	}
	k := 1
	for _, n := range norms {
		k = max(k, meetings.ResolutionNumber(m, n)+1)
	}
	issueDate := req.IssueDate
	if strings.TrimSpace(issueDate) == "" {
		issueDate = thaidate.FromTime(m.StartsAt).String()
	}
	mid := m.ID
	parsed, err := parseDirective(ctx, s.DB, DirectiveRequest{
		Source: "meeting", Issuer: issuer, DocNumber: meetings.ResolutionDocNumber(m, k), IssueDate: issueDate,
		Urgency: req.Urgency, Subject: req.Subject, Body: req.Body, MeetingID: &mid, Policy: req.Policy, Items: req.Items,
	}, p.Username)
	if err != nil {
		return accepted, err
	}
	in := parsed.input
	for probe := 0; ; probe, k = probe+1, k+1 {
		if probe == maxResolutionProbes {
			return accepted, apperr.New(apperr.Conflict, "มีการออกมติที่ประชุมนี้พร้อมกันหลายรายการ กรุณาลองใหม่ (too many resolutions of this meeting issued at once; retry)")
		}
		in.Directive.DocNumber = meetings.ResolutionDocNumber(m, k)
		in.Directive.DocNumberNorm = workflows.NormalizeDocNumber(in.Directive.DocNumber)
		in.Directive.ID = workflows.DirectiveKey(in.Directive.IssuerCode, in.Directive.DocNumberNorm)
		var other models.Directive
		if n := db.Where("issuer_code = ? AND doc_number_norm = ?", in.Directive.IssuerCode, in.Directive.DocNumberNorm).
			Limit(1).Find(&other).RowsAffected; n > 0 {
			if other.MeetingID == nil || *other.MeetingID != m.ID {
				// Another meeting (of another series) holds the number.
				return accepted, duplicateDirective(other.ID, in.Directive.DocNumber)
			}
			continue // written since the numbers were read
		}
		err := s.start(ctx, in)
		if e := apperr.As(err); e != nil && e.Code == apperr.Conflict {
			continue // taken by a resolution still starting
		}
		if err != nil {
			return accepted, err
		}
		break
	}
	return MeetingDirectiveAccepted{
		DirectiveAccepted: DirectiveAccepted{ID: in.Directive.ID, WorkflowID: workflows.DirectiveWorkflowID(in.Directive.ID),
			UnitsTotal: len(in.Targets), Items: len(in.Items), Status: "issuing"},
		MeetingID: m.ID, DocNumber: in.Directive.DocNumber, Number: k,
	}, nil
}
