package web

import (
	"context"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/dashboard"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// boardDirective is one open directive on the meeting board with the
// provinces still overdue on it.
type boardDirective struct {
	dashboard.DirectiveSummary
	Late []dashboard.ProvinceRow
}

// boardPage is the data of the meeting board.
type boardPage struct {
	meetings.MeetingDetail
	Participants []participantRow
	Present      int
	ByHead       int
	V            dashboard.View
	Directives   []boardDirective
	LiveTopic    string
}

// MeetingBoard is the full-screen board the secretariat projects during a
// meeting (GET /meetings/:id/board): the agenda's follow-up of the open
// directives with the provinces still overdue on each, the attendance as
// it is marked, the national progress, and the directives issued from
// the meeting, all live over /live. The secretariat and admins.
func (w *Pages) MeetingBoard(c *fiber.Ctx) error {
	p := principal(c)
	if err := p.Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
		return w.fail(c, err)
	}
	id := param(c, "id")
	d, err := w.d.Meetings.Meeting(c.UserContext(), p, id)
	if err != nil {
		return w.fail(c, err)
	}
	v, err := w.d.Dashboard.National(c.UserContext(), p, dashboard.Filter{})
	if err != nil {
		return w.fail(c, err)
	}
	rows, err := w.participants(c, d)
	if err != nil {
		return w.fail(c, err)
	}
	data := boardPage{MeetingDetail: d, Participants: rows, V: v, LiveTopic: "topic=meeting&id=" + url.QueryEscape(id)}
	for _, r := range rows {
		if r.Present {
			data.Present++
		}
		if r.Attendance != nil && r.Attendance.ByHead {
			data.ByHead++
		}
	}
	for i, dir := range v.Directives {
		bd := boardDirective{DirectiveSummary: dir}
		for _, prov := range v.Provinces {
			if prov.Cells[i].State == dashboard.CellOverdue {
				bd.Late = append(bd.Late, prov)
			}
		}
		data.Directives = append(data.Directives, bd)
	}
	return w.render(c, fiber.StatusOK, "board", "board_title", data)
}

// boardStamp stamps what meeting id's board shows: the national
// dashboard's stamp with the meeting's attendance, status and
// directives.
func (w *Pages) boardStamp(ctx context.Context, p *auth.Principal, id string) (string, error) {
	d, err := w.d.Meetings.Meeting(ctx, p, id)
	if err != nil {
		return "", err
	}
	v, err := w.d.Dashboard.National(ctx, p, dashboard.Filter{})
	if err != nil {
		return "", err
	}
	return boardStampOf(v, d), nil
}

// boardStampOf hashes the parts of a board that change: the dashboard's
// stamp, the attendance, the meeting's directives and status.
func boardStampOf(v dashboard.View, d meetings.MeetingDetail) string {
	s, _ := store.Stamp([]any{v.Stamp, d.Attendance, d.Directives, d.Meeting.Status})
	return s
}

// Stamp is what the board shows now, for its live region.
func (b boardPage) Stamp() string { return boardStampOf(b.V, b.MeetingDetail) }
