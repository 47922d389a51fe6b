package request_test

import (
	"testing"

	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/workflows"
)

// TestVocabulary: the words the form accepts, as the letter parser
// produces them and as people type them.
func TestVocabulary(t *testing.T) {
	for in, want := range map[string]workflows.Urgency{
		"ด่วนที่สุด": workflows.UrgencyMostUrgent, " most_urgent ": workflows.UrgencyMostUrgent, "ด่วนมาก": workflows.UrgencyVeryUrgent,
		"Very_Urgent": workflows.UrgencyVeryUrgent, "ด่วน": workflows.UrgencyUrgent, "ปกติ": workflows.UrgencyNormal, "normal": workflows.UrgencyNormal,
	} {
		if got, ok := request.Urgency(in); !ok || got != want {
			t.Errorf("Urgency(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := request.Urgency("ด่วนพิเศษ"); ok {
		t.Error("ด่วนพิเศษ accepted")
	}
	for in, want := range map[string]string{
		"กระทรวงมหาดไทย": "MOI", "มท": "MOI", " moi ": "MOI", "สำนักนายกรัฐมนตรี": "PM",
		"สำนักงาน ป.ป.ส.": "ONCB", "สำนักงานคณะกรรมการป้องกันและปราบปรามยาเสพติด": "ONCB",
	} {
		if got, ok := request.IssuerCode(in); !ok || got != want {
			t.Errorf("IssuerCode(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := request.IssuerCode("กระทรวงยุติธรรม"); ok {
		t.Error("กระทรวงยุติธรรม has no code yet")
	}
	for in, want := range map[string]string{"": "none", "NISPA": "NISPA", "บสต": "บสต.", "moi drugs gis": "MOI Drugs GIS", "GIS": "MOI Drugs GIS"} {
		if got, ok := request.ReportSystem(in); !ok || got != want {
			t.Errorf("ReportSystem(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := request.ReportSystem("LINE"); ok {
		t.Error("LINE accepted")
	}
}
