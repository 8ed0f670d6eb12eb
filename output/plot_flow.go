package output

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Flow is a number of clients a year leaving From for Reason and going To.
type Flow struct {
	From, Reason, To string
	PerYear          float64
}

// FlowFigure draws where clients go after each place: places are bars laid
// out in columns, and an arrow from one to another has a width
// proportional to the clients a year it carries and is labelled with that
// number. Flows between the same two places (for different reasons) are
// drawn as one arrow; flows of zero and from a place to itself are not
// drawn.
//
// columns gives the places of each column, left to right, each column top
// to bottom (e.g. intake, treatment services, out-of-treatment states, dead
// and gone; see FlowColumns). Every place in flows must be in a column.
// With nil columns, places are layered by distance from the first place in
// flows, and places that nothing leaves go in a last column.
//
// minDrawnFlow is the smallest flow, in clients a year between two places,
// that the diagram draws.
const minDrawnFlow = 1.0

// majorFlows returns the flows between pairs of places that exchange at
// least minDrawnFlow clients a year, all reasons together.
func majorFlows(flows []Flow) []Flow {
	total := map[[2]string]float64{}
	for _, f := range flows {
		total[[2]string{f.From, f.To}] += f.PerYear
	}
	var out []Flow
	for _, f := range flows {
		if total[[2]string{f.From, f.To}] >= minDrawnFlow {
			out = append(out, f)
		}
	}
	return out
}

// Arrows run left to right between columns; an arrow between places of one
// column arcs beside it (downward on the right, upward on the left), and
// one back to an earlier column runs round the outside. Labels are placed
// where they overlap no other label and no place.
//
// gonum/plot's plotter.Sankey is not used: it allows flows only from a
// lower to a higher column, and treatment journeys are full of cycles
// (relapse, re-presentation).
func FlowFigure(flows []Flow, columns [][]string) (Figure, error) {
	all, err := layoutFlows(flows, columns, FigureWidth-2*figMargin)
	if err != nil {
		return Figure{}, err
	}
	// Flows of a few clients a decade are labels with no arrow to speak of:
	// they are left out of the drawing (not of the CSV) when larger ones remain.
	lay, note := all, ""
	if big := majorFlows(flows); len(big) < len(flows) {
		if l, err := layoutFlows(big, columns, FigureWidth-2*figMargin); err == nil {
			lay = l
			note = fmt.Sprintf(" Flows under %g client a year are not drawn; flows.csv lists every flow.", minDrawnFlow)
		}
	}
	p := newPlot()
	p.HideAxes()
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.LineStyle.Color, p.Y.LineStyle.Color = color.Transparent, color.Transparent
	p.Add(lay)
	f := Figure{
		Name:  "flows",
		Title: "Where clients go after each service (clients per year)",
		Plot:  p,
		Note:  "Arrow width is proportional to clients per year; flows for different reasons between the same two places are added together." + note,
		// A diagram with many columns may need more than half a page.
		Width: max(FigureWidth, lay.width+2*figMargin),
	}
	f.Height = f.chromeHeight() + lay.height
	f.CSV = func(w io.Writer) error {
		cw := newCSVWriter(w)
		cw.Write([]string{"from", "to", "reasons", "per_year"})
		for _, e := range all.edges {
			cw.Write([]string{e.from.name, e.to.name, strings.Join(e.reasons, ";"), csvFloat(e.value)})
		}
		cw.Flush()
		return cw.Error()
	}
	return f, nil
}

// FlowColumns returns the columns of a flow diagram for a model: the
// intake, the other treatment places, the out-of-treatment states, then
// dead and gone. Parallel places, held alongside others, are not in the
// flow diagram.
func FlowColumns(m *result.Layout) [][]string {
	s := m.Scenario
	intake := s.Arrivals.To
	cols := [][]string{{intake}, nil, nil, {scenario.PlaceDead, scenario.PlaceGone}}
	for _, name := range m.Places {
		ps := s.Places[name]
		if ps == nil || name == intake {
			continue
		}
		switch ps.Kind {
		case scenario.KindCapacity, scenario.KindOpen:
			cols[1] = append(cols[1], name)
		case scenario.KindState:
			cols[2] = append(cols[2], name)
		}
	}
	return cols
}

// Geometry of the flow diagram.
const (
	flowBarW      = 3.5 * vg.Millimeter // width of a place's bar
	flowMinBarH   = 6 * vg.Millimeter
	flowMaxBand   = 5 * vg.Millimeter // width of the largest flow
	flowMinBand   = 0.8               // points
	flowPortGap   = 1                 // points between arrows at a bar
	flowNodeGap   = 9 * vg.Millimeter // between a bar and the next place's name
	flowTrackGap  = 2.5               // points between vertical runs
	flowTrackIn   = 3 * vg.Millimeter // from a bar to its first vertical run
	flowLaneGap   = 4 * vg.Millimeter // from the places to the first lane
	flowLabelPad  = 1.2               // points around a label's text
	flowLabelSize = 8.5
	flowNameSize  = 9.5
	flowBandAlpha = 0.6
)

// flowKind is where an edge goes, which says how it is drawn.
type flowKind int

const (
	flowForward flowKind = iota // to a later column
	flowDown                    // to a place lower in the same column: arcs on the right
	flowUp                      // to a place higher in the same column: arcs on the left
	flowBack                    // to an earlier column: round the outside
)

// Sides of a bar.
const (
	sideLeft = iota
	sideRight
)

type flowNode struct {
	name     string
	col, row int
	x        vg.Length // left edge of the bar
	top, h   vg.Length
	nameRect vg.Rectangle
	color    color.Color
	hasOut   bool
	// ports holds each side's edges, top to bottom.
	ports [2][]*flowEdge
}

func (n *flowNode) cy() vg.Length    { return n.top - n.h/2 }
func (n *flowNode) right() vg.Length { return n.x + flowBarW }
func (n *flowNode) rect() vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: n.x, Y: n.top - n.h}, Max: vg.Point{X: n.x + flowBarW, Y: n.top}}
}

// flowDummy is where a long forward edge crosses a column between its ends.
type flowDummy struct {
	e       *flowEdge
	col     int
	desired vg.Length // y on the straight line between the ends
	y       vg.Length
}

type flowEdge struct {
	from, to         *flowNode
	reasons          []string
	value            float64
	w                vg.Length
	kind             flowKind
	dummies          []*flowDummy
	srcSide, dstSide int
	srcTrack         vg.Length // x of the vertical run beside the source
	dstTrack         vg.Length // x of the vertical run beside the target (back edges)
	lane             vg.Length // y of the horizontal run round the outside (back edges)
	py, qy           vg.Length // port y at the source and target
	pts              []vg.Point
	tip              vg.Point
	poly             []vg.Point
	label            string
	labelRect        vg.Rectangle
	color            color.Color
}

// arrowHalf is the extra half-width of an arrowhead beyond its band.
func (e *flowEdge) arrowHalf() vg.Length { return vg.Points(1.5) + e.w*0.1 }
func (e *flowEdge) arrowLen() vg.Length {
	return min(max(vg.Points(4.5), e.w*0.45), vg.Points(9))
}

// slot is the room an edge takes at a bar's side.
func (e *flowEdge) slot() vg.Length { return e.w + 2*e.arrowHalf() }

// flowLayout is a laid-out flow diagram; it draws itself as a plot.Plotter.
type flowLayout struct {
	nodes         []*flowNode
	edges         []*flowEdge
	width, height vg.Length
	name, label   text.Style
}

// shift moves the layout up by dy.
func (lay *flowLayout) shift(dy vg.Length) {
	up := func(p vg.Point) vg.Point { return vg.Point{X: p.X, Y: p.Y + dy} }
	for _, n := range lay.nodes {
		n.top += dy
		n.nameRect.Min, n.nameRect.Max = up(n.nameRect.Min), up(n.nameRect.Max)
	}
	for _, e := range lay.edges {
		for i := range e.pts {
			e.pts[i] = up(e.pts[i])
		}
		for i := range e.poly {
			e.poly[i] = up(e.poly[i])
		}
		e.tip = up(e.tip)
		e.labelRect.Min, e.labelRect.Max = up(e.labelRect.Min), up(e.labelRect.Max)
	}
}

// autoColumns layers places by their distance (in arrows) from the first
// place, with places that nothing leaves in a last column of their own.
// Longest-path layering would spread a journey's cycles (relapse,
// re-presentation) over more columns than half a page holds.
func autoColumns(order []string, edges []*flowEdge) [][]string {
	out := map[string][]string{}
	for _, e := range edges {
		out[e.from.name] = append(out[e.from.name], e.to.name)
	}
	layer := map[string]int{}
	deepest := 0
	for _, start := range order {
		if _, ok := layer[start]; ok {
			continue
		}
		layer[start] = 0
		queue := []string{start}
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			for _, w := range out[v] {
				if _, ok := layer[w]; !ok {
					layer[w] = layer[v] + 1
					deepest = max(deepest, layer[w])
					queue = append(queue, w)
				}
			}
		}
	}
	sinks := false
	for _, v := range order {
		if len(out[v]) == 0 {
			sinks = true
		}
	}
	var cols [][]string
	for _, v := range order {
		l := layer[v]
		if sinks && len(out[v]) == 0 {
			l = deepest + 1
		}
		for len(cols) <= l {
			cols = append(cols, nil)
		}
		cols[l] = append(cols[l], v)
	}
	return slices.DeleteFunc(cols, func(c []string) bool { return len(c) == 0 })
}

// Plot implements plot.Plotter: the layout is drawn in canvas units from
// the canvas's bottom left, centred across.
func (lay *flowLayout) Plot(c draw.Canvas, _ *plot.Plot) {
	dx := c.Min.X + max(0, (c.Max.X-c.Min.X-lay.width)/2)
	dy := c.Min.Y + max(0, (c.Max.Y-c.Min.Y-lay.height)/2)
	at := func(p vg.Point) vg.Point { return vg.Point{X: p.X + dx, Y: p.Y + dy} }
	box := func(r vg.Rectangle) []vg.Point {
		return []vg.Point{at(r.Min), at(vg.Point{X: r.Min.X, Y: r.Max.Y}), at(r.Max), at(vg.Point{X: r.Max.X, Y: r.Min.Y})}
	}
	// Largest flows first, so small ones stay visible on top.
	edges := slices.Clone(lay.edges)
	slices.SortStableFunc(edges, func(a, b *flowEdge) int { return cmp.Compare(b.value, a.value) })
	for _, e := range edges {
		poly := make([]vg.Point, len(e.poly))
		for i, p := range e.poly {
			poly[i] = at(p)
		}
		c.FillPolygon(e.color, poly)
	}
	for _, n := range lay.nodes {
		c.FillPolygon(n.color, box(n.rect()))
		c.FillPolygon(color.NRGBA{R: 255, G: 255, B: 255, A: 200}, box(n.nameRect))
		c.FillText(lay.name, at(vg.Point{X: (n.nameRect.Min.X + n.nameRect.Max.X) / 2, Y: n.nameRect.Min.Y + vg.Points(0.5)}), placeTitle(n.name))
	}
	for _, e := range lay.edges {
		// The label's frame has its arrow's colour, which tells whose it is
		// where arrows cross.
		c.FillPolygon(color.White, box(e.labelRect))
		frame := box(e.labelRect)
		c.StrokeLines(draw.LineStyle{Color: e.from.color, Width: vg.Points(0.7)}, append(frame, frame[0]))
		mid := at(vg.Point{X: (e.labelRect.Min.X + e.labelRect.Max.X) / 2, Y: (e.labelRect.Min.Y + e.labelRect.Max.Y) / 2})
		fillMid(&c, lay.label, mid.X, mid.Y, e.label)
	}
}

// DataRange implements plot.DataRanger with a unit square: the layout is
// in canvas units, not data units.
func (lay *flowLayout) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 1, 0, 1 }
