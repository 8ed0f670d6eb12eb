package output

import (
	"math"

	"gonum.org/v1/plot/vg"
)

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
