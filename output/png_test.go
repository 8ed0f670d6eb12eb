package output

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// TestEncodePNG decodes what encodePNG wrote and compares every pixel,
// for an opaque image (its own encoder, over several IDAT chunks) and a
// translucent one (image/png's), and an image whose bounds do not start
// at 0.
func TestEncodePNG(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      image.Rectangle
		opaque bool
	}{
		{"opaque", image.Rect(0, 0, 700, 300), true},
		{"offset", image.Rect(5, 7, 205, 107), true},
		{"translucent", image.Rect(0, 0, 60, 40), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := image.NewRGBA(tc.r)
			for y := tc.r.Min.Y; y < tc.r.Max.Y; y++ {
				for x := tc.r.Min.X; x < tc.r.Max.X; x++ {
					a := uint8(255)
					if !tc.opaque && x == tc.r.Min.X {
						a = 128
					}
					m.SetRGBA(x, y, color.RGBA{uint8(x*7 + y), uint8(x ^ y), uint8(y * 3), a})
				}
			}
			var b bytes.Buffer
			if err := encodePNG(&b, m); err != nil {
				t.Fatal(err)
			}
			got, err := png.Decode(&b)
			if err != nil {
				t.Fatal(err)
			}
			if got.Bounds().Dx() != tc.r.Dx() || got.Bounds().Dy() != tc.r.Dy() {
				t.Fatalf("decoded %v, want the size of %v", got.Bounds(), tc.r)
			}
			d := got.Bounds().Min.Sub(tc.r.Min)
			for y := tc.r.Min.Y; y < tc.r.Max.Y; y++ {
				for x := tc.r.Min.X; x < tc.r.Max.X; x++ {
					want := color.NRGBAModel.Convert(m.At(x, y))
					if c := color.NRGBAModel.Convert(got.At(x+d.X, y+d.Y)); c != want {
						t.Fatalf("pixel (%d, %d) = %v, want %v", x, y, c, want)
					}
				}
			}
		})
	}
}

// TestPNGPixelsReused checks that a figure drawn on the pixels another
// figure gave back is the figure drawn on fresh ones.
func TestPNGPixelsReused(t *testing.T) {
	f, err := FlowFigure(baselineFlows(), flowColumns)
	if err != nil {
		t.Fatal(err)
	}
	var fresh, reused bytes.Buffer
	if err := f.Write(&fresh, PNG); err != nil {
		t.Fatal(err)
	}
	junk := make([]uint8, 4*4000*4000)
	for i := range junk {
		junk[i] = uint8(i * 7)
	}
	for pngPixels.Get() != nil { // the fresh figure's pixels, among others
	}
	pngPixels.Put(junk)
	if err := f.Write(&reused, PNG); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh.Bytes(), reused.Bytes()) {
		t.Error("a figure drawn on pixels given back differs from the same figure drawn on fresh ones")
	}
}
