package funnel

import (
	"fmt"
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

	// maxSessions bounds len(sessions) (WithMaxSessions); 0 means no bound. With a bound, every
	// session is on one of two lists, from which the oldest is evicted: unfinished, in the order
	// the sessions were first seen, and finished, in the order they were first seen to finish.
	maxSessions          int
	unfinished, finished sessionList
	evicted              int // finished sessions evicted
	evictedUnfinished    int // sessions evicted before they finished
}

// Option configures a Funnel made by [New]. A value an option cannot use is never replaced by the
// default: New returns no error, so it panics with a message naming the option and the value,
// such as "funnel: New: WithMaxSessions(0): the bound must be at least 1". A nil Option panics
// too.
type Option func(*Funnel)

// WithMaxSessions bounds the sessions a Funnel keeps to n, so that its memory stays bounded in a
// service that runs for months. Once n sessions are kept, a new session first evicts the oldest
// finished one (the first to have been seen to end with HANDOFF or EXIT); only when none of the
// kept sessions has finished is the oldest unfinished one evicted. Both are counted in the
// Report ([Report.Evicted], [Report.EvictedUnfinished]), which then describes the sessions kept.
//
// An evicted session is forgotten entirely: a late or repeated event of it (a resent EVENTS
// webhook, a poll of /link/token/get) starts a new session record, which counts in
// [Report.Sessions] again, with only the steps that event and later ones show. Choose n well
// above the number of sessions that can still receive events, such as those of the last day:
// each kept session costs about 250 bytes (see the package's Memory section). New panics if n is
// not positive (see [Option]).
func WithMaxSessions(n int) Option {
	return func(f *Funnel) {
		if n <= 0 {
			panic(fmt.Sprintf("funnel: New: WithMaxSessions(%d): the bound must be at least 1", n))
		}
		f.maxSessions = n
	}
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

	// With a bound (WithMaxSessions): the session's id, which eviction removes from the map, and
	// its place on the unfinished list or, once events has a finishedBits bit, the finished one.
	id         string
	prev, next *session
}

// finishedBits are the events that end a session: it cannot go further in the funnel.
var finishedBits = handoffBit | exitBit

// sessionList is a doubly linked list of sessions, oldest first.
type sessionList struct {
	head, tail *session
}

func (l *sessionList) pushBack(s *session) {
	s.prev, s.next = l.tail, nil
	if l.tail == nil {
		l.head = s
	} else {
		l.tail.next = s
	}
	l.tail = s
}

func (l *sessionList) remove(s *session) {
	if s.prev == nil {
		l.head = s.next
	} else {
		s.prev.next = s.next
	}
	if s.next == nil {
		l.tail = s.prev
	} else {
		s.next.prev = s.prev
	}
	s.prev, s.next = nil, nil
}

// instMark is an institution a session's events named, and whether a HANDOFF named it.
type instMark struct {
	id      uint32 // interned institution_id
	handoff bool
}

// New returns an empty Funnel, configured by opts. Without [WithMaxSessions] it keeps every
// session it is given. It panics, naming the option and the value, if an option is given a value
// it cannot use or is nil (see [Option]).
func New(opts ...Option) *Funnel {
	f := &Funnel{
		sessions:     make(map[string]*session),
		strs:         newInterner(),
		instNames:    make(map[uint32]uint32),
		unattributed: make(map[uint64]struct{}),
	}
	for i, o := range opts {
		if o == nil {
			panic(fmt.Sprintf("funnel: New: option %d of %d is nil", i+1, len(opts)))
		}
		o(f)
	}
	return f
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

// sessionLocked returns the session with id, creating it, and evicting another first if the
// Funnel is full. The caller holds f.mu.
func (f *Funnel) sessionLocked(id string) *session {
	s, ok := f.sessions[id]
	if !ok {
		if f.maxSessions > 0 && len(f.sessions) >= f.maxSessions {
			f.evictLocked()
		}
		s = &session{}
		// A clone, so that the map never pins a larger buffer the id was cut from.
		key := strings.Clone(id)
		f.sessions[key] = s
		if f.maxSessions > 0 {
			s.id = key
			f.unfinished.pushBack(s)
		}
	}
	return s
}

// evictLocked forgets the oldest finished session or, if none has finished, the oldest
// unfinished one. The caller holds f.mu.
func (f *Funnel) evictLocked() {
	victim := f.finished.head
	if victim != nil {
		f.finished.remove(victim)
		f.evicted++
	} else if victim = f.unfinished.head; victim != nil {
		f.unfinished.remove(victim)
		f.evictedUnfinished++
	} else {
		return
	}
	delete(f.sessions, victim.id)
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
	if f.maxSessions > 0 && s.events&finishedBits == 0 && bit&finishedBits != 0 {
		f.unfinished.remove(s)
		f.finished.pushBack(s)
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
