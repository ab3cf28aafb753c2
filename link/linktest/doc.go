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
// [LinkTokenRetention] more, as Plaid keeps session data for six hours.
//
// # Playing the end user
//
// Nobody runs Link's front end in a Go test, so the server plays the end user on request:
// [Server.CompleteSession] finishes a Link session for a link token (options such as
// [WithInstitution] and [WithAccounts] pick what is linked; the institution must serve one of the
// token's country_codes) and returns its public token, and
// [Server.ExitSession] records a session the user left, optionally after an error. Afterwards /link/token/get shows the
// session with its events and results, and the public token exchanges for an access token. If the
// link token names a webhook URL, the server POSTs the ITEM_ADD_RESULT, EVENTS and
// SESSION_FINISHED webhooks to it before the call returns, each signed in the Plaid-Verification
// header by the server's own key, which /webhook_verification_key/get serves, so a
// webhook.Verifier built on [Server.Client] accepts them.
//
// A Layer session token from /session/token/create is a link token too: sessions run on it and
// /link/token/get reads it back.
//
// # Time
//
// The server reads time from a [Clock] that stands still until the test moves it, so a test can
// expire a token with s.Clock().Advance(4*time.Hour) instead of waiting.
//
// Webhooks are signed with that clock too: the iat of their Plaid-Verification JWT is the clock's
// time, not the machine's. A receiver under test whose verifier reads the same clock,
// webhook.NewVerifier(client, webhook.WithClock(s.Clock().Now)), accepts them however far the
// test has moved it; a verifier on real time refuses them once the clock is more than
// webhook.DefaultMaxAge behind or webhook.DefaultClockSkew ahead of the machine's.
//
// # Faults
//
// [Server.FailNext] makes the next requests to a path fail with a chosen status and PlaidError,
// and [Server.DelayNext] makes them slow, for testing a client's retries and timeouts. A fault is
// used only by a POST to that path, the requests the endpoint serves. Both panic, as httptest's
// helpers do on misuse, when given a path the server does not serve, since such a fault would
// never fire. [Server.Close] does not wait out a delay: the delayed request is answered 503.
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
// caps. Sessions add what the test itself passes to [Server.CompleteSession].
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
