package funnel

import (
	"cmp"
	"math/bits"
	"slices"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
)

// Report is the conversion funnel of the sessions a [Funnel] has seen.
type Report struct {
	// Sessions is the number of distinct link_session_ids.
	Sessions int
	// Steps are the funnel's steps in Link's order (see the package documentation).
	Steps []Step
	// Events counts, for each event name emitted by at least one session, the sessions that
	// emitted it, most sessions first. Names Plaid does not document are counted together as
	// [OtherEvents].
	Events []Count
	// HandedOff is the number of sessions with a HANDOFF event.
	HandedOff int
	// Exited is the number of sessions with an EXIT event.
	Exited int
	// Unfinished is the number of sessions with neither HANDOFF nor EXIT (yet).
	Unfinished int
	// ExitsByStatus counts the exited sessions by the exit_status of their EXIT event, most
	// sessions first; the Key "" counts EXIT events without one.
	ExitsByStatus []Count
	// ExitsByErrorCode counts the exited sessions by the error_code of their EXIT event, most
	// sessions first; the Key "" counts users who left without an error.
	ExitsByErrorCode []Count
	// Institutions are the institutions named by the sessions' events, most sessions first.
	Institutions []Institution
	// MedianOpenToHandoff is the median, over the sessions with both an OPEN and a HANDOFF with
	// readable timestamps, of the time from the first OPEN to the first HANDOFF; 0 if there are
	// no such sessions.
	MedianOpenToHandoff time.Duration
	// TimedSessions is the number of sessions MedianOpenToHandoff is taken over.
	TimedSessions int
	// Evicted is the number of finished sessions (with a HANDOFF or an EXIT) that a Funnel made
	// with [WithMaxSessions] has forgotten to stay within its bound, oldest first. They are in
	// none of the other counts, which describe the sessions kept.
	Evicted int
	// EvictedUnfinished is the number of sessions forgotten before they finished, because every
	// session kept was unfinished when a new one came: a sign that the bound is too low.
	EvictedUnfinished int
	// Unattributed is the number of distinct events given with no link_session_id (to
	// [Funnel.Add], or to [Funnel.AddSession] with none), which are in no session and nowhere
	// else in the report.
	Unattributed int
}

// Step is one step of the funnel.
type Step struct {
	// Name is the event that marks the step.
	Name link.EventName
	// Via are the other events that mark the same step on another path through Link (for example
	// OPEN_OAUTH, where an OAuth institution takes the user to log in at the bank rather than
	// submitting credentials in Link).
	Via []link.EventName
	// Sessions is the number of sessions that reached this step or a later one: the funnel,
	// which never widens from one step to the next.
	Sessions int
	// Emitted is the number of sessions that emitted Name or one of Via themselves. It is below
	// Sessions for steps that some paths skip (SEARCH_INSTITUTION, SUBMIT_MFA).
	Emitted int
	// DropOff is the percentage of the previous step's Sessions that did not reach this step;
	// 0 for the first step and after a step no session reached.
	DropOff float64
}

// Count is a number of sessions that share a key.
type Count struct {
	Key      string
	Sessions int
}

// Institution is what the sessions did at one institution.
type Institution struct {
	// ID is the institution_id.
	ID string
	// Name is the institution_name events gave with ID (the alphabetically first, should they
	// differ); empty if none did.
	Name string
	// Sessions is the number of sessions with an event naming the institution.
	Sessions int
	// Handoffs is the number of sessions with a HANDOFF naming the institution.
	Handoffs int
}

// Report computes the funnel from every event folded so far. It takes time linear in the number
// of sessions, holding the Funnel's lock, and the result shares no memory with the Funnel.
func (f *Funnel) Report() Report {
	f.mu.Lock()
	defer f.mu.Unlock()

	r := Report{Sessions: len(f.sessions), Unattributed: len(f.unattributed),
		Evicted: f.evicted, EvictedUnfinished: f.evictedUnfinished}
	reached := make([]int, len(stepDefs))
	emitted := make([]int, len(stepDefs))
	var eventCounts [64]int
	statuses := map[uint32]int{}
	codes := map[uint32]int{}
	type instCount struct{ sessions, handoffs int }
	insts := map[uint32]*instCount{}
	var durations []time.Duration

	for _, s := range f.sessions {
		furthest := -1
		for i, m := range stepMasks {
			if s.events&m != 0 {
				emitted[i]++
				furthest = i
			}
		}
		for i := 0; i <= furthest; i++ {
			reached[i]++
		}
		for ev := s.events; ev != 0; ev &= ev - 1 {
			eventCounts[bits.TrailingZeros64(ev)]++
		}
		switch {
		case s.events&exitBit != 0:
			r.Exited++
			statuses[s.exitStatus]++
			codes[s.exitCode]++
		case s.events&handoffBit == 0:
			r.Unfinished++
		}
		if s.events&handoffBit != 0 {
			r.HandedOff++
		}
		for _, m := range s.insts {
			c := insts[m.id]
			if c == nil {
				c = &instCount{}
				insts[m.id] = c
			}
			c.sessions++
			if m.handoff {
				c.handoffs++
			}
		}
		if s.openAt != 0 && s.handoffAt != 0 && s.handoffAt >= s.openAt {
			durations = append(durations, time.Duration(s.handoffAt-s.openAt))
		}
	}

	r.Steps = make([]Step, len(stepDefs))
	for i, d := range stepDefs {
		st := Step{Name: d.name, Via: slices.Clone(d.via), Sessions: reached[i], Emitted: emitted[i]}
		if i > 0 && reached[i-1] > 0 {
			st.DropOff = 100 * float64(reached[i-1]-reached[i]) / float64(reached[i-1])
		}
		r.Steps[i] = st
	}
	for i, n := range eventCounts {
		if n == 0 {
			continue
		}
		name := OtherEvents
		if i < len(knownEvents) {
			name = knownEvents[i]
		}
		r.Events = append(r.Events, Count{Key: string(name), Sessions: n})
	}
	sortCounts(r.Events)
	r.ExitsByStatus = f.counts(statuses)
	r.ExitsByErrorCode = f.counts(codes)
	for id, c := range insts {
		r.Institutions = append(r.Institutions, Institution{
			ID: f.strs.get(id), Name: f.strs.get(f.instNames[id]), Sessions: c.sessions, Handoffs: c.handoffs,
		})
	}
	slices.SortFunc(r.Institutions, func(a, b Institution) int {
		if c := cmp.Compare(b.Sessions, a.Sessions); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	r.TimedSessions = len(durations)
	r.MedianOpenToHandoff = median(durations)
	return r
}

// counts turns interned-key counts into sorted Counts.
func (f *Funnel) counts(m map[uint32]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: f.strs.get(k), Sessions: n})
	}
	sortCounts(out)
	return out
}

// sortCounts orders counts by sessions, most first, then by key, so that equal reports compare
// equal.
func sortCounts(cs []Count) {
	slices.SortFunc(cs, func(a, b Count) int {
		if c := cmp.Compare(b.Sessions, a.Sessions); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
}

// median returns the median of ds (the mean of the middle two for an even count), 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	mid := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[mid]
	}
	// Halving each first keeps the sum of two long durations from overflowing.
	return ds[mid-1]/2 + ds[mid]/2 + (ds[mid-1]%2+ds[mid]%2)/2
}
