package funnel

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
)

// kept is the ids of the sessions f keeps.
func kept(f *Funnel) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id := range f.sessions {
		ids = append(ids, id)
	}
	return ids
}

// New returns no error, so an option it cannot use makes it panic, naming the option and the value.
func TestNewRefusesBadOptions(t *testing.T) {
	cases := []struct {
		opt  Option
		want string
	}{
		{WithMaxSessions(0), "funnel: New: WithMaxSessions(0): the bound must be at least 1"},
		{WithMaxSessions(-5), "funnel: New: WithMaxSessions(-5): the bound must be at least 1"},
		{nil, "funnel: New: option 2 of 2 is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, func() { New(WithMaxSessions(10), tc.opt) })
		})
	}
	assert.Equal(t, 1, New(WithMaxSessions(1)).maxSessions, "the bound 1 is taken")
}

func TestWithMaxSessionsEvictsTheOldestFinished(t *testing.T) {
	const (
		open = link.EventNameOpen
		sel  = link.EventNameSelectInstitution
		hand = link.EventNameHandoff
		exit = link.EventNameExit
	)
	f := New(WithMaxSessions(3))
	// a is seen first but finishes last; b finishes first; c never finishes.
	addAll(f, path("a", []link.EventName{open, sel}))
	addAll(f, path("b", []link.EventName{open, sel, hand}))
	addAll(f, path("c", []link.EventName{open}))
	addAll(f, []sessionEvent{ev("a", exit, 10e9, exitWith(link.ExitStatusRequiresCode, "INVALID_MFA"))})
	r := f.Report()
	assert.Equal(t, 3, r.Sessions)
	assert.Zero(t, r.Evicted, "nothing evicted within the bound")

	// A fourth session evicts b, the first to finish, not a, the first seen.
	addAll(f, path("d", []link.EventName{open}))
	assert.ElementsMatch(t, []string{"a", "c", "d"}, kept(f))
	r = f.Report()
	assert.Equal(t, 3, r.Sessions)
	assert.Equal(t, 1, r.Evicted)
	assert.Zero(t, r.EvictedUnfinished)
	assert.Zero(t, r.HandedOff, "the report describes the sessions kept")
	assert.Equal(t, 1, r.Exited)
	assert.Equal(t, 2, r.Unfinished)

	// Then a, the only finished one left.
	addAll(f, path("e", []link.EventName{open}))
	assert.ElementsMatch(t, []string{"c", "d", "e"}, kept(f))
	r = f.Report()
	assert.Equal(t, 2, r.Evicted)
	assert.Zero(t, r.Exited)

	// With every kept session unfinished, the oldest of them goes, and is counted apart.
	addAll(f, path("g", []link.EventName{open}))
	assert.ElementsMatch(t, []string{"d", "e", "g"}, kept(f))
	r = f.Report()
	assert.Equal(t, 2, r.Evicted)
	assert.Equal(t, 1, r.EvictedUnfinished)
	assert.Equal(t, 3, r.Sessions)

	// Events of kept sessions, repeated or new, evict nothing.
	addAll(f, path("d", []link.EventName{open, sel, hand}))
	addAll(f, path("g", []link.EventName{open}))
	r = f.Report()
	assert.Equal(t, 3, r.Sessions)
	assert.Equal(t, 2, r.Evicted)
	assert.Equal(t, 1, r.EvictedUnfinished)
	assert.Equal(t, 1, r.HandedOff)
}

// A late repeated event of an evicted session starts a new record: the session counts again in
// Sessions, with only the steps the late events show, as the documentation says.
func TestWithMaxSessionsLateEventOfAnEvictedSession(t *testing.T) {
	const (
		open  = link.EventNameOpen
		sel   = link.EventNameSelectInstitution
		creds = link.EventNameSubmitCredentials
		hand  = link.EventNameHandoff
	)
	f := New(WithMaxSessions(1))
	first := path("a", []link.EventName{open, sel, creds, hand})
	addAll(f, first)
	addAll(f, path("b", []link.EventName{open, sel, creds, hand}))
	r := f.Report()
	require.Equal(t, 1, r.Evicted)
	require.Equal(t, []string{"b"}, kept(f))

	// a's HANDOFF comes again (a resent EVENTS webhook carrying only it): b is evicted in turn,
	// and a is back as a session that reached HANDOFF, which implies every step before it.
	addAll(f, first[3:])
	assert.Equal(t, []string{"a"}, kept(f))
	r = f.Report()
	assert.Equal(t, 1, r.Sessions)
	assert.Equal(t, 2, r.Evicted)
	assert.Equal(t, 1, r.HandedOff)
	assert.Equal(t, 0, r.TimedSessions, "its OPEN was forgotten with the first record")
	open0 := r.Steps[0]
	assert.Equal(t, link.EventNameOpen, open0.Name)
	assert.Equal(t, 1, open0.Sessions)
	assert.Equal(t, 0, open0.Emitted, "the OPEN is not among the events it has now")
}

// A bounded Funnel never keeps more than its bound, under concurrent use, and every session
// beyond the bound is counted as evicted.
func TestWithMaxSessionsBoundsConcurrentUse(t *testing.T) {
	const bound, workers, perWorker = 100, 8, 500
	f := New(WithMaxSessions(bound))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				sid := fmt.Sprintf("w%d-s%d", w, i)
				// Each session's events in one call, so that none comes back after its eviction.
				evs := []link.Event{ev(sid, link.EventNameOpen, 0).withSession()}
				if i%2 == 0 {
					evs = append(evs, ev(sid, link.EventNameHandoff, 1e9).withSession())
				}
				f.Add(evs...)
				if i%50 == 0 {
					_ = f.Report()
				}
			}
		}()
	}
	wg.Wait()
	r := f.Report()
	assert.Equal(t, bound, r.Sessions)
	assert.Equal(t, workers*perWorker-bound, r.Evicted+r.EvictedUnfinished)
	assert.Len(t, kept(f), bound)
	// The lists hold exactly the kept sessions.
	f.mu.Lock()
	n := 0
	for _, l := range []sessionList{f.unfinished, f.finished} {
		for s := l.head; s != nil; s = s.next {
			assert.Same(t, f.sessions[s.id], s)
			n++
		}
	}
	f.mu.Unlock()
	assert.Equal(t, bound, n)
}

// withSession is the event with its session id in its metadata, as Add takes it.
func (se sessionEvent) withSession() link.Event {
	e := se.e
	e.EventMetadata.LinkSessionID = se.sid
	return e
}

// retainedBytesBounded is the heap a Funnel bounded to bound sessions holds after sessions
// sessions of five events each were added, one AddSession each.
func retainedBytesBounded(bound, sessions int) (uint64, Report) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f := New(WithMaxSessions(bound))
	for s := range sessions {
		sid := fmt.Sprintf("43face8b-a5c2-42a4-adec-%012d", s)
		f.AddSession(sid, longSession(sid, 5)...)
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	r := f.Report()
	runtime.KeepAlive(f)
	return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc), r
}

// TestWithMaxSessionsBoundsMemory shows that a bounded Funnel's memory follows its bound, not the
// number of sessions it was given: ten times the sessions cost no more heap.
func TestWithMaxSessionsBoundsMemory(t *testing.T) {
	const bound = 2_000
	_, _ = retainedBytesBounded(bound, bound) // warm-up, see TestMemoryPerSessionIsConstant
	few, rf := retainedBytesBounded(bound, 2*bound)
	many, rm := retainedBytesBounded(bound, 20*bound)
	require.Equal(t, bound, rf.Sessions)
	require.Equal(t, bound, rm.Sessions)
	assert.Equal(t, 19*bound, rm.Evicted)
	perFew, perMany := float64(few)/bound, float64(many)/bound
	t.Logf("per kept session: %.0f B after %d sessions, %.0f B after %d", perFew, 2*bound, perMany, 20*bound)
	assert.Less(t, perMany, 400.0, "bytes per kept session")
	assert.InDelta(t, perFew, perMany, 40, "bytes per kept session must not grow with the sessions given")
}
