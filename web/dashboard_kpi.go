package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/kpi"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// currentScheme picks the KPI scheme a dashboard shows: the newest whose
// assessment period holds today (Asia/Bangkok), else the newest; ok is
// false when there is none or the reader may not list them.
func (w *Pages) currentScheme(c *fiber.Ctx) (kpi.SchemeView, bool) {
	page, err := w.d.KPI.ListSchemes(c.UserContext(), principal(c))
	if err != nil || len(page.Items) == 0 {
		return kpi.SchemeView{}, false
	}
	today := thaidate.FromTime(w.now()).String()
	for _, s := range page.Items { // newest first
		if s.PeriodFrom <= today && today <= s.PeriodTo {
			return s, true
		}
	}
	return page.Items[0], true
}

// provinceKPI is a province's score in the current scheme, for its page.
type provinceKPI struct {
	Scheme kpi.SchemeView
	Score  float64
	Rank   int
	Ranked int
}

// provinceScore reads province code's score and rank in the current KPI
// scheme; nil when there is no scheme or it cannot be read (the page then
// shows no score rather than failing).
func (w *Pages) provinceScore(c *fiber.Ctx, code string) *provinceKPI {
	s, ok := w.currentScheme(c)
	if !ok {
		return nil
	}
	b, err := w.d.KPI.Breakdown(c.UserContext(), principal(c), s.ID, code)
	if err != nil {
		return nil
	}
	return &provinceKPI{Scheme: s, Score: b.Score, Rank: b.Rank, Ranked: b.Ranked}
}

// kpiTiles are the provinces' total scores in the current scheme, by
// province code, for colouring the tile map; nil when there is none.
func (w *Pages) kpiTiles(c *fiber.Ctx) (map[string]float64, kpi.SchemeView) {
	s, ok := w.currentScheme(c)
	if !ok {
		return nil, s
	}
	board, err := w.d.KPI.Scores(c.UserContext(), principal(c), s.ID)
	if err != nil {
		return nil, s
	}
	out := make(map[string]float64, len(board.Items))
	for _, it := range board.Items {
		out[it.UnitCode] = it.Score
	}
	return out, s
}
