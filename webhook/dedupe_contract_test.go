package webhook_test

import (
	"testing"

	"github.com/plaidlink/plaidlink-go/internal/dedupetest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// TestMemoryDeduperContract runs the contract every Deduper keeps, which webhook/redisdedup runs
// against Redis too, on a MemoryDeduper of its own for each case.
func TestMemoryDeduperContract(t *testing.T) {
	dedupetest.Run(t, func(*testing.T) []webhook.Deduper {
		return []webhook.Deduper{webhook.NewMemoryDeduper(10)}
	})
}
