// Package linktest is an in-process fake of Plaid's Link API for tests, in the spirit of
// net/http/httptest: [NewServer] starts a server on a loopback address that answers the seven
// endpoints of package link the way Plaid's Sandbox does, and [Server.Client] returns a
// link.Client already pointed at it.
//
// # What it serves
//
// /link/token/create, /link/token/get, /item/public_token/exchange, /sandbox/public_token/create,
// /sandbox/item/reset_login, /session/token/create and /webhook_verification_key/get, with JSON in
// and out. Credentials are checked (PLAID-CLIENT-ID and PLAID-SECRET headers, or client_id and
// secret in the body; [ClientID] and [Secret] unless [WithCredentials] sets others), requests are
// validated (a body field the endpoint does not know is refused with UNKNOWN_FIELDS, as Plaid
// does), and errors are PlaidError bodies with Plaid's error_type, error_code, HTTP status and
// a fresh request_id, display_message null as Plaid sends it. Tokens look like Plaid's
// (link-sandbox-<uuid>, public-sandbox-<uuid>, access-sandbox-<uuid>) and expire as Plaid's do:
// a link token after 4 hours, 30 minutes in update mode; a Hosted Link token with its URL, after
// hosted_link.url_lifetime_seconds (at most 21 days) or [HostedLinkURLLifetime] (30 minutes); a
// public token after 30 minutes. An
// expired link token can no longer start a session, but /link/token/get reads it back for
// [LinkTokenRetention] more, as Plaid keeps session data for six hours. A public token exchanges
// once: a second exchange, or one after it expired, is 400 INVALID_INPUT / INVALID_PUBLIC_TOKEN,
// and a wrong client_id or secret is 400 INVALID_INPUT / INVALID_API_KEYS.
//
// # Playing the end user
//
// Nobody runs Link's front end in a Go test, so the server plays the end user on request:
// [Server.CompleteSession] finishes a Link session for a link token (options such as
// [WithInstitution] and [WithAccounts] pick what is linked; the institution must serve one of the
// token's country_codes) and returns its public token, [Server.ExitSession] records a session the
// user left, optionally after an error, and [Server.OpenSession] one the user opened and has not
// finished, which [Server.AbandonSession] or the link token's expiry abandons. Afterwards
// /link/token/get shows the session with its results, and the public token exchanges for an
// access token. A Layer session token from /session/token/create is a link token too: sessions
// run on it and /link/token/get reads it back.
//
// # The Link page
//
// A person can play the end user too: [Server.LinkPageURL] is a page that stands in for Link's
// front end on any link token, and a Hosted Link token's hosted_link_url opens the same page. It
// lists the Sandbox institutions that serve the token's country_codes and Sandbox accounts; the
// button with id continue completes the session as [Server.CompleteSession] does, and the button
// with id exit leaves it with the chosen exit status as [Server.ExitSession] does. The page then
// shows what happened (link_session_id, institution, accounts, the webhooks sent) and, for a
// Hosted Link token with a completion_redirect_uri, goes there. A form posted twice shows the first
// post's outcome instead of running a second session, and a Hosted Link URL runs one session only.
// The page is plain HTML, with no script and nothing loaded from elsewhere. Its POSTs refuse a
// request a browser makes on another site's behalf (Sec-Fetch-Site: cross-site or, from a browser
// that does not send that header, an Origin naming another host or null) with 403 and a page
// saying why, so that another site that learns a link token cannot complete its session; the
// page's own forms, a front end on another port of the same host, and requests with neither
// header (curl, tests) are served. examples/devserver serves it on a fixed address, with
// [WithListener].
//
// # Events
//
// A session's events are those Link records for the path the user took (OPEN, TRANSITION_VIEW
// with its view_name, SEARCH_INSTITUTION with [WithInstitutionSearch], SELECT_INSTITUTION,
// SUBMIT_CREDENTIALS, SUBMIT_MFA with [WithMFA], ERROR, EXIT, HANDOFF), each with a
// random event_id and a timestamp [EventInterval] (one second) after the one before, in whole
// seconds as Plaid's are: the session driver steps the server's clock as the user goes, so
// timestamps are strictly increasing within a session and the clock afterwards reads the time the
// session ended. event_metadata is filled as in
// Plaid's samples: institution_id and institution_name once the user has picked one, the
// request_id of Link's last request (shared by the events until the next), institution_search_query
// on SEARCH_INSTITUTION, mfa_type on SUBMIT_MFA and on the TRANSITION_VIEW to the MFA pane,
// exit_status on EXIT and the error fields on ERROR and EXIT. link_session_id is not in
// event_metadata on the wire, as Plaid's API carries it beside the events; [SessionResult.Events]
// has it there, as Link's onEvent does.
//
// [SessionResult.Events] has the events oldest first, as Link's onEvent callback sees them, for
// every session. /link/token/get lists them newest first and an EVENTS webhook in no particular
// order (never oldest first), each as in Plaid's samples, so that a receiver must sort them, as
// webhook.MergeEvents does. As at Plaid, /link/token/get has them only for Hosted Link sessions
// unless the server is made with [WithLinkWebhooksForAllSessions], which mirrors the
// account-level enablement of Link events.
//
// # Webhooks
//
// If the link token names a webhook URL, the server POSTs the LINK webhooks Plaid sends for the
// session's kind, each signed in the Plaid-Verification header by the server's own key, which
// /webhook_verification_key/get serves, so a webhook.Verifier built on [Server.Client] accepts
// them:
//
//   - ITEM_ADD_RESULT, for each Item added, in Hosted Link (hosted_link set) and Multi-Item Link
//     (enable_multi_item_link) sessions, where [WithAdditionalItem] adds Items;
//   - EVENTS in Hosted Link sessions, Link Recovery (Hosted Link in update mode) included;
//   - SESSION_FINISHED (status SUCCESS or EXITED) in Hosted Link, Multi-Item Link and Layer
//     sessions, with the session's public tokens in public_tokens as in Plaid's sample, and not
//     the deprecated public_token, so that a receiver reading it fails here first;
//   - none in a standard session: a service that waits for ITEM_ADD_RESULT there would wait
//     forever in production, and must take the public token from Link's onSuccess instead.
//
// [WithLinkWebhooksForAllSessions] adds EVENTS and SESSION_FINISHED for every session, as Plaid's
// enablement does; ITEM_ADD_RESULT stays for Hosted Link and Multi-Item Link. A finished or exited
// session's webhooks are sent before the session driver returns, in the order ITEM_ADD_RESULT,
// EVENTS, SESSION_FINISHED; an abandoned session's EVENTS and SESSION_FINISHED come
// [AbandonedSessionWebhookDelay] (10 minutes, within Plaid's 5 to 15) after its last event, when
// the clock gets there. [WithEventsWebhooks] makes a session send EVENTS several times, each with
// every event so far, as Plaid occasionally does, so a receiver's merging can be tested.
//
// # Items
//
// The link token's webhook URL becomes the Item's, and the server sends the Item's ITEM webhooks
// there, signed and redelivered like the LINK ones: /sandbox/item/reset_login sends ERROR with
// ITEM_LOGIN_REQUIRED, [Server.FireItemWebhook] any ITEM webhook (as Plaid's
// /sandbox/item/fire_webhook), putting the Item in the state it reports, and
// [Server.RepairItemOutsideApp] LOGIN_REPAIRED. An update-mode session ([Server.CompleteSession] on
// a link token made with access_token) repairs the Item without LOGIN_REPAIRED, renews its consent
// and, with account selection, shares the accounts the user picks; [Server.Item] shows the state.
// /link/token/create refuses what Plaid refuses: an enum value Plaid does not list, an unknown
// institution_id, products in update mode other than a credit product it adds.
//
// # Delivery
//
// As at Plaid, only a 200 answer within the webhook timeout ([DefaultWebhookTimeout], real time,
// or [WithWebhookTimeout]) delivers a webhook. Any other answer, or none, and the webhook is sent
// again on Plaid's schedule on the server's clock: 30 seconds after the failed attempt was due,
// then after waits four times longer each time (2 min, 8 min, 32 min, ...), for 24 hours; see
// [WebhookRetryFirstDelay]. Each attempt carries the same body and a JWT issued at the clock's time
// of the attempt. Attempts come due as the clock moves: [Clock.Advance] and [Clock.Set] send them
// before they return, in order (unless another goroutine is sending at the time, which then sends
// them; see [Clock]), so a test needs no waiting:
//
//	srv.Clock().Advance(30 * time.Second) // the first retry is sent now
//
// [Server.Deliveries] lists every attempt (webhook code, URL, body, attempt number, status, error,
// time, and when the next is due) and [Server.Redeliver] sends one webhook again on demand. Plaid
// also stops sending to a receiver that rejects over 90% of its webhooks in a day; the server does
// not model that rule. A receiver should answer within the timeout, since a slow one holds up the
// call that sends to it.
//
// # Time
//
// The server reads time from a [Clock] that stands still until the test moves it, so a test can
// expire a token with s.Clock().Advance(4*time.Hour) instead of waiting. Only the session drivers
// move it on their own, by [EventInterval] per Link event. Moving the clock also sends the
// webhooks that have come due (see Delivery).
//
// Webhooks are signed with that clock too: the iat of their Plaid-Verification JWT is the clock's
// time, not the machine's. A receiver under test whose verifier reads the same clock,
// webhook.NewVerifier(client, webhook.WithClock(s.Clock().Now)), accepts them however far the
// test has moved it; a verifier on real time refuses them once the clock is more than
// webhook.DefaultMaxAge behind or webhook.DefaultClockSkew ahead of the machine's. Sessions
// completed faster than one [EventInterval] per event push the clock ahead of the machine's, so
// a server whose receivers verify on real time, such as examples/devserver, is made with
// [WithSigningClock](time.Now): its JWTs are then issued at the machine's time of sending, and
// everything else (event timestamps, expiry, the redelivery schedule) stays on the clock.
//
// Tests that move one clock from several goroutines should verify on that clock and bound how far
// the goroutines move it in all below the verifier's webhook.DefaultMaxAge (or set
// webhook.WithMaxAge above it): a webhook signed at one goroutine's time may be verified only
// after the others have moved the clock on.
//
// # Faults
//
// [Server.FailNext] makes the next requests to a path fail with a chosen status and PlaidError,
// and [Server.DelayNext] makes them slow, for testing a client's retries and timeouts.
// [Server.LoseReplyNext] makes them take effect and then lose their reply (a dropped connection,
// or a proxy's HTML error page), for testing what a client does when it cannot know whether a
// call happened: a public token exchanged that way is spent, and [Server.Items] shows its Item. A
// fault is used only by a POST to that path, the requests the endpoint serves. All three panic, as
// httptest's helpers do on misuse, when given a path the server does not serve, since such a
// fault would never fire. [Server.ClearFaults] drops them all. [Server.Close] does not wait out a
// delay: the delayed request is answered 503.
//
// # Bounds
//
// A Server is safe for concurrent use and does not grow without bound in a long test run: link
// tokens are forgotten [LinkTokenRetention] after they expire and public tokens
// [PublicTokenRetention] after they expire (both in fake-clock time), and each store keeps at most
// [MaxLinkTokens], [MaxPublicTokens] and [MaxItems] entries, dropping the oldest first; a link token
// keeps its latest [MaxSessionsPerLinkToken] sessions.
//
// The counts bound memory because each entry keeps at most what one request body carried (the
// metadata /link/token/get echoes, an Item's products and webhook), and a body is at most
// [MaxRequestBodyBytes] (64 KiB; a larger one is refused with HTTP 413, INVALID_REQUEST /
// INVALID_BODY). The worst case a client can reach through the API is thus about
// (MaxLinkTokens + MaxPublicTokens + MaxItems) × 64 KiB, some 1.9 GiB, and only by sending 30,000
// bodies of the maximum size; typical entries take well under 2 KiB, a few tens of MB at the
// caps. Sessions add what the test itself passes to [Server.CompleteSession]. Webhooks are kept for
// redelivery up to [MaxWebhooks] and delivery records up to [MaxDeliveries], oldest dropped first;
// at most [MaxLinkTokens] sessions stay open, the oldest abandoned first.
//
// # Options
//
// Options follow one rule: a value an option cannot use is never silently replaced by a default.
// [NewServer] returns no error, so, as httptest does when it cannot set a server up, it panics
// with a message naming the option and the value (WithClock(nil), WithWebhookTimeout(-1s), an
// empty WithCredentials, ...). A session option given a value it cannot use
// ([WithEventsWebhooks] outside 1 to 16, a 33rd [WithAdditionalItem]) makes the session driver
// return an error naming it, and the session is not run.
//
// # Layout
//
// This package is the public face: [Server] and its options, [Clock], the faults, and the session
// options and results. What it serves is done by internal packages, each owning one thing:
//
//   - internal/state owns link tokens, public tokens, Items and Link sessions: the endpoint
//     handlers and their request validation, the session drivers and the ITEM lifecycle, under
//     its own lock and without HTTP;
//   - internal/delivery owns webhook deliveries: first attempts, Plaid's redelivery schedule on
//     the clock, redelivery on demand and the record of attempts, around a send function this
//     package gives it (which signs and POSTs);
//   - internal/page owns the Link page, which this package serves on its own origin because a
//     hosted_link_url must point there;
//   - internal/fifo is the size-bounded map they keep things in, and internal/ids makes Plaid-
//     shaped identifiers.
//
// A [Clock] knows nothing of servers: a server subscribes to it, and moving the clock calls the
// server back to send what came due.
//
// # Example
//
//	func TestLinkFlow(t *testing.T) {
//		srv := linktest.NewServer()
//		defer srv.Close()
//		client := srv.Client()
//		ctx := context.Background()
//
//		tok, err := client.CreateToken(ctx, &link.TokenCreateRequest{
//			ClientName:   "My App",
//			Language:     link.LanguageEnglish,
//			CountryCodes: []link.CountryCode{link.CountryCodeUS},
//			User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
//			Products:     []link.Product{link.ProductTransactions},
//		})
//		require.NoError(t, err)
//
//		session, err := srv.CompleteSession(tok.LinkToken)
//		require.NoError(t, err)
//
//		exch, err := client.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{
//			PublicToken: session.PublicToken,
//		})
//		require.NoError(t, err)
//		assert.True(t, strings.HasPrefix(exch.AccessToken, "access-sandbox-"))
//	}
package linktest
