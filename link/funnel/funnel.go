package funnel

import (
	"strings"
	"sync"

	"github.com/plaidlink/plaidlink-go/link"
)

// Funnel folds Link events into per-session summaries from which [Funnel.Report] builds the
// conversion funnel. The zero value is not usable; call [New]. A Funnel is safe for concurrent
// use: one mutex guards it, held by Add and AddSession for the events of one call and by Report
// while it counts.
type Funnel struct {
	mu       sync.Mutex
	sessions map[string]*session
	strs     interner
	// instNames maps an interned institution_id to the interned institution_name that goes with
	// it: the smallest non-empty name seen, so that the choice does not depend on arrival order.
	instNames map[uint32]uint32
	// unattributed holds a hash of each distinct event that came without a link_session_id.
	unattributed map[uint64]struct{}
}

// session is everything a Funnel keeps of one Link session, whatever its number of events. Every
// field is combined with an operation that gives the same result in any order and with any
// repetition (a union of bits or institutions, the earliest time, the greatest key), so a
// repeated event_id changes nothing and no event ids need to be kept.
type session struct {
	events    uint64 // bit per event name emitted, see bitOf
	openAt    int64  // earliest OPEN with a readable timestamp, Unix ns; 0 if none
	handoffAt int64  // earliest HANDOFF with a readable timestamp, Unix ns; 0 if none
	// The EXIT reported for the session is the one with the latest (exitAt, exitKey): a session
	// has one EXIT, but should several arrive, every order picks the same.
	exitAt     int64
	exitKey    uint64 // hash of that EXIT's event_id
	exitStatus uint32 // interned exit_status
	exitCode   uint32 // interned error_code
	insts      []instMark
}

// instMark is an institution a session's events named, and whether a HANDOFF named it.
type instMark struct {
	id      uint32 // interned institution_id
	handoff bool
}

// New returns an empty Funnel.
func New() *Funnel {
	return &Funnel{
		sessions:     make(map[string]*session),
		strs:         newInterner(),
		instNames:    make(map[uint32]uint32),
		unattributed: make(map[uint64]struct{}),
	}
}

// Add folds events into their Link sessions, named by each event's metadata link_session_id:
// Link's onEvent callback puts it there, and link.Client.GetToken and webhook.Parse copy it into
// the events of a /link/token/get session or an EVENTS webhook. Events may come in any order, from
// several sources, split across calls and more than once (Plaid resends EVENTS with every event
// so far): an event_id already folded changes nothing. An event with no link_session_id cannot be
// placed in a session: it is left out of the funnel and only counted in [Report.Unattributed],
// once per event_id, for a report to show that such events exist.
func (f *Funnel) Add(events ...link.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s *session
	var sid string
	for i := range events {
		e := &events[i]
		id := e.EventMetadata.LinkSessionID
		switch {
		case id == "":
			f.unattributed[unattributedKey(e)] = struct{}{}
			continue
		case s == nil || id != sid:
			// Events usually come a session at a time: look the session up once per run.
			s, sid = f.sessionLocked(id), id
		}
		f.foldLocked(s, e)
	}
}

// AddSession folds events that belong to the Link session linkSessionID, whatever their metadata
// says: for events decoded without the SDK's help, whose session id came beside them (the
// link_session_id of a /link/token/get session or an EVENTS webhook). It merges as [Funnel.Add]
// does. With an empty linkSessionID the events are in no session: they are only counted in
// [Report.Unattributed].
func (f *Funnel) AddSession(linkSessionID string, events ...link.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if linkSessionID == "" {
		for i := range events {
			f.unattributed[unattributedKey(&events[i])] = struct{}{}
		}
		return
	}
	s := f.sessionLocked(linkSessionID)
	for i := range events {
		f.foldLocked(s, &events[i])
	}
}

// sessionLocked returns the session with id, creating it. The caller holds f.mu.
func (f *Funnel) sessionLocked(id string) *session {
	s, ok := f.sessions[id]
	if !ok {
		s = &session{}
		// A clone, so that the map never pins a larger buffer the id was cut from.
		f.sessions[strings.Clone(id)] = s
	}
	return s
}

// foldLocked merges one event into its session. The caller holds f.mu.
func (f *Funnel) foldLocked(s *session, e *link.Event) {
	bit := bitOf(e.EventName)
	var at int64
	if e.Timestamp.Valid() {
		at = e.Timestamp.UnixNano()
	}
	switch bit {
	case openBit:
		s.openAt = earliest(s.openAt, at)
	case handoffBit:
		s.handoffAt = earliest(s.handoffAt, at)
	case exitBit:
		key := hashString(e.EventID)
		if s.events&exitBit == 0 || at > s.exitAt || (at == s.exitAt && key > s.exitKey) {
			s.exitAt, s.exitKey = at, key
			s.exitStatus = f.strs.intern(string(e.EventMetadata.ExitStatus))
			s.exitCode = f.strs.intern(e.EventMetadata.ErrorCode)
		}
	}
	s.events |= bit
	if e.EventMetadata.InstitutionID != "" {
		f.markInstitutionLocked(s, e.EventMetadata.InstitutionID, e.EventMetadata.InstitutionName, bit == handoffBit)
	}
}

// markInstitutionLocked records that a session met an institution (handed off there, if
// handoff). The caller holds f.mu.
func (f *Funnel) markInstitutionLocked(s *session, instID, name string, handoff bool) {
	id := f.strs.intern(instID)
	if name != "" {
		n, ok := f.instNames[id]
		if !ok || name < f.strs.get(n) {
			f.instNames[id] = f.strs.intern(name)
		}
	}
	for i := range s.insts {
		if s.insts[i].id == id {
			s.insts[i].handoff = s.insts[i].handoff || handoff
			return
		}
	}
	s.insts = append(s.insts, instMark{id: id, handoff: handoff})
}

// earliest returns the earlier of two Unix-ns times, where 0 means unknown.
func earliest(cur, at int64) int64 {
	if cur == 0 || (at != 0 && at < cur) {
		return at
	}
	return cur
}

// unattributedKey identifies an event without a session: its event_id, or, lacking one, its name
// and timestamp as sent.
func unattributedKey(e *link.Event) uint64 {
	if e.EventID != "" {
		return hashString(e.EventID)
	}
	return hashString(string(e.EventName) + "\x00" + e.Timestamp.Raw())
}

// hashString is 64-bit FNV-1a, inline so that hashing an event id does not allocate.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// interner stores each distinct string once and names it by a small index; index 0 is "". Exit
// statuses, error codes and institutions repeat across sessions, so a session holds indexes.
type interner struct {
	ids  map[string]uint32
	strs []string
}

func newInterner() interner {
	return interner{ids: map[string]uint32{"": 0}, strs: []string{""}}
}

func (in *interner) intern(s string) uint32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := uint32(len(in.strs))
	s = strings.Clone(s)
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

func (in *interner) get(id uint32) string { return in.strs[id] }
