package funnel

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
)

// longSession is eventsPerSession distinct events of session sid: the named steps, views and
// errors at three institutions over and over, then an EXIT.
func longSession(sid string, eventsPerSession int) []link.Event {
	names := []link.EventName{
		link.EventNameOpen, link.EventNameTransitionView, link.EventNameSearchInstitution,
		link.EventNameSelectInstitution, link.EventNameSubmitCredentials, link.EventNameError,
		link.EventNameSubmitMFA, link.EventNameHandoff,
	}
	out := make([]link.Event, 0, eventsPerSession)
	for i := range eventsPerSession - 1 {
		id := fmt.Sprintf("ins_%d", i%3)
		out = append(out, ev(sid, names[i%len(names)], time.Duration(i)*time.Millisecond, inst(id, "Bank "+id)).e)
	}
	return append(out, ev(sid, link.EventNameExit, time.Hour, exitWith(link.ExitStatusRequiresCode, "INVALID_MFA")).e)
}

// retainedBytes is the heap a Funnel holds after sessions sessions of eventsPerSession events
// each were added; the events themselves are garbage by the time it measures.
func retainedBytes(sessions, eventsPerSession int) (uint64, Report) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f := New()
	for s := range sessions {
		sid := fmt.Sprintf("43face8b-a5c2-42a4-adec-%012d", s)
		f.AddSession(sid, longSession(sid, eventsPerSession)...)
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	r := f.Report()
	runtime.KeepAlive(f)
	return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc), r
}

// TestMemoryPerSessionIsConstant shows that a Funnel's memory follows the number of sessions,
// not the number of events: ten times the events per session cost no more heap.
func TestMemoryPerSessionIsConstant(t *testing.T) {
	t.Run("one session", func(t *testing.T) {
		// Folding an event into a session that exists allocates nothing, so the heap cannot grow
		// with a session's events: 11 batches of 1,000 new events, the first a warm-up.
		const sid = "43face8b-a5c2-42a4-adec-4a4ec589eb46"
		events := longSession(sid, 11_000)
		f := New()
		f.AddSession(sid, events[0])
		batch := 0
		allocs := testing.AllocsPerRun(10, func() {
			f.AddSession(sid, events[batch*1000:(batch+1)*1000]...)
			batch++
		})
		assert.Zero(t, allocs, "allocations per 1,000 events")
		r := f.Report()
		assert.Equal(t, 1, r.Sessions)
		assert.Equal(t, 1, r.Exited)
		assert.Len(t, r.Institutions, 3)
	})
	t.Run("many sessions", func(t *testing.T) {
		const sessions = 2_000
		// The first measurement in a process comes out lower (the runtime's own tables are still
		// growing), so one is made and dropped before the two compared.
		_, _ = retainedBytes(sessions, 5)
		small, rs := retainedBytes(sessions, 5)
		large, rl := retainedBytes(sessions, 50)
		require.Equal(t, sessions, rs.Sessions)
		require.Equal(t, sessions, rl.Sessions)
		perSmall, perLarge := float64(small)/sessions, float64(large)/sessions
		t.Logf("per session: %.0f B with 5 events, %.0f B with 50", perSmall, perLarge)
		assert.Less(t, perLarge, 400.0, "bytes per session")
		assert.InDelta(t, perSmall, perLarge, 8, "bytes per session must not grow with events")
	})
}
