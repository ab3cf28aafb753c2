package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// A complete verified webhook endpoint. In production the KeyFetcher is your *link.Client; here a
// webhooktest.Signer plays Plaid, signing the request and serving its key.
func Example() {
	signer := webhooktest.NewSigner()
	handler := webhook.NewHandler(webhook.NewVerifier(signer), func(ctx context.Context, ev webhook.Event) error {
		if sf, ok := ev.(*webhook.SessionFinished); ok {
			fmt.Println("session", sf.LinkSessionID, sf.Status, sf.PublicTokens)
		}
		return nil
	})

	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","status":"SUCCESS",` +
		`"link_session_id":"356dbb28","link_token":"link-sandbox-af1a","public_tokens":["public-sandbox-b0e2"],"environment":"sandbox"}`)
	for _, header := range []string{signer.Sign(body), "forged"} {
		req := httptest.NewRequest(http.MethodPost, "/plaid/webhook", bytes.NewReader(body))
		req.Header.Set("Plaid-Verification", header)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// session 356dbb28 SUCCESS [public-sandbox-b0e2]
	// 200
	// 401
}

// Verify and Parse can be used without the Handler, for servers that read the body themselves.
func ExampleVerifier_Verify() {
	signer := webhooktest.NewSigner()
	verifier := webhook.NewVerifier(signer)
	body := []byte(`{"webhook_type":"LINK","webhook_code":"ITEM_ADD_RESULT","public_token":"public-sandbox-b0e2","environment":"sandbox"}`)
	header := signer.Sign(body)

	if err := verifier.Verify(context.Background(), header, body); err != nil {
		fmt.Println("refused:", err)
		return
	}
	ev, err := webhook.Parse(body)
	if err != nil {
		fmt.Println("bad payload:", err)
		return
	}
	fmt.Println(ev.Code(), ev.(*webhook.ItemAddResult).PublicToken)

	err = verifier.Verify(context.Background(), header, append(body, ' '))
	fmt.Println(err)
	// Output:
	// ITEM_ADD_RESULT public-sandbox-b0e2
	// webhook: body does not match request_body_sha256
}

// EVENTS may arrive more than once per session, each time with all events so far and in no
// particular order; MergeEvents de-duplicates and orders them.
func ExampleMergeEvents() {
	first := []byte(`{"webhook_type":"LINK","webhook_code":"EVENTS","link_session_id":"s","events":[
		{"event_id":"b","event_name":"TRANSITION_VIEW","timestamp":"2024-05-21T00:17:54Z","event_metadata":{}},
		{"event_id":"a","event_name":"OPEN","timestamp":"2024-05-21T00:17:50Z","event_metadata":{}}]}`)
	second := []byte(`{"webhook_type":"LINK","webhook_code":"EVENTS","link_session_id":"s","events":[
		{"event_id":"c","event_name":"EXIT","timestamp":"2024-05-21T00:18:13Z","event_metadata":{}},
		{"event_id":"a","event_name":"OPEN","timestamp":"2024-05-21T00:17:50Z","event_metadata":{}},
		{"event_id":"b","event_name":"TRANSITION_VIEW","timestamp":"2024-05-21T00:17:54Z","event_metadata":{}}]}`)

	var all [][]link.Event
	for _, body := range [][]byte{first, second} {
		ev, err := webhook.Parse(body)
		if err != nil {
			fmt.Println(err)
			return
		}
		all = append(all, ev.(*webhook.Events).Events)
	}
	for _, e := range webhook.MergeEvents(all...) {
		fmt.Println(e.Timestamp.Format("15:04:05"), e.EventName)
	}
	// Output:
	// 00:17:50 OPEN
	// 00:17:54 TRANSITION_VIEW
	// 00:18:13 EXIT
}

// A server that reads the body itself checks the header first, so that a forged request costs no
// body read, and the body once it has it.
func ExampleVerifier_VerifyHeader() {
	signer := webhooktest.NewSigner()
	verifier := webhook.NewVerifier(signer)
	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","status":"EXITED","link_session_id":"356dbb28"}`)
	req := httptest.NewRequest(http.MethodPost, "/plaid/webhook", bytes.NewReader(body))
	req.Header.Set(webhook.HeaderName, signer.Sign(body))

	claims, err := verifier.VerifyHeader(req.Context(), req.Header.Get(webhook.HeaderName))
	if err != nil {
		fmt.Println("refused before reading the body:", err)
		return
	}
	received, err := io.ReadAll(io.LimitReader(req.Body, webhook.DefaultMaxBodySize))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := claims.VerifyBody(received); err != nil {
		fmt.Println("refused:", err)
		return
	}
	ev, err := webhook.Parse(received)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.Code(), ev.SessionID(), claims.KeyID == signer.KeyID())

	_, err = verifier.VerifyHeader(req.Context(), "forged")
	fmt.Println(err)
	// Output:
	// SESSION_FINISHED 356dbb28 true
	// webhook: malformed Plaid-Verification header: not a compact JWS
}

// An observer sees one Outcome per request: here a metric by status and reason.
func ExampleWithObserver() {
	plaid := webhooktest.NewSigner()
	var seen []string // one line per request, in the order the requests were answered
	handler := webhook.NewHandler(webhook.NewVerifier(plaid), func(context.Context, webhook.Event) error {
		return fmt.Errorf("no such user: %w", webhook.ErrPermanent)
	}, webhook.WithObserver(func(_ context.Context, o webhook.Outcome) {
		line := fmt.Sprintf("%d %v dropped=%t", o.Status, o.Reason, o.Dropped)
		if o.LinkSessionID != "" {
			line += " session=" + o.LinkSessionID
		}
		seen = append(seen, line)
	}))

	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","status":"EXITED","link_session_id":"356dbb28"}`)
	for _, header := range []string{plaid.Sign(body), ""} {
		req := httptest.NewRequest(http.MethodPost, "/plaid/webhook", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, header)
		handler.ServeHTTP(httptest.NewRecorder(), req)
	}
	for _, line := range seen {
		fmt.Println(line)
	}
	// Output:
	// 200 webhook: permanent failure, not to be retried dropped=true session=356dbb28
	// 401 webhook: missing Plaid-Verification header dropped=false
}
