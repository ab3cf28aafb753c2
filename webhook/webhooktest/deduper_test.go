package webhooktest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// toyDeduper is a Deduper on a map, with the bugs a test chooses; a batch one if batch is set.
type toyDeduper struct {
	mu   sync.Mutex
	keys map[string]string // "d" or "c:" and the owner
	bug  string
}

func newToy(bug string) *toyDeduper { return &toyDeduper{keys: map[string]string{}, bug: bug} }

func (d *toyDeduper) Claim(_ context.Context, key, owner string, _ time.Duration) (webhook.ClaimState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch v, ok := d.keys[key]; {
	case !ok || v == "c:"+owner || d.bug == "claims steal":
		d.keys[key] = "c:" + owner
		return webhook.ClaimOK, nil
	case v == "d":
		return webhook.ClaimDone, nil
	}
	return webhook.ClaimInFlight, nil
}

func (d *toyDeduper) Done(_ context.Context, key string, _ time.Duration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.keys[key] = "d"
	return nil
}

func (d *toyDeduper) Release(_ context.Context, key, owner string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if v := d.keys[key]; v == "c:"+owner || d.bug == "release ignores the owner" && v != "d" || d.bug == "release undoes done" {
		delete(d.keys, key)
	}
	return nil
}

// toyBatch is toyDeduper with the batch methods.
type toyBatch struct{ *toyDeduper }

func (d toyBatch) ClaimBatch(ctx context.Context, keys []string, owner string, lease time.Duration) ([]webhook.ClaimState, error) {
	if err := d.oneSlot(keys); err != nil {
		return nil, err
	}
	states := make([]webhook.ClaimState, len(keys))
	for i, k := range keys {
		states[i], _ = d.Claim(ctx, k, owner, lease)
	}
	if d.bug == "batch states reversed" {
		slices.Reverse(states)
	}
	return states, nil
}

func (d toyBatch) DoneBatch(ctx context.Context, keys []string, ttl time.Duration) error {
	if err := d.oneSlot(keys); err != nil {
		return err
	}
	for _, k := range keys {
		_ = d.Done(ctx, k, ttl)
	}
	return nil
}

func (d toyBatch) ReleaseBatch(ctx context.Context, keys []string, owner string) error {
	if err := d.oneSlot(keys); err != nil {
		return err
	}
	for _, k := range keys {
		_ = d.Release(ctx, k, owner)
	}
	return nil
}

// oneSlot fails as a Redis Cluster does for a command over keys of several slots, when the bug
// is that the batch sends them together.
func (d toyBatch) oneSlot(keys []string) error {
	if d.bug != "batch across hash tags" {
		return nil
	}
	for _, k := range keys {
		if tag(k) != tag(keys[0]) {
			return errors.New("CROSSSLOT Keys in request don't hash to the same slot")
		}
	}
	return nil
}

func tag(key string) string {
	if _, after, ok := strings.Cut(key, "{"); ok {
		if t, _, ok := strings.Cut(after, "}"); ok && t != "" {
			return t
		}
	}
	return key
}

// toys are the Dedupers the child test runs TestDeduper on, by name.
var toys = map[string]func() webhook.Deduper{
	"correct":                   func() webhook.Deduper { return newToy("") },
	"correct batch":             func() webhook.Deduper { return toyBatch{newToy("")} },
	"claims steal":              func() webhook.Deduper { return newToy("claims steal") },
	"release ignores the owner": func() webhook.Deduper { return newToy("release ignores the owner") },
	"release undoes done":       func() webhook.Deduper { return newToy("release undoes done") },
	"batch states reversed":     func() webhook.Deduper { return toyBatch{newToy("batch states reversed")} },
	"batch across hash tags":    func() webhook.Deduper { return toyBatch{newToy("batch across hash tags")} },
}

// TestDeduperToyChild runs TestDeduper on the toy WEBHOOKTEST_TOY names, when
// TestDeduperFindsBugs runs this binary again for it; otherwise it is skipped.
func TestDeduperToyChild(t *testing.T) {
	name := os.Getenv("WEBHOOKTEST_TOY")
	if name == "" {
		t.Skip("run by TestDeduperFindsBugs")
	}
	webhooktest.TestDeduper(t, func(*testing.T) webhook.Deduper { return toys[name]() })
}

// TestDeduperFindsBugs runs TestDeduper on correct Dedupers, which pass, and on broken ones, each
// of which must fail the check named. Each runs in a child process, since a failing TestDeduper
// fails the test that calls it.
func TestDeduperFindsBugs(t *testing.T) {
	tests := []struct {
		toy      string
		wantFail string // the check that must fail; "" for none
		wantText string
	}{
		{toy: "correct"},
		{toy: "correct batch"},
		{toy: "claims steal", wantFail: "states/first_claim_wins,_others_see_it_in_flight",
			wantText: `Claim("ITEM_ADD_RESULT:{0123}", "b") = ClaimOK, want ClaimInFlight`},
		{toy: "claims steal", wantFail: "concurrent_claims_of_one_key", wantText: "want one ClaimOK and the rest ClaimInFlight"},
		{toy: "release ignores the owner", wantFail: "states/release_by_another_owner_does_nothing"},
		{toy: "release undoes done", wantFail: "states/release_does_not_undo_done",
			wantText: "= ClaimOK, want ClaimDone"},
		{toy: "batch states reversed", wantFail: "batch/claim_gives_each_key's_state"},
		{toy: "batch across hash tags", wantFail: "batch/keys_of_several_hash_tags_in_one_call", wantText: "CROSSSLOT"},
	}
	for _, tc := range tests {
		t.Run(tc.toy+" "+tc.wantFail, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run", "^TestDeduperToyChild$", "-test.v", "-test.count", "1")
			cmd.Env = append(os.Environ(), "WEBHOOKTEST_TOY="+tc.toy)
			out, err := cmd.CombinedOutput()
			if tc.wantFail == "" {
				require.NoError(t, err, "%s", out)
				ranBatch := strings.Contains(string(out), "--- PASS: TestDeduperToyChild/batch")
				assert.Equal(t, tc.toy == "correct batch", ranBatch, "batch checks for a BatchDeduper only: %s", out)
				return
			}
			require.Error(t, err, "TestDeduper passed a Deduper whose %s", tc.toy)
			assert.Contains(t, string(out), "--- FAIL: TestDeduperToyChild/"+tc.wantFail+" ", "%s", out)
			assert.Contains(t, string(out), tc.wantText)
		})
	}
}
