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
// [*ValidationError] naming the field. A method called on a nil Client returns [ErrNilClient].
// Failures that were retried until the retries ran out name the number of attempts and wrap the
// last cause. An attempt that ran past the per-attempt timeout matches [ErrAttemptTimeout];
// errors.Is(err, context.DeadlineExceeded) or context.Canceled holds only when your context
// ended. Every error message starts with a single "link:" (or, for an [*Error] returned as it
// came, "plaid:"). Every value a server sent (headers, request ids, bodies) is masked before it
// is put in an error or a log record: tokens, the client ID and the secret, in any case, JSON
// escaped or not, and any piece of eight or more of their characters. A 2xx body that cannot be
// decoded is reported by the field that failed and why, never by its value.
//
// # Retries
//
// Each method has a retry class. The reads ([Client.GetToken], [Client.GetWebhookVerificationKey])
// and the calls whose repeat does no harm ([Client.CreateToken], [Client.CreateSessionToken],
// [Client.CreateSandboxPublicToken], [Client.ResetSandboxItemLogin]; a repeated CreateToken makes a
// second link token, which is harmless) are retried, by default [DefaultMaxRetries] times
// ([WithMaxRetries]), after:
//
//   - a Plaid error of type RATE_LIMIT_EXCEEDED, or API_ERROR with code INTERNAL_SERVER_ERROR or
//     PLANNED_MAINTENANCE, whatever the status;
//   - a reply that is not a Plaid error with status 408, 429, 502, 503 or 504;
//   - a connection error or an attempt timeout, except those that would fail the same way again
//     (a certificate that is not trusted, a refused redirect).
//
// A Plaid error of type INVALID_REQUEST, INVALID_INPUT, INVALID_RESULT or ITEM_ERROR is never
// retried, whatever its status; a Plaid error of another type (INSTITUTION_ERROR, or API_ERROR
// with another code) is judged by its status as above. [Error.Retryable] applies the same rule.
//
// [Client.ExchangePublicToken] is single-use: a public token can be exchanged once. It is retried
// only when the request provably never reached Plaid (no connection was made: the DNS lookup, the
// dial or the TLS handshake failed) or when Plaid answered that it did nothing (RATE_LIMIT_EXCEEDED,
// or API_ERROR PLANNED_MAINTENANCE). Any other failure (a timeout or a reset after the request was
// sent, a proxy's 502 or 504, a Plaid 500, a 2xx reply that could not be read) returns at once
// with an error that matches [ErrOutcomeUnknown] and wraps its cause: the exchange may have
// happened, and then the access token was in the lost reply. Retrying would only turn that into
// INVALID_PUBLIC_TOKEN. [WithUnsafeRetries] retries anyway; an INVALID_PUBLIC_TOKEN (or any other
// failure) after an ambiguous attempt is then still [ErrOutcomeUnknown].
//
// The retry loop is this package's own, on net/http, rather than a general-purpose retrying
// client: it must know whether a request got a connection (through net/http/httptrace), read
// Plaid's error_type and error_code, and take its settings per call. Waits grow exponentially
// with jitter, and a Retry-After header is honoured up to a cap of 30 seconds. Each attempt is
// bounded by [DefaultTimeout] ([WithTimeout]); the whole call, waits included, is bounded by the
// context, and a wait ends as soon as the context does. [WithLogger] logs each call and each
// retryable failure at debug level.
//
// # Exchanging a public token once
//
// A public token reaches your backend twice when you use Link webhooks: from your front end
// (onSuccess posts it to you) and in the ITEM_ADD_RESULT webhook, which carries the same
// public_token for the same link_session_id. Exchanging it on both paths races: one exchange
// wins, the other gets INVALID_PUBLIC_TOKEN, and if both store what they got, the loser may
// overwrite the winner's Item or report a failure to the user. Exchange in one place only: have
// both paths claim the token first, atomically and keyed by link_session_id (or the public token
// itself), for instance with an INSERT ... ON CONFLICT DO NOTHING or a Redis SET NX, and let only
// the path that made the claim call ExchangePublicToken and store the access token. The other
// path reads the stored result. On [ErrOutcomeUnknown], mark the claim as failed rather than
// releasing it, and ask the user to link again.
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
package link
