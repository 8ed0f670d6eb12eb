package sweep

// CEPoint is one PSA draw's alternative − base, discounted.
type CEPoint struct {
	Point       int
	Cost, QALYs float64
}

// Acceptability returns, for each willingness to pay, the share of points
// whose net monetary benefit (wtp × QALYs − cost) is above zero.
func Acceptability(ps []CEPoint, wtps []float64) []float64 {
	out := make([]float64, len(wtps))
	for i, w := range wtps {
		n := 0
		for _, p := range ps {
			if w*p.QALYs-p.Cost > 0 {
				n++
			}
		}
		out[i] = float64(n) / float64(len(ps))
	}
	return out
}

// WTPGrid is the willingness-to-pay axis of an acceptability curve: 0 to
// 50,000 in steps of 1,000.
func WTPGrid() []float64 {
	var out []float64
	for w := 0.0; w <= 50000; w += 1000 {
		out = append(out, w)
	}
	return out
}
