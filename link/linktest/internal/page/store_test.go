package page

import (
	"errors"
	"fmt"
	"testing"

	"github.com/plaidlink/plaidlink-go/link/linktest/internal/fifo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The page's double-submit store keeps at most its bound of submissions and of Hosted Link
// outcomes, the oldest forgotten first; a failed submission is forgotten at once, so the same form
// can be posted again.
func TestPageStoreIsBounded(t *testing.T) {
	const bound = 3
	p := pageStore{byID: fifo.New[*pageEntry](bound), hosted: fifo.New[*pageEntry](bound)}
	standard := pageToken{token: "link-sandbox-standard"}
	for i := range 2 * bound {
		e, mine := p.claim(fmt.Sprint("sub-", i), standard)
		require.True(t, mine, "a new submission id is the caller's to run")
		p.finish(e, &pageOutcome{LinkSessionID: fmt.Sprint("session-", i)}, nil)
	}
	assert.Equal(t, bound, p.byID.Len())
	_, ok := p.lookup("sub-0")
	assert.False(t, ok, "the oldest submission is forgotten")
	e, ok := p.lookup(fmt.Sprint("sub-", 2*bound-1))
	require.True(t, ok, "the newest is remembered")
	assert.Equal(t, fmt.Sprint("session-", 2*bound-1), e.outcome.LinkSessionID)

	again, mine := p.claim(fmt.Sprint("sub-", 2*bound-1), standard)
	assert.False(t, mine, "a remembered submission posted again is not run again")
	assert.Same(t, e, again)

	for i := range 2 * bound {
		hosted := pageToken{token: fmt.Sprint("link-sandbox-hosted-", i), hostedID: fmt.Sprint("hl-", i)}
		e, mine := p.claim(fmt.Sprint("hosted-sub-", i), hosted)
		require.True(t, mine)
		p.finish(e, &pageOutcome{}, nil)
		// A Hosted Link token runs one session from the page, whatever the submission id.
		other, mine := p.claim(fmt.Sprint("hosted-other-", i), hosted)
		assert.False(t, mine)
		assert.Same(t, e, other)
	}
	assert.Equal(t, bound, p.hosted.Len())
	assert.Equal(t, bound, p.byID.Len())
	_, ok = p.hostedOutcome("link-sandbox-hosted-0")
	assert.False(t, ok, "the oldest Hosted Link outcome is forgotten")
	_, ok = p.hostedOutcome(fmt.Sprint("link-sandbox-hosted-", 2*bound-1))
	assert.True(t, ok)

	failed, mine := p.claim("sub-failed", standard)
	require.True(t, mine)
	p.finish(failed, nil, errors.New("INVALID_INSTITUTION"))
	_, ok = p.lookup("sub-failed")
	assert.False(t, ok, "a failed submission is forgotten")
	retry, mine := p.claim("sub-failed", standard)
	assert.True(t, mine, "and the same form can be posted again")
	assert.NotSame(t, failed, retry)
}
