package sim_test

import (
	"context"
	"fmt"
	"math"

	"github.com/journeysim/journeysim/sim"
)

// A stream of arrivals, a day apart on average, and a one-off event at the
// end of a warm-up. Events carry a registered Kind and an int32 argument;
// events at the same time fire in the order they were scheduled.
func ExampleEngine() {
	eng := sim.NewEngine()
	arrivals := sim.NewStreams(42, 0).Rand("arrivals")

	var arrive sim.Kind
	arrive = eng.Register(func(id int32) {
		fmt.Printf("day %.2f: client %d arrives\n", eng.Now(), id)
		eng.After(arrivals.ExpFloat64(), arrive, id+1)
	})
	eng.Schedule(0, arrive, 0)
	eng.Call(2, func() { fmt.Printf("day %.2f: warm-up over\n", eng.Now()) })

	if err := eng.Run(context.Background(), 4); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("stopped at day %.0f with %d event pending\n", eng.Now(), eng.Pending())
	// Output:
	// day 0.00: client 0 arrives
	// day 1.24: client 1 arrives
	// day 1.77: client 2 arrives
	// day 1.91: client 3 arrives
	// day 1.99: client 4 arrives
	// day 2.00: warm-up over
	// day 3.37: client 5 arrives
	// stopped at day 4 with 1 event pending
}

// One bed and three clients who each stay a random time. Admit is called when
// a client takes the bed; the next in line is admitted when it is released.
func ExampleResource() {
	eng := sim.NewEngine()
	stays := sim.NewStreams(42, 0).Rand("los")
	bed := sim.NewResource(eng, "bed", 1, sim.FIFO)

	leave := eng.Register(func(id int32) {
		fmt.Printf("day %.2f: client %d leaves\n", eng.Now(), id)
		bed.Release()
	})
	bed.Admit = func(id int32, waited sim.Time) {
		fmt.Printf("day %.2f: client %d admitted after %.2f days\n", eng.Now(), id, waited)
		eng.After(1+stays.ExpFloat64(), leave, id)
	}
	for id := range int32(3) {
		eng.Call(0.5*float64(id), func() { bed.Request(id, 0, math.Inf(1)) })
	}

	if err := eng.Run(context.Background(), math.Inf(1)); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("mean wait %.2f days, mean occupancy %.2f\n",
		bed.Stats.Wait.Mean(), bed.Stats.Busy.Mean(eng.Now()))
	// Output:
	// day 0.00: client 0 admitted after 0.00 days
	// day 4.14: client 0 leaves
	// day 4.14: client 1 admitted after 3.64 days
	// day 6.08: client 1 leaves
	// day 6.08: client 2 admitted after 5.08 days
	// day 7.35: client 2 leaves
	// mean wait 2.91 days, mean occupancy 1.00
}
