package activities_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestBuildFollowUpOnlyEarlierMeetings: a meeting's follow-up lists open
// directives of meetings that started before it, never its own, a later
// meeting's, or withdrawn ones.
func TestBuildFollowUpOnlyEarlierMeetings(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		now := time.Date(2026, 11, 11, 6, 30, 0, 0, time.UTC)
		if err := db.Create(&models.MeetingSeries{ID: "s1", Name: "ประชุม ศปก.ครส.", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
		for i, id := range []string{"m1", "m2", "m3"} {
			start := now.AddDate(0, 0, 14*i)
			m := models.Meeting{ID: id, SeriesID: "s1", YearBE: 2569, Number: i + 1, StartsAt: start, EndsAt: start.Add(2 * time.Hour),
				Status: models.MeetingStatus("scheduled"), CreatedAt: now, UpdatedAt: now}
			if err := db.Create(&m).Error; err != nil {
				t.Fatal(err)
			}
		}
		directive := func(id, meeting string, status models.DirectiveStatus) {
			mid := meeting
			d := models.Directive{ID: id, Source: "meeting", IssuerCode: "ONCB", DocNumber: id, DocNumberNorm: id, IssueDate: "2026-11-11",
				Urgency: "normal", Subject: "มติ " + id, MeetingID: &mid, Status: status, CreatedAt: now, UpdatedAt: now}
			if err := db.Create(&d).Error; err != nil {
				t.Fatal(err)
			}
		}
		directive("d1", "m1", models.DirectiveIssued)
		directive("d1w", "m1", models.DirectiveWithdrawn)
		directive("d2", "m2", models.DirectiveIssued)
		directive("d3", "m3", models.DirectiveIssued)

		a := &activities.Meetings{DB: db}
		ids := func(meeting string) []string {
			fu, err := a.BuildFollowUp(ctx, activities.FollowUpInput{MeetingID: meeting})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, f := range fu {
				out = append(out, f.DirectiveID)
			}
			return out
		}
		if got := ids("m1"); len(got) != 0 {
			t.Fatalf("first meeting follows up %v, want nothing", got)
		}
		if got := ids("m2"); len(got) != 1 || got[0] != "d1" {
			t.Fatalf("second meeting follows up %v, want [d1]", got)
		}
		if got := ids("m3"); len(got) != 2 || got[0] != "d1" || got[1] != "d2" {
			t.Fatalf("third meeting follows up %v, want [d1 d2]", got)
		}
	})
}
