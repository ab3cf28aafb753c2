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
// the credential headers are dropped from any hop to another origin.
//
// # Errors
//
// An error from Plaid comes back as an [*Error], which carries every field of Plaid's error
// object (error_type, error_code, error_message, display_message, request_id, ...) and the HTTP
// status in [Error.HTTPStatus]. A reply that is not a Plaid error, such as a proxy's HTML page,
// is still an [*Error], with the status and a short excerpt in [Error.RawBody]. Find it with
// errors.As, and branch on ErrorCode rather than on the message:
//
//	var plaidErr *link.Error
//	if errors.As(err, &plaidErr) && plaidErr.ErrorCode == "INVALID_PUBLIC_TOKEN" {
//		// ask the user to link again
//	}
//
// A request missing a field that Plaid requires is refused before anything is sent, with a
// [*ValidationError] naming the field. A method called on a nil Client returns [ErrNilClient].
// Network failures and ended contexts are returned wrapped, so errors.Is(err,
// context.DeadlineExceeded) works.
//
// # Retries
//
// A call that fails with a connection error or an HTTP 408, 429 or 5xx reply is retried, by
// default [DefaultMaxRetries] times ([WithMaxRetries]); other 4xx replies are not, since they
// would fail again. Waits grow exponentially with jitter, and a Retry-After header is honoured up
// to a cap of 30 seconds. Each attempt is bounded by [DefaultTimeout] ([WithTimeout]); the whole
// call, waits included, is bounded by the context, and a wait ends as soon as the context does.
// [WithLogger] logs each call and each retryable failure at debug level.
//
// # Testing
//
// Point a Client at a test server with [WithBaseURL], or give it a mocked transport with
// [WithHTTPClient]. Package [github.com/plaidlink/plaidlink-go/link/linktest] runs an in-process
// fake Plaid whose Client method returns a ready Client, in the manner of net/http/httptest.
package link
