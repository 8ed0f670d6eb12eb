package refmodel

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/journeysim/journeysim/sim"
)

// Config describes one run. Times are in days.
type Config struct {
	Rate       float64 // arrivals a day
	CapA       int     // places at the first stage
	MeanA      float64 // mean stay at the first stage
	PB         float64 // probability of going on to the second stage
	CapB       int     // places at the second stage
	MeanB      float64 // mean stay at the second stage
	PReturn    float64 // probability of returning after leaving
	MeanReturn float64 // mean delay before returning
	Horizon    float64 // days
	Seed       uint64
}

// Stable is the peers' stable configuration: D = 260, C = 2400, 50 years.
func Stable() Config {
	return Config{Rate: 10, CapA: 260, MeanA: 10, PB: 0.5, CapB: 2400, MeanB: 180,
		PReturn: 0.6, MeanReturn: 365, Horizon: 50 * 365, Seed: 42}
}

// Overloaded is the peers' overloaded configuration: D = 20, C = 300.
func Overloaded() Config {
	c := Stable()
	c.CapA, c.CapB = 20, 300
	return c
}

// Result holds what the peers print.
type Result struct {
	Events            int64 // arrivals + starts + ends + returns, as the peers count them
	Arrivals, Starts  int64
	Ends, Returns     int64
	WaitA, OccA, OccB float64
	WaitB             float64
	QueueAEnd         int
	CalendarPeak      int
	LiveIDs           int // client ids in use at the end
}

type model struct {
	cfg  Config
	eng  *sim.Engine
	a, b *sim.Resource

	arrivals, los, route *rand.Rand

	arrive, endA, endB, back sim.Kind
	res                      Result
	free                     []int32 // ids of clients gone for good, for reuse
	nextID                   int32
}

// Run runs the model once.
func Run(ctx context.Context, cfg Config) (Result, error) {
	m := New(cfg)
	return m.Run(ctx)
}

// Model is a built, not yet run, reference model.
type Model struct{ m *model }

// New builds the model without running it, so a benchmark can time the run alone.
func New(cfg Config) *Model {
	eng := sim.NewEngine()
	st := sim.NewStreams(cfg.Seed, 0)
	m := &model{cfg: cfg, eng: eng,
		arrivals: st.Rand("arrivals"), los: st.Rand("los"), route: st.Rand("routing")}
	m.a = sim.NewResource(eng, "a", cfg.CapA, sim.FIFO)
	m.b = sim.NewResource(eng, "b", cfg.CapB, sim.FIFO)
	m.arrive = eng.Register(m.onArrive)
	m.endA = eng.Register(m.onEndA)
	m.endB = eng.Register(m.onEndB)
	m.back = eng.Register(m.onBack)
	m.a.Admit = func(id int32, _ sim.Time) {
		m.res.Starts++
		eng.After(m.los.ExpFloat64()*cfg.MeanA, m.endA, id)
	}
	m.b.Admit = func(id int32, _ sim.Time) {
		m.res.Starts++
		eng.After(m.los.ExpFloat64()*cfg.MeanB, m.endB, id)
	}
	return &Model{m}
}

// Run runs a model built by New.
func (mm *Model) Run(ctx context.Context) (Result, error) {
	m := mm.m
	m.eng.After(m.arrivals.ExpFloat64()/m.cfg.Rate, m.arrive, -1)
	if err := m.eng.Run(ctx, m.cfg.Horizon); err != nil {
		return Result{}, err
	}
	r := m.res
	r.Events = r.Arrivals + r.Starts + r.Ends + r.Returns
	now := m.eng.Now()
	r.WaitA = m.a.Stats.Wait.Mean()
	r.WaitB = m.b.Stats.Wait.Mean()
	r.OccA = m.a.Stats.Busy.Mean(now)
	r.OccB = m.b.Stats.Busy.Mean(now)
	r.QueueAEnd = m.a.QueueLen()
	r.LiveIDs = int(m.nextID) - len(m.free)
	return r, nil
}

func (m *model) onArrive(int32) {
	m.res.Arrivals++
	m.eng.After(m.arrivals.ExpFloat64()/m.cfg.Rate, m.arrive, -1)
	var id int32
	if n := len(m.free); n > 0 {
		id, m.free = m.free[n-1], m.free[:n-1]
	} else {
		id = m.nextID
		m.nextID++
	}
	m.a.Request(id, 0, math.Inf(1))
}

func (m *model) onEndA(id int32) {
	m.res.Ends++
	m.a.Release()
	if m.route.Float64() < m.cfg.PB {
		m.b.Request(id, 0, math.Inf(1))
		return
	}
	m.leave(id)
}

func (m *model) onEndB(id int32) {
	m.res.Ends++
	m.b.Release()
	m.leave(id)
}

func (m *model) leave(id int32) {
	if m.route.Float64() < m.cfg.PReturn {
		m.eng.After(m.los.ExpFloat64()*m.cfg.MeanReturn, m.back, id)
		return
	}
	m.free = append(m.free, id)
}

func (m *model) onBack(id int32) {
	m.res.Returns++
	m.a.Request(id, 0, math.Inf(1))
}
