package output

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// PlotFormat is the file format of a figure: "png" (the default), "svg" or
// "pdf". It is also the file name extension.
type PlotFormat string

// Plot formats.
const (
	PNG PlotFormat = "png"
	SVG PlotFormat = "svg"
	PDF PlotFormat = "pdf"
)

// ParsePlotFormat parses a plot format name, ignoring case. The empty string
// is PNG.
func ParsePlotFormat(s string) (PlotFormat, error) {
	switch f := PlotFormat(strings.ToLower(strings.TrimSpace(s))); f {
	case "":
		return PNG, nil
	case PNG, SVG, PDF:
		return f, nil
	}
	return "", fmt.Errorf("output: unknown plot format %q (allowed: png, svg, pdf)", s)
}

// ErrNoData is returned by the figure functions when there is nothing to draw.
var ErrNoData = errors.New("output: no data to plot")

// PNGDPI is the resolution of PNG figures: print quality at the figure's
// size.
const PNGDPI = 300

// FigureWidth is the width of every figure: half a page, 12 cm. Fonts are
// sized for the figure printed at this width.
const FigureWidth = 12 * vg.Centimeter

// A Figure is one plot with the CSV of the data behind it. A figure has
// either one Plot or small-multiple Panels; Write draws its Title, Key and
// Note around them.
type Figure struct {
	// Name is the file stem, e.g. "occupancy".
	Name string
	// Dir is the folder of the output directory the figure's files are
	// written in, as "base/", or "" for the top.
	Dir string
	// Plot is a single-panel figure's plot.
	Plot *plot.Plot
	// Panels are small multiples, row by row, used when Plot is nil. Nil
	// cells stay empty. Their data areas are aligned (plot.Align).
	Panels [][]*plot.Plot
	// Title is drawn at the top left.
	Title string
	// Key is a legend drawn across the figure under the title (in as
	// many rows as it needs), shared by all panels: inside a panel a
	// legend would cover data.
	Key []KeyEntry
	// Note is a line of small print under the plot, or empty.
	Note string
	// Width and Height are the figure's size.
	Width, Height vg.Length
	// CSV writes the numbers drawn, with a header row.
	CSV func(io.Writer) error
}

// KeyEntry is one entry of a figure's key: a label and the thumbnails of
// what it stands for, drawn on top of each other.
type KeyEntry struct {
	Label  string
	Thumbs []plot.Thumbnailer
}

// Write draws the figure in the given format. PNGs are PNGDPI dots per
// inch (plot.Plot.WriterTo would give vgimg's 96), SVGs embed their fonts,
// and small multiples share one canvas.
func (f Figure) Write(w io.Writer, format PlotFormat) error {
	if f.Plot == nil && len(f.Panels) == 0 {
		return fmt.Errorf("output: figure %q has nothing to draw", f.Name)
	}
	width, height := f.Width, f.Height
	if width <= 0 {
		width = FigureWidth
	}
	if height <= 0 {
		height = width * 3 / 4
	}
	var c vg.CanvasWriterTo
	switch format {
	case "", PNG:
		c = fastPNG{newPNGCanvas(width, height)}
	case SVG:
		// Embedded fonts keep the text's size and shape on machines
		// without Liberation Sans.
		c = vgsvg.NewWith(vgsvg.UseWH(width, height), vgsvg.EmbedFonts(true))
	case svgInline:
		c = vgsvg.NewWith(vgsvg.UseWH(width, height))
	case PDF:
		c = vgpdf.New(width, height)
	default:
		return fmt.Errorf("output: unknown plot format %q (allowed: png, svg, pdf)", format)
	}
	if err := f.draw(draw.New(c)); err != nil {
		return fmt.Errorf("output: figure %s: %w", f.Name, err)
	}
	_, err := c.WriteTo(w)
	return err
}

// newPNGCanvas is vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(PNGDPI))
// drawing straight into one image, whose pixels a figure already written
// gave back (fastPNG.WriteTo): NewWith copies the image it makes into its
// context's, which doubled a figure's memory, and fresh memory costs a page
// fault every 4 KB (run bench/peer-reference --replications 1 went from
// 0.37 to 0.32 s). The canvas paints its background over every pixel, so
// old ones do not show.
func newPNGCanvas(w, h vg.Length) *vgimg.Canvas {
	r := image.Rect(0, 0, int(w/vg.Inch*PNGDPI+0.5), int(h/vg.Inch*PNGDPI+0.5))
	pix, _ := pngPixels.Get().([]uint8)
	if n := 4 * r.Dx() * r.Dy(); cap(pix) >= n {
		pix = pix[:n]
	} else {
		pix = make([]uint8, n)
	}
	img := &image.RGBA{Pix: pix, Stride: 4 * r.Dx(), Rect: r}
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	return vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(PNGDPI))
}

// fastPNG encodes a canvas with encodePNG, then gives its pixels back to
// pngPixels: Figure.Write drops the canvas once written.
type fastPNG struct{ *vgimg.Canvas }

func (c fastPNG) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	img := c.Image()
	err := encodePNG(cw, img)
	if m, ok := img.(*image.RGBA); ok {
		pngPixels.Put(m.Pix)
	}
	return cw.n, err
}

// pngPixels holds the pixels of figures written, for the next to draw on.
var pngPixels sync.Pool

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Layout of the frame around a figure's plot.
const (
	figMargin = 2 * vg.Millimeter
	keyGap    = 3 * vg.Millimeter // between key entries
	thumbW    = 7 * vg.Millimeter
)

// draw draws the figure on c. gonum/plot panics on some impossible
// layouts (a canvas too small for its labels); that becomes an error.
func (f Figure) draw(c draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing: %v", r)
		}
	}()
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	c = draw.Crop(c, figMargin, -figMargin, figMargin, -figMargin)
	width := c.Max.X - c.Min.X
	if f.Title != "" {
		sty := titleStyle()
		sty.YAlign = draw.YTop
		t := wrapText(sty, f.Title, width)
		c.FillText(sty, vg.Point{X: c.Min.X, Y: c.Max.Y}, t)
		c.Max.Y -= sty.Height(t) + titleGap
	}
	if len(f.Key) > 0 {
		c.Max.Y -= drawKey(&c, f.Key) + keyBelow
	}
	if f.Note != "" {
		sty := noteStyle()
		sty.YAlign = draw.YBottom
		t := wrapText(sty, f.Note, width)
		c.FillText(sty, vg.Point{X: c.Min.X, Y: c.Min.Y}, t)
		c.Min.Y += sty.Height(t) + noteGap
	}
	if f.Plot != nil {
		f.Plot.Draw(c)
		return nil
	}
	rows, cols := len(f.Panels), 0
	for _, r := range f.Panels {
		cols = max(cols, len(r))
	}
	grid := make([][]*plot.Plot, rows)
	for i, r := range f.Panels {
		grid[i] = make([]*plot.Plot, cols)
		copy(grid[i], r)
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 5 * vg.Millimeter, PadY: 4 * vg.Millimeter}
	cs := plot.Align(grid, tiles, c)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(cs[i][j])
			}
		}
	}
	return nil
}

// Spacing of a figure's title, key and note.
const (
	titleGap = 1.5 * vg.Millimeter // under the title
	keyBelow = 2 * vg.Millimeter   // under the key
	noteGap  = 1.5 * vg.Millimeter // above the note
)

func titleStyle() text.Style { return textStyle(titleSize) }

func noteStyle() text.Style {
	sty := textStyle(noteSize)
	sty.Color = grey(30)
	return sty
}

// chromeHeight returns the height the figure's margins, title, key and note
// take at its width: the figure's height is this plus its plot's.
func (f Figure) chromeHeight() vg.Length {
	width := f.Width
	if width <= 0 {
		width = FigureWidth
	}
	width -= 2 * figMargin
	h := 2 * figMargin
	if f.Title != "" {
		sty := titleStyle()
		h += sty.Height(wrapText(sty, f.Title, width)) + titleGap
	}
	if len(f.Key) > 0 {
		c := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: width, Y: 10 * vg.Centimeter}}}
		h += drawKey(&c, f.Key) + keyBelow
	}
	if f.Note != "" {
		sty := noteStyle()
		h += sty.Height(wrapText(sty, f.Note, width)) + noteGap
	}
	return h
}

// drawKey draws the key entries in rows across the top of c and returns
// the height used. A canvas with a nil vg.Canvas only measures.
func drawKey(c *draw.Canvas, key []KeyEntry) vg.Length {
	sty := textStyle(keySize)
	sty.YAlign = draw.YCenter
	rowH := sty.Rectangle("Mg").Size().Y + 1*vg.Millimeter
	x, y := c.Min.X, c.Max.Y-rowH/2
	used := rowH
	for _, e := range key {
		w := thumbW + 1.5*vg.Millimeter + sty.Width(e.Label)
		if x > c.Min.X && x+w > c.Max.X {
			x, y = c.Min.X, y-rowH
			used += rowH
		}
		if c.Canvas != nil {
			tc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - rowH/2 + 0.8*vg.Millimeter},
				Max: vg.Point{X: x + thumbW, Y: y + rowH/2 - 0.8*vg.Millimeter},
			}}
			for _, t := range e.Thumbs {
				t.Thumbnail(&tc)
			}
			c.FillText(sty, vg.Point{X: x + thumbW + 1.5*vg.Millimeter, Y: y}, e.Label)
		}
		x += w + keyGap
	}
	return used
}

// AddFigures adds each figure as AddFigure does, drawing them concurrently:
// drawing and encoding are most of a short run's time. The files do not
// depend on the order they are drawn in.
func (b *Bundle) AddFigures(figs []Figure, format PlotFormat) error {
	if format == "" {
		format = PNG
	}
	return b.addDrawn(figs, format, drawFigures(figs, format))
}

// drawFigures draws every figure, up to GOMAXPROCS at once; a figure that
// fails is an error in its place.
func drawFigures(figs []Figure, format PlotFormat) []drawnFigure {
	drawn := make([]drawnFigure, len(figs))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, f := range figs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			var buf bytes.Buffer
			drawn[i].err = f.Write(&buf, format)
			drawn[i].data = buf.Bytes()
		}()
	}
	wg.Wait()
	return drawn
}

type drawnFigure struct {
	data []byte
	err  error
}

// addDrawn adds the figures drawn and their CSVs, in order.
func (b *Bundle) addDrawn(figs []Figure, format PlotFormat, drawn []drawnFigure) error {
	for i, f := range figs {
		if drawn[i].err != nil {
			return fmt.Errorf("output: %s.%s: %w", f.Name, format, drawn[i].err)
		}
		if f.Name == "" {
			return errors.New("output: figure has no name")
		}
		if err := b.Add(f.Name+"."+string(format), func(w io.Writer) error { _, err := w.Write(drawn[i].data); return err }); err != nil {
			return err
		}
		if f.CSV == nil {
			return fmt.Errorf("output: figure %s has no CSV", f.Name)
		}
		if err := b.Add(f.Name+".csv", f.CSV); err != nil {
			return err
		}
	}
	return nil
}

// AddFigure adds name.<format> and name.csv to the bundle.
func (b *Bundle) AddFigure(f Figure, format PlotFormat) error {
	if format == "" {
		format = PNG
	}
	if f.Name == "" {
		return errors.New("output: figure has no name")
	}
	if err := b.Add(f.Name+"."+string(format), func(w io.Writer) error { return f.Write(w, format) }); err != nil {
		return err
	}
	if f.CSV == nil {
		return fmt.Errorf("output: figure %s has no CSV", f.Name)
	}
	return b.Add(f.Name+".csv", f.CSV)
}

// Font sizes in points, for a figure printed 12 cm wide. gonum/plot's
// defaults (12 pt title and axis labels, 10 pt ticks, serif) are meant for
// a plot that is scaled; these are the printed sizes, in a sans-serif face
// that stays legible small.
const (
	titleSize      = 12
	panelTitleSize = 10.5
	labelSize      = 10
	tickSize       = 9.5
	keySize        = 10
	noteSize       = 8.5
	annotSize      = 9
)

// sans returns Liberation Sans (metrically Arial) at size points. There is
// no bold: gonum/plot v0.17's PDF canvas registers every font under style ""
// but selects bold ones under "B", so bold text fails in PDF with
// "undefined font". Emphasis is by size and colour instead.
func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

func textStyle(size float64) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    sans(size),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// okabeIto returns colour i of the Okabe–Ito palette, which people with
// any common colour-vision deficiency can tell apart, in the order used
// for categories: blue, orange, bluish green, reddish purple, sky blue,
// vermillion, yellow (the last is for large areas only), then black.
func okabeIto(i int) color.RGBA {
	pal := [...]color.RGBA{
		{0x00, 0x72, 0xB2, 0xFF}, // blue
		{0xE6, 0x9F, 0x00, 0xFF}, // orange
		{0x00, 0x9E, 0x73, 0xFF}, // bluish green
		{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
		{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
		{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
		{0xF0, 0xE4, 0x42, 0xFF}, // yellow
		{0x00, 0x00, 0x00, 0xFF}, // black
	}
	return pal[i%len(pal)]
}

// Named Okabe–Ito colours used with a fixed meaning.
var (
	colBlue       = okabeIto(0)
	colOrange     = okabeIto(1)
	colGreen      = okabeIto(2)
	colPurple     = okabeIto(3)
	colSky        = okabeIto(4)
	colVermillion = okabeIto(5)
)

// grey returns a grey with the given lightness in percent.
func grey(pct int) color.Gray {
	return color.Gray{Y: uint8(255 * pct / 100)}
}

// tint returns c with alpha a (0..1), for CI bands and flows.
func tint(c color.Color, a float64) color.NRGBA {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: uint8(255 * a)}
}

// bandAlpha is the opacity of confidence bands.
const bandAlpha = 0.25

// newPlot returns a plot in the house style: sans-serif text at printed
// sizes, thin grey axes, no title (the figure has one).
func newPlot() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	p.Title.TextStyle.Font = sans(panelTitleSize)
	p.Title.Padding = 1.5 * vg.Millimeter
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(labelSize)
		a.Label.TextStyle.Color = grey(10)
		a.Tick.Label.Font = sans(tickSize)
		a.Tick.Label.Color = grey(20)
		a.LineStyle.Color = grey(40)
		a.LineStyle.Width = vg.Points(0.6)
		a.Tick.LineStyle.Color = grey(40)
		a.Tick.LineStyle.Width = vg.Points(0.6)
		a.Tick.Length = vg.Points(3)
		a.Padding = vg.Points(2)
	}
	// Horizontal grid lines do the y axis's work: no axis line, no ticks.
	p.Y.LineStyle.Color = color.Transparent
	p.Y.Tick.Length = 0
	// gonum/plot draws y tick labels a descent above the tick; this
	// alignment puts the middle of their capitals and figures on it.
	p.Y.Tick.Label.YAlign = -0.59
	p.X.Label.Padding = vg.Points(2)
	p.Y.Label.Padding = vg.Points(3)
	p.Legend.TextStyle.Font = sans(keySize)
	return p
}

// addHGrid adds light horizontal grid lines at the y ticks.
func addHGrid(p *plot.Plot) {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = grey(88)
	g.Horizontal.Width = vg.Points(0.5)
	p.Add(g)
}

// niceStep returns a round step (1, 2, 2.5 or 5 times a power of ten) that
// divides span into at most n intervals.
func niceStep(span float64, n int) float64 {
	return roundStep(span, n, []float64{1, 2, 2.5, 5, 10})
}

// countStep is niceStep without 2.5, whose multiples (2.5, 7.5) read
// oddly for counts of people.
func countStep(span float64, n int) float64 {
	return roundStep(span, n, []float64{1, 2, 5, 10})
}

func roundStep(span float64, n int, mults []float64) float64 {
	if !(span > 0) || math.IsInf(span, 0) {
		return 1
	}
	raw := span / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range mults {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// stepTicks marks every Step from Min to Max, labelled with thousands
// separators; Suffix follows each label ("%").
type stepTicks struct {
	Step   float64
	Suffix string
	Sign   bool    // "+" before positive labels
	Div    float64 // labels show the value over Div: months as years (12), shares as % (0.01); 0 is 1
}

// Ticks implements plot.Ticker.
func (t stepTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(t.Step > 0) {
		return nil
	}
	var ts []plot.Tick
	for k := math.Ceil(lo/t.Step - 1e-9); k*t.Step <= hi+1e-9*t.Step; k++ {
		v := k * t.Step
		if math.Abs(v) < 1e-9*t.Step {
			v = 0
		}
		div := t.Div
		if div == 0 {
			div = 1
		}
		l := minus(formatTick(v/div, t.Step/div)) + t.Suffix
		if t.Sign && v > 0 {
			l = "+" + l
		}
		ts = append(ts, plot.Tick{Value: v, Label: l})
	}
	return ts
}

// formatTick formats v with as many decimals as step needs and thousands
// separators.
func formatTick(v, step float64) string {
	dec := 0
	for s := step; dec < 6 && math.Abs(s-math.Round(s)) > 1e-9*math.Max(1, step); s *= 10 {
		dec++
	}
	return groupThousands(strconv.FormatFloat(v, 'f', dec, 64))
}

// groupThousands puts commas between groups of three digits of a formatted
// number: "12345.6" becomes "12,345.6".
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if hasFrac {
		out += "." + frac
	}
	return out
}

// countAxis sets a linear axis from zero to a round number at or above
// hi, with about n labelled ticks.
func countAxis(a *plot.Axis, hi float64, n int) {
	if !(hi > 0) || math.IsInf(hi, 0) {
		hi = 1
	}
	step := countStep(hi, n)
	a.Min = 0
	a.Max = math.Ceil(hi/step-1e-9) * step
	a.Tick.Marker = stepTicks{Step: step}
}

// flowNumber formats a rate for a label: whole numbers from 10 up, one
// decimal from 1, two significant figures below.
func flowNumber(x float64) string {
	a := math.Abs(x)
	switch {
	case a >= 9.95:
		return groupThousands(strconv.FormatFloat(x, 'f', 0, 64))
	case a >= 0.995:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case a == 0:
		return "0"
	}
	return strconv.FormatFloat(x, 'g', 2, 64)
}

// gridShape returns rows and columns for n small multiples at half-page
// width: two columns unless there is only one panel.
func gridShape(n int) (rows, cols int) {
	if n <= 1 {
		return 1, 1
	}
	return (n + 1) / 2, 2
}

// placeTitle turns a place name into a panel title: "mutual_aid" becomes
// "Mutual aid".
func placeTitle(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fillMid draws one line of text with the middle of its capitals and
// figures at y (YCenter centres the font's full height, which puts figures
// visibly low). sty.XAlign is kept.
func fillMid(c *draw.Canvas, sty text.Style, x, y vg.Length, s string) {
	sty.YAlign = draw.YBottom
	c.FillText(sty, vg.Point{X: x, Y: y - 0.45*sty.Font.Size}, s)
}

// minus replaces hyphen-minus signs with the typographic minus sign.
func minus(s string) string { return strings.ReplaceAll(s, "-", "\u2212") }

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// wrapText breaks s into lines no wider than width.
func wrapText(sty text.Style, s string, width vg.Length) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if line != "" && sty.Width(try) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
