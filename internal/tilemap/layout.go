// Package tilemap draws the 77 provinces of Thailand as a square-tile
// cartogram: one equal square per province, laid out from the real
// relative positions of the provinces' capitals (refdata.ProvincePositions),
// so that Chiang Rai is at the top, Narathiwat and Yala at the bottom,
// Ubon Ratchathani on the right, Kanchanaburi on the left and Bangkok in
// the centre-south, and every province is as easy to see and to click as
// Bangkok. No map data is needed at run time.
//
// Provinces returns the layout (computed once, deterministic); SVG renders
// it as an inline, accessible SVG coloured by a value per province:
//
//	html := tilemap.SVG(tilemap.Provinces(), cells, tilemap.Options{Title: "อัตราตรงเวลา"})
package tilemap

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/tidtam/tidtam/internal/refdata"
)

// Tile is one province's square on the grid; Col grows to the east, Row
// to the south, both from 0.
type Tile struct {
	Code   string
	NameTH string
	NameEN string
	// AbbrTH is the province's Thai abbreviation (ชม, กทม, …), written on
	// its tile.
	AbbrTH   string
	Col, Row int
}

// Layout is a grid of tiles: Cols × Rows cells, one tile per province,
// in the order of their codes.
type Layout struct {
	Cols, Rows int
	Tiles      []Tile
}

// Point is a place to lay out: an ID and its position in degrees.
type Point struct {
	ID       string
	Lat, Lon float64
}

// Cell is a grid cell.
type Cell struct{ Col, Row int }

// Arrange places each point on its own cell of a square grid whose cells
// are cellDeg degrees wide (longitude scaled by the cosine of the mean
// latitude, so cells are square on the ground). Points are placed one at a
// time, those in the most crowded places first (by how many other points
// lie within 1.5 cells, ties by ID): each takes the free cell nearest to
// its scaled position (ties: the smaller row, then the smaller column).
// Pairs of tiles are then swapped while a swap brings the two nearer to
// their positions (sum of squared distances). The grid is then trimmed to the cells used. The result depends on
// nothing but the input: the same points give the same cells.
func Arrange(points []Point, cellDeg float64) map[string]Cell {
	if len(points) == 0 || cellDeg <= 0 {
		return map[string]Cell{}
	}
	minLon, maxLat, meanLat := math.Inf(1), math.Inf(-1), 0.0
	for _, p := range points {
		minLon, maxLat = min(minLon, p.Lon), max(maxLat, p.Lat)
		meanLat += p.Lat
	}
	kx := math.Cos(meanLat / float64(len(points)) * math.Pi / 180)
	type ideal struct {
		id     string
		x, y   float64
		crowd  int
		placed Cell
	}
	ps := make([]*ideal, len(points))
	for i, p := range points {
		ps[i] = &ideal{id: p.ID, x: (p.Lon - minLon) * kx / cellDeg, y: (maxLat - p.Lat) / cellDeg}
	}
	for _, a := range ps {
		for _, b := range ps {
			if a != b && math.Hypot(a.x-b.x, a.y-b.y) < 1.5 {
				a.crowd++
			}
		}
	}
	order := slices.Clone(ps)
	slices.SortFunc(order, func(a, b *ideal) int {
		return cmp.Or(cmp.Compare(b.crowd, a.crowd), cmp.Compare(a.id, b.id))
	})
	used := map[Cell]bool{}
	for _, p := range order {
		p.placed = nearestFree(p.x, p.y, used)
		used[p.placed] = true
	}
	// Then swap pairs of tiles while a swap brings both, together, nearer
	// to where they belong (sum of squared distances), in a fixed order:
	// this undoes inversions the greedy placement leaves (a province
	// placed north of one that is north of it).
	dist := func(p *ideal, c Cell) float64 {
		dx, dy := float64(c.Col)+0.5-p.x, float64(c.Row)+0.5-p.y
		return dx*dx + dy*dy
	}
	for range 100 {
		swapped := false
		for i, a := range order {
			for _, b := range order[i+1:] {
				if dist(a, b.placed)+dist(b, a.placed) < dist(a, a.placed)+dist(b, b.placed)-1e-9 {
					a.placed, b.placed = b.placed, a.placed
					swapped = true
				}
			}
		}
		if !swapped {
			break
		}
	}
	minCol, minRow := math.MaxInt, math.MaxInt
	for _, p := range ps {
		minCol, minRow = min(minCol, p.placed.Col), min(minRow, p.placed.Row)
	}
	out := make(map[string]Cell, len(ps))
	for _, p := range ps {
		out[p.id] = Cell{Col: p.placed.Col - minCol, Row: p.placed.Row - minRow}
	}
	return out
}

// nearestFree is the free cell whose centre is nearest to (x, y), cells
// being unit squares with centres at (col+0.5, row+0.5); ties go to the
// smaller row, then the smaller column.
func nearestFree(x, y float64, used map[Cell]bool) Cell {
	c0, r0 := int(math.Floor(x)), int(math.Floor(y))
	for radius := 0; ; radius++ {
		best, bestD, found := Cell{}, math.Inf(1), false
		// Every cell within the square ring of this radius and the one
		// before: the nearest free cell by distance is within radius+1
		// rings of the one that contains the point once one is found.
		for r := r0 - radius - 1; r <= r0+radius+1; r++ {
			for c := c0 - radius - 1; c <= c0+radius+1; c++ {
				cell := Cell{Col: c, Row: r}
				if used[cell] {
					continue
				}
				d := math.Hypot(float64(c)+0.5-x, float64(r)+0.5-y)
				if d < bestD || d == bestD && (r < best.Row || r == best.Row && c < best.Col) {
					best, bestD, found = cell, d, true
				}
			}
		}
		if found && bestD <= float64(radius)+0.5 {
			return best
		}
	}
}

// ProvinceCellDeg is the cell size Provinces lays the provinces out with:
// about 60 km, so that the crowded centre spreads a little and the long
// south stays long.
const ProvinceCellDeg = 0.62

var provinces = sync.OnceValue(func() Layout {
	pos := refdata.ProvincePositions
	pts := make([]Point, len(pos))
	for i, p := range pos {
		pts[i] = Point{ID: p.Code, Lat: p.Lat, Lon: p.Lon}
	}
	cells := Arrange(pts, ProvinceCellDeg)
	var l Layout
	for i, p := range refdata.Provinces {
		c := cells[p.Code]
		l.Tiles = append(l.Tiles, Tile{Code: p.Code, NameTH: p.NameTH, NameEN: p.NameEN, AbbrTH: pos[i].AbbrTH, Col: c.Col, Row: c.Row})
		l.Cols, l.Rows = max(l.Cols, c.Col+1), max(l.Rows, c.Row+1)
	}
	return l
})

// Provinces is the tile layout of the 77 provinces, ordered by code. The
// layout is computed once from refdata.ProvincePositions with Arrange and
// ProvinceCellDeg; callers must not change it.
func Provinces() Layout { return provinces() }
