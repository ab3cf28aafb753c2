package webhooktest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaidlink/plaidlink-go/webhook"
)

// Leases and TTLs far longer than a test: what takes time to see (a lease ending, a done marker
// expiring) depends on a store's clock, and stays in each implementation's own tests.
const (
	contractLease = time.Minute
	contractTTL   = time.Hour
)

// TestDeduper checks that the Deduper newDeduper returns keeps the contract [webhook.Deduper]
// documents: the three states of a key, who may release it, that done is final, that one of many
// concurrent claims wins, and that keys are opaque strings. If it is also a
// [webhook.BatchDeduper], its batch methods are checked against the per-key ones, on the keys of a
// webhook (one hash tag) and on keys of several hash tags in one call, as a Redis Cluster would
// place them in several slots.
//
// newDeduper is called once per check and must return a Deduper on a fresh, empty store of its own
// (a new key prefix or database on a shared server will do); it may use t for cleanup. Like
// testing/fstest.TestFS, TestDeduper is meant to be called from a test of the implementation:
//
//	func TestContract(t *testing.T) {
//		webhooktest.TestDeduper(t, func(t *testing.T) webhook.Deduper { return newStore(t) })
//	}
//
// It reports each failure with t.Errorf, naming the check, the key and the states seen.
func TestDeduper(t *testing.T, newDeduper func(t *testing.T) webhook.Deduper) {
	t.Helper()
	open := func(t *testing.T) *deduperCheck {
		t.Helper()
		d := newDeduper(t)
		if d == nil {
			t.Fatal("newDeduper returned nil")
		}
		return &deduperCheck{t: t, d: d}
	}
	for _, tc := range stateCases {
		t.Run("states/"+tc.name, func(t *testing.T) {
			c := open(t)
			const key = "ITEM_ADD_RESULT:{0123}"
			for i, s := range tc.steps {
				what := fmt.Sprintf("step %d (%s by %q)", i, s.op, s.owner)
				switch s.op {
				case "claim":
					c.wantClaim(what, key, s.owner, s.want)
				case "done":
					c.done(what, key)
				case "release":
					c.release(what, key, s.owner)
				}
			}
			c.wantClaim("another key afterwards", key+"-other", "z", webhook.ClaimOK)
		})
	}

	t.Run("keys are opaque", func(t *testing.T) {
		c := open(t)
		keys := []string{
			"EVENTS:{tag}a", "EVENTS:{tag}b", // one hash tag, two keys
			"{}", "}{", "a{b", "key with spaces", "ключ", "colon:key:", strings.Repeat("k", 300),
		}
		for _, k := range keys {
			c.wantClaim("first claim", k, "a", webhook.ClaimOK)
		}
		for _, k := range keys {
			c.wantClaim("claim by another owner", k, "b", webhook.ClaimInFlight)
		}
		c.done("done", keys[0])
		c.wantClaim("a key sharing the done key's hash tag", keys[1], "b", webhook.ClaimInFlight)
		c.wantClaim("the done key", keys[0], "b", webhook.ClaimDone)
	})

	t.Run("concurrent claims of one key", func(t *testing.T) {
		c := open(t)
		const n = 50
		states := make([]webhook.ClaimState, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				states[i] = c.claim("concurrent claim", "EVENTS:{s}e", fmt.Sprint("owner", i))
			}()
		}
		wg.Wait()
		c.wantOneWinner("EVENTS:{s}e", states)
	})

	if _, ok := open(t).d.(webhook.BatchDeduper); !ok {
		return
	}
	openBatch := func(t *testing.T) (*deduperCheck, webhook.BatchDeduper) {
		t.Helper()
		c := open(t)
		b, ok := c.d.(webhook.BatchDeduper)
		if !ok {
			t.Fatalf("newDeduper returned a %T, not a BatchDeduper as it did before", c.d)
		}
		return c, b
	}

	t.Run("batch/claim gives each key's state", func(t *testing.T) {
		c, b := openBatch(t)
		done, other, own, absent := "EVENTS:{s}done", "EVENTS:{s}other", "EVENTS:{s}own", "EVENTS:{s}absent"
		c.done("setup", done)
		c.wantClaim("setup", other, "b", webhook.ClaimOK)
		c.wantClaim("setup", own, "a", webhook.ClaimOK)
		c.wantBatch("ClaimBatch", b, []string{absent, done, other, own}, "a",
			[]webhook.ClaimState{webhook.ClaimOK, webhook.ClaimDone, webhook.ClaimInFlight, webhook.ClaimOK})
		c.wantClaim("after ClaimBatch", absent, "c", webhook.ClaimInFlight)
		c.wantClaim("after ClaimBatch", own, "c", webhook.ClaimInFlight)
		c.wantClaim("after ClaimBatch", done, "c", webhook.ClaimDone)
		c.wantClaim("after ClaimBatch", absent, "a", webhook.ClaimOK)
	})

	t.Run("batch/done marks every key", func(t *testing.T) {
		c, b := openBatch(t)
		keys := []string{"EVENTS:{s}mine", "EVENTS:{s}theirs", "EVENTS:{s}absent", "EVENTS:{s}done"}
		c.wantClaim("setup", keys[0], "a", webhook.ClaimOK)
		c.wantClaim("setup", keys[1], "b", webhook.ClaimOK)
		c.done("setup", keys[3])
		if err := b.DoneBatch(context.Background(), keys, contractTTL); err != nil {
			t.Fatalf("DoneBatch: %v", err)
		}
		for _, k := range keys {
			c.wantClaim("after DoneBatch", k, "c", webhook.ClaimDone)
		}
		c.release("after DoneBatch", keys[0], "a")
		c.wantClaim("release after DoneBatch", keys[0], "c", webhook.ClaimDone)
	})

	t.Run("batch/release frees the owner's claims only", func(t *testing.T) {
		c, b := openBatch(t)
		mine1, mine2, theirs, done := "EVENTS:{s}1", "EVENTS:{s}2", "EVENTS:{s}3", "EVENTS:{s}4"
		c.wantClaim("setup", mine1, "a", webhook.ClaimOK)
		c.wantClaim("setup", mine2, "a", webhook.ClaimOK)
		c.wantClaim("setup", theirs, "b", webhook.ClaimOK)
		c.done("setup", done)
		if err := b.ReleaseBatch(context.Background(), []string{mine1, mine2, theirs, done, "EVENTS:{s}absent"}, "a"); err != nil {
			t.Fatalf("ReleaseBatch: %v", err)
		}
		c.wantClaim("after ReleaseBatch", mine1, "c", webhook.ClaimOK)
		c.wantClaim("after ReleaseBatch", mine2, "c", webhook.ClaimOK)
		c.wantClaim("after ReleaseBatch", theirs, "c", webhook.ClaimInFlight)
		c.wantClaim("after ReleaseBatch", done, "c", webhook.ClaimDone)
	})

	t.Run("batch/the keys of a webhook, under one hash tag", func(t *testing.T) {
		c, b := openBatch(t)
		keys := make([]string, 34)
		for i := range keys {
			keys[i] = fmt.Sprintf("EVENTS:{session}event%02d", i)
		}
		c.wantBatch("first ClaimBatch", b, keys, "a", repeatState(webhook.ClaimOK, len(keys)))
		c.wantBatch("ClaimBatch by another owner", b, keys, "b", repeatState(webhook.ClaimInFlight, len(keys)))
		if err := b.DoneBatch(context.Background(), keys, contractTTL); err != nil {
			t.Fatalf("DoneBatch: %v", err)
		}
		c.wantBatch("ClaimBatch after DoneBatch", b, keys, "b", repeatState(webhook.ClaimDone, len(keys)))
		more := append([]string{"EVENTS:{session}event99"}, keys...)
		c.wantBatch("one new key among done ones", b, more, "c",
			append([]webhook.ClaimState{webhook.ClaimOK}, repeatState(webhook.ClaimDone, len(keys))...))
	})

	t.Run("batch/keys of several hash tags in one call", func(t *testing.T) {
		// A Redis Cluster places these in different slots: a store that sends them in one
		// command fails (CROSSSLOT); one that splits them by slot answers for each.
		c, b := openBatch(t)
		keys := []string{"EVENTS:{a}1", "EVENTS:{b}1", "untagged", "EVENTS:{a}2", "{}empty-tag", "open{brace", "ITEM_ADD_RESULT:{c}"}
		c.done("setup", keys[3])
		want := repeatState(webhook.ClaimOK, len(keys))
		want[3] = webhook.ClaimDone
		c.wantBatch("ClaimBatch", b, keys, "a", want)
		for i, k := range keys {
			if i != 3 {
				c.wantClaim("after ClaimBatch", k, "b", webhook.ClaimInFlight)
			}
		}
		if err := b.ReleaseBatch(context.Background(), keys, "a"); err != nil {
			t.Fatalf("ReleaseBatch: %v", err)
		}
		c.wantClaim("after ReleaseBatch", keys[1], "b", webhook.ClaimOK)
		if err := b.DoneBatch(context.Background(), keys, contractTTL); err != nil {
			t.Fatalf("DoneBatch: %v", err)
		}
		c.wantBatch("after DoneBatch", b, keys, "c", repeatState(webhook.ClaimDone, len(keys)))
	})

	t.Run("batch/concurrent claims of one webhook", func(t *testing.T) {
		c, b := openBatch(t)
		keys := make([]string, 34)
		for i := range keys {
			keys[i] = fmt.Sprintf("EVENTS:{race}event%02d", i)
		}
		const n = 8
		got := make([][]webhook.ClaimState, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				states, err := b.ClaimBatch(context.Background(), keys, fmt.Sprint("owner", i), contractLease)
				if err != nil {
					t.Errorf("concurrent ClaimBatch: %v", err)
					return
				}
				got[i] = states
			}()
		}
		wg.Wait()
		for k, key := range keys {
			states := make([]webhook.ClaimState, 0, n)
			for _, g := range got {
				if len(g) == len(keys) {
					states = append(states, g[k])
				}
			}
			if len(states) == n {
				c.wantOneWinner(key, states)
			}
		}
	})
}

// deduperCheck is one check's Deduper, with calls that report what they saw.
type deduperCheck struct {
	t *testing.T
	d webhook.Deduper
}

func (c *deduperCheck) claim(what, key, owner string) webhook.ClaimState {
	c.t.Helper()
	st, err := c.d.Claim(context.Background(), key, owner, contractLease)
	if err != nil {
		c.t.Errorf("%s: Claim(%q, %q): %v", what, key, owner, err)
	}
	return st
}

func (c *deduperCheck) wantClaim(what, key, owner string, want webhook.ClaimState) {
	c.t.Helper()
	if got := c.claim(what, key, owner); got != want {
		c.t.Errorf("%s: Claim(%q, %q) = %v, want %v", what, key, owner, got, want)
	}
}

func (c *deduperCheck) done(what, key string) {
	c.t.Helper()
	if err := c.d.Done(context.Background(), key, contractTTL); err != nil {
		c.t.Fatalf("%s: Done(%q): %v", what, key, err)
	}
}

func (c *deduperCheck) release(what, key, owner string) {
	c.t.Helper()
	if err := c.d.Release(context.Background(), key, owner); err != nil {
		c.t.Fatalf("%s: Release(%q, %q): %v", what, key, owner, err)
	}
}

func (c *deduperCheck) wantBatch(what string, b webhook.BatchDeduper, keys []string, owner string, want []webhook.ClaimState) {
	c.t.Helper()
	got, err := b.ClaimBatch(context.Background(), keys, owner, contractLease)
	if err != nil {
		c.t.Fatalf("%s: ClaimBatch(%q, %q): %v", what, keys, owner, err)
	}
	if len(got) != len(keys) {
		c.t.Fatalf("%s: ClaimBatch of %d keys returned %d states", what, len(keys), len(got))
	}
	for i := range keys {
		if got[i] != want[i] {
			c.t.Errorf("%s: ClaimBatch by %q: key %q is %v, want %v", what, owner, keys[i], got[i], want[i])
		}
	}
}

// wantOneWinner checks the states of concurrent claims of key by distinct owners: one ClaimOK,
// the rest ClaimInFlight.
func (c *deduperCheck) wantOneWinner(key string, states []webhook.ClaimState) {
	c.t.Helper()
	count := map[webhook.ClaimState]int{}
	for _, st := range states {
		count[st]++
	}
	if count[webhook.ClaimOK] != 1 || count[webhook.ClaimInFlight] != len(states)-1 {
		c.t.Errorf("%d concurrent claims of %q by distinct owners: %v, want one ClaimOK and the rest ClaimInFlight",
			len(states), key, count)
	}
}

func repeatState(st webhook.ClaimState, n int) []webhook.ClaimState {
	out := make([]webhook.ClaimState, n)
	for i := range out {
		out[i] = st
	}
	return out
}

// stateStep is one call of a state case: claim, done or release.
type stateStep struct {
	op    string
	owner string
	want  webhook.ClaimState // for claim
}

// stateCases are the contract's states, on one key.
var stateCases = []struct {
	name  string
	steps []stateStep
}{
	{"first claim wins, others see it in flight", []stateStep{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "claim", owner: "b", want: webhook.ClaimInFlight},
		{op: "claim", owner: "a", want: webhook.ClaimOK},
	}},
	{"done is seen by everyone", []stateStep{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "done"},
		{op: "claim", owner: "b", want: webhook.ClaimDone},
		{op: "claim", owner: "a", want: webhook.ClaimDone},
	}},
	{"done without a claim", []stateStep{
		{op: "done"},
		{op: "claim", owner: "a", want: webhook.ClaimDone},
	}},
	{"done over another owner's claim", []stateStep{
		{op: "claim", owner: "b", want: webhook.ClaimOK},
		{op: "done"},
		{op: "release", owner: "b"},
		{op: "claim", owner: "c", want: webhook.ClaimDone},
	}},
	{"release by the owner frees the key", []stateStep{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "release", owner: "a"},
		{op: "claim", owner: "b", want: webhook.ClaimOK},
	}},
	{"release by another owner does nothing", []stateStep{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "release", owner: "b"},
		{op: "release", owner: ""},
		{op: "claim", owner: "b", want: webhook.ClaimInFlight},
	}},
	{"release of an absent key does nothing", []stateStep{
		{op: "release", owner: "a"},
		{op: "claim", owner: "b", want: webhook.ClaimOK},
	}},
	{"release does not undo done", []stateStep{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "done"},
		{op: "release", owner: "a"},
		{op: "claim", owner: "b", want: webhook.ClaimDone},
	}},
	{"an empty owner is an owner like any other", []stateStep{
		{op: "claim", owner: "", want: webhook.ClaimOK},
		{op: "claim", owner: "b", want: webhook.ClaimInFlight},
		{op: "release", owner: "b"},
		{op: "claim", owner: "", want: webhook.ClaimOK},
		{op: "release", owner: ""},
		{op: "claim", owner: "b", want: webhook.ClaimOK},
	}},
}
