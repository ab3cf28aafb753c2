package webhook_test

import (
	"testing"

	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// TestMemoryDeduperContract runs the contract every Deduper keeps, which webhook/redisdedup runs
// against Redis too, on a MemoryDeduper of its own for each check: its batch methods included.
func TestMemoryDeduperContract(t *testing.T) {
	webhooktest.TestDeduper(t, func(*testing.T) webhook.Deduper { return webhook.NewMemoryDeduper(1000) })
}
