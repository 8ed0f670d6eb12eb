package output

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/plot/vg"
)

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
