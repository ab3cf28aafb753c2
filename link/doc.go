// Package link is a typed client for Plaid's Link endpoints: create a link_token for your front
// end, read a Link session back, exchange the resulting public_token for an access_token, and, in
// Sandbox, make test Items without going through Link.
//
// Create one [Client] and reuse it; every method takes a context and a request, and returns a
// response or an error:
//
//	client, err := link.NewClient(clientID, secret, link.WithEnvironment(link.Production))
//	if err != nil {
//		return err
//	}
//	resp, err := client.CreateToken(ctx, &link.TokenCreateRequest{
//		ClientName:   "My App",
//		Language:     link.LanguageEnglish,
//		CountryCodes: []link.CountryCode{link.CountryCodeUS},
//		User:         &link.TokenCreateRequestUser{ClientUserID: "user-123"},
//		Products:     []link.Product{link.ProductAuth},
//	})
//
// Request and response types mirror Plaid's OpenAPI schemas, with Plaid's JSON names. Optional
// booleans and numbers are pointers, so that false and 0 can be sent; [Ptr] makes them.
//
// # Authentication
//
// [NewClient] takes your client ID and secret from the Plaid Dashboard and sends them as the
// PLAID-CLIENT-ID and PLAID-SECRET headers of every request, with Plaid-Version
// ([DefaultPlaidVersion], see [WithPlaidVersion]) and a User-Agent naming this SDK and its
// [Version] (see [WithUserAgent]). A Client talks to [Sandbox] unless [WithEnvironment] or
// [WithBaseURL] says otherwise. Credentials, access tokens and public tokens never appear in a log
// line or an error message. The credentials travel only over https (plain http is accepted for a
// loopback test server alone), and never to another host: Plaid does not redirect, so a Client
// does not follow redirects, and with an http.Client of your own whose CheckRedirect follows them,
// the credential headers are dropped from any hop to another origin, and a 307 or 308 to another
// origin, which would re-send the body, fails with [ErrCrossOriginRedirect]. [ParseEnvironment]
// reads an environment from configuration; [Client.CloseIdleConnections] releases a Client's
// connections.
//
// # Errors
//
// An error from Plaid comes back as an [*Error], which carries every field of Plaid's error
// object (error_type, error_code, error_message, display_message, request_id, ...) and the HTTP
// status in [Error.HTTPStatus]. A reply that is not a Plaid error, such as a proxy's HTML page,
// is still an [*Error], with the status and a short excerpt in [Error.RawBody]. Branch on the
// [ErrorCode] constants rather than on the message; [IsErrorCode] looks through any wrapping:
//
//	if link.IsErrorCode(err, link.ErrorCodeInvalidPublicToken) {
//		// ask the user to link again
//	}
//
// A request missing a field that Plaid requires is refused before anything is sent, with a
// [*ValidationError] naming the field. Every other error of a method is a [*CallError]: its
// message is "link: ", the method's name and the cause, with "link:" said once, as in
//
//	link: ExchangePublicToken: INVALID_INPUT INVALID_PUBLIC_TOKEN (HTTP 400): provided public token is expired [request_id=m8MDnv9okwxFNBV]
//
// and errors.As reaches each error of its chain, whose types are all exported: [*Error],
// [*ExhaustedError] (retries ran out: it names the attempts and wraps the last cause),
// [*OutcomeUnknownError], [*AttemptTimeoutError] (matching [ErrAttemptTimeout]), [*RedactedError],
// [*RedirectRefusedError], and net/http's. A method called on a nil Client fails with [ErrNilClient].
// errors.Is(err, context.DeadlineExceeded) or context.Canceled holds only when your context
// ended.
//
// No error, log record or [Response] (but its RawJSON) holds a credential or a token. Every error
// is masked before it leaves the Client, net/http's and net/url's included, which quote what a
// server sent (a status line, a header line, a length, a chunk size, a redirect's URL); so is
// every value a server sent (headers, request ids, bodies). Masked are token shapes
// (access-sandbox-..., in any case and wherever they start), the client ID and the secret, the
// call's own access_token and public_token and their bare identifiers, JSON escaped or not, and
// any piece of eight or more of their characters. Where net/http's own text had to be masked,
// the chain holds a [*RedactedError] in its place. A 2xx body that cannot be decoded is reported
// by the field that failed and why, never by its value.
//
// # Retries
//
// Each method has a retry class. Repeatable are the reads ([Client.GetToken],
// [Client.GetWebhookVerificationKey]) and the calls whose repeat does no harm
// ([Client.CreateToken], [Client.CreateSessionToken], [Client.CreateSandboxPublicToken],
// [Client.ResetSandboxItemLogin]; a repeated CreateToken makes a second link token, which is
// harmless). Single-use is [Client.ExchangePublicToken]: a public token can be exchanged once, so
// it is retried only when the request provably never reached Plaid or Plaid answered that it did
// nothing, and any other failure returns at once with an error that matches [ErrOutcomeUnknown]
// and wraps its cause: the exchange may have happened, and then the access token was in the lost
// reply (a retry would only turn that into INVALID_PUBLIC_TOKEN). This is the whole rule, reply
// by reply, with what a repeatable call and what ExchangePublicToken do:
//
//   - Plaid error RATE_LIMIT_EXCEEDED (any code, any status), or API_ERROR PLANNED_MAINTENANCE:
//     both retried (Plaid did nothing).
//   - Plaid error API_ERROR INTERNAL_SERVER_ERROR: repeatable retried; single-use
//     [ErrOutcomeUnknown] at once.
//   - Plaid error INVALID_REQUEST, INVALID_INPUT, INVALID_RESULT or ITEM_ERROR (any status): never
//     retried; returned as it is.
//   - Plaid error API_ERROR with another code: repeatable by its status, as for a reply that is
//     not a Plaid error (below); single-use [ErrOutcomeUnknown] at once.
//   - Plaid error of any other type (INSTITUTION_ERROR, ...): repeatable by its status, as below;
//     single-use not retried, returned as it is.
//   - A reply that is not a Plaid error (a proxy's page, a gateway's JSON, no body) with status
//     408, 429, 502, 503 or 504: repeatable retried; single-use [ErrOutcomeUnknown] at once. With
//     any other status: repeatable not retried; single-use [ErrOutcomeUnknown] at once.
//   - No connection made (the DNS lookup, the dial or the TLS handshake failed): both retried
//     (Plaid never saw the request).
//   - A certificate that is not trusted, a refused redirect, a bad URL: not retried, since it
//     would fail the same way; for single-use, a refused redirect is [ErrOutcomeUnknown] (the
//     first server got the request).
//   - A reset or a per-attempt timeout once a connection was made, or a 2xx whose body broke off
//     (reset, per-attempt timeout): repeatable retried; single-use [ErrOutcomeUnknown] at once.
//   - A 2xx whose body arrived malformed: repeatable not retried; single-use [ErrOutcomeUnknown]
//     at once.
//   - A 2xx whose whole JSON arrived, then a stall or a reset: a success for both; the reply is
//     kept.
//   - A 2xx reply to ExchangePublicToken without a non-empty access_token and item_id ({}, nulls,
//     ""), or whose body is a Plaid error: no success, [ErrOutcomeUnknown] at once, saying what
//     came back.
//   - Your context ended: not retried, context.Canceled or context.DeadlineExceeded; for
//     single-use, also [ErrOutcomeUnknown] if the request may have been sent.
//
// Retries are made up to [DefaultMaxRetries] times ([WithMaxRetries]); a call that used them up
// fails with an [*ExhaustedError] ("gave up after N attempts") wrapping the last cause.
// [Error.Retryable] applies the repeatable column to a reply. [WithUnsafeRetries] retries
// ExchangePublicToken like a repeatable call; an INVALID_PUBLIC_TOKEN (or any other failure)
// after an ambiguous attempt is then still [ErrOutcomeUnknown].
//
// The attempts are github.com/hashicorp/go-retryablehttp's loop (it makes them, waits between
// them and rewinds the body) under this package's rules, which its hooks hold as one
// classification: CheckRetry judges each attempt by the rules above, knowing (through
// net/http/httptrace) whether a request got a connection and reading Plaid's error_type and
// error_code; Backoff waits; ErrorHandler returns this package's error. Waits grow exponentially
// with jitter from 500ms to 8s, and a Retry-After header is honoured up to 30 seconds
// ([WithRetryBackoff] changes both). Each attempt is bounded by [DefaultTimeout] ([WithTimeout]);
// the whole call, waits included, is bounded by the context, and a wait ends as soon as the
// context does. [WithLogger] logs each call and each retryable failure at debug level.
//
// # Exchanging a public token once
//
// A public token can reach your backend from your front end's onSuccess, from the ITEM_ADD_RESULT
// webhook and from [Client.WaitForSession], and Plaid exchanges it once. Exchange it through
// package [github.com/plaidlink/plaidlink-go/link/exchange], whose Exchanger claims each token in
// a store every path shares, so that one of them calls ExchangePublicToken and the others learn
// it was done.
//
// # Options per call
//
// Every method takes options after its request. They override the Client's for that call only,
// and work in [NewClient] too:
//
//	var raw link.Response
//	resp, err := client.GetToken(ctx, req, link.WithMaxRetries(0), link.WithResponseInto(&raw))
//
// [WithResponseInto] gives the reply as received: status, masked headers, request id, attempts,
// and the exact JSON bytes (for Plaid's nulls, or fields this SDK does not know). An option that
// a method has no use for is ignored by it.
//
// [WithHeader] adds a header to every attempt. [WithMiddleware] runs a [Middleware] around each
// attempt, inside the retry loop, so it sees every request sent (with the credentials: never log
// them) and every reply. [WithCallWrapper] runs a [CallWrapper] once around a whole call, for a
// span or a metric per call: the context it passes on is the parent of every attempt's request.
// [WithOptions] bundles options, for a package that sets several at once.
//
// Options follow one rule: a value an option cannot use is never silently replaced by a default.
// [NewClient], or the call, fails before anything is sent, with an error naming the option and the
// value (never a credential, a header's value or a URL's user information), such as
// "link: NewClient: WithMaxRetries(-1): the count must not be negative"; a nil option is refused
// the same way ("option 2 of 2 is nil").
//
// # Waiting for a session
//
// Hosted Link and Multi-Item Link sessions hand their public tokens to your backend, not to a
// front end: through the ITEM_ADD_RESULT and SESSION_FINISHED webhooks, or through
// /link/token/get. [Client.WaitForSession] polls /link/token/get until a session of a link token
// has finished and returns it, backing off from [DefaultPollInterval] to [DefaultMaxPollInterval]
// with jitter ([WithPollInterval] changes both), waiting out rate limits and passing failures, and
// ending with [ErrLinkTokenExpired] or a *[Error] when no session will finish. Give its context a
// deadline.
//
// # Testing
//
// Point a Client at a test server with [WithBaseURL], or give it a mocked transport with
// [WithHTTPClient]. Package [github.com/plaidlink/plaidlink-go/link/linktest] runs an in-process
// fake Plaid whose Client method returns a ready Client, in the manner of net/http/httptest.
// That Client does not retry; to test retries, give it [WithMaxRetries] and
// [WithRetryBackoff](0, 0), which makes the waits between attempts instant.
package link
