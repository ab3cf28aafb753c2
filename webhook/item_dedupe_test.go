package webhook

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustParse(t *testing.T, body string) Event {
	t.Helper()
	ev, err := Parse([]byte(body))
	require.NoError(t, err)
	return ev
}

func TestItemDedupeKeys(t *testing.T) {
	loginRequired := `{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"item-1","error":{"error_type":"ITEM_ERROR","error_code":"ITEM_LOGIN_REQUIRED","error_message":"m","display_message":null,"status":400},"environment":"sandbox"}`
	key := func(body string) string {
		keys := dedupeKeys(mustParse(t, body))
		require.Len(t, keys, 1, body)
		return keys[0]
	}
	k := key(loginRequired)
	assert.Equal(t, k, key(loginRequired), "a redelivery (same body) has the same key")
	assert.Regexp(t, `^ITEM\.ERROR:\{[A-Za-z0-9_-]{22}\}$`, k, "the key holds the type, code and a hash, no id in clear")

	other := map[string]string{
		"another Item":   `{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"item-2","error":{"error_type":"ITEM_ERROR","error_code":"ITEM_LOGIN_REQUIRED","error_message":"m","display_message":null,"status":400},"environment":"sandbox"}`,
		"another body":   `{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"item-1","error":{"error_type":"ITEM_ERROR","error_code":"INSTITUTION_DOWN","error_message":"m","display_message":null,"status":400},"environment":"sandbox"}`,
		"another code":   `{"webhook_type":"ITEM","webhook_code":"LOGIN_REPAIRED","item_id":"item-1","environment":"sandbox"}`,
		"new accounts":   `{"webhook_type":"ITEM","webhook_code":"NEW_ACCOUNTS_AVAILABLE","item_id":"item-1","error":null,"environment":"sandbox"}`,
		"delivery":       `{"webhook_type":"LINK_DELIVERY","webhook_code":"DELIVERY_STATUS","link_delivery_session_id":"d-1","timestamp":"2024-05-21T17:07:36Z","link_delivery_metadata":{"delivery_status":"SUCCESS"}}`,
		"callback":       `{"webhook_type":"LINK_DELIVERY","webhook_code":"LINK_CALLBACK","link_delivery_session_id":"d-1","timestamp":"2024-05-21T17:07:36Z","link_callback_metadata":{"callback_type":"ON_EXIT"}}`,
		"layer":          `{"webhook_type":"LAYER","webhook_code":"LAYER_AUTHENTICATION_PASSED","environment":"sandbox","link_session_id":"s-1","link_token":"link-sandbox-x"}`,
		"pending expiry": `{"webhook_type":"ITEM","webhook_code":"PENDING_EXPIRATION","item_id":"item-1","consent_expiration_time":"2020-01-15T13:25:17.766Z","environment":"sandbox"}`,
	}
	seen := map[string]string{k: "login required"}
	for name, body := range other {
		kk := key(body)
		_, dup := seen[kk]
		assert.False(t, dup, "%s shares a key with %s", name, seen[kk])
		seen[kk] = name
	}

	// Nothing to say what the webhook is about: not deduplicated.
	assert.Empty(t, dedupeKeys(mustParse(t, `{"webhook_type":"ITEM","webhook_code":"LOGIN_REPAIRED","environment":"sandbox"}`)))
	assert.Empty(t, dedupeKeys(mustParse(t, `{"webhook_type":"LINK_DELIVERY","webhook_code":"DELIVERY_STATUS","timestamp":"t"}`)))

	// A struct built in code is the parsed one: equal, with the same key.
	built := &LoginRepaired{WebhookType: TypeItem, WebhookCode: CodeLoginRepaired, ItemID: "item-1", Environment: EnvironmentSandbox}
	parsed := mustParse(t, `{"webhook_type":"ITEM","webhook_code":"LOGIN_REPAIRED","item_id":"item-1","environment":"sandbox"}`)
	assert.Equal(t, built, parsed)
	require.Len(t, dedupeKeys(built), 1)
	assert.Equal(t, dedupeKeys(built), dedupeKeys(parsed))
}

// TestRunDedupedItemWebhook: a redelivered ITEM webhook runs fn once; a new notification about
// the same Item (a different body) runs it again.
func TestRunDedupedItemWebhook(t *testing.T) {
	d, _ := newTestMemoryDeduper(10)
	h := dedupeHandler(d)
	var c counter
	first := `{"webhook_type":"ITEM","webhook_code":"PENDING_EXPIRATION","item_id":"item-1","consent_expiration_time":"2020-01-15T13:25:17.766Z","environment":"sandbox"}`
	for i := range 3 {
		skipped, err := h.runDeduped(context.Background(), mustParse(t, first), c.fn(nil))
		require.NoError(t, err)
		assert.Equal(t, i > 0, skipped)
	}
	later := `{"webhook_type":"ITEM","webhook_code":"PENDING_EXPIRATION","item_id":"item-1","consent_expiration_time":"2020-04-15T13:25:17.766Z","environment":"sandbox"}`
	skipped, err := h.runDeduped(context.Background(), mustParse(t, later), c.fn(nil))
	require.NoError(t, err)
	assert.False(t, skipped)
	assert.Equal(t, int32(2), c.n.Load())
}
