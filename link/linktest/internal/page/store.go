package page

import (
	"sync"

	"github.com/plaidlink/plaidlink-go/link/linktest/internal/fifo"
)

// pageEntry is one submission of the page's form and, once done is closed, its outcome.
type pageEntry struct {
	id       string
	token    string
	hostedID string
	done     chan struct{}
	// Set before done is closed: exactly one of them.
	outcome *pageOutcome
	err     error
}

// pageStore remembers the page's submissions, so that a form posted twice (a double click, the
// back button, a reload) shows the first post's outcome instead of starting a second session,
// and so that a Hosted Link URL, which is good for one session, shows the outcome it ended with.
// The zero value is ready to use.
type pageStore struct {
	mu     sync.Mutex
	byID   *fifo.Map[*pageEntry]
	hosted *fifo.Map[*pageEntry] // by link token, Hosted Link tokens only
}

func (p *pageStore) initLocked() {
	if p.byID == nil {
		p.byID = fifo.New[*pageEntry](maxPageSubmissions)
		p.hosted = fifo.New[*pageEntry](maxPageSubmissions)
	}
}

// claim returns the entry for submission id on pt, and whether the caller made it and so must
// run the session and then finish the entry. An existing entry is returned instead when the id
// was posted before or, for a Hosted Link token, when the token already has a session from the
// page.
func (p *pageStore) claim(id string, pt pageToken) (*pageEntry, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.initLocked()
	if e, ok := p.byID.Get(id); ok {
		return e, false
	}
	if pt.hostedID != "" {
		if e, ok := p.hosted.Get(pt.token); ok {
			return e, false
		}
	}
	e := &pageEntry{id: id, token: pt.token, hostedID: pt.hostedID, done: make(chan struct{})}
	p.byID.Put(id, e)
	if pt.hostedID != "" {
		p.hosted.Put(pt.token, e)
	}
	return e, true
}

// finish records the outcome of a claimed entry. A failed session is forgotten, so the same
// form can be posted again once the developer has fixed what was wrong.
func (p *pageStore) finish(e *pageEntry, oc *pageOutcome, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e.outcome, e.err = oc, err
	if err != nil {
		if cur, ok := p.byID.Get(e.id); ok && cur == e {
			p.byID.Del(e.id)
		}
		if cur, ok := p.hosted.Get(e.token); ok && cur == e {
			p.hosted.Del(e.token)
		}
	}
	close(e.done)
}

// lookup returns the entry of submission id, if the page remembers it.
func (p *pageStore) lookup(id string) (*pageEntry, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.initLocked()
	return p.byID.Get(id)
}

// hostedOutcome returns the entry a Hosted Link token's session from the page ended with.
func (p *pageStore) hostedOutcome(token string) (*pageEntry, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.initLocked()
	return p.hosted.Get(token)
}
