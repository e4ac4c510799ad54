package main

import (
	"fmt"
	"image/color"
	"os"
	"runtime"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/isa-cloud/isa-memstore/bench/internal/harness"
)

// chartWorkers are the concurrency levels of the chart.
var chartWorkers = []int{1, 2, 4, 8}

// writeChart measures embedded GET and SET throughput at 1, 2, 4 and 8
// goroutines for our engine and for miniredis (alternating rounds, medians,
// as the comparisons) and draws them as a PNG: throughput vs concurrency,
// ours in solid lines, the peer dashed.
func writeChart(path string, cfg config) error {
	env, cleanup, err := newEmbeddedEnv()
	if err != nil {
		return err
	}
	defer cleanup()
	defer env.m.Close()

	type series struct {
		label string
		pts   plotter.XYs
		color color.Color
		dash  bool
	}
	blue := color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	orange := color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	var all []*series
	t := harness.NewTable("command", "goroutines", "ours ops/s", "miniredis ops/s", "ratio")
	for _, name := range []string{"get", "set"} {
		op := embeddedOpNamed(name)
		if op.load != nil {
			if err := op.load(env); err != nil {
				return err
			}
		}
		ours := &series{label: "isa-memstore " + op.label, color: blue, dash: name == "set"}
		peer := &series{label: "miniredis " + op.label, color: orange, dash: name == "set"}
		for _, w := range chartWorkers {
			s := harness.Alternate(cfg.rounds,
				func() float64 {
					return harness.Throughput(w, cfg.round, func(i int) func(int) { return op.ours(env, i) })
				},
				func() float64 {
					return harness.Throughput(w, cfg.round, func(i int) func(int) { return op.peer(env, i) })
				})
			o, p := harness.Median(s[0]), harness.Median(s[1])
			ours.pts = append(ours.pts, plotter.XY{X: float64(w), Y: o / 1e6})
			peer.pts = append(peer.pts, plotter.XY{X: float64(w), Y: p / 1e6})
			t.Row(op.label, w, harness.Ops(o), harness.Ops(p), harness.Ratio(o/p))
		}
		all = append(all, ours, peer)
	}
	t.Print(os.Stdout)

	p := plot.New()
	p.Title.Text = "Embedded throughput vs concurrency (in process, higher is better)"
	p.X.Label.Text = fmt.Sprintf("goroutines   (nproc %d, %s, %s; medians of %d alternating rounds)",
		runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format("2006-01-02"), cfg.rounds)
	p.Y.Label.Text = "million operations per second"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.ConstantTicks(ticksFor(chartWorkers))
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	// Head room above the highest point for the legend, top left, so
	// that it never covers a line.
	top := 0.0
	for _, s := range all {
		for _, pt := range s.pts {
			top = max(top, pt.Y)
		}
	}
	p.Y.Max = top * 1.45
	p.Y.Tick.Marker = plot.ConstantTicks(yTicks(p.Y.Max))
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(10)
	for _, s := range all {
		l, pts, err := plotter.NewLinePoints(s.pts)
		if err != nil {
			return err
		}
		l.Color, pts.Color = s.color, s.color
		l.Width = vg.Points(2)
		pts.Shape = draw.CircleGlyph{}
		pts.Radius = vg.Points(3)
		if s.dash {
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			pts.Shape = draw.BoxGlyph{}
		}
		p.Add(l, pts)
		p.Legend.Add(s.label, l, pts)
	}
	if err := p.Save(8*vg.Inch, 5*vg.Inch, path); err != nil {
		return err
	}
	fmt.Printf("wrote %s\n", path)
	return nil
}

func ticksFor(xs []int) []plot.Tick {
	out := make([]plot.Tick, len(xs))
	for i, x := range xs {
		out[i] = plot.Tick{Value: float64(x), Label: fmt.Sprint(x)}
	}
	return out
}

func embeddedOpNamed(name string) embeddedOp {
	for _, op := range embeddedOps {
		if op.name == name {
			return op
		}
	}
	panic("no embedded op " + name)
}

// yTicks labels 0..limit in a round step (0.1, 0.2, 0.25, 0.5, 1, 2, ...
// million) giving at most 8 labelled ticks; the default marker labels too
// few on a small range.
func yTicks(limit float64) []plot.Tick {
	step := 0.1
	for _, s := range []float64{0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50} {
		step = s
		if limit/s <= 8 {
			break
		}
	}
	var out []plot.Tick
	for v := 0.0; v <= limit+1e-9; v += step {
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return out
}
