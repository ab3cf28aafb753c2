// Package webhook receives the webhooks Plaid sends to a link token's webhook URL, which becomes
// the Item's for its whole life (LINK, ITEM, LINK_DELIVERY and LAYER): it verifies that Plaid sent
// them, decodes them into typed structs, and says with [UserActionFor] which ITEM webhooks send
// the user back to Link's update mode.
//
// # Receiving webhooks
//
// [NewHandler] does everything a webhook endpoint needs, in the order that keeps forged input away
// from the rest of the program: it verifies the Plaid-Verification header completely before it
// reads any of the body, then reads the body through a size limit while hashing it, checks it
// against the header, parses it, and calls your function (once per webhook, with a [Deduper]).
//
// Plaid delivers a webhook again after any answer other than 200, or none within 10 seconds, for
// up to 24 hours, and stops retrying a receiver that rejected more than 90% of its webhooks over 24
// hours. So the handler answers 200 only for a webhook dealt with (processed, a duplicate of one
// processed, or dropped by your function with [ErrPermanent]), a 5xx for every failure on this side
// (500 for your function's failure or panic and for a misconfigured server, 503 for what passes by
// itself, such as Plaid's key endpoint being slow), and 4xx to requests that did not come from
// Plaid (or that this server cannot tell from those: its clock minutes off, its client asking
// another environment for keys). The status for each reason is the README's table, the one list of
// them: https://github.com/plaidlink/plaidlink-go#what-plaid-does-and-what-the-handler-answers.
//
//	client, _ := link.NewClient(clientID, secret)
//	verifier := webhook.NewVerifier(client) // a *link.Client fetches Plaid's keys
//	http.Handle("/plaid/webhook", webhook.NewHandler(verifier, func(ctx context.Context, ev webhook.Event) error {
//		switch ev := ev.(type) {
//		case *webhook.SessionFinished:
//			return saveTokens(ctx, ev.LinkSessionID, ev.PublicTokens)
//		case *webhook.ItemAddResult:
//			return exchange(ctx, ev.PublicToken)
//		}
//		return nil // other webhooks are acknowledged
//	}, webhook.WithDeduper(webhook.NewMemoryDeduper(0)), webhook.WithLogger(slog.Default())))
//
// Serve it from an http.Server that sets ReadHeaderTimeout, ReadTimeout, WriteTimeout and
// IdleTimeout. Servers that read the body themselves call [Verifier.VerifyHeader] before reading
// it and [Claims.VerifyBody] after, or [Verifier.Verify] for both, and then [Parse] on the same,
// unmodified bytes: re-encoding the JSON in between changes its hash and fails verification.
//
// # Observing
//
// [WithObserver] is called once per request with an [Outcome]: the status sent, the sentinel
// reason, the webhook's type, code, link_session_id and Item id once verified, the kid, whether
// the key was fetched, whether it was a duplicate or dropped, and the duration; never the body,
// the JWT or a token. [WithLogger] logs through it with log/slog. [WithRequestHook] also sees the
// request's start, and sets the context the rest of the request runs in: package
// webhook/webhookotel builds OpenTelemetry spans and metrics on it.
//
// # Processed once
//
// Plaid delivers at least once: a lost 200 means a duplicate, and EVENTS may come several times
// for one session. [WithDeduper] keys each verified LINK webhook by what it means (link_session_id
// with public_token, status, or each event_id), and each ITEM, LINK_DELIVERY and LAYER webhook by
// its type, code, Item (or session) and body, claims the keys before your function runs and marks
// them done after, so that a webhook is processed once across every handler sharing the
// [Deduper]: [NewMemoryDeduper] for one instance, package webhook/redisdedup for a fleet.
//
// # Verification
//
// A [Verifier] follows Plaid's procedure: the header must be an ES256 JWT (every other alg,
// including none and HMAC, is refused before any key is fetched); its key, fetched by kid through
// a [KeyFetcher] and cached, must be an unexpired EC P-256 key; its iat must be at most five
// minutes old and not ahead of the clock by more than a small skew; and its request_body_sha256
// must be the SHA-256 of the body. Each failure wraps its own sentinel error, such as [ErrTooOld] or
// [ErrBodyMismatch], for logging with errors.Is.
//
// A valid header is not unique to its webhook: an ECDSA signature (r, s) has a twin (r, N-s) that
// verifies as well, and it is accepted, because refusing it could refuse Plaid's own webhooks. To
// process each webhook once, de-duplicate by ids in the verified body (such as link_session_id
// with webhook_code, or an event's event_id), never by the header string.
//
// The key cache makes one fetch per kid however many webhooks wait for it, and remembers for a
// minute only Plaid's answer that a kid does not exist (INVALID_WEBHOOK_VERIFICATION_KEY_ID,
// [ErrUnknownKey]) or a key that is not a valid EC P-256 signing key ([ErrInvalidKey]). Plaid
// refusing this server's own credentials or configuration (INVALID_API_KEYS,
// INVALID_CONFIGURATION, any 401 or 403) is [ErrKeyFetchMisconfigured], answered 500 and not
// remembered. Failures that may pass (timeouts, transport errors, 429, 5xx, the request ending
// while waiting) wrap [ErrKeyUnavailable] and are not remembered either, so that nobody able to
// slow the path to Plaid can make its real key be remembered as refused.
//
// Fetches of kids not in the cache pass a token bucket (5 at once, then one every 15 s;
// [WithKeyFetchLimit]); past it a new kid gets [ErrKeyRateLimited] at once, and cached kids never
// wait. The cache also bounds its size, its concurrent fetches (4), the fetches waiting for one (64;
// past that a new kid gets [ErrKeyUnavailable] at once), and how long a verification waits for a
// key (3 s, [WithFetchTimeout]), and when a new kid appears it re-fetches the cached keys (at most
// once a minute, through the same bucket) to learn whether Plaid has expired them. A flood of
// webhooks with made-up kids therefore costs at most a handful of calls to Plaid, and a hung key
// endpoint still lets every answer go out within Plaid's 10 s.
//
// # Parsing
//
// [Parse] returns *[ItemAddResult], *[Events] or *[SessionFinished] for the LINK webhooks, and
// *[Unknown] (not an error) for every other type or code, so that webhooks Plaid adds later are
// acknowledged rather than retried forever. One session can send EVENTS several times, each with
// every event so far and in no particular order; [MergeEvents] de-duplicates and orders them.
//
// # Options
//
// Options follow one rule: a value an option cannot use is never silently replaced by a default
// or ignored. [NewVerifier] and [NewHandler] return no error, so they panic at construction with
// a message naming the option and the value, such as
// "webhook: NewHandler: WithMaxBodySize(0): the limit must be positive"; a bad [DedupeOption] is
// named under WithDeduper, and a nil option, observer, logger or hook is refused too.
// [NewMemoryDeduper] panics on a negative bound (0 asks for the default).
//
// # Testing
//
// Package webhooktest provides a Signer that signs webhooks as Plaid does and serves the matching
// key, so a handler can be tested offline through the real verification path.
package webhook
