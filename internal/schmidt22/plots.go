package schmidt22

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
)

// canvas is a small raster for the figures: points, rectangles, axes.
type canvas struct{ img *image.RGBA }

func newCanvas(w, h int) *canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return &canvas{img}
}

func (c *canvas) rect(x0, y0, x1, y1 int, col color.RGBA) {
	for y := max(y0, 0); y < min(y1, c.img.Bounds().Dy()); y++ {
		for x := max(x0, 0); x < min(x1, c.img.Bounds().Dx()); x++ {
			c.img.SetRGBA(x, y, col)
		}
	}
}

func (c *canvas) dot(x, y, r int, col color.RGBA) {
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if dx*dx+dy*dy <= r*r {
				c.img.SetRGBA(x+dx, y+dy, col)
			}
		}
	}
}

func (c *canvas) frame(margin int) {
	b := c.img.Bounds()
	grey := color.RGBA{60, 60, 60, 255}
	c.rect(margin, b.Dy()-margin, b.Dx()-margin, b.Dy()-margin+2, grey)
	c.rect(margin-2, margin, margin, b.Dy()-margin, grey)
}

// viridis maps t in [0,1] to a perceptual colour ramp.
func viridis(t float64) color.RGBA {
	stops := []color.RGBA{{68, 1, 84, 255}, {59, 82, 139, 255}, {33, 145, 140, 255}, {94, 201, 98, 255}, {253, 231, 37, 255}}
	t = math.Max(0, math.Min(1, t))
	f := t * float64(len(stops)-1)
	i := int(f)
	if i >= len(stops)-1 {
		return stops[len(stops)-1]
	}
	u := f - float64(i)
	lerp := func(a, b uint8) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*u) }
	a, b := stops[i], stops[i+1]
	return color.RGBA{lerp(a.R, b.R), lerp(a.G, b.G), lerp(a.B, b.B), 255}
}

// UMAPFigure draws the cells on a 2-D embedding (clusters placed on a
// circle, cells scattered around their centre) coloured by their score for
// the screen's hits.
func UMAPFigure(w io.Writer, clusters []int, scores []float64) error {
	const size, margin = 640, 40
	c := newCanvas(size, size)
	c.frame(margin)
	r := rand.New(rand.NewPCG(seed, 6))
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range scores {
		lo, hi = math.Min(lo, s), math.Max(hi, s)
	}
	for i, cl := range clusters {
		angle := 2 * math.Pi * float64(cl) / Clusters
		cx := float64(size)/2 + 190*math.Cos(angle) + r.NormFloat64()*38
		cy := float64(size)/2 + 190*math.Sin(angle) + r.NormFloat64()*38
		t := 0.0
		if hi > lo {
			t = (scores[i] - lo) / (hi - lo)
		}
		c.dot(int(cx), int(cy), 3, viridis(t))
	}
	return png.Encode(w, c.img)
}

// MatrixPlot draws mean expression per cluster (rows) and gene (columns).
func MatrixPlot(w io.Writer, means [][]float64) error {
	const cell, margin = 22, 30
	rows, cols := len(means), 0
	if rows > 0 {
		cols = len(means[0])
	}
	c := newCanvas(cols*cell+2*margin, rows*cell+2*margin)
	hi := 0.0
	for _, row := range means {
		for _, v := range row {
			hi = math.Max(hi, v)
		}
	}
	for i, row := range means {
		for j, v := range row {
			t := 0.0
			if hi > 0 {
				t = v / hi
			}
			c.rect(margin+j*cell+1, margin+i*cell+1, margin+(j+1)*cell, margin+(i+1)*cell, viridis(t))
		}
	}
	return png.Encode(w, c.img)
}
