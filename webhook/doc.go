// Package webhook receives Plaid's LINK webhooks: it verifies that Plaid sent them, and decodes
// them into typed structs.
//
// # Receiving webhooks
//
// [NewHandler] does everything a webhook endpoint needs, in the order that keeps forged input away
// from the rest of the program: it reads the body through a size limit, verifies the
// Plaid-Verification header against the exact bytes received, parses the body, and calls your
// function. Its status codes tell Plaid whether to deliver again (only a 5xx does): 401 for a
// webhook that fails verification, but 503 when Plaid's key cannot be fetched now
// ([ErrKeyUnavailable]) and 500 when the server has no usable Verifier ([ErrNoVerifier]), so that
// a failure on this side does not lose a genuine webhook.
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
//	}))
//
// Servers that read the body themselves call [Verifier.Verify] and then [Parse] on the same,
// unmodified bytes: re-encoding the JSON in between changes its hash and fails verification.
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
// minute the kids Plaid definitively refused: INVALID_WEBHOOK_VERIFICATION_KEY_ID, an
// INVALID_INPUT or INVALID_REQUEST reply with HTTP status 400, or a key that is not a valid EC
// P-256 signing key; these wrap [ErrUnknownKey] (or [ErrInvalidKey]). Failures that may pass
// (timeouts, transport errors, 429, 5xx, the request ending while waiting) wrap
// [ErrKeyUnavailable] and are not remembered, so that nobody able to slow the path to Plaid can
// make its real key be remembered as refused. The cache bounds its size, its concurrent fetches
// (4) and the fetches waiting for one (64; past that a new kid gets [ErrKeyUnavailable] at once),
// and, when a new kid appears, re-fetches the cached keys (at most once a minute) to learn whether
// Plaid has expired them. A flood of webhooks with made-up kids therefore cannot become a flood of
// calls to Plaid.
//
// # Parsing
//
// [Parse] returns *[ItemAddResult], *[Events] or *[SessionFinished] for the LINK webhooks, and
// *[Unknown] (not an error) for every other type or code, so that webhooks Plaid adds later are
// acknowledged rather than retried forever. One session can send EVENTS several times, each with
// every event so far and in no particular order; [MergeEvents] de-duplicates and orders them.
//
// # Testing
//
// Package webhooktest provides a Signer that signs webhooks as Plaid does and serves the matching
// key, so a handler can be tested offline through the real verification path.
package webhook
