// Package linkotel traces and measures a [link.Client]'s calls with OpenTelemetry: a span per
// call with a client span per attempt under it, and the http.client.request.duration histogram.
//
//	client, err := link.NewClient(clientID, secret, linkotel.Instrument(
//		linkotel.WithTracerProvider(tp), linkotel.WithMeterProvider(mp)))
//
// Without those options it uses the global providers (otel.GetTracerProvider and
// otel.GetMeterProvider). Instrument works per call too, like every [link.Option].
//
// # Spans
//
// A call is one span, a child of the span in the caller's context, named after the method
// ("CreateToken", "ExchangePublicToken", ...), with rpc.system "plaid", rpc.method, and, from
// Plaid's answer, plaid.request_id, plaid.error_type and plaid.error_code. A failed call sets the
// span's status to Error, described by its class (the Plaid error type and code, "outcome
// unknown", "attempt timeout", ...), never by its message.
//
// Each attempt, retries included, is a child span of kind client named "POST", with OpenTelemetry's
// HTTP client semantic conventions: http.request.method, server.address, server.port, url.full
// (the endpoint's URL, which carries no credential), http.response.status_code, error.type, and
// http.request.resend_count on a retry, plus plaid.request_id, plaid.error_type and
// plaid.error_code from its reply.
//
// # Metrics
//
// http.client.request.duration, a histogram in seconds, is recorded once per attempt with
// http.request.method, server.address, server.port, http.response.status_code and error.type.
//
// # What never reaches telemetry
//
// No credential, token or body: the client ID and secret travel in headers, the tokens in bodies,
// and neither is read. The values from Plaid's replies that are recorded (the request id, the
// error type and code) are masked by the Client as in its errors, and url.full, server.address
// and server.port are those of the endpoint the Client was configured with, even when a caller's
// http.Client follows a redirect elsewhere.
//
// The package imports only OpenTelemetry's API (otel, trace, metric); link itself imports none of
// it.
//
// # Options
//
// A value an option cannot use is never replaced by a default: [Instrument] returns no error, so
// it panics with a message naming the option (a nil provider, a nil option).
package linkotel
