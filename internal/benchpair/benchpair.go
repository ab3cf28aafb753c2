// Package benchpair measures an SDK operation against its floor with the two interleaved, one
// operation of each in turn, for the ratios internal/cmd/bench checks against their targets.
//
// Run as two separate benchmarks, an SDK benchmark and its floor are seconds apart, and this
// machine's speed drifts by 10-20% over seconds; the one that runs later in a process also meets a
// different heap. A ratio of two such figures moves by more than the margins the targets leave.
// Interleaved operation by operation, both sides see the same machine, and the ratio of their
// total times is steady to a few percent.
package benchpair

import (
	"testing"
	"time"
)

// Interleave runs sdk and floor alternately b.N times each, the order swapped on every iteration,
// and reports each side's time per operation ("sdk-ns/op", "floor-ns/op") and their ratio
// ("ratio"). Allocations are not split between the two: the separate benchmarks report them.
func Interleave(b *testing.B, sdk, floor func()) {
	var sdkTime, floorTime time.Duration
	timed := func(op func(), total *time.Duration) {
		start := time.Now()
		op()
		*total += time.Since(start)
	}
	// One untimed run of each warms caches, pools and connections.
	sdk()
	floor()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if n%2 == 0 {
			timed(sdk, &sdkTime)
			timed(floor, &floorTime)
		} else {
			timed(floor, &floorTime)
			timed(sdk, &sdkTime)
		}
		n++
	}
	if n == 0 || floorTime == 0 {
		return
	}
	b.ReportMetric(float64(sdkTime.Nanoseconds())/float64(n), "sdk-ns/op")
	b.ReportMetric(float64(floorTime.Nanoseconds())/float64(n), "floor-ns/op")
	b.ReportMetric(float64(sdkTime)/float64(floorTime), "ratio")
}
