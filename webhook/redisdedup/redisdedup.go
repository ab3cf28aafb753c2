// Package redisdedup is a webhook.Deduper on Redis, for a fleet of webhook receivers that must
// process each Plaid webhook once between them:
//
//	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
//	h := webhook.NewHandler(verifier, handle, webhook.WithDeduper(redisdedup.New(client)))
//
// It is a webhook.BatchDeduper: the handler claims all the keys of a webhook with one script, and
// marks them done or releases them with one more, so a webhook costs two round trips to Redis
// whatever its number of keys (an EVENTS webhook has one per event). It works on a single node,
// through Sentinel, and on a Cluster.
//
// The keys of one webhook share a hash tag (webhook.Deduper), and all the keys of one tag live in
// one Redis hash, named by the prefix and the key up to its tag ("plaidlink:webhook:EVENTS:{…}"),
// with a field for the rest of each key (the event's hash). So every script touches one Redis key:
// one slot on a Cluster, never a CROSSSLOT error, and keys of several tags given together are
// split into one script per hash. A field holds "c", the end of its lease in Redis's clock (ms),
// ":" and the owner token of the request that claimed it, or "d" once the webhook is processed. A
// hash expires when the last lease or done TTL written into it ends, so a done marker lasts at
// least its TTL, and as long as the newest marker of its session. Keys are the webhook package's
// (a code and SHA-256 hashes, no token in clear) under a prefix, [DefaultPrefix] unless
// [WithPrefix] sets another. The fields of a session's hash are small, so Redis keeps it compact
// (a listpack up to 128 fields): a done marker costs a few tens of bytes, not a key of its own.
//
// If Redis is unreachable, every method fails and the handler answers 503, so Plaid delivers the
// webhook again later: nothing is lost, at the price of redeliveries until Redis is back. The
// handler bounds the calls for one webhook by its own timeout (webhook.WithDedupeTimeout), and the
// client's timeouts and retries apply within it: go-redis retries a failed dial five times by
// default, so a client with DialTimeout, ReadTimeout and WriteTimeout of a second or less and
// fewer retries lets a 503 go out sooner. A Redis that loses its data (restarted without
// persistence, failed over before replicating) forgets which webhooks were processed, and a
// redelivery of one then runs fn again.
//
// # Options
//
// [New] returns no error, so it panics at construction, naming what is wrong, when given a nil
// Redis client or a nil [Option], rather than making a Deduper that fails every webhook. A value
// is never silently replaced by a default: [WithPrefix] takes any prefix as given, "" included.
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

// Option configures a [Deduper]. A nil Option makes [New] panic, naming it.
type Option func(*Deduper)

// WithPrefix puts every key under prefix instead of [DefaultPrefix], to keep the keys of several
// applications sharing one Redis apart. Receivers sharing webhooks must use the same prefix. The
// prefix is taken as given; "" puts the keys at the top of the Redis keyspace.
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

// ErrNoClient is the error of every method of a nil or zero *Deduper ([New] refuses a nil
// client).
var ErrNoClient = errors.New("redisdedup: nil Redis client")

// New returns a Deduper on client: a *redis.Client, *redis.ClusterClient, or a Sentinel-backed
// failover client. The client's own timeouts and retries apply to every call. It panics if client
// is nil or an option is nil, naming it (see the package's Options).
func New(client redis.UniversalClient, opts ...Option) *Deduper {
	if isNilClient(client) {
		panic("redisdedup: New: the Redis client must not be nil")
	}
	d := &Deduper{client: client, prefix: DefaultPrefix}
	for i, o := range opts {
		if o == nil {
			panic(fmt.Sprintf("redisdedup: New: option %d of %d is nil", i+1, len(opts)))
		}
		o(d)
	}
	return d
}

// isNilClient reports whether client is nil, or a nil pointer of one of go-redis's client types,
// which would otherwise panic at the first webhook rather than here.
func isNilClient(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case nil:
		return true
	case *redis.Client:
		return c == nil
	case *redis.ClusterClient:
		return c == nil
	case *redis.Ring:
		return c == nil
	}
	return false
}

// The scripts act on one hash, KEYS[1], and its fields from ARGV[first] on, in chunks so that
// Lua's unpack never meets its limit on a session of thousands of events. They read the time with
// TIME, in milliseconds: Redis replicates a script's effects, not the script, so this is safe on
// replicas and on a Cluster.
const scriptLib = `
local function fields(first)
  local out = {}
  for i = first, #ARGV do out[#out + 1] = ARGV[i] end
  return out
end
local function chunked(cmd, key, args)
  if #args <= 1000 then
    return redis.call(cmd, key, unpack(args))
  end
  local out = {}
  for i = 1, #args, 1000 do
    local got = redis.call(cmd, key, unpack(args, i, math.min(i + 999, #args)))
    if type(got) == 'table' then
      for _, v in ipairs(got) do out[#out + 1] = v end
    end
  end
  return out
end
local function nowMillis()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function extend(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
-- claimOf returns a claim's lease end and owner.
local function claimOf(v)
  local colon = string.find(v, ':', 1, true)
  return tonumber(string.sub(v, 2, colon - 1)), string.sub(v, colon + 1)
end
`

// claimScript claims fields ARGV[3..] of KEYS[1] for owner ARGV[1] for lease ARGV[2] (ms), those
// absent or whose lease ended, and returns one digit per field, in order: 0 claimed (or already
// the owner's, whose lease is left as it is), 1 claimed by another owner, 2 done.
var claimScript = redis.NewScript(scriptLib + `
local owner, lease = ARGV[1], tonumber(ARGV[2])
local want = fields(3)
local now = nowMillis()
local claim = 'c' .. (now + lease) .. ':' .. owner
local held = chunked('HMGET', KEYS[1], want)
local out, set = {}, {}
for i, f in ipairs(want) do
  local v = held[i]
  local state = '0'
  if v == 'd' then
    state = '2'
  elseif v then
    local ends, by = claimOf(v)
    if ends <= now then
      set[#set + 1] = f
      set[#set + 1] = claim
    elseif by ~= owner then
      state = '1'
    end
  else
    set[#set + 1] = f
    set[#set + 1] = claim
  end
  out[i] = state
end
if #set > 0 then
  chunked('HSET', KEYS[1], set)
  extend(KEYS[1], lease)
end
return table.concat(out)
`)

// doneScript marks fields ARGV[2..] of KEYS[1] done, whatever they hold, and keeps the hash for at
// least the TTL ARGV[1] (ms).
var doneScript = redis.NewScript(scriptLib + `
local set = {}
for _, f in ipairs(fields(2)) do
  set[#set + 1] = f
  set[#set + 1] = 'd'
end
chunked('HSET', KEYS[1], set)
extend(KEYS[1], tonumber(ARGV[1]))
return #set / 2
`)

// releaseScript deletes those of fields ARGV[2..] of KEYS[1] that hold owner ARGV[1]'s claim.
var releaseScript = redis.NewScript(scriptLib + `
local want = fields(2)
local held = chunked('HMGET', KEYS[1], want)
local del = {}
for i, f in ipairs(want) do
  local v = held[i]
  if v and v ~= 'd' then
    local _, by = claimOf(v)
    if by == ARGV[1] then del[#del + 1] = f end
  end
end
if #del > 0 then chunked('HDEL', KEYS[1], del) end
return #del
`)

// Claim implements [webhook.Deduper]: ClaimBatch of one key. Claiming a key the owner already
// holds does not renew its lease.
func (d *Deduper) Claim(ctx context.Context, key, owner string, lease time.Duration) (webhook.ClaimState, error) {
	states, err := d.ClaimBatch(ctx, []string{key}, owner, lease)
	if err != nil {
		return 0, err
	}
	return states[0], nil
}

// Done implements [webhook.Deduper]: DoneBatch of one key. It marks the key done over whatever it
// holds, another owner's claim too, since the caller's fn has processed the webhook (see
// [webhook.Deduper.Done]).
func (d *Deduper) Done(ctx context.Context, key string, ttl time.Duration) error {
	return d.DoneBatch(ctx, []string{key}, ttl)
}

// Release implements [webhook.Deduper]: ReleaseBatch of one key. It deletes the key only if it
// holds the owner's claim, so that a claim another owner took after this one's lease ended, or a
// done marker, stays.
func (d *Deduper) Release(ctx context.Context, key, owner string) error {
	return d.ReleaseBatch(ctx, []string{key}, owner)
}

// ClaimBatch implements [webhook.BatchDeduper]: one script per hash among keys (one for the keys
// of a webhook) claims each key as [Deduper.Claim] does.
func (d *Deduper) ClaimBatch(ctx context.Context, keys []string, owner string, lease time.Duration) ([]webhook.ClaimState, error) {
	if d == nil || d.client == nil {
		return nil, ErrNoClient
	}
	states := make([]webhook.ClaimState, len(keys))
	err := d.eachHash(keys, func(hash string, fields []string, at []int) error {
		got, err := claimScript.Run(ctx, d.client, []string{hash}, args(fields, owner, millis(lease))...).Text()
		if err != nil {
			return err
		}
		if len(got) != len(fields) {
			return fmt.Errorf("redisdedup: claim script answered %d states for %d keys", len(got), len(fields))
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

// DoneBatch implements [webhook.BatchDeduper]: one script per hash among keys marks each key done
// as [Deduper.Done] does.
func (d *Deduper) DoneBatch(ctx context.Context, keys []string, ttl time.Duration) error {
	if d == nil || d.client == nil {
		return ErrNoClient
	}
	return d.eachHash(keys, func(hash string, fields []string, _ []int) error {
		return doneScript.Run(ctx, d.client, []string{hash}, args(fields, millis(ttl))...).Err()
	})
}

// ReleaseBatch implements [webhook.BatchDeduper]: one script per hash among keys releases each key
// as [Deduper.Release] does.
func (d *Deduper) ReleaseBatch(ctx context.Context, keys []string, owner string) error {
	if d == nil || d.client == nil {
		return ErrNoClient
	}
	return d.eachHash(keys, func(hash string, fields []string, _ []int) error {
		return releaseScript.Run(ctx, d.client, []string{hash}, args(fields, owner)...).Err()
	})
}

// args is a script's arguments: first, then fields.
func args(fields []string, first ...any) []any {
	out := make([]any, 0, len(first)+len(fields))
	out = append(out, first...)
	for _, f := range fields {
		out = append(out, f)
	}
	return out
}

// eachHash calls run for each Redis hash keys live in, with their fields in it and their indexes
// in keys; once when they share a hash tag, as the keys of a webhook do. It stops at the first
// error.
func (d *Deduper) eachHash(keys []string, run func(hash string, fields []string, at []int) error) error {
	if len(keys) == 0 {
		return nil
	}
	hash0, _ := split(keys[0])
	fields := make([]string, len(keys))
	at := make([]int, len(keys))
	same := true
	for i, k := range keys {
		var h string
		h, fields[i] = split(k)
		at[i] = i
		same = same && h == hash0
	}
	if same {
		return run(d.prefix+hash0, fields, at)
	}
	// Keys of several hashes, in the order each hash first appears.
	index := map[string]int{}
	var hashes []string
	var groups [][]int
	for i, k := range keys {
		h, _ := split(k)
		g, ok := index[h]
		if !ok {
			g = len(hashes)
			index[h] = g
			hashes = append(hashes, h)
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	for g, idx := range groups {
		part := make([]string, len(idx))
		for j, i := range idx {
			part[j] = fields[i]
		}
		if err := run(d.prefix+hashes[g], part, idx); err != nil {
			return err
		}
	}
	return nil
}

// split returns the hash key lives in and its field there: the key up to the end of its hash tag,
// and the rest. A key without a tag (no "{", no "}" after it, or nothing between) is a hash of
// its own with an empty field.
func split(key string) (hash, field string) {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return key, ""
	}
	end := strings.IndexByte(key[open+1:], '}')
	if end <= 0 {
		return key, ""
	}
	cut := open + 1 + end + 1
	return key[:cut], key[cut:]
}

// millis rounds d up to whole milliseconds, at least one: PX takes milliseconds, and rounding a
// short lease down to 0 would be an error, not a shorter lease.
func millis(d time.Duration) int64 {
	return max(1, int64((d+time.Millisecond-1)/time.Millisecond))
}
