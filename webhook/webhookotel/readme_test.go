package webhookotel_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/webhook/webhookotel"
)

// TestREADMENamesEveryAttributeAndMetric holds the README's Observability section to the names
// this package and link/linkotel record.
func TestREADMENamesEveryAttributeAndMetric(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n## Observability\n")
	require.True(t, ok, "the README's section")
	section, _, _ = strings.Cut(section, "\n## ")

	names := []string{
		webhookotel.SpanName, webhookotel.MetricRequests, webhookotel.MetricDuration, webhookotel.MetricKeyFetches,
		string(webhookotel.AttrOutcome), string(webhookotel.AttrWebhookType), string(webhookotel.AttrWebhookCode),
		string(webhookotel.AttrLinkSessionID), string(webhookotel.AttrItemID), string(webhookotel.AttrKeyFetched),
		"http.request.method", "http.response.status_code", "error.type",
		webhookotel.OutcomeProcessed, webhookotel.OutcomeDuplicate, webhookotel.OutcomeDropped,
		"plaid_webhook_requests_total", "http_server_request_duration_seconds", "plaid_webhook_key_fetches_total",
		// linkotel's, whose names are literals in its code.
		"link/linkotel", "http.client.request.duration", "http_client_request_duration_seconds", "rpc.system", "rpc.method",
		"plaid.request_id", "plaid.error_type", "plaid.error_code", "server.address", "server.port", "url.full",
		"http.request.resend_count",
	}
	for _, name := range names {
		assert.Contains(t, section, "`"+name+"`")
	}
}
