package webhookotel

import "github.com/plaidlink/plaidlink-go/webhook"

// Values of [AttrOutcome] beside the reasons.
const (
	// OutcomeProcessed is a webhook fn processed (or a handler without fn acknowledged).
	OutcomeProcessed = "processed"
	// OutcomeDuplicate is a webhook the deduper found processed already.
	OutcomeDuplicate = "duplicate"
	// OutcomeDropped is a webhook fn gave up on with webhook.ErrPermanent.
	OutcomeDropped = "dropped"
)

// reasonNames names each reason of webhook.Outcome in telemetry: short, stable, and in
// OpenTelemetry's snake_case.
var reasonNames = map[error]string{
	webhook.ErrPermanent: OutcomeDropped,

	webhook.ErrMethodNotAllowed:  "method_not_allowed",
	webhook.ErrBodyTooLarge:      "body_too_large",
	webhook.ErrBodyIncomplete:    "body_incomplete",
	webhook.ErrInvalidPayload:    "invalid_payload",
	webhook.ErrFuncFailed:        "func_failed",
	webhook.ErrFuncPanicked:      "func_panicked",
	webhook.ErrInFlight:          "in_flight",
	webhook.ErrDedupeUnavailable: "dedupe_unavailable",

	webhook.ErrNoVerifier:            "no_verifier",
	webhook.ErrMissingHeader:         "missing_header",
	webhook.ErrMalformedHeader:       "malformed_header",
	webhook.ErrUnsupportedAlgorithm:  "unsupported_algorithm",
	webhook.ErrInvalidKeyID:          "invalid_key_id",
	webhook.ErrKeyUnavailable:        "key_unavailable",
	webhook.ErrKeyRateLimited:        "key_rate_limited",
	webhook.ErrKeyFetchMisconfigured: "key_fetch_misconfigured",
	webhook.ErrUnknownKey:            "unknown_key",
	webhook.ErrKeyExpired:            "key_expired",
	webhook.ErrInvalidKey:            "invalid_key",
	webhook.ErrInvalidSignature:      "invalid_signature",
	webhook.ErrMissingIssuedAt:       "missing_issued_at",
	webhook.ErrTooOld:                "too_old",
	webhook.ErrIssuedInFuture:        "issued_in_future",
	webhook.ErrBodyMismatch:          "body_mismatch",
}

// OutcomeOf returns what the handler did with a request, as the spans and metrics record it in
// [AttrOutcome]: [OutcomeProcessed], [OutcomeDuplicate], [OutcomeDropped], or the name of the
// reason it refused the webhook, such as "invalid_signature" for webhook.ErrInvalidSignature or
// "too_old" for webhook.ErrTooOld (the sentinel's name in snake_case, without Err). A reason this
// package does not know yet is recorded as its text, which is a fixed sentinel's and carries no
// data from the request.
func OutcomeOf(o webhook.Outcome) string {
	switch {
	case o.Reason == nil && o.Duplicate:
		return OutcomeDuplicate
	case o.Reason == nil:
		return OutcomeProcessed
	}
	if name, ok := reasonNames[o.Reason]; ok {
		return name
	}
	return o.Reason.Error()
}
