package output

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// layoutFlows lays out a flow diagram width wide, in phases that each
// settle one thing and read only what the phases before them settled:
//
//  1. edges: one per pair of places, summed over reasons;
//  2. columns: which column and row each place takes, and its colour;
//  3. bars: each edge's width, kind and sides, and so each bar's height;
//  4. crossings: where long forward edges pass the columns between
//     their ends (dummy positions in the gaps between places);
//  5. stacks: each column's places and gaps from top to bottom;
//  6. ports: where along its bar's side each edge starts and ends;
//  7. tracks: the vertical runs beside each column (arcs within a column,
//     back edges), shorter ones nearer;
//  8. spacing: the columns' x, wide enough for their tracks and names;
//  9. lanes: the horizontal runs round the outside for back edges;
//
// then each edge's path, the labels, and a shift so that the lowest point
// is at y = 0.
func layoutFlows(flows []Flow, columns [][]string, width vg.Length) (*flowLayout, error) {
	lay := &flowLayout{name: textStyle(flowNameSize), label: textStyle(flowLabelSize)}
	lay.name.XAlign, lay.name.YAlign = draw.XCenter, draw.YBottom
	lay.label.XAlign = draw.XCenter
	b := &flowBuilder{lay: lay, byName: map[string]*flowNode{}}
	if err := b.edges(flows); err != nil {
		return nil, err
	}
	if err := b.columns(columns); err != nil {
		return nil, err
	}
	b.bars()
	b.crossings()
	b.stacks()
	b.ports()
	b.tracks()
	b.spacing(width)
	b.lanes()
	for _, e := range lay.edges {
		e.route()
	}
	lay.placeLabels()
	lay.fit()
	return lay, nil
}

// flowBuilder holds what the phases of layoutFlows hand on.
type flowBuilder struct {
	lay    *flowLayout
	byName map[string]*flowNode
	order  []string // place names in order of first appearance
	cols   [][]*flowNode
	nameH  vg.Length // a place's name, above its bar
	// gaps[c][g] are the long edges crossing column c in the gap above its
	// g-th place (below the last for g = len(cols[c])).
	gaps [][][]*flowDummy
	// top and bottom bound the places; back edges run round above or below.
	top, bottom        vg.Length
	lanesUp, lanesDown []*flowEdge
	trackOff           map[*flowEdge][2]vg.Length // a run's distance from its bar: beside the source, the target
	trackWidth         map[[2]int]vg.Length       // (column, side): the room its runs take
}

// edges makes one edge per pair of places, in order of first appearance.
func (b *flowBuilder) edges(flows []Flow) error {
	node := func(name string) *flowNode {
		if n, ok := b.byName[name]; ok {
			return n
		}
		n := &flowNode{name: name, col: -1}
		b.byName[name] = n
		b.order = append(b.order, name)
		return n
	}
	edgeIdx := map[[2]string]*flowEdge{}
	for _, f := range flows {
		if f.From == "" || f.To == "" {
			return fmt.Errorf("output: flow %q → %q: both places are needed", f.From, f.To)
		}
		if !finite(f.PerYear) || f.PerYear < 0 {
			return fmt.Errorf("output: flow %s → %s: %g a year is not a non-negative number", f.From, f.To, f.PerYear)
		}
		if f.PerYear == 0 || f.From == f.To {
			continue
		}
		k := [2]string{f.From, f.To}
		e, ok := edgeIdx[k]
		if !ok {
			e = &flowEdge{from: node(f.From), to: node(f.To)}
			edgeIdx[k] = e
			b.lay.edges = append(b.lay.edges, e)
		}
		e.value += f.PerYear
		if f.Reason != "" && !slices.Contains(e.reasons, f.Reason) {
			e.reasons = append(e.reasons, f.Reason)
		}
	}
	if len(b.lay.edges) == 0 {
		return fmt.Errorf("%w: flow figure needs at least one flow between two places", ErrNoData)
	}
	return nil
}

// columns puts each place in its column, as given or, if columns is nil,
// as autoColumns chooses, and colours the places that send flows.
func (b *flowBuilder) columns(columns [][]string) error {
	if columns == nil {
		columns = autoColumns(b.order, b.lay.edges)
	}
	for _, names := range columns {
		var col []*flowNode
		for _, name := range names {
			n, ok := b.byName[name]
			if !ok || n.col >= 0 {
				continue // no flows, or listed twice
			}
			n.col, n.row = len(b.cols), len(col)
			col = append(col, n)
		}
		if len(col) > 0 {
			b.cols = append(b.cols, col)
		}
	}
	for _, name := range b.order {
		if b.byName[name].col < 0 {
			return fmt.Errorf("output: flow figure: place %q is in no column", name)
		}
	}
	for _, e := range b.lay.edges {
		e.from.hasOut = true
	}
	ci := 0
	for _, col := range b.cols {
		for _, n := range col {
			b.lay.nodes = append(b.lay.nodes, n)
			if n.hasOut {
				n.color = flowColour(ci)
				ci++
			} else {
				n.color = grey(45)
			}
		}
	}
	return nil
}

// bars sets each edge's width, kind and sides, and each bar's height: tall
// enough for the edges at its busier side.
func (b *flowBuilder) bars() {
	maxV := 0.0
	for _, e := range b.lay.edges {
		maxV = math.Max(maxV, e.value)
	}
	for _, e := range b.lay.edges {
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
	b.nameH = b.lay.name.Rectangle("Mg").Size().Y + 1*vg.Millimeter
	for _, n := range b.lay.nodes {
		n.h = flowMinBarH
		for _, side := range n.ports {
			total := vg.Points(2)
			for _, e := range side {
				total += e.slot() + vg.Points(flowPortGap)
			}
			n.h = max(n.h, total)
		}
	}
}

// crossings passes each long forward edge through the columns between its
// ends, in the gap between places nearest the straight line from source to
// target in a first, evenly spaced layout.
func (b *flowBuilder) crossings() {
	cols := b.cols
	step := flowMinBarH + b.nameH + flowNodeGap
	y0 := func(n *flowNode) vg.Length {
		k := len(cols[n.col])
		return (vg.Length(k-1)/2 - vg.Length(n.row)) * step
	}
	b.gaps = make([][][]*flowDummy, len(cols))
	for c := range cols {
		b.gaps[c] = make([][]*flowDummy, len(cols[c])+1)
	}
	for _, e := range b.lay.edges {
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
			b.gaps[c][best] = append(b.gaps[c][best], d)
		}
	}
}

// stacks lays each column out from the top, centred on y = 0: gaps (with
// the edges crossing them) and places (a name over a bar) in turn.
func (b *flowBuilder) stacks() {
	dummyPitch := func(d *flowDummy) vg.Length {
		return d.e.w + b.lay.label.Rectangle("0").Size().Y + 2*vg.Points(flowLabelPad)
	}
	for c, col := range b.cols {
		gaps := b.gaps[c]
		for _, g := range gaps {
			slices.SortStableFunc(g, func(x, y *flowDummy) int { return cmp.Compare(y.desired, x.desired) })
		}
		// A gap between places is at least flowNodeGap; the gaps above the
		// first and below the last are only as tall as their dummies.
		dummies := func(g int) vg.Length {
			var h vg.Length
			for _, d := range gaps[g] {
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
			total += gapH(i) + b.nameH + n.h
		}
		y := total / 2
		for i := 0; i <= len(col); i++ {
			h := gapH(i)
			dy := y - (h-dummies(i))/2
			for _, d := range gaps[i] {
				d.y = dy - dummyPitch(d)/2
				dy -= dummyPitch(d)
			}
			y -= h
			if i < len(col) {
				n := col[i]
				y -= b.nameH
				n.top = y
				y -= n.h
			}
		}
	}
}

// ports orders each side's edges top to bottom by where they head and
// sets their ends along the bar. Back edges run below the places unless
// both ends are in the upper half: the lane's sign says which, for now.
func (b *flowBuilder) ports() {
	for _, n := range b.lay.nodes {
		b.top = max(b.top, n.top+b.nameH)
		b.bottom = min(b.bottom, n.top-n.h)
	}
	for _, e := range b.lay.edges {
		if e.kind != flowBack {
			continue
		}
		if e.from.cy()+e.to.cy() > 0 {
			e.lane = 1 // provisional sign
			b.lanesUp = append(b.lanesUp, e)
		} else {
			e.lane = -1
			b.lanesDown = append(b.lanesDown, e)
		}
	}
	for _, n := range b.lay.nodes {
		for s := range n.ports {
			slices.SortStableFunc(n.ports[s], func(x, y *flowEdge) int { return cmp.Compare(y.heading(n), x.heading(n)) })
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
}

// heading is the y that e heads for, seen from its end at n: the other
// end, its first crossing, or for a back edge, its lane.
func (e *flowEdge) heading(n *flowNode) vg.Length {
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

// span orders an edge's runs and lanes: shorter spans go inside.
func (e *flowEdge) span() float64 {
	if e.kind == flowBack {
		return 1e6 + float64(e.from.col-e.to.col)
	}
	return math.Abs(float64(e.from.row - e.to.row))
}

// nameOver is how far column c's widest name reaches beyond its bars:
// names are centred over bars, and vertical runs keep clear of them.
func (b *flowBuilder) nameOver(c int) vg.Length {
	var w vg.Length
	for _, n := range b.cols[c] {
		w = max(w, (b.lay.name.Width(placeTitle(n.name))-flowBarW)/2)
	}
	return w
}

// tracks sets the vertical runs beside each column: arcs within a column
// nearest, shorter ones inside; back edges outside them.
func (b *flowBuilder) tracks() {
	type run struct {
		e   *flowEdge
		src bool // the run beside the source (else beside the target)
	}
	tracks := map[[2]int][]run{} // (column, side) -> runs
	add := func(col, side int, r run) {
		k := [2]int{col, side}
		tracks[k] = append(tracks[k], r)
	}
	for _, e := range b.lay.edges {
		switch e.kind {
		case flowDown:
			add(e.from.col, sideRight, run{e, true})
		case flowUp:
			add(e.from.col, sideLeft, run{e, true})
		case flowBack:
			add(e.from.col, sideRight, run{e, true})
			add(e.to.col, sideLeft, run{e, false})
		}
	}
	b.trackWidth = map[[2]int]vg.Length{}
	b.trackOff = map[*flowEdge][2]vg.Length{}
	for k, rs := range tracks { // each key on its own: the order does not matter
		slices.SortStableFunc(rs, func(x, y run) int { return cmp.Compare(x.e.span(), y.e.span()) })
		off := max(flowTrackIn, b.nameOver(k[0])+vg.Points(3))
		for _, r := range rs {
			off += r.e.w / 2
			o := b.trackOff[r.e]
			if r.src {
				o[0] = off
			} else {
				o[1] = off
			}
			b.trackOff[r.e] = o
			off += r.e.w/2 + vg.Points(flowTrackGap)
		}
		b.trackWidth[k] = off
	}
}

// spacing sets the columns' x: the margins hold the outer columns' runs
// and names, and each channel between columns the runs and names on both
// its sides. The diagram is width wide unless that is too narrow.
func (b *flowBuilder) spacing(width vg.Length) {
	lay, cols := b.lay, b.cols
	last := len(cols) - 1
	left := max(b.nameOver(0), b.trackWidth[[2]int{0, sideLeft}]) + vg.Points(2)
	right := max(b.nameOver(last), b.trackWidth[[2]int{last, sideRight}]) + vg.Points(2)
	channel := vg.Length(0)
	if len(cols) > 1 {
		channel = (width - left - right - vg.Length(len(cols))*flowBarW) / vg.Length(len(cols)-1)
	}
	minChannel := vg.Length(0)
	for c := range last {
		need := max(b.trackWidth[[2]int{c, sideRight}], b.nameOver(c)) + max(b.trackWidth[[2]int{c + 1, sideLeft}], b.nameOver(c+1)) + 3*vg.Millimeter
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
	for _, n := range lay.nodes {
		n.x = left + vg.Length(n.col)*(flowBarW+channel)
		w := lay.name.Width(placeTitle(n.name))
		cx := n.x + flowBarW/2
		cx = max(cx, w/2)
		cx = min(cx, lay.width-w/2)
		n.nameRect = vg.Rectangle{Min: vg.Point{X: cx - w/2, Y: n.top + 0.6*vg.Millimeter},
			Max: vg.Point{X: cx + w/2, Y: n.top + b.nameH}}
	}
	for _, e := range lay.edges {
		o := b.trackOff[e]
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
}

// lanes sets the y of each back edge's run round the outside, below or
// above the places: shorter ones inside.
func (b *flowBuilder) lanes() {
	bySpan := func(x, y *flowEdge) int { return cmp.Compare(x.span(), y.span()) }
	slices.SortStableFunc(b.lanesDown, bySpan)
	slices.SortStableFunc(b.lanesUp, bySpan)
	y := b.bottom - flowLaneGap
	for _, e := range b.lanesDown {
		y -= e.w / 2
		e.lane = y
		y -= e.w/2 + vg.Points(flowTrackGap)
	}
	y = b.top + flowLaneGap
	for _, e := range b.lanesUp {
		y += e.w / 2
		e.lane = y
		y += e.w/2 + vg.Points(flowTrackGap)
	}
}

// fit moves everything up so that the lowest point is at y = 0, and sets
// the height.
func (lay *flowLayout) fit() {
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
}

// flowColour is the colour of the i-th place with flows out: the six
// Okabe–Ito hues, then the same hues darker, so that up to twelve places
// (the baseline has nine) each have a colour of their own and their
// flows can be told apart.
func flowColour(i int) color.Color {
	c := okabeIto([...]int{0, 1, 2, 3, 4, 5}[i%6])
	if (i/6)%2 == 1 {
		c.R, c.G, c.B = uint8(int(c.R)*55/100), uint8(int(c.G)*55/100), uint8(int(c.B)*55/100)
	}
	return c
}
