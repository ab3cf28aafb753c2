package webhook

import (
	"context"
	"errors"
)

// Deduper records which webhooks have been processed, so that a webhook Plaid delivers more than
// once runs the handler's function once. (Skeleton: the interface and its implementations are
// being written; until then the handler runs fn for every delivery.)
type Deduper interface {
	deduperSkeleton()
}

// WithDeduper makes the handler run fn at most once per webhook meaning across every handler that
// shares d.
func WithDeduper(d Deduper) HandlerOption {
	return func(h *handler) { h.dedupe = d }
}

// runDeduped runs call at most once for what ev means, across every handler sharing h.dedupe.
// skipped reports a duplicate that was answered without running call. err is call's own error,
// or an error of the deduper's (a duplicate in flight elsewhere, the store unreachable) that the
// handler answers 503.
func (h *handler) runDeduped(ctx context.Context, ev Event, call func() error) (skipped bool, err error) {
	return false, call()
}

// ErrPermanent is what fn wraps in its error to say that retrying will never help (the webhook
// names something this service will never know, say). The handler answers 200, so Plaid stops
// delivering it, and reports it to the observer as dropped rather than processed.
var ErrPermanent = errors.New("webhook: permanent failure, not to be retried")
