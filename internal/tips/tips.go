// Package tips is the confidential tip-off channel of issue #15, the
// informant's side: a member of the public, with no account, sends a tip
// about drug crime (or officials involved in it) to a province, gets a
// receipt code shown once, and with that code reads the tip's status and
// conversation and adds messages.
//
// What is stored protects the informant. No address, user agent or time of
// day is kept with a tip, only the civil day (Asia/Bangkok). The texts are
// sealed at rest with NaCl secretbox under a 32-byte key (Key: from
// TIDTAM_TIP_KEY or generated into the data folder). The receipt code (20
// random digits) is stored as an argon2id hash to verify it, beside a
// keyed HMAC-SHA256 to find the row without a scan; the client's
// submission ID as a keyed HMAC, so a retry of a submission answers the
// same receipt (kept sealed for that purpose) and stores nothing new.
// Guesses of receipts and submissions are throttled per client address in
// memory only (Throttle); addresses are never written anywhere. An address
// over the submission throttle may still send a tip by solving a
// self-hosted challenge (Challenges: digits drawn by github.com/dchest/
// captcha, sealed into the challenge's ID, each answered once). Files
// (photos, PDFs) come with a tip or at follow-up, are checked in memory,
// photos stripped of their metadata, and sealed like the texts.
//
// Service is what the JSON handlers (package api) and the web pages call.
// Errors are *apperr.Error values (Invalid with Field, NotFound,
// TooManyRequests with RetryAfter) or, for an unreachable database, the
// error as it is.
package tips

import (
	"context"
	"time"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
)

// Limits of what an informant sends.
const (
	// MaxTextRunes bounds a tip's text and a message (characters).
	MaxTextRunes = 5000
	// MaxWhenRunes bounds the free-text "when" of a tip.
	MaxWhenRunes = 200
	// MaxSubmissionID bounds the client's submission ID (bytes).
	MaxSubmissionID = 100
	// ReceiptDigits is the length of a receipt code.
	ReceiptDigits = 20
	// MaxFiles bounds the files of one tip.
	MaxFiles = 5
	// MaxFileBytes bounds one file of a tip as sent (bytes).
	MaxFileBytes = 5 << 20
	// MaxFilesBytes bounds all the files of one tip together, as sent.
	MaxFilesBytes = 15 << 20
	// MaxTipFiles bounds the files a tip holds in all: those sent with it
	// and those added at follow-up (each request within MaxFiles and
	// MaxFilesBytes).
	MaxTipFiles = 25
)

// FileTypes are the extensions a tip's file may have: photos (whose
// metadata is stripped) and PDF documents (stored as checked).
var FileTypes = []string{".jpg", ".jpeg", ".png", ".pdf"}

// Service is the tips domain, informant's side. Implementation:
// NewService. No method takes a principal: the informant has no account,
// and nothing about the caller is stored.
type Service interface {
	// Provinces returns every province (code and names) in code order, for
	// choosing where a tip goes. Anyone.
	Provinces(ctx context.Context) ([]Place, error)

	// Province returns the province code with its districts in code order.
	// NotFound when code is not a province.
	Province(ctx context.Context, code string) (Place, []Place, error)

	// Target returns where a printed QR code of unit code leads: Path is
	// "/tip/{province}" for a province, "/tip/{province}?district={code}"
	// for a district (preselected), with the unit and its province.
	// NotFound for any other code.
	Target(ctx context.Context, code string) (Target, error)

	// Submit stores a tip and returns its receipt code, which is shown
	// once and cannot be recovered by anyone but the informant. Invalid
	// with Field: "province_code" not a province; "district_code" not a
	// district of that province; "text" blank or over MaxTextRunes;
	// "when" over MaxWhenRunes; "submission_id" blank or over
	// MaxSubmissionID bytes. A retry with the same SubmissionID returns
	// the same receipt and stores nothing (whatever else the retry
	// carries). TooManyRequests (with RetryAfter) when the client address
	// in the context (reqctx) has sent too many tips lately, with a new
	// Challenge in its Details (ChallengeDetails): the same input sent
	// again with ChallengeID and ChallengeAnswer solved is stored (the
	// challenge is checked only for an address over the throttle, and
	// spent right or wrong); a wrong, expired or spent one is
	// TooManyRequests again with a new challenge and Field
	// "challenge_answer" or "challenge_id". The tip is
	// routed (models.TipRoute*): with OfficialsInvolved to the province
	// head and the region's inspector, never to a district; otherwise to
	// the district given, else to the province.
	Submit(ctx context.Context, in SubmitInput) (Receipt, error)

	// ChallengeImage returns challenge id (Challenge.ID, from Submit's
	// TooManyRequests) as a PNG; ChallengeAudio as a WAV of its digits
	// read in English. Anyone. NotFound for an ID not made by this
	// service's key, or expired.
	ChallengeImage(ctx context.Context, id string) ([]byte, error)
	ChallengeAudio(ctx context.Context, id string) ([]byte, error)

	// FollowUp returns the tip of receipt: status, texts and messages.
	// Spaces, dashes and Thai digits in receipt are ignored/accepted.
	// NotFound, saying nothing more, for any code that is not a tip's;
	// TooManyRequests (with RetryAfter) when the client address has
	// guessed wrong too often lately (checked before anything else).
	FollowUp(ctx context.Context, receipt string) (TipView, error)

	// List returns the tips routed to the caller, newest first, with
	// their content, and audits each tip shown (tip.read on tip/<id>, the
	// reader and the request ID; nothing about the informant). Province
	// accounts see their province's tips; district accounts the tips
	// routed to their district (never one involving officials);
	// inspectors the tips of their regions that involve officials or
	// reached escalation level 3; the secretariat only the tips a
	// province referred up (Counts gives it the national picture). Admin
	// and observer accounts see no content (Forbidden); Unauthorized for
	// a nil principal.
	List(ctx context.Context, p *auth.Principal, w listing.Window) (listing.Page[OfficerView], error)

	// Reply adds an officer's message (a question or a note to the
	// informant, who reads it at follow-up) to tip id, sealed like the
	// tip's text, audits it (tip.reply on tip/<id>, without the text) and
	// returns the tip as List does (its read audited too). Only an
	// officer the tip is routed to (as List); Forbidden for other roles
	// and read-only tokens; NotFound for a tip outside the caller's
	// scope; Invalid with Field "text" when blank or over MaxTextRunes.
	Reply(ctx context.Context, p *auth.Principal, id int64, text string) (OfficerView, error)

	// Counts returns the national picture without any content: per
	// province (code order, only provinces with tips), the tips by status
	// (stage), how many involve officials, are overdue now, escalated
	// and referred up. Secretariat, admin and observer
	// accounts (Forbidden otherwise; Unauthorized for nil). Reads no
	// text, so it is not audited.
	Counts(ctx context.Context, p *auth.Principal) ([]ProvinceCount, error)

	// File returns file seq (1, 2, …) of tip id, decrypted, to an officer
	// who may read the tip (as List), and audits the read (tip.file.read
	// on tip/<id>, with the file's number). NotFound for a tip outside the
	// caller's scope or no such file; Forbidden and Unauthorized as List.
	File(ctx context.Context, p *auth.Principal, id int64, seq int) (FileContent, error)

	// Get returns tip id with its content, to an officer who may read it
	// (as List; the secretariat once a province referred it up), and
	// audits the read (tip.read). NotFound outside the caller's scope;
	// Forbidden for admins and observers; Unauthorized for nil.
	Get(ctx context.Context, p *auth.Principal, id int64) (OfficerView, error)

	// Acknowledge acknowledges tip id for the caller's unit, which must
	// handle it (the unit it is routed to; the province for a tip
	// involving officials): an Update of the tip's workflow, audited
	// (tip.acknowledge). A second acknowledgement changes nothing. Returns
	// the tip as Get does (read audited). NotFound outside the caller's
	// scope; Forbidden when the caller's unit does not handle the tip or
	// for a read-only token; Conflict when the tip is closed; Unavailable
	// when the workflow engine does not answer (nothing changed).
	Acknowledge(ctx context.Context, p *auth.Principal, id int64) (OfficerView, error)

	// Forward hands tip id, routed to the caller's province, to one of
	// the province's districts, which then must acknowledge and act
	// (deadlines counted again from now), audited (tip.forward). Invalid
	// with Field "district_code" when it is not a district of the tip's
	// province; Conflict for a tip involving officials or already with a
	// district; otherwise as Acknowledge.
	Forward(ctx context.Context, p *auth.Principal, id int64, districtCode string) (OfficerView, error)

	// ChangeStage moves tip id to in.Stage (later stages only, see
	// workflows.TipStageAllowed; it acknowledges the tip too), audited
	// (tip.stage, with the stage and agency, never the note). The note,
	// if any, is stored sealed as an officer's message before the Update
	// and removed again if the workflow refuses the change. Invalid with
	// Field "stage" (unknown), "agency" (missing for referred, given for
	// another stage, too long or more than one line), "note" (over
	// MaxTextRunes); Conflict with Field "stage" for a stage not after
	// the current one; otherwise as Acknowledge.
	ChangeStage(ctx context.Context, p *auth.Principal, id int64, in StageInput) (OfficerView, error)

	// ReferUp refers tip id up to the secretariat, which may then read
	// it, audited (tip.refer_up). Only the province handling the tip;
	// Conflict for a tip forwarded to a district; otherwise as
	// Acknowledge.
	ReferUp(ctx context.Context, p *auth.Principal, id int64) (OfficerView, error)

	// AddMessage adds the informant's message text and files to the tip
	// of receipt and returns the tip as FollowUp does. The files are
	// checked, stripped of metadata and sealed exactly as Submit's
	// (SubmitInput.Files: at most MaxFiles, MaxFileBytes each,
	// MaxFilesBytes together, of FileTypes) and numbered after the tip's
	// earlier files, so officers list and download them like those sent
	// with the tip; text may be blank when files are given (then no
	// message is added). Errors as FollowUp; Invalid with Field "text"
	// when blank without files or over MaxTextRunes, "files" or "files[i]"
	// as Submit, "files" also when the tip would hold more than
	// MaxTipFiles. Nothing is stored when any of it is refused.
	AddMessage(ctx context.Context, receipt, text string, files []FileInput) (TipView, error)
}

// Place is a province or district: its code and names.
type Place struct {
	Code   string `json:"code"`
	NameTH string `json:"name_th"`
	NameEN string `json:"name_en"`
}

// Target is the tip form of a province or district (Service.Target).
type Target struct {
	Path     string
	Unit     Place
	Province Place
	District bool
}

// SubmitInput is the body of POST /api/v1/tips.
type SubmitInput struct {
	ProvinceCode      string `json:"province_code" validate:"max=32,singleline"`
	DistrictCode      string `json:"district_code,omitempty" validate:"max=32,singleline"`
	Text              string `json:"text" validate:"max=5000"`
	When              string `json:"when,omitempty" validate:"max=200,singleline"`
	OfficialsInvolved bool   `json:"officials_involved"`
	SubmissionID      string `json:"submission_id" validate:"max=100,singleline"`
	// ChallengeID and ChallengeAnswer answer the Challenge of an earlier
	// TooManyRequests (ignored while the address is within the throttle).
	ChallengeID     string `json:"challenge_id,omitempty" validate:"max=200,singleline"`
	ChallengeAnswer string `json:"challenge_answer,omitempty" validate:"max=64,singleline"`
	// Files are the informant's photos and documents (multipart only):
	// at most MaxFiles, each at most MaxFileBytes and together at most
	// MaxFilesBytes, of FileTypes. Invalid with Field "files" for too
	// many or too large together, "files[i]" for a file refused (too
	// large, no name, type not accepted, content not of its type). JPEG
	// and PNG are decoded and encoded again before they are sealed, which
	// drops EXIF (GPS included) and every other metadata; PDFs are sealed
	// as checked.
	Files []FileInput `json:"-"`
}

// FileInput is one file sent with a tip: its name as sent and its content,
// held in memory only.
type FileInput struct {
	Name string
	Data []byte
}

// FileView is one file of a tip as listed: its number (for download by
// officers), name, content type and size in bytes as stored.
type FileView struct {
	Seq         int    `json:"seq"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// FileContent is a tip's file opened for an officer (Service.File).
type FileContent struct {
	Name        string
	ContentType string
	Data        []byte
}

// Receipt is what a submission answers: the receipt code (ReceiptDigits
// digits), to be kept by the informant.
type Receipt struct {
	Receipt string `json:"receipt"`
}

// TipView is a tip as its informant reads it with the receipt code.
type TipView struct {
	Status            string        `json:"status"`
	ProvinceCode      string        `json:"province_code"`
	DistrictCode      string        `json:"district_code,omitempty"`
	Text              string        `json:"text"`
	When              string        `json:"when,omitempty"`
	OfficialsInvolved bool          `json:"officials_involved"`
	SubmittedOn       string        `json:"submitted_on"`
	Messages          []MessageView `json:"messages"`
	Files             []FileView    `json:"files"`
}

// OfficerView is a tip as the officers it is routed to read it: its ID,
// where it is and where it goes, the informant's texts, and its workflow's
// state: the pending deadline (DueAt: acknowledgement, then first action;
// Overdue when it has passed), the acknowledgement, the first action, the
// agency it was referred to, whether it was referred up to the
// secretariat, the highest escalation level reached, and whether its
// workflow has started (false while Temporal was unreachable).
type OfficerView struct {
	ID               int64      `json:"id"`
	Route            string     `json:"route"`
	RouteUnitCode    string     `json:"route_unit_code"`
	InspectionRegion *int       `json:"inspection_region,omitempty"`
	DueAt            *time.Time `json:"due_at,omitempty"`
	Overdue          bool       `json:"overdue"`
	AcknowledgedAt   *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgedBy   string     `json:"acknowledged_by,omitempty"`
	FirstActionAt    *time.Time `json:"first_action_at,omitempty"`
	Agency           string     `json:"agency,omitempty"`
	ReferredUp       bool       `json:"referred_up"`
	EscalationLevel  int        `json:"escalation_level"`
	WorkflowStarted  bool       `json:"workflow_started"`
	TipView
}

// ProvinceCount is one province's tips in Service.Counts: how many, by
// stage (ByStatus), involving officials, overdue now (acknowledgement or
// first action), escalated (level 2 or more) and referred up.
type ProvinceCount struct {
	ProvinceCode string         `json:"province_code"`
	Total        int64          `json:"total"`
	ByStatus     map[string]int `json:"by_status"`
	Officials    int64          `json:"officials_involved"`
	Overdue      int64          `json:"overdue"`
	Escalated    int64          `json:"escalated"`
	ReferredUp   int64          `json:"referred_up"`
}

// StageInput is an officer's change of a tip's stage (Service.ChangeStage):
// the new stage (models.TipStages after received), the agency for
// models.TipReferred (at most workflows.TipMaxAgencyRunes, one line), and
// an optional note to the informant (at most MaxTextRunes), sealed and
// added to the tip's messages, which the informant reads at follow-up.
type StageInput struct {
	Stage  string
	Agency string
	Note   string
}

// MessageView is one message of a tip's conversation: its author
// (models.TipByInformant or models.TipByOfficer), text and civil day.
type MessageView struct {
	Author string `json:"author"`
	Text   string `json:"text"`
	SentOn string `json:"sent_on"`
}
