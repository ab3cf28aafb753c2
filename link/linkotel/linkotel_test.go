package linkotel_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linkotel"
)

const (
	clientID = "5f3c7e9a1b2c3d4e5f607182"
	secret   = "0a1b2c3d4e5f60718293a4b5c6d7e8"
	access   = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6"
	public   = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"

	tokenReply  = `{"link_token":"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176","expiration":"2024-07-29T22:22:36Z","request_id":"rq-ok"}`
	rateLimited = `{"error_type":"RATE_LIMIT_EXCEEDED","error_code":"RATE_LIMIT","error_message":"rate limit exceeded","request_id":"rq-429"}`
)

// telemetry is an in-memory span recorder and metric reader, and the Option that feeds them.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	option link.Option
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tel.option = linkotel.Instrument(linkotel.WithTracerProvider(tel.tp), linkotel.WithMeterProvider(mp))
	return tel
}

// metrics returns the data points of http.client.request.duration.
func (tel *telemetry) durations(t *testing.T) (metricdata.Metrics, []metricdata.HistogramDataPoint[float64]) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == "http.client.request.duration" {
				h, ok := m.Data.(metricdata.Histogram[float64])
				require.True(t, ok, "a float64 histogram")
				return m, h.DataPoints
			}
		}
	}
	t.Fatal("no http.client.request.duration")
	return metricdata.Metrics{}, nil
}

func attrs(kvs []attribute.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// server answers replies[i] to the i-th request (the last one repeats).
func server(t *testing.T, replies ...func(http.ResponseWriter)) *httptest.Server {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		i := int(n.Add(1)) - 1
		replies[min(i, len(replies)-1)](w)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func reply(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func tokenRequest() *link.TokenCreateRequest {
	return &link.TokenCreateRequest{
		ClientName:   "My App",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []link.Product{link.ProductAuth},
	}
}

func TestSpansOfACallAndItsAttempts(t *testing.T) {
	tel := newTelemetry(t)
	srv := server(t, reply(429, rateLimited), reply(200, tokenReply))
	client, err := link.NewClient(clientID, secret, link.WithBaseURL(srv.URL), link.WithRetryBackoff(0, 0), tel.option)
	require.NoError(t, err)

	ctx, parent := tel.tp.Tracer("test").Start(context.Background(), "handler")
	_, err = client.CreateToken(ctx, tokenRequest())
	parent.End()
	require.NoError(t, err)

	spans := tel.spans.Ended()
	require.Len(t, spans, 4, "two attempts, the call, the test's parent")
	first, second, call := spans[0], spans[1], spans[2]

	assert.Equal(t, "CreateToken", call.Name())
	assert.Equal(t, parent.SpanContext().SpanID(), call.Parent().SpanID(), "the call is a child of the caller's span")
	assert.Equal(t, trace.SpanKindInternal, call.SpanKind())
	assert.Equal(t, map[string]any{"rpc.system": "plaid", "rpc.method": "CreateToken", "plaid.request_id": "rq-ok"},
		attrs(call.Attributes()))
	assert.Equal(t, codes.Unset, call.Status().Code)

	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, s := range []sdktrace.ReadOnlySpan{first, second} {
		assert.Equal(t, "POST", s.Name())
		assert.Equal(t, trace.SpanKindClient, s.SpanKind())
		assert.Equal(t, call.SpanContext().SpanID(), s.Parent().SpanID(), "each attempt is a child of the call")
	}
	assert.Equal(t, map[string]any{
		"http.request.method": "POST", "server.address": "127.0.0.1", "server.port": int64(port),
		"url.full": srv.URL + "/link/token/create", "http.response.status_code": int64(429), "error.type": "429",
		"plaid.request_id": "rq-429", "plaid.error_type": "RATE_LIMIT_EXCEEDED", "plaid.error_code": "RATE_LIMIT",
	}, attrs(first.Attributes()))
	assert.Equal(t, codes.Error, first.Status().Code)
	assert.Equal(t, map[string]any{
		"http.request.method": "POST", "server.address": "127.0.0.1", "server.port": int64(port),
		"url.full": srv.URL + "/link/token/create", "http.response.status_code": int64(200),
		"http.request.resend_count": int64(1), "plaid.request_id": "rq-ok",
	}, attrs(second.Attributes()))
	assert.Equal(t, codes.Unset, second.Status().Code)

	m, points := tel.durations(t)
	assert.Equal(t, "s", m.Unit)
	require.Len(t, points, 2, "one series per status")
	byStatus := map[int64]uint64{}
	for _, p := range points {
		v, ok := p.Attributes.Value("http.response.status_code")
		require.True(t, ok)
		byStatus[v.AsInt64()] = p.Count
		method, _ := p.Attributes.Value("http.request.method")
		assert.Equal(t, "POST", method.AsString())
		addr, _ := p.Attributes.Value("server.address")
		assert.Equal(t, "127.0.0.1", addr.AsString())
		_, hasURL := p.Attributes.Value("url.full")
		assert.False(t, hasURL, "url.full is not a metric attribute (cardinality)")
	}
	assert.Equal(t, map[int64]uint64{429: 1, 200: 1}, byStatus, "recorded once per attempt")
}

func TestFailedCallSetsTheStatus(t *testing.T) {
	tel := newTelemetry(t)
	srv := server(t, reply(400, `{"error_type":"INVALID_INPUT","error_code":"INVALID_PUBLIC_TOKEN","error_message":"expired","request_id":"rq-400"}`))
	client, err := link.NewClient(clientID, secret, link.WithBaseURL(srv.URL))
	require.NoError(t, err)
	// Per call, like every link.Option.
	_, err = client.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: public}, tel.option)
	require.Error(t, err)

	spans := tel.spans.Ended()
	require.Len(t, spans, 2)
	call := spans[1]
	assert.Equal(t, "ExchangePublicToken", call.Name())
	assert.Equal(t, codes.Error, call.Status().Code)
	assert.Equal(t, "INVALID_INPUT INVALID_PUBLIC_TOKEN", call.Status().Description, "the class, not the message")
	assert.Equal(t, map[string]any{"rpc.system": "plaid", "rpc.method": "ExchangePublicToken", "plaid.request_id": "rq-400",
		"plaid.error_type": "INVALID_INPUT", "plaid.error_code": "INVALID_PUBLIC_TOKEN", "error.type": "INVALID_INPUT INVALID_PUBLIC_TOKEN"},
		attrs(call.Attributes()))
	assert.Empty(t, call.Events(), "no error event: it would carry the message")

	// A connection that is never made: an error.type of its own, no status code.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := closed.Addr().String()
	require.NoError(t, closed.Close())
	dead, err := link.NewClient(clientID, secret, link.WithBaseURL("http://"+addr), link.WithMaxRetries(0), tel.option)
	require.NoError(t, err)
	_, err = dead.CreateToken(context.Background(), tokenRequest())
	require.Error(t, err)
	spans = tel.spans.Ended()
	attempt := attrs(spans[len(spans)-2].Attributes())
	assert.Equal(t, "network_dial", attempt["error.type"])
	assert.NotContains(t, attempt, "http.response.status_code")
}

// Instrument returns no error, so an option it cannot use makes it panic, naming the option.
func TestInstrumentRefusesBadOptions(t *testing.T) {
	cases := []struct {
		opt  linkotel.Option
		want string
	}{
		{linkotel.WithTracerProvider(nil), "linkotel: Instrument: WithTracerProvider(nil): the TracerProvider must not be nil"},
		{linkotel.WithMeterProvider(nil), "linkotel: Instrument: WithMeterProvider(nil): the MeterProvider must not be nil"},
		{nil, "linkotel: Instrument: option 2 of 2 is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, func() {
				linkotel.Instrument(linkotel.WithTracerProvider(sdktrace.NewTracerProvider()), tc.opt)
			})
		})
	}
}

// everything returns every text the telemetry holds: span names, attributes, status
// descriptions, events and their attributes, and every metric attribute.
func (tel *telemetry) everything(t *testing.T) []string {
	var texts []string
	for _, s := range tel.spans.Ended() {
		texts = append(texts, s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			texts = append(texts, string(kv.Key)+"="+kv.Value.Emit())
		}
		for _, e := range s.Events() {
			texts = append(texts, e.Name)
			for _, kv := range e.Attributes {
				texts = append(texts, string(kv.Key)+"="+kv.Value.Emit())
			}
		}
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok {
				for _, p := range h.DataPoints {
					for _, kv := range p.Attributes.ToSlice() {
						texts = append(texts, string(kv.Key)+"="+kv.Value.Emit())
					}
				}
			}
		}
	}
	return texts
}

// leaks returns the 10-character pieces of the credentials and of token's identifier that text
// holds, in any case, and the body marker.
func leaks(text, token string) []string {
	var found []string
	lower := strings.ToLower(text)
	id := token[strings.LastIndex(token[:len("public-sandbox-")], "-")+1:]
	for _, cred := range []string{clientID, secret, id} {
		for i := 0; i+10 <= len(cred); i++ {
			if p := strings.ToLower(cred[i : i+10]); strings.Contains(lower, p) {
				found = append(found, p)
			}
		}
	}
	if strings.Contains(lower, "bodymarker") {
		found = append(found, "a body")
	}
	return found
}

// rawServer writes raw on the socket in reply to every request.
func rawServer(t *testing.T, raw string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 64<<10)
				_, _ = conn.Read(buf) // the request is small enough to arrive in one read
				_, _ = io.WriteString(conn, raw)
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

// TestNoCredentialOrBodyInTelemetry: whatever a server answers, no credential, none of the call's
// tokens and nothing of a body reaches a span, an event or a metric.
func TestNoCredentialOrBodyInTelemetry(t *testing.T) {
	echo := secret + " " + strings.ToUpper(clientID) + " " + access + " " + public + " " +
		strings.TrimPrefix(access, "access-sandbox-") + " " + strings.TrimPrefix(public, "public-sandbox-")
	jsonEcho := strings.ReplaceAll(echo, " ", "_")
	replies := map[string]string{
		"Plaid error echoing everything": "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nX-Request-Id: " + jsonEcho +
			"\r\nConnection: close\r\n\r\n" + `{"error_type":"` + jsonEcho + `","error_code":"` + strings.ToUpper(jsonEcho) +
			`","error_message":"BODYMARKER ` + echo + `","request_id":"` + jsonEcho + `"}`,
		"proxy page": "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<p>BODYMARKER " + echo + "</p>",
		"2xx echoing everything": "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" +
			`{"link_token":"BODYMARKER","access_token":"` + access + `","item_id":"x","expiration":"2024-07-29T22:22:36Z","request_id":"` + jsonEcho + `"}`,
		"malformed status line": "HTTP/1.1 " + jsonEcho + " OK\r\n\r\n",
		"redirect to a URL full of secrets": "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://" + strings.ToLower(jsonEcho[:40]) +
			".example/?s=" + jsonEcho + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		"redirect to a path full of secrets": "HTTP/1.1 302 Found\r\nLocation: /" + jsonEcho + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	}
	follow := &http.Client{CheckRedirect: func(_ *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("stopped after 3 redirects")
		}
		return nil
	}}
	for name, raw := range replies {
		t.Run(name, func(t *testing.T) {
			srvURL := rawServer(t, raw)
			for _, exchange := range []bool{false, true} {
				tel := newTelemetry(t)
				client, err := link.NewClient(clientID, secret, link.WithBaseURL(srvURL), link.WithRetryBackoff(0, 0),
					link.WithMaxRetries(1), link.WithHTTPClient(follow), tel.option)
				require.NoError(t, err)
				token := access
				if exchange {
					token = public
					_, err = client.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: public})
				} else {
					req := tokenRequest()
					req.AccessToken = access // update mode, which takes no products
					req.Products = nil
					_, err = client.CreateToken(context.Background(), req)
				}
				var invalid *link.ValidationError
				require.False(t, errors.As(err, &invalid), "the call must reach the server: %v", err)
				texts := tel.everything(t)
				require.NotEmpty(t, texts)
				for _, text := range texts {
					assert.Empty(t, leaks(text, token), "exchange=%v: %s", exchange, text)
				}
			}
		})
	}
}
