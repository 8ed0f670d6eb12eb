package output

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/journeysim/journeysim/models"
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
func FlowColumns(m *models.Model) [][]string {
	s := m.Scenario
	intake := s.Arrivals.To
	cols := [][]string{{intake}, nil, nil, {models.PlaceDead, models.PlaceGone}}
	for _, name := range m.Scope.Places {
		ps := s.Places[name]
		if ps == nil || name == intake {
			continue
		}
		switch ps.Kind {
		case models.KindCapacity, models.KindOpen:
			cols[1] = append(cols[1], name)
		case models.KindState:
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

// Edge kinds.
const (
	flowForward = iota // to a later column
	flowDown           // to a place lower in the same column: arcs on the right
	flowUp             // to a place higher in the same column: arcs on the left
	flowBack           // to an earlier column: round the outside
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
	kind             int
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

// layoutFlows lays out the diagram in a box width wide, with (0, 0) at the
// bottom left.
func layoutFlows(flows []Flow, columns [][]string, width vg.Length) (*flowLayout, error) {
	lay := &flowLayout{name: textStyle(flowNameSize), label: textStyle(flowLabelSize)}
	lay.name.XAlign, lay.name.YAlign = draw.XCenter, draw.YBottom
	lay.label.XAlign = draw.XCenter

	// Edges, one per pair of places, in order of first appearance.
	nodeIdx := map[string]*flowNode{}
	var order []string
	node := func(name string) *flowNode {
		if n, ok := nodeIdx[name]; ok {
			return n
		}
		n := &flowNode{name: name, col: -1}
		nodeIdx[name] = n
		order = append(order, name)
		return n
	}
	edgeIdx := map[[2]string]*flowEdge{}
	for _, f := range flows {
		if f.From == "" || f.To == "" {
			return nil, fmt.Errorf("output: flow %q → %q: both places are needed", f.From, f.To)
		}
		if !finite(f.PerYear) || f.PerYear < 0 {
			return nil, fmt.Errorf("output: flow %s → %s: %g a year is not a non-negative number", f.From, f.To, f.PerYear)
		}
		if f.PerYear == 0 || f.From == f.To {
			continue
		}
		k := [2]string{f.From, f.To}
		e, ok := edgeIdx[k]
		if !ok {
			e = &flowEdge{from: node(f.From), to: node(f.To)}
			edgeIdx[k] = e
			lay.edges = append(lay.edges, e)
		}
		e.value += f.PerYear
		if f.Reason != "" && !slices.Contains(e.reasons, f.Reason) {
			e.reasons = append(e.reasons, f.Reason)
		}
	}
	if len(lay.edges) == 0 {
		return nil, fmt.Errorf("%w: flow figure needs at least one flow between two places", ErrNoData)
	}

	// Columns.
	if columns == nil {
		columns = autoColumns(order, lay.edges)
	}
	var cols [][]*flowNode
	for _, names := range columns {
		var col []*flowNode
		for _, name := range names {
			n, ok := nodeIdx[name]
			if !ok || n.col >= 0 {
				continue // no flows, or listed twice
			}
			n.col, n.row = len(cols), len(col)
			col = append(col, n)
		}
		if len(col) > 0 {
			cols = append(cols, col)
		}
	}
	for _, name := range order {
		if nodeIdx[name].col < 0 {
			return nil, fmt.Errorf("output: flow figure: place %q is in no column", name)
		}
	}
	for _, e := range lay.edges {
		e.from.hasOut = true
	}
	ci := 0
	for _, col := range cols {
		for _, n := range col {
			lay.nodes = append(lay.nodes, n)
			if n.hasOut {
				n.color = okabeIto([...]int{0, 1, 2, 3, 4, 5}[ci%6])
				ci++
			} else {
				n.color = grey(45)
			}
		}
	}

	// Kinds, widths and sides.
	maxV := 0.0
	for _, e := range lay.edges {
		maxV = math.Max(maxV, e.value)
	}
	for _, e := range lay.edges {
		e.w = max(vg.Points(flowMinBand), flowMaxBand*vg.Length(e.value/maxV))
		e.color = tint(e.from.color, flowBandAlpha)
		e.label = flowNumber(e.value)
		switch {
		case e.to.col > e.from.col:
			e.kind, e.srcSide, e.dstSide = flowForward, sideRight, sideLeft
		case e.to.col < e.from.col:
			e.kind, e.srcSide, e.dstSide = flowBack, sideRight, sideLeft
		case e.to.row > e.from.row:
			e.kind, e.srcSide, e.dstSide = flowDown, sideRight, sideRight
		default:
			e.kind, e.srcSide, e.dstSide = flowUp, sideLeft, sideLeft
		}
		e.from.ports[e.srcSide] = append(e.from.ports[e.srcSide], e)
		e.to.ports[e.dstSide] = append(e.to.ports[e.dstSide], e)
	}
	nameH := lay.name.Rectangle("Mg").Size().Y + 1*vg.Millimeter
	for _, n := range lay.nodes {
		n.h = flowMinBarH
		for _, side := range n.ports {
			total := vg.Points(2)
			for _, e := range side {
				total += e.slot() + vg.Points(flowPortGap)
			}
			n.h = max(n.h, total)
		}
	}

	// Long forward edges pass intermediate columns through gaps between
	// places (dummy positions), chosen near the straight line from source
	// to target in a first, evenly spaced layout.
	y0 := func(n *flowNode) vg.Length {
		k := len(cols[n.col])
		return (vg.Length(k-1)/2 - vg.Length(n.row)) * (flowMinBarH + nameH + flowNodeGap)
	}
	gaps := make([][][]*flowDummy, len(cols))
	for c := range cols {
		gaps[c] = make([][]*flowDummy, len(cols[c])+1)
	}
	for _, e := range lay.edges {
		if e.kind != flowForward {
			continue
		}
		ya, yb := y0(e.from), y0(e.to)
		for c := e.from.col + 1; c < e.to.col; c++ {
			t := vg.Length(c-e.from.col) / vg.Length(e.to.col-e.from.col)
			want := ya + (yb-ya)*t
			best, bestD := 0, vg.Length(math.Inf(1))
			for g := 0; g <= len(cols[c]); g++ {
				var gy vg.Length
				step := flowMinBarH + nameH + flowNodeGap
				if g < len(cols[c]) {
					gy = y0(cols[c][g]) + step/2
				} else {
					gy = y0(cols[c][g-1]) - step/2
				}
				if d := vg.Length(math.Abs(float64(gy - want))); d < bestD {
					best, bestD = g, d
				}
			}
			d := &flowDummy{e: e, col: c, desired: want}
			e.dummies = append(e.dummies, d)
			gaps[c][best] = append(gaps[c][best], d)
		}
	}

	// Vertical layout: each column a stack of gaps and (name, bar) pairs,
	// centred on y = 0.
	dummyPitch := func(d *flowDummy) vg.Length {
		return d.e.w + lay.label.Rectangle("0").Size().Y + 2*vg.Points(flowLabelPad)
	}
	for c, col := range cols {
		for _, g := range gaps[c] {
			slices.SortStableFunc(g, func(a, b *flowDummy) int { return cmp.Compare(b.desired, a.desired) })
		}
		// A gap between places is at least flowNodeGap; the gaps above the
		// first and below the last are only as tall as their dummies.
		dummies := func(g int) vg.Length {
			var h vg.Length
			for _, d := range gaps[c][g] {
				h += dummyPitch(d)
			}
			return h
		}
		gapH := func(g int) vg.Length {
			if g == 0 || g == len(col) {
				return dummies(g)
			}
			return max(dummies(g), flowNodeGap)
		}
		total := gapH(len(col))
		for i, n := range col {
			total += gapH(i) + nameH + n.h
		}
		y := total / 2
		for i := 0; i <= len(col); i++ {
			h := gapH(i)
			dy := y - (h-dummies(i))/2
			for _, d := range gaps[c][i] {
				d.y = dy - dummyPitch(d)/2
				dy -= dummyPitch(d)
			}
			y -= h
			if i < len(col) {
				n := col[i]
				y -= nameH
				n.top = y
				y -= n.h
			}
		}
	}

	// Ports: each side's edges top to bottom by where they head.
	heading := func(e *flowEdge, n *flowNode) vg.Length {
		other := e.to
		if n == e.to {
			other = e.from
		}
		switch e.kind {
		case flowBack:
			if e.lane > 0 {
				return vg.Length(math.Inf(1))
			}
			return vg.Length(math.Inf(-1))
		case flowForward:
			if len(e.dummies) > 0 {
				if n == e.from {
					return e.dummies[0].y
				}
				return e.dummies[len(e.dummies)-1].y
			}
		}
		return other.cy()
	}
	// Back edges run below the places unless both ends are in the upper half.
	var top, bottom vg.Length
	for _, n := range lay.nodes {
		top = max(top, n.top+nameH)
		bottom = min(bottom, n.top-n.h)
	}
	var lanesUp, lanesDown []*flowEdge
	for _, e := range lay.edges {
		if e.kind != flowBack {
			continue
		}
		if e.from.cy()+e.to.cy() > 0 {
			e.lane = 1 // provisional sign
			lanesUp = append(lanesUp, e)
		} else {
			e.lane = -1
			lanesDown = append(lanesDown, e)
		}
	}
	for _, n := range lay.nodes {
		for s := range n.ports {
			slices.SortStableFunc(n.ports[s], func(a, b *flowEdge) int { return cmp.Compare(heading(b, n), heading(a, n)) })
			var total vg.Length
			for _, e := range n.ports[s] {
				total += e.slot() + vg.Points(flowPortGap)
			}
			y := n.cy() + total/2
			for _, e := range n.ports[s] {
				py := y - vg.Points(flowPortGap)/2 - e.slot()/2
				if e.from == n && e.srcSide == s {
					e.py = py
				} else {
					e.qy = py
				}
				y -= e.slot() + vg.Points(flowPortGap)
			}
		}
	}

	// Vertical runs beside each column: arcs within a column nearest,
	// shorter ones inside; back edges outside them.
	type run struct {
		e   *flowEdge
		src bool // the run beside the source (else beside the target)
	}
	tracks := map[[2]int][]run{} // (column, side) -> runs
	for _, e := range lay.edges {
		switch e.kind {
		case flowDown:
			tracks[[2]int{e.from.col, sideRight}] = append(tracks[[2]int{e.from.col, sideRight}], run{e, true})
		case flowUp:
			tracks[[2]int{e.from.col, sideLeft}] = append(tracks[[2]int{e.from.col, sideLeft}], run{e, true})
		case flowBack:
			tracks[[2]int{e.from.col, sideRight}] = append(tracks[[2]int{e.from.col, sideRight}], run{e, true})
			tracks[[2]int{e.to.col, sideLeft}] = append(tracks[[2]int{e.to.col, sideLeft}], run{e, false})
		}
	}
	span := func(e *flowEdge) float64 {
		if e.kind == flowBack {
			return 1e6 + float64(e.from.col-e.to.col)
		}
		return math.Abs(float64(e.from.row - e.to.row))
	}
	// Names are centred over bars and may be wider: vertical runs keep
	// clear of them.
	nameOver := func(c int) vg.Length {
		var w vg.Length
		for _, n := range cols[c] {
			w = max(w, (lay.name.Width(placeTitle(n.name))-flowBarW)/2)
		}
		return w
	}
	trackWidth := map[[2]int]vg.Length{}
	trackOff := map[*flowEdge][2]vg.Length{}
	for k, rs := range tracks {
		slices.SortStableFunc(rs, func(a, b run) int { return cmp.Compare(span(a.e), span(b.e)) })
		off := max(flowTrackIn, nameOver(k[0])+vg.Points(3))
		for _, r := range rs {
			off += r.e.w / 2
			o := trackOff[r.e]
			if r.src {
				o[0] = off
			} else {
				o[1] = off
			}
			trackOff[r.e] = o
			off += r.e.w/2 + vg.Points(flowTrackGap)
		}
		trackWidth[k] = off
	}

	// Horizontal layout: margins hold the outer columns' runs and names.
	last := len(cols) - 1
	left := max(nameOver(0), trackWidth[[2]int{0, sideLeft}]) + vg.Points(2)
	right := max(nameOver(last), trackWidth[[2]int{last, sideRight}]) + vg.Points(2)
	channel := vg.Length(0)
	if len(cols) > 1 {
		channel = (width - left - right - vg.Length(len(cols))*flowBarW) / vg.Length(len(cols)-1)
	}
	minChannel := vg.Length(0)
	for c := range last {
		need := max(trackWidth[[2]int{c, sideRight}], nameOver(c)) + max(trackWidth[[2]int{c + 1, sideLeft}], nameOver(c+1)) + 3*vg.Millimeter
		minChannel = max(minChannel, need, 1.2*vg.Centimeter)
	}
	if channel < minChannel {
		channel = minChannel
	}
	lay.width = left + right + vg.Length(len(cols))*flowBarW + vg.Length(max(len(cols)-1, 0))*channel
	if len(cols) == 1 {
		left = (width - flowBarW) / 2
		lay.width = width
	}
	colX := func(c int) vg.Length { return left + vg.Length(c)*(flowBarW+channel) }
	for _, n := range lay.nodes {
		n.x = colX(n.col)
		w := lay.name.Width(placeTitle(n.name))
		cx := n.x + flowBarW/2
		cx = max(cx, w/2)
		cx = min(cx, lay.width-w/2)
		n.nameRect = vg.Rectangle{Min: vg.Point{X: cx - w/2, Y: n.top + 0.6*vg.Millimeter},
			Max: vg.Point{X: cx + w/2, Y: n.top + nameH}}
	}
	for _, e := range lay.edges {
		o := trackOff[e]
		switch e.kind {
		case flowDown:
			e.srcTrack = e.from.right() + o[0]
		case flowUp:
			e.srcTrack = e.from.x - o[0]
		case flowBack:
			e.srcTrack = e.from.right() + o[0]
			e.dstTrack = e.to.x - o[1]
		}
	}

	// Lanes round the outside for back edges: shorter ones inside.
	slices.SortStableFunc(lanesDown, func(a, b *flowEdge) int { return cmp.Compare(span(a), span(b)) })
	slices.SortStableFunc(lanesUp, func(a, b *flowEdge) int { return cmp.Compare(span(a), span(b)) })
	y := bottom - flowLaneGap
	for _, e := range lanesDown {
		y -= e.w / 2
		e.lane = y
		y -= e.w/2 + vg.Points(flowTrackGap)
	}
	y = top + flowLaneGap
	for _, e := range lanesUp {
		y += e.w / 2
		e.lane = y
		y += e.w/2 + vg.Points(flowTrackGap)
	}

	// Paths.
	for _, e := range lay.edges {
		e.route()
	}

	// Labels.
	lay.placeLabels()

	// Move everything up so the lowest point is at y = 0.
	lo, hi := vg.Length(math.Inf(1)), vg.Length(math.Inf(-1))
	extend := func(y vg.Length) { lo, hi = min(lo, y), max(hi, y) }
	for _, n := range lay.nodes {
		extend(n.top - n.h)
		extend(n.nameRect.Max.Y)
	}
	for _, e := range lay.edges {
		for _, p := range e.poly {
			extend(p.Y)
		}
		extend(e.labelRect.Min.Y)
		extend(e.labelRect.Max.Y)
	}
	lay.shift(-lo)
	lay.height = hi - lo
	return lay, nil
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

// route computes the edge's centre line, arrowhead and outline.
func (e *flowEdge) route() {
	a, b := e.from, e.to
	al := e.arrowLen()
	var pts []vg.Point
	switch e.kind {
	case flowForward:
		cur := vg.Point{X: a.right(), Y: e.py}
		pts = append(pts, cur)
		for _, d := range e.dummies {
			x0 := a.x + vg.Length(d.col-a.col)*(b.x-a.x)/vg.Length(b.col-a.col)
			in := vg.Point{X: x0 - flowTrackIn, Y: d.y}
			out := vg.Point{X: x0 + flowBarW + flowTrackIn, Y: d.y}
			pts = append(pts, sCurve(cur, in)[1:]...)
			pts = append(pts, out)
			cur = out
		}
		end := vg.Point{X: b.x - al, Y: e.qy}
		pts = append(pts, sCurve(cur, end)[1:]...)
		e.tip = vg.Point{X: b.x, Y: e.qy}
	case flowDown:
		pts = rounded([]vg.Point{{X: a.right(), Y: e.py}, {X: e.srcTrack, Y: e.py},
			{X: e.srcTrack, Y: e.qy}, {X: b.right() + al, Y: e.qy}}, e.w)
		e.tip = vg.Point{X: b.right(), Y: e.qy}
	case flowUp:
		pts = rounded([]vg.Point{{X: a.x, Y: e.py}, {X: e.srcTrack, Y: e.py},
			{X: e.srcTrack, Y: e.qy}, {X: b.x - al, Y: e.qy}}, e.w)
		e.tip = vg.Point{X: b.x, Y: e.qy}
	case flowBack:
		pts = rounded([]vg.Point{{X: a.right(), Y: e.py}, {X: e.srcTrack, Y: e.py},
			{X: e.srcTrack, Y: e.lane}, {X: e.dstTrack, Y: e.lane},
			{X: e.dstTrack, Y: e.qy}, {X: b.x - al, Y: e.qy}}, e.w)
		e.tip = vg.Point{X: b.x, Y: e.qy}
	}
	e.pts = dedupe(pts)
	e.poly = ribbon(e.pts, e.w, e.tip, e.arrowHalf())
}

// sCurve returns points along a cubic Bézier from p to q with horizontal
// tangents at both ends.
func sCurve(p, q vg.Point) []vg.Point {
	dx := (q.X - p.X) / 2
	c1, c2 := vg.Point{X: p.X + dx, Y: p.Y}, vg.Point{X: q.X - dx, Y: q.Y}
	const n = 32
	pts := make([]vg.Point, n+1)
	for i := range pts {
		t := float64(i) / n
		u := 1 - t
		pts[i] = vg.Point{
			X: vg.Length(u*u*u)*p.X + vg.Length(3*u*u*t)*c1.X + vg.Length(3*u*t*t)*c2.X + vg.Length(t*t*t)*q.X,
			Y: vg.Length(u*u*u)*p.Y + vg.Length(3*u*u*t)*c1.Y + vg.Length(3*u*t*t)*c2.Y + vg.Length(t*t*t)*q.Y,
		}
	}
	return pts
}

// rounded returns the polyline through pts with its corners rounded
// (quadratic Béziers), the radius fitting a band of width w.
func rounded(pts []vg.Point, w vg.Length) []vg.Point {
	out := []vg.Point{pts[0]}
	for i := 1; i < len(pts)-1; i++ {
		p, c, q := pts[i-1], pts[i], pts[i+1]
		lin, lout := dist(p, c), dist(c, q)
		r := min(w/2+vg.Points(4), lin/2, lout/2)
		if r <= 0 {
			out = append(out, c)
			continue
		}
		a := lerp(c, p, float64(r/lin))
		b := lerp(c, q, float64(r/lout))
		const n = 10
		for k := 0; k <= n; k++ {
			t := float64(k) / n
			u := 1 - t
			out = append(out, vg.Point{
				X: vg.Length(u*u)*a.X + vg.Length(2*u*t)*c.X + vg.Length(t*t)*b.X,
				Y: vg.Length(u*u)*a.Y + vg.Length(2*u*t)*c.Y + vg.Length(t*t)*b.Y,
			})
		}
	}
	return append(out, pts[len(pts)-1])
}

func dist(p, q vg.Point) vg.Length {
	return vg.Length(math.Hypot(float64(q.X-p.X), float64(q.Y-p.Y)))
}

// lerp returns the point a fraction t of the way from p to q.
func lerp(p, q vg.Point, t float64) vg.Point {
	return vg.Point{X: p.X + vg.Length(t)*(q.X-p.X), Y: p.Y + vg.Length(t)*(q.Y-p.Y)}
}

// dedupe drops points that repeat the one before.
func dedupe(pts []vg.Point) []vg.Point {
	out := pts[:1]
	for _, p := range pts[1:] {
		if dist(p, out[len(out)-1]) > 1e-3 {
			out = append(out, p)
		}
	}
	return out
}

// ribbon returns the outline of a band of width w along pts, ending in an
// arrowhead whose tip is tip and which is wider than the band by half on
// each side.
func ribbon(pts []vg.Point, w vg.Length, tip vg.Point, half vg.Length) []vg.Point {
	n := len(pts)
	left := make([]vg.Point, 0, n)
	right := make([]vg.Point, 0, n)
	normal := func(i int) (nx, ny float64) {
		a, b := pts[max(i-1, 0)], pts[min(i+1, n-1)]
		if n == 1 {
			a, b = pts[0], tip
		}
		dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
		l := math.Hypot(dx, dy)
		if l == 0 {
			return 0, 1
		}
		return -dy / l, dx / l
	}
	for i, p := range pts {
		nx, ny := normal(i)
		left = append(left, vg.Point{X: p.X + vg.Length(nx)*w/2, Y: p.Y + vg.Length(ny)*w/2})
		right = append(right, vg.Point{X: p.X - vg.Length(nx)*w/2, Y: p.Y - vg.Length(ny)*w/2})
	}
	base := pts[n-1]
	dx, dy := float64(tip.X-base.X), float64(tip.Y-base.Y)
	l := math.Hypot(dx, dy)
	nx, ny := -dy/l, dx/l
	aw := w/2 + half
	poly := append(left, vg.Point{X: base.X + vg.Length(nx)*aw, Y: base.Y + vg.Length(ny)*aw}, tip,
		vg.Point{X: base.X - vg.Length(nx)*aw, Y: base.Y - vg.Length(ny)*aw})
	for i := len(right) - 1; i >= 0; i-- {
		poly = append(poly, right[i])
	}
	return poly
}

// placeLabels puts each edge's label on its centre line where it overlaps
// no place, no name and no other label, preferring the middle of the edge
// and spots clear of other edges.
func (lay *flowLayout) placeLabels() {
	var taken []vg.Rectangle
	for _, n := range lay.nodes {
		taken = append(taken, grow(n.rect(), vg.Points(1)), grow(n.nameRect, vg.Points(1)))
	}
	order := slices.Clone(lay.edges)
	// Short edges have fewest places to put a label: they go first.
	slices.SortStableFunc(order, func(a, b *flowEdge) int { return cmp.Compare(pathLen(a.pts), pathLen(b.pts)) })
	for _, e := range order {
		tw := lay.label.Width(e.label) + 2*vg.Points(flowLabelPad)
		th := lay.label.Rectangle(e.label).Size().Y + 2*vg.Points(flowLabelPad)
		best, bestCost := vg.Rectangle{}, math.Inf(1)
		fallback, fallbackCost := vg.Rectangle{}, math.Inf(1)
		for _, c := range labelCandidates(e, tw, th) {
			cost := c.cost
			for _, o := range lay.edges {
				if o != e && hitsPath(c.r, o) {
					cost += 10
				}
			}
			clash := 0.0
			for _, t := range taken {
				if overlaps(c.r, t) {
					clash++
				}
			}
			if clash == 0 && cost < bestCost {
				best, bestCost = c.r, cost
			}
			if cost+1000*clash < fallbackCost {
				fallback, fallbackCost = c.r, cost+1000*clash
			}
		}
		if math.IsInf(bestCost, 1) {
			best = fallback
		}
		e.labelRect = best
		taken = append(taken, grow(best, vg.Points(1)))
	}
}

type labelCandidate struct {
	r    vg.Rectangle
	cost float64
}

// labelCandidates returns places for an edge's label along its centre line,
// on it and beside it, each with a cost for being far from the middle or
// off the line.
func labelCandidates(e *flowEdge, tw, th vg.Length) []labelCandidate {
	total := pathLen(e.pts)
	var out []labelCandidate
	for k := 0; k <= 40; k++ {
		f := 0.5 + float64((k+1)/2)*0.02*float64(1-2*(k%2))
		if f < 0.04 || f > 0.96 {
			continue
		}
		p, dx, dy := pointAt(e.pts, vg.Length(f)*total)
		at := func(q vg.Point, extra float64) {
			out = append(out, labelCandidate{
				r:    vg.Rectangle{Min: vg.Point{X: q.X - tw/2, Y: q.Y - th/2}, Max: vg.Point{X: q.X + tw/2, Y: q.Y + th/2}},
				cost: math.Abs(f-0.5)*2 + extra,
			})
		}
		at(p, 0)
		// Beside the line: above or below a flat stretch, left or right of
		// a steep one.
		if math.Abs(dy) < math.Abs(dx) {
			off := e.w/2 + th/2 + vg.Points(1)
			at(vg.Point{X: p.X, Y: p.Y + off}, 0.6)
			at(vg.Point{X: p.X, Y: p.Y - off}, 0.6)
		} else {
			off := e.w/2 + tw/2 + vg.Points(1)
			at(vg.Point{X: p.X + off, Y: p.Y}, 0.6)
			at(vg.Point{X: p.X - off, Y: p.Y}, 0.6)
		}
	}
	return out
}

func pathLen(pts []vg.Point) vg.Length {
	var l vg.Length
	for i := 1; i < len(pts); i++ {
		l += dist(pts[i-1], pts[i])
	}
	return l
}

// pointAt returns the point at arc length s along pts and the direction
// there.
func pointAt(pts []vg.Point, s vg.Length) (vg.Point, float64, float64) {
	for i := 1; i < len(pts); i++ {
		d := dist(pts[i-1], pts[i])
		if s <= d || i == len(pts)-1 {
			t := 0.0
			if d > 0 {
				t = float64(min(s, d) / d)
			}
			return lerp(pts[i-1], pts[i], t), float64(pts[i].X - pts[i-1].X), float64(pts[i].Y - pts[i-1].Y)
		}
		s -= d
	}
	return pts[0], 1, 0
}

// hitsPath reports whether r comes within an edge's band.
func hitsPath(r vg.Rectangle, e *flowEdge) bool {
	g := grow(r, e.w/2)
	for i := 1; i < len(e.pts); i++ {
		if segmentHitsRect(e.pts[i-1], e.pts[i], g) {
			return true
		}
	}
	return segmentHitsRect(e.pts[len(e.pts)-1], e.tip, g)
}

// segmentHitsRect reports whether the segment pq meets r, by sampling.
func segmentHitsRect(p, q vg.Point, r vg.Rectangle) bool {
	n := int(dist(p, q)/vg.Points(1)) + 1
	for k := 0; k <= n; k++ {
		s := lerp(p, q, float64(k)/float64(n))
		if s.X >= r.Min.X && s.X <= r.Max.X && s.Y >= r.Min.Y && s.Y <= r.Max.Y {
			return true
		}
	}
	return false
}

func grow(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
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
