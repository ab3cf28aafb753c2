// Package exchange exchanges each Plaid public token once, whichever way it reaches your backend
// and on whichever instance, and makes sure that the access token it gives is stored, or handed
// back, never dropped.
//
// A public token reaches a backend from up to three places: the front end's onSuccess posts it,
// the ITEM_ADD_RESULT webhook carries it (on whichever instance Plaid reaches, and again on each
// redelivery), and [link.Client.WaitForSession] reads it from /link/token/get
// ([link.TokenGetSessionsResponse.PublicTokens]), as Hosted Link and Multi-Item Link
// integrations do. Plaid exchanges a public token once: a second exchange gets
// INVALID_PUBLIC_TOKEN, and an exchange whose reply is lost leaves an Item whose access token
// nobody has. An [Exchanger] claims the token in a store shared by every path and instance, the
// claim / done / release contract of [webhook.Deduper], before it calls Plaid:
//
//	store := redisdedup.New(redisClient) // or webhook.NewMemoryDeduper(0) for one instance
//	ex := exchange.New(client, store)
//
//	// In each of the three paths:
//	err := ex.Exchange(ctx, publicToken, func(ctx context.Context, r *link.ItemPublicTokenExchangeResponse) error {
//		return db.SaveItem(ctx, userID, r.ItemID, r.AccessToken) // an upsert keyed by item_id
//	})
//	switch {
//	case err == nil:
//		// this call exchanged the token, and save stored the access token
//	case errors.Is(err, exchange.ErrAlreadyExchanged):
//		// another call did: read the Item from where save puts it
//	case errors.Is(err, link.ErrOutcomeUnknown):
//		// the reply was lost: the access token is gone; ask the user to link again
//	case errors.As(err, &saveErr): // *exchange.SaveError
//		// save kept failing: saveErr.Response() has the access token; keep it elsewhere
//	default:
//		// nothing was spent (ErrStoreUnavailable, ErrInFlight, a rate limit, ...): try again later
//	}
//
// # What is guaranteed
//
// Across every caller sharing the store, /item/public_token/exchange is called at most once per
// public token, so long as the store keeps what it is told: a key is claimed for a lease longer
// than everything its holder does ([WithTimeout] for the exchange and for each of
// [WithSaveAttempts] saves, the waits between them, a minute more), then marked done for
// [WithDoneTTL] once the token is spent, or released when the call provably spent nothing. The
// caller that claims the token exchanges it and calls save on a context its own cancellation does
// not end, so that a webhook request that ran out of time, or a front end that hung up, does not
// lose the access token: save still runs, once. [Exchanger.Exchange] lists what each caller gets.
//
// The store's key is "exchange:" and the SHA-256 of the public token, never the token in clear;
// with webhook/redisdedup it sits under that Deduper's prefix. Each public token is one key, so
// a Redis Cluster is fine, and each token of a Multi-Item Link session is claimed on its own.
//
// # When a token could be sent twice
//
// Only when the store forgets: a MemoryDeduper lost with its process (use it for one instance
// only), a Redis without persistence that restarts, or fails over before replicating, within
// [WithDoneTTL] of an exchange; or when a holder's claim ends before its work does (a save that
// ignores its context, a process paused for longer than the lease). Plaid refuses the second
// exchange with INVALID_PUBLIC_TOKEN, so the access token already saved stays the only one. Run
// Redis with appendonly yes for the guarantee to survive a restart. A process that crashes while
// it holds a claim leaves the token claimed until the lease ends; callers waiting on it give up
// with their context ([ErrInFlight]).
//
// If the store fails while the claim's holder writes the outcome, Exchange still returns it, and
// the Exchanger keeps writing it in the background until the lease ends. [Exchanger.Shutdown]
// waits for that work, and for exchanges whose callers gave up: call it before the process exits.
//
// # Options
//
// A value an option cannot use is never replaced by a default: [New] returns no error, so it
// panics at construction with a message naming the option and the value (a TTL shorter than a
// public token lives, a timeout of zero, a nil option), as it does for a nil client or store.
package exchange
