package lineage

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Layout constants of the SVG drawing, in pixels.
const (
	svgMargin    = 16
	svgNodeGap   = 24 // between boxes of one layer
	svgLayerGap  = 44 // between layers
	svgBendWidth = 8  // room a long edge takes where it crosses a layer
	svgPadX      = 8
	svgPadY      = 6
	svgLine      = 13 // line height for 10px text
	svgFontSize  = 10
	svgSansWidth = 5.8 // average advance of a Helvetica character at 10px
	svgMonoWidth = 6.0
	svgWideWidth = 12.0 // emoji and other wide symbols
)

var svgEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// svgBox is a node placed in the drawing, or (node nil) the point where a
// long edge crosses a layer.
type svgBox struct {
	node         *Node
	layer, order int
	x, y, w, h   float64
	title        string
	details      []string
	fill         string
	up, down     []*svgBox // neighbours in the adjacent layers
	barycenter   float64
}

// svgEdge is an edge with the bend points it passes on its way down.
type svgEdge struct {
	edge     Edge
	from, to *svgBox
	via      []*svgBox
	back     bool // closes a cycle: drawn upwards, beside the boxes
}

type svgDrawing struct {
	boxes        []*svgBox // nodes, in graph order
	edges        []*svgEdge
	layerTop     []float64
	layerHeight  []float64
	width, depth float64
}

// WriteSVG draws the graph as SVG with the DOT drawing's styling: a layered
// top-to-bottom layout (longest path from the sources, cycles broken where
// a depth-first walk meets a node on its own path, long edges bent through
// the layers they cross), boxes ordered by the barycenter of their
// neighbours, curved dim grey edges with arrowheads, and every node's title
// and detail lines as <text>. Each node is a <g> whose <title> is its DOT id.
func WriteSVG(w io.Writer, g *Graph) error {
	d := svgLayout(g)
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`+"\n", d.width, d.depth, d.width, d.depth)
	fmt.Fprintf(&s, "<title>%s</title>\n", svgEscape.Replace(graphName(g)))
	s.WriteString(`<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="5" markerHeight="5" orient="auto">` +
		`<path d="M0,0 L8,4 L0,8 z" fill="dimgrey"/></marker></defs>` + "\n")
	s.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	for _, e := range d.edges {
		fmt.Fprintf(&s, `<g class="edge"><title>%s&#45;&gt;%s</title><path d="%s" fill="none" stroke="dimgrey" marker-end="url(#arrow)"/></g>`+"\n",
			e.edge.From, e.edge.To, d.path(e))
	}
	for _, b := range d.boxes {
		fmt.Fprintf(&s, `<g id="%s" class="node"><title>%s</title>`, b.node.ID, b.node.ID)
		fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="6" ry="6" fill="%s" stroke="%s"/>`,
			b.x, b.y, b.w, b.h, b.fill, greenDarker)
		ty := b.y + svgPadY + svgFontSize
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" font-family="Helvetica,sans-Serif" font-size="%d">%s</text>`,
			b.x+svgPadX, ty, svgFontSize, svgEscape.Replace(b.title))
		for _, line := range b.details {
			ty += svgLine
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" font-family="Monospace" font-size="%d" fill="grey">%s</text>`,
				b.x+svgPadX, ty, svgFontSize, svgEscape.Replace(line))
		}
		s.WriteString("</g>\n")
	}
	s.WriteString("</svg>\n")
	_, err := io.WriteString(w, s.String())
	return err
}

// path is an edge's SVG path: from the bottom of its source through its
// bend points to the top of its target, each stretch a vertical-tangent
// curve; an edge closing a cycle loops up on the right.
func (d *svgDrawing) path(e *svgEdge) string {
	from, to := e.from, e.to
	if e.back {
		x1, y1 := from.x+from.w, from.y+from.h/2
		x2, y2 := to.x+to.w, to.y+to.h/2
		bulge := max(x1, x2) + svgLayerGap
		return fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1, y1, bulge, y1, bulge, y2, x2, y2)
	}
	x, y := from.x+from.w/2, from.y+from.h
	p := fmt.Sprintf("M%.1f,%.1f", x, y)
	curve := func(x2, y2 float64) {
		mid := (y + y2) / 2
		p += fmt.Sprintf(" C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x, mid, x2, mid, x2, y2)
		x, y = x2, y2
	}
	for _, b := range e.via {
		curve(b.x+b.w/2, d.layerTop[b.layer])
		y = d.layerTop[b.layer] + d.layerHeight[b.layer]
		p += fmt.Sprintf(" L%.1f,%.1f", x, y)
	}
	curve(to.x+to.w/2, to.y)
	return p
}

// textWidth estimates the rendered width of s at 10px.
func textWidth(s string, perChar float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r == 0xFE0F: // emoji presentation selector: no advance
		case r >= 0x2600 || utf8.RuneLen(r) > 2:
			w += svgWideWidth
		default:
			w += perChar
		}
	}
	return w
}

func newSVGBox(n *Node) *svgBox {
	b := &svgBox{node: n, title: n.Emoji() + " " + n.Title(), details: details(n), fill: greenFill}
	if n.Kind == KindRun {
		b.fill = runFill
	}
	if n.Queried {
		b.fill = greenLighter
	}
	b.w = textWidth(b.title, svgSansWidth)
	for _, line := range b.details {
		b.w = max(b.w, textWidth(line, svgMonoWidth))
	}
	b.w += 2 * svgPadX
	b.h = float64(1+len(b.details))*svgLine + 2*svgPadY
	return b
}

// svgLayout places every node: layers by longest path from the sources,
// bend points for edges spanning several layers, order within a layer by
// barycenter sweeps, and each layer packed and centred on the widest.
func svgLayout(g *Graph) *svgDrawing {
	d := &svgDrawing{}
	byID := map[string]*svgBox{}
	for _, n := range g.Nodes {
		b := newSVGBox(n)
		d.boxes = append(d.boxes, b)
		byID[n.ID] = b
	}
	back := backEdges(g)
	// Longest path from the sources, in topological order of the rest.
	indeg := map[string]int{}
	for _, e := range g.Edges {
		if !back[e] {
			indeg[e.To]++
		}
	}
	var queue []string
	for _, n := range g.Nodes {
		if indeg[n.ID] == 0 {
			queue = append(queue, n.ID)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, next := range g.out[id] {
			if back[Edge{From: id, To: next}] {
				continue
			}
			byID[next].layer = max(byID[next].layer, byID[id].layer+1)
			if indeg[next]--; indeg[next] == 0 {
				queue = append(queue, next)
			}
		}
	}
	nLayers := 0
	for _, b := range d.boxes {
		nLayers = max(nLayers, b.layer+1)
	}
	layers := make([][]*svgBox, nLayers)
	place := func(b *svgBox) {
		b.order = len(layers[b.layer])
		layers[b.layer] = append(layers[b.layer], b)
	}
	for _, b := range d.boxes {
		place(b)
	}
	link := func(a, b *svgBox) { a.down, b.up = append(a.down, b), append(b.up, a) }
	for _, e := range g.Edges {
		se := &svgEdge{edge: e, from: byID[e.From], to: byID[e.To], back: back[e]}
		d.edges = append(d.edges, se)
		if se.back {
			continue
		}
		prev := se.from
		for l := se.from.layer + 1; l < se.to.layer; l++ {
			bend := &svgBox{layer: l, w: svgBendWidth}
			place(bend)
			link(prev, bend)
			se.via = append(se.via, bend)
			prev = bend
		}
		link(prev, se.to)
	}
	// Barycenter sweeps: down by the layer above, up by the layer below.
	reorder := func(layer []*svgBox, neighbours func(*svgBox) []*svgBox) {
		for _, b := range layer {
			b.barycenter = float64(b.order)
			if ns := neighbours(b); len(ns) > 0 {
				sum := 0.0
				for _, o := range ns {
					sum += float64(o.order)
				}
				b.barycenter = sum / float64(len(ns))
			}
		}
		slices.SortStableFunc(layer, func(a, b *svgBox) int { return cmp.Compare(a.barycenter, b.barycenter) })
		for i, b := range layer {
			b.order = i
		}
	}
	for range 4 {
		for l := 1; l < nLayers; l++ {
			reorder(layers[l], func(b *svgBox) []*svgBox { return b.up })
		}
		for l := nLayers - 2; l >= 0; l-- {
			reorder(layers[l], func(b *svgBox) []*svgBox { return b.down })
		}
	}
	// Coordinates: pack each layer, centre it on the widest one.
	widths := make([]float64, nLayers)
	d.layerHeight = make([]float64, nLayers)
	d.layerTop = make([]float64, nLayers)
	for l, layer := range layers {
		for i, b := range layer {
			if i > 0 {
				widths[l] += svgNodeGap
			}
			widths[l] += b.w
			d.layerHeight[l] = max(d.layerHeight[l], b.h)
		}
	}
	widest := slices.Max(append(widths, 0))
	y := float64(svgMargin)
	for l, layer := range layers {
		d.layerTop[l] = y
		x := svgMargin + (widest-widths[l])/2
		for _, b := range layer {
			b.x, b.y = x, y+(d.layerHeight[l]-b.h)/2
			x += b.w + svgNodeGap
		}
		y += d.layerHeight[l] + svgLayerGap
	}
	d.width = widest + 2*svgMargin
	d.depth = y - svgLayerGap + svgMargin
	for _, e := range d.edges {
		if e.back { // room for the loop on the right
			d.width = max(d.width, max(e.from.x+e.from.w, e.to.x+e.to.w)+svgLayerGap+svgMargin)
		}
	}
	d.depth = max(d.depth, 2*svgMargin)
	return d
}

// backEdges are the edges a depth-first walk (in graph order) finds
// pointing at a node on its own path: removing them leaves no cycle.
func backEdges(g *Graph) map[Edge]bool {
	back := map[Edge]bool{}
	state := map[string]int{} // 0 unseen, 1 on the path, 2 done
	var visit func(id string)
	visit = func(id string) {
		state[id] = 1
		for _, next := range g.out[id] {
			switch state[next] {
			case 0:
				visit(next)
			case 1:
				back[Edge{From: id, To: next}] = true
			}
		}
		state[id] = 2
	}
	for _, n := range g.Nodes {
		if state[n.ID] == 0 {
			visit(n.ID)
		}
	}
	return back
}
