package funnel

import (
	"fmt"
	"io"
	"testing"
)

const benchPerSession = 20

// benchSessions are n sessions of benchPerSession events each.
func benchSessions(n int) []sample {
	out := make([]sample, n)
	for i := range out {
		sid := fmt.Sprintf("43face8b-a5c2-42a4-adec-%012d", i)
		out[i] = sample{LinkSessionID: sid, Events: longSession(sid, benchPerSession)}
	}
	return out
}

// BenchmarkAdd folds new sessions of 20 events each, one AddSession per session as a webhook
// handler would; events/s is the throughput, and the allocations are those of creating a session.
func BenchmarkAdd(b *testing.B) {
	sessions := benchSessions(4096)
	b.ReportAllocs()
	f := New()
	for i := 0; b.Loop(); i++ {
		if i%len(sessions) == 0 && i > 0 {
			b.StopTimer()
			f = New() // so that every session is new to the funnel
			b.StartTimer()
		}
		s := sessions[i%len(sessions)]
		f.AddSession(s.LinkSessionID, s.Events...)
	}
	b.ReportMetric(float64(b.N*benchPerSession)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAddRedelivered folds events the funnel already has, as a resent EVENTS webhook brings
// them: no allocation.
func BenchmarkAddRedelivered(b *testing.B) {
	sessions := benchSessions(256)
	f := New()
	for _, s := range sessions {
		f.AddSession(s.LinkSessionID, s.Events...)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s := sessions[i%len(sessions)]
		f.AddSession(s.LinkSessionID, s.Events...)
	}
	b.ReportMetric(float64(b.N*benchPerSession)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReport builds the report of 10,000 sessions.
func BenchmarkReport(b *testing.B) {
	f := New()
	for _, s := range benchSessions(10_000) {
		f.AddSession(s.LinkSessionID, s.Events...)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = f.Report()
	}
}

// BenchmarkWriteSVG draws the chart of a report.
func BenchmarkWriteSVG(b *testing.B) {
	f := New()
	addAll(f, mixedSessions(1000))
	r := f.Report()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.WriteSVG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRetainedPerSession reports the heap a Funnel keeps per session of 20 events (B/session).
func BenchmarkRetainedPerSession(b *testing.B) {
	const sessions = 10_000
	var bytes uint64
	for b.Loop() {
		bytes, _ = retainedBytes(sessions, benchPerSession)
	}
	b.ReportMetric(float64(bytes)/sessions, "B/session")
}
