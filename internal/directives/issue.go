package directives

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/internal/engine"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// The form of POST /directives lives in package request, shared with the
// letter parser (internal/letters); these are its names here.
type (
	// DirectiveRequest is the body of POST /directives: a letter as it is
	// written (request.Directive).
	DirectiveRequest = request.Directive
	// PolicyRequest overrides the default clocks (request.Policy).
	PolicyRequest = request.Policy
	// ItemRequest is one numbered action item (request.Item).
	ItemRequest = request.Item
	// RecurrenceRequest makes an item a monthly report (request.Recurrence).
	RecurrenceRequest = request.Recurrence
)

// DirectiveAccepted answers POST /directives (202: the fan-out runs on).
type DirectiveAccepted struct {
	ID         string `json:"id"`
	WorkflowID string `json:"workflow_id"`
	UnitsTotal int    `json:"units_total"`
	Items      int    `json:"items"`
	Status     string `json:"status"`
}

var sources = []string{"meeting", "prime_minister", "ministry", "oncb", "province"}

var issuerCodeRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)

// parsedDirective is a validated request ready to start the workflow.
type parsedDirective struct {
	input workflows.DirectiveInput
}

// parseDirective validates the whole request, resolving targets against
// the unit table; it returns the first problem as a 422 naming the field
// (all unknown targets at once).
func parseDirective(ctx context.Context, db *gorm.DB, req DirectiveRequest, actor string) (*parsedDirective, error) {
	src := strings.TrimSpace(req.Source)
	if !contains(sources, src) {
		return nil, apperr.Field("source", "แหล่งที่มาต้องเป็นหนึ่งใน %s (source must be one of them)", strings.Join(sources, ", "))
	}
	if req.MeetingID != nil {
		var n int64
		if err := db.WithContext(ctx).Model(&models.Meeting{}).Where("id = ?", *req.MeetingID).Count(&n).Error; err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apperr.Field("meeting_id", "ไม่พบการประชุมรหัส %q (no meeting has this id)", *req.MeetingID)
		}
	}
	ix, err := loadUnitIndex(ctx, db)
	if err != nil {
		return nil, err
	}
	issuer := strings.TrimSpace(req.Issuer)
	issuerCode, ok := request.IssuerCode(issuer)
	if !ok {
		if u, found := ix.byCode[strings.ToUpper(issuer)]; found {
			issuerCode = u.Code
		} else if u, found := ix.byCode[issuer]; found {
			issuerCode = u.Code
		} else if pc, found := ix.names[normName(issuer)]; found {
			issuerCode = pc
		} else if issuerCodeRE.MatchString(issuer) {
			issuerCode = strings.ToUpper(issuer)
		} else {
			return nil, apperr.Field("issuer", "ไม่รู้จักหน่วยงานผู้ออกหนังสือ %q: ใช้ MOI, PM, ONCB, รหัสหน่วยงาน หรือรหัสภาษาอังกฤษสั้น ๆ (unknown issuer: use MOI, PM, ONCB, a unit code or a short ASCII code)", issuer)
		}
	}
	docNorm := workflows.NormalizeDocNumber(req.DocNumber)
	if docNorm == "" {
		return nil, apperr.Field("doc_number", "กรุณาระบุเลขที่หนังสือ เช่น ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗ (document number is required)")
	}
	issueDate, err := thaidate.Parse(req.IssueDate)
	if err != nil {
		return nil, apperr.Field("issue_date", "%v", err)
	}
	urgency, ok := request.Urgency(req.Urgency)
	if !ok {
		return nil, apperr.Field("urgency", "ชั้นความเร็วต้องเป็น ปกติ ด่วน ด่วนมาก หรือ ด่วนที่สุด (unknown urgency %q)", req.Urgency)
	}
	if strings.TrimSpace(req.Subject) == "" {
		return nil, apperr.Field("subject", "กรุณาระบุเรื่อง (subject is required)")
	}
	policy := workflows.DefaultPolicy(urgency)
	if req.Policy != nil {
		if policy, err = parsePolicy(*req.Policy, policy); err != nil {
			return nil, err
		}
	}
	if err := policy.Validate(); err != nil {
		return nil, err
	}
	if len(req.Items) == 0 {
		return nil, apperr.Field("items", "ต้องมีข้อสั่งการอย่างน้อยหนึ่งข้อ (at least one action item is required)")
	}
	items := make([]workflows.DirectiveItem, 0, len(req.Items))
	perItem := map[int][]string{}
	var unknown []UnknownTarget
	for i, it := range req.Items {
		field := fmt.Sprintf("items[%d]", i)
		if int(it.Number) != i+1 {
			return nil, apperr.Field(field+".number", "ข้อสั่งการต้องเรียงเลขข้อ ๑, ๒, ๓ … ตามลำดับ: ข้อที่ %d ควรเป็นข้อ %s (items must be numbered in sequence; expected %d)", i+1, thaidate.ToThaiDigits(fmt.Sprint(i+1)), i+1)
		}
		if strings.TrimSpace(it.Text) == "" {
			return nil, apperr.Field(field+".text", "กรุณาระบุข้อความของข้อสั่งการ (item text is required)")
		}
		item := workflows.DirectiveItem{Number: i + 1, Text: strings.TrimSpace(it.Text), Target: targetSpec(it.Targets), EvidenceRequired: it.EvidenceRequired}
		sys, ok := request.ReportSystem(it.ReportInto)
		if !ok {
			return nil, apperr.Field(field+".report_into", "ระบบรายงานต้องเป็น NISPA, บสต., MOI Drugs GIS หรือ none (unknown reporting system %q)", it.ReportInto)
		}
		item.ReportInto = sys
		if it.DueDate != "" && it.DueWithin != "" {
			return nil, apperr.Field(field+".due_date", "ระบุได้อย่างเดียว: due_date หรือ due_within (give either due_date or due_within)")
		}
		if it.DueDate != "" {
			due, err := thaidate.Parse(it.DueDate)
			if err != nil {
				return nil, apperr.Field(field+".due_date", "%v", err)
			}
			if due.Before(issueDate) {
				return nil, apperr.Field(field+".due_date", "วันครบกำหนด %s อยู่ก่อนวันที่ออกหนังสือ %s (due date is before the issue date)", thaidate.FormatBE(due), thaidate.FormatBE(issueDate))
			}
			item.DueDate = &due
		}
		if it.DueWithin != "" {
			span, err := workflows.ParseSpan(thaidate.NormalizeDigits(it.DueWithin))
			if err != nil || span.IsZero() {
				return nil, apperr.Field(field+".due_within", "ต้องเป็นจำนวนวันทำการ เช่น \"15\" หรือระยะเวลา ISO-8601 เช่น \"PT30S\" (working days or an ISO-8601 duration)")
			}
			item.DueWithin = &span
		}
		if it.Recurrence != nil {
			until, err := thaidate.Parse(it.Recurrence.Until)
			if err != nil {
				return nil, apperr.Field(field+".recurrence.until", "%v", err)
			}
			n := int(it.Recurrence.MonthlyWorkingDay)
			if n < 1 || n > 20 {
				return nil, apperr.Field(field+".recurrence.monthly_working_day", "ต้องเป็นวันทำการที่ 1–20 ของเดือน (must be 1–20)")
			}
			if until.Before(issueDate) {
				return nil, apperr.Field(field+".recurrence.until", "วันสิ้นสุดอยู่ก่อนวันที่ออกหนังสือ (until is before the issue date)")
			}
			item.Recurrence = &workflows.Recurrence{MonthlyWorkingDay: n, Until: until}
		}
		codes, unk := ix.resolveItemTargets(field+".targets", it.Targets)
		unknown = append(unknown, unk...)
		if len(unk) == 0 && len(codes) == 0 {
			return nil, apperr.Field(field+".targets", "ข้อนี้ยังไม่ได้ระบุหน่วยงานเป้าหมาย (no target units selected)")
		}
		perItem[i+1] = codes
		items = append(items, item)
	}
	if len(unknown) > 0 {
		return nil, unknownTargetsError(unknown)
	}
	holidays, err := store.ListHolidays(ctx, db, issueDate.String(), issueDate.AddDays(3*366).String())
	if err != nil {
		return nil, err
	}
	hs := make([]string, len(holidays))
	for i, h := range holidays {
		hs[i] = h.Date
	}
	id := workflows.DirectiveKey(issuerCode, docNorm)
	return &parsedDirective{input: workflows.DirectiveInput{
		Directive: workflows.Directive{
			ID: id, Source: src, IssuerCode: issuerCode, DocNumber: strings.TrimSpace(req.DocNumber), DocNumberNorm: docNorm,
			IssueDate: issueDate, Urgency: urgency, Subject: strings.TrimSpace(req.Subject), Body: req.Body,
			MeetingID: req.MeetingID, CreatedBy: actor,
		},
		Items:    items,
		Targets:  ix.unitTargets(perItem),
		Policy:   policy,
		Holidays: hs,
		Actor:    actor,
	}}, nil
}

func parsePolicy(p PolicyRequest, def workflows.Policy) (workflows.Policy, error) {
	span := func(field, s string) (workflows.Span, error) {
		v, err := workflows.ParseSpan(thaidate.NormalizeDigits(strings.TrimSpace(s)))
		if err != nil {
			return v, apperr.Field(field, "ต้องเป็นจำนวนวันทำการ เช่น \"3\" หรือระยะเวลา ISO-8601 เช่น \"PT30S\" (working days or an ISO-8601 duration)")
		}
		return v, nil
	}
	var err error
	if p.AckWithin != "" {
		if def.AckWithin, err = span("policy.ack_within", p.AckWithin); err != nil {
			return def, err
		}
	}
	if p.Reminders != nil {
		def.Reminders = nil
		for i, r := range p.Reminders {
			s, err := span(fmt.Sprintf("policy.reminders[%d]", i), r)
			if err != nil {
				return def, err
			}
			def.Reminders = append(def.Reminders, s)
		}
	}
	if p.Escalations != nil {
		if len(p.Escalations) != 3 {
			return def, apperr.Field("policy.escalations", "ต้องระบุ 3 ระดับ: ระดับ 1 (หน่วยงาน) 2 (หัวหน้าหน่วยเหนือ) 3 (ผู้ตรวจราชการ) (three levels required)")
		}
		for i, e := range p.Escalations {
			if def.Escalations[i], err = span(fmt.Sprintf("policy.escalations[%d]", i), e); err != nil {
				return def, err
			}
		}
	}
	return def, nil
}

func (s *service) Issue(ctx context.Context, p *auth.Principal, req DirectiveRequest) (DirectiveAccepted, error) {
	if err := requireIssuer(p); err != nil {
		return DirectiveAccepted{}, err
	}
	parsed, err := parseDirective(ctx, s.DB, req, p.Username)
	if err != nil {
		return DirectiveAccepted{}, err
	}
	in := parsed.input
	if err := s.start(ctx, in); err != nil {
		return DirectiveAccepted{}, err
	}
	return DirectiveAccepted{
		ID: in.Directive.ID, WorkflowID: workflows.DirectiveWorkflowID(in.Directive.ID),
		UnitsTotal: len(in.Targets), Items: len(in.Items), Status: "issuing",
	}, nil
}

// start starts the DirectiveWorkflow of a parsed directive. A
// directive with the same issuer and document number, stored or still
// starting, is a 409 naming it (the workflow ID, derived from both,
// admits one); a missing workflow engine is 503.
func (s *service) start(ctx context.Context, in workflows.DirectiveInput) error {
	var existing models.Directive
	if n := s.db(ctx).Where("issuer_code = ? AND doc_number_norm = ?", in.Directive.IssuerCode, in.Directive.DocNumberNorm).
		Limit(1).Find(&existing).RowsAffected; n > 0 {
		return duplicateDirective(existing.ID, in.Directive.DocNumber)
	}
	if s.Temporal == nil {
		return engine.ErrUnavailable()
	}
	in, err := s.storeDirectiveTexts(ctx, in)
	if err != nil {
		return err
	}
	if err := engine.CheckSize("directive", in, engine.MaxStartBytes); err != nil {
		return err
	}
	_, err = s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       workflows.DirectiveWorkflowID(in.Directive.ID),
		TaskQueue:                                s.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.DirectiveWorkflowType, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return duplicateDirective(in.Directive.ID, in.Directive.DocNumber)
	}
	return err
}

func duplicateDirective(id, doc string) error {
	return apperr.New(apperr.Conflict, "หนังสือเลขที่ %q จากผู้ออกหนังสือนี้ถูกบันทึกแล้ว รหัส %s (this document number was already issued by the same issuer)", doc, id).
		WithDetails(map[string]string{"directive_id": id})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// storeDirectiveTexts stores the body and the item texts of in
// (store.SaveTexts) and returns in carrying their refs instead, so the
// workflows never carry them (models.TextRef).
func (s *service) storeDirectiveTexts(ctx context.Context, in workflows.DirectiveInput) (workflows.DirectiveInput, error) {
	texts := []string{in.Directive.Body}
	for _, it := range in.Items {
		texts = append(texts, it.Text)
	}
	refs, err := store.SaveTexts(ctx, s.DB, texts...)
	if err != nil {
		return in, err
	}
	in.Directive.Body, in.Directive.BodyRef = "", refs[0]
	items := make([]workflows.DirectiveItem, len(in.Items))
	for i, it := range in.Items {
		it.Text, it.TextRef = "", refs[i+1]
		items[i] = it
	}
	in.Items = items
	return in, nil
}
