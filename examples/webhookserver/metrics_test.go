package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

var metricsLine = regexp.MustCompile(`Serving metrics on (http://127\.0\.0\.1:\d+/metrics)\.\n`)

// scrape GETs url as Prometheus would and returns the exposition.
func scrape(t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(testContext(t), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// sample returns the value of the sample of metric whose labels include every one of labels,
// and fails unless there is exactly one.
func sample(t *testing.T, exposition, metric string, labels ...string) string {
	t.Helper()
	var found []string
	for _, line := range strings.Split(exposition, "\n") {
		name, rest, ok := strings.Cut(line, "{")
		if !ok || name != metric {
			continue
		}
		set, value, ok := strings.Cut(rest, "} ")
		if !ok {
			continue
		}
		match := true
		for _, l := range labels {
			match = match && strings.Contains(","+set+",", ","+l+",")
		}
		if match {
			found = append(found, value)
		}
	}
	require.Len(t, found, 1, "%s{%s} in\n%s", metric, strings.Join(labels, ","), exposition)
	return found[0]
}

// With -metrics, the receiver serves Prometheus metrics: a scrape after a session's webhooks and
// a forged one finds them counted by status, outcome, type and code, timed, the key fetch
// counted, and the Plaid client's one call (that key fetch) timed.
func TestRunServeMetrics(t *testing.T) {
	const clientID, secret = "ws-client-id-m3tr", "ws-secret-5c0a"
	fake := linktest.NewServer(linktest.WithCredentials(clientID, secret))
	defer fake.Close()
	// The handler records its metrics after it has answered, and before it calls its observers
	// (webhook.WithRequestHook): each outcome observed is in the metrics already.
	observed := make(chan webhook.Outcome, 16)
	cfg := config{clientID: clientID, secret: secret, handlerOpts: []webhook.HandlerOption{
		webhook.WithObserver(func(_ context.Context, o webhook.Outcome) { observed <- o }),
	}}
	r := startReceiver(t, fake, cfg, "-metrics", "127.0.0.1:0")
	m := metricsLine.FindStringSubmatch(r.out.String())
	require.NotNil(t, m, r.out.String())

	session := completeSession(t, fake, r.url)
	body := session.Webhooks[0].Body
	forged, err := forgeHeader(body, fake.Signer().KeyID(), time.Now())
	require.NoError(t, err)
	status, err := postWebhook(context.Background(), r.url, body, forged)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, status)
	for range 4 {
		select {
		case <-observed:
		case <-time.After(10 * time.Second):
			t.Fatal("the handler did not finish its requests")
		}
	}
	exposition := scrape(t, m[1])
	r.stop()

	for _, code := range []string{"ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED"} {
		assert.Equal(t, "1", sample(t, exposition, "plaid_webhook_requests_total",
			`http_response_status_code="200"`, `plaid_webhook_outcome="processed"`,
			`plaid_webhook_type="LINK"`, `plaid_webhook_code="`+code+`"`), code)
		assert.Equal(t, "1", sample(t, exposition, "http_server_request_duration_seconds_count",
			`http_request_method="POST"`, `http_response_status_code="200"`, `plaid_webhook_code="`+code+`"`), code)
	}
	assert.Equal(t, "1", sample(t, exposition, "plaid_webhook_requests_total",
		`http_response_status_code="401"`, `plaid_webhook_outcome="invalid_signature"`))
	assert.Equal(t, "1", sample(t, exposition, "plaid_webhook_key_fetches_total", `plaid_webhook_outcome="processed"`),
		"the key is fetched for the first webhook, then cached")
	host, port, err := net.SplitHostPort(strings.TrimPrefix(fake.URL, "http://"))
	require.NoError(t, err)
	assert.Equal(t, "2", sample(t, exposition, "http_client_request_duration_seconds_count",
		`http_request_method="POST"`, `http_response_status_code="200"`,
		`server_address="`+host+`"`, `server_port="`+port+`"`), "the client's key fetch, and the exchange of ITEM_ADD_RESULT's public token")
	assert.NotContains(t, exposition, session.LinkSessionID, "no per-session label")
	assert.NotContains(t, exposition, clientID)
	assert.NotContains(t, exposition, secret)
	assertNoSecrets(t, exposition)
}

// -metrics works in the demo too, and an address it cannot listen on is an error at start.
func TestRunMetricsFlag(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(testContext(t), &out, []string{"-metrics", "127.0.0.1:0"}, config{}))
	assert.Regexp(t, `^Serving metrics on http://127\.0\.0\.1:\d+/metrics\.\nReceiving webhooks on `, out.String())

	out.Reset()
	err := run(testContext(t), &out, []string{"-metrics", "127.0.0.1:http-alt-nonsense"}, config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-metrics: ")
	assert.NotContains(t, out.String(), "Receiving")
}
