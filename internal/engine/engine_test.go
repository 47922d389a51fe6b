package engine

import (
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/apperr"
)

// TestCheckPayload refuses an Update argument over MaxUpdateBytes before
// anything is sent, and lets an ordinary one through.
func TestCheckPayload(t *testing.T) {
	if err := checkPayload("amend", map[string]string{"reason": "น้ำท่วม"}); err != nil {
		t.Fatalf("small argument: %v", err)
	}
	err := checkPayload("amend", map[string]string{"reason": strings.Repeat("x", MaxUpdateBytes)})
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("large argument: %v, want invalid", err)
	}
}
