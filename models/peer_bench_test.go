package models

import (
	"context"
	"testing"

	"github.com/journeysim/journeysim/sim/refmodel"
)

// benchPeer runs one replication of a peers' scenario a loop: the figure
// `bench peers` sets against the bare Go loop.
func benchPeer(b *testing.B, name string) {
	sc, err := Load(name, nil)
	if err != nil {
		b.Fatal(err)
	}
	m, err := Build(sc)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := m.NewReplication(sc.Seed(), 0).Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPeerStable(b *testing.B)     { benchPeer(b, "bench/peer-reference") }
func BenchmarkPeerOverloaded(b *testing.B) { benchPeer(b, "bench/peer-overloaded") }

// The same model written against sim alone: the scenario's overhead is the
// difference.
func BenchmarkPeerEngineStable(b *testing.B) {
	for b.Loop() {
		if _, err := refmodel.Run(context.Background(), refmodel.Stable()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPeerEngineOverloaded(b *testing.B) {
	for b.Loop() {
		if _, err := refmodel.Run(context.Background(), refmodel.Overloaded()); err != nil {
			b.Fatal(err)
		}
	}
}
