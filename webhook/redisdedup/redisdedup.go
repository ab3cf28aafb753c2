// Package redisdedup is a webhook.Deduper on Redis, for a fleet of webhook receivers that must
// process each Plaid webhook once between them:
//
//	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
//	h := webhook.NewHandler(verifier, handle, webhook.WithDeduper(redisdedup.New(client)))
//
// It is a webhook.BatchDeduper: the handler claims all the keys of a webhook with one script, and
// marks them done or releases them with one more, so a webhook costs two round trips to Redis
// whatever its number of keys (an EVENTS webhook has one per event). The keys of one webhook share
// a hash tag, so that on a Cluster they live in one slot and each script reaches one node; keys
// of other slots given together are split into one script per slot, never a CROSSSLOT error. It
// works on a single node, through Sentinel, and on a Cluster. A key holds "c:" and the owner token
// of the request that claimed it, until its lease ends, or "d" once the webhook is processed,
// until the done TTL ends. Keys are the webhook package's (a code and SHA-256 hashes, no token in
// clear) under a prefix, [DefaultPrefix] unless [WithPrefix] sets another.
//
// If Redis is unreachable, every method fails and the handler answers 503, so Plaid delivers the
// webhook again later: nothing is lost, at the price of redeliveries until Redis is back. The
// handler bounds the calls for one webhook by its own timeout (webhook.WithDedupeTimeout), and the
// client's timeouts and retries apply within it: go-redis retries a failed dial five times by
// default, so a client with DialTimeout, ReadTimeout and WriteTimeout of a second or less and
// fewer retries lets a 503 go out sooner. A Redis that loses its data (restarted without
// persistence, failed over before replicating) forgets which webhooks were processed, and a
// redelivery of one then runs fn again.
package redisdedup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/plaidlink/plaidlink-go/webhook"
)

// DefaultPrefix is the prefix of every key unless [WithPrefix] sets another.
const DefaultPrefix = "plaidlink:webhook:"

// doneValue is a done marker's value; a claim's is claimPrefix and the owner, never equal to it.
const (
	doneValue   = "d"
	claimPrefix = "c:"
)

// Option configures a [Deduper].
type Option func(*Deduper)

// WithPrefix puts every key under prefix instead of [DefaultPrefix], to keep the keys of several
// applications sharing one Redis apart. Receivers sharing webhooks must use the same prefix.
func WithPrefix(prefix string) Option {
	return func(d *Deduper) { d.prefix = prefix }
}

// Deduper is a [webhook.Deduper] on Redis. It is safe for concurrent use, by any number of
// processes sharing the Redis.
type Deduper struct {
	client redis.UniversalClient
	prefix string
}

var _ webhook.BatchDeduper = (*Deduper)(nil)

// ErrNoClient is the error of every method of a Deduper made with a nil client, and of a nil
// *Deduper.
var ErrNoClient = errors.New("redisdedup: nil Redis client")

// New returns a Deduper on client: a *redis.Client, *redis.ClusterClient, or a Sentinel-backed
// failover client. The client's own timeouts and retries apply to every call.
func New(client redis.UniversalClient, opts ...Option) *Deduper {
	d := &Deduper{client: client, prefix: DefaultPrefix}
	for _, o := range opts {
		if o != nil {
			o(d)
		}
	}
	return d
}

// claimScript takes the key with SET NX PX, or says why not: 0 claimed (or already the caller's),
// 1 claimed by another owner, 2 done. One script, so that what it reports is what it saw.
var claimScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 0
end
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  return 0
elseif v == ARGV[3] then
  return 2
end
return 1
`)

// releaseScript deletes the key only if it holds the caller's claim.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Claim implements [webhook.Deduper] with SET NX PX in a script that reports what holds the key.
// Claiming a key the owner already holds does not renew its lease.
func (d *Deduper) Claim(ctx context.Context, key, owner string, lease time.Duration) (webhook.ClaimState, error) {
	if d == nil || d.client == nil {
		return 0, ErrNoClient
	}
	n, err := claimScript.Run(ctx, d.client, []string{d.prefix + key},
		claimPrefix+owner, millis(lease), doneValue).Int()
	if err != nil {
		return 0, err
	}
	switch n {
	case 0:
		return webhook.ClaimOK, nil
	case 1:
		return webhook.ClaimInFlight, nil
	case 2:
		return webhook.ClaimDone, nil
	}
	return 0, errors.New("redisdedup: claim script returned an unknown state")
}

// Done implements [webhook.Deduper] with SET PX, over whatever the key holds: another owner's
// claim too, since the caller's fn has processed the webhook (see [webhook.Deduper.Done]).
func (d *Deduper) Done(ctx context.Context, key string, ttl time.Duration) error {
	if d == nil || d.client == nil {
		return ErrNoClient
	}
	return d.client.Set(ctx, d.prefix+key, doneValue, time.Duration(millis(ttl))*time.Millisecond).Err()
}

// Release implements [webhook.Deduper] with a compare-and-delete script, so that a claim another
// owner took after this one's lease ended, or a done marker, stays.
func (d *Deduper) Release(ctx context.Context, key, owner string) error {
	if d == nil || d.client == nil {
		return ErrNoClient
	}
	return releaseScript.Run(ctx, d.client, []string{d.prefix + key}, claimPrefix+owner).Err()
}

// claimBatchScript is claimScript for each of KEYS, in one call: it returns one digit per key, in
// order, rather than an array, so that the reply is one string to read.
var claimBatchScript = redis.NewScript(`
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then
    out[i] = '0'
  else
    local v = redis.call('GET', key)
    if v == ARGV[1] then
      out[i] = '0'
    elseif v == ARGV[3] then
      out[i] = '2'
    else
      out[i] = '1'
    end
  end
end
return table.concat(out)
`)

// doneBatchScript sets each of KEYS done, whatever it holds.
var doneBatchScript = redis.NewScript(`
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
end
return #KEYS
`)

// releaseBatchScript is releaseScript for each of KEYS.
var releaseBatchScript = redis.NewScript(`
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    n = n + redis.call('DEL', key)
  end
end
return n
`)

// ClaimBatch implements [webhook.BatchDeduper]: one script per hash slot among keys (one for the
// keys of a webhook), each claiming its keys as [Deduper.Claim] does.
func (d *Deduper) ClaimBatch(ctx context.Context, keys []string, owner string, lease time.Duration) ([]webhook.ClaimState, error) {
	if d == nil || d.client == nil {
		return nil, ErrNoClient
	}
	states := make([]webhook.ClaimState, len(keys))
	err := d.eachSlot(keys, func(stored []string, at []int) error {
		got, err := claimBatchScript.Run(ctx, d.client, stored, claimPrefix+owner, millis(lease), doneValue).Text()
		if err != nil {
			return err
		}
		if len(got) != len(stored) {
			return fmt.Errorf("redisdedup: claim script answered %d states for %d keys", len(got), len(stored))
		}
		for j, c := range []byte(got) {
			switch c {
			case '0':
				states[at[j]] = webhook.ClaimOK
			case '1':
				states[at[j]] = webhook.ClaimInFlight
			case '2':
				states[at[j]] = webhook.ClaimDone
			default:
				return errors.New("redisdedup: claim script returned an unknown state")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return states, nil
}

// DoneBatch implements [webhook.BatchDeduper]: one script per hash slot among keys, each setting
// its keys done as [Deduper.Done] does.
func (d *Deduper) DoneBatch(ctx context.Context, keys []string, ttl time.Duration) error {
	if d == nil || d.client == nil {
		return ErrNoClient
	}
	return d.eachSlot(keys, func(stored []string, _ []int) error {
		return doneBatchScript.Run(ctx, d.client, stored, doneValue, millis(ttl)).Err()
	})
}

// ReleaseBatch implements [webhook.BatchDeduper]: one script per hash slot among keys, each
// releasing its keys as [Deduper.Release] does.
func (d *Deduper) ReleaseBatch(ctx context.Context, keys []string, owner string) error {
	if d == nil || d.client == nil {
		return ErrNoClient
	}
	return d.eachSlot(keys, func(stored []string, _ []int) error {
		return releaseBatchScript.Run(ctx, d.client, stored, claimPrefix+owner).Err()
	})
}

// eachSlot calls run with keys under the prefix, in groups that share a hash tag, with the index
// in keys of each; one group when they all share one, as the keys of a webhook do. Keys whose
// tags differ are in different slots of a Cluster, which no one script may reach. It stops at the
// first error.
func (d *Deduper) eachSlot(keys []string, run func(stored []string, at []int) error) error {
	if len(keys) == 0 {
		return nil
	}
	stored := make([]string, len(keys))
	at := make([]int, len(keys))
	same := true
	for i, k := range keys {
		stored[i], at[i] = d.prefix+k, i
		same = same && hashTag(stored[i]) == hashTag(stored[0])
	}
	if same {
		return run(stored, at)
	}
	groups := map[string]int{} // tag -> index in order
	var order [][]int
	for i, k := range stored {
		tag := hashTag(k)
		g, ok := groups[tag]
		if !ok {
			g = len(order)
			groups[tag] = g
			order = append(order, nil)
		}
		order[g] = append(order[g], i)
	}
	for _, idx := range order {
		part := make([]string, len(idx))
		for j, i := range idx {
			part[j] = stored[i]
		}
		if err := run(part, idx); err != nil {
			return err
		}
	}
	return nil
}

// hashTag is what a Redis Cluster hashes of key to choose its slot: the text between the first
// "{" and the first "}" after it, if that is not empty, and otherwise the whole key.
func hashTag(key string) string {
	if _, after, ok := strings.Cut(key, "{"); ok {
		if tag, _, ok := strings.Cut(after, "}"); ok && tag != "" {
			return tag
		}
	}
	return key
}

// millis rounds d up to whole milliseconds, at least one: PX takes milliseconds, and rounding a
// short lease down to 0 would be an error, not a shorter lease.
func millis(d time.Duration) int64 {
	return max(1, int64((d+time.Millisecond-1)/time.Millisecond))
}
