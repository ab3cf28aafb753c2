package webhookotel_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhookotel"
)

// reasons are the sentinels of package webhook that an Outcome.Reason can be, by name.
var reasons = map[string]error{
	"ErrPermanent": webhook.ErrPermanent,

	"ErrMethodNotAllowed": webhook.ErrMethodNotAllowed, "ErrBodyTooLarge": webhook.ErrBodyTooLarge,
	"ErrBodyIncomplete": webhook.ErrBodyIncomplete, "ErrInvalidPayload": webhook.ErrInvalidPayload,
	"ErrFuncFailed": webhook.ErrFuncFailed, "ErrFuncPanicked": webhook.ErrFuncPanicked,
	"ErrInFlight": webhook.ErrInFlight, "ErrDedupeUnavailable": webhook.ErrDedupeUnavailable,

	"ErrNoVerifier": webhook.ErrNoVerifier, "ErrMissingHeader": webhook.ErrMissingHeader,
	"ErrMalformedHeader": webhook.ErrMalformedHeader, "ErrUnsupportedAlgorithm": webhook.ErrUnsupportedAlgorithm,
	"ErrInvalidKeyID": webhook.ErrInvalidKeyID, "ErrKeyUnavailable": webhook.ErrKeyUnavailable,
	"ErrKeyRateLimited": webhook.ErrKeyRateLimited, "ErrKeyFetchMisconfigured": webhook.ErrKeyFetchMisconfigured,
	"ErrUnknownKey": webhook.ErrUnknownKey, "ErrKeyExpired": webhook.ErrKeyExpired,
	"ErrInvalidKey": webhook.ErrInvalidKey, "ErrInvalidSignature": webhook.ErrInvalidSignature,
	"ErrMissingIssuedAt": webhook.ErrMissingIssuedAt, "ErrTooOld": webhook.ErrTooOld,
	"ErrIssuedInFuture": webhook.ErrIssuedInFuture, "ErrBodyMismatch": webhook.ErrBodyMismatch,
}

// notReasons are the Err variables of package webhook that are never an Outcome.Reason: the
// MemoryDeduper's error, which the handler reports as ErrDedupeUnavailable.
var notReasons = []string{"ErrDeduperFull"}

// TestReasonsAreEveryWebhookError holds reasons and notReasons to the Err variables package
// webhook declares, so that a sentinel added there gets its name in telemetry here.
func TestReasonsAreEveryWebhookError(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("../*.go")
	require.NoError(t, err)
	var declared []string
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		require.NoError(t, err)
		require.Equal(t, "webhook", f.Name.Name, path)
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				for _, name := range spec.(*ast.ValueSpec).Names {
					if strings.HasPrefix(name.Name, "Err") {
						declared = append(declared, name.Name)
					}
				}
			}
		}
	}
	slices.Sort(declared)
	known := slices.Clone(notReasons)
	for name := range reasons {
		known = append(known, name)
	}
	slices.Sort(known)
	assert.Equal(t, known, declared,
		"name each Err of package webhook that can be a reason in reasonNames (outcome.go) and in this test's reasons, and the others in notReasons")
}

// TestOutcomeOf checks the name of each reason: the sentinel's name in snake_case without Err,
// one per sentinel, and the outcomes that are no refusal.
func TestOutcomeOf(t *testing.T) {
	upper := regexp.MustCompile(`([a-z])([A-Z])`)
	seen := map[string]string{}
	for name, reason := range reasons {
		got := webhookotel.OutcomeOf(webhook.Outcome{Reason: reason})
		want := strings.ToLower(upper.ReplaceAllString(strings.TrimPrefix(name, "Err"), "${1}_${2}"))
		if reason == webhook.ErrPermanent {
			want = webhookotel.OutcomeDropped
		}
		assert.Equal(t, want, got, name)
		assert.NotContains(t, seen, got, "%s and %s share a name", name, seen[got])
		seen[got] = name
	}
	assert.Equal(t, "processed", webhookotel.OutcomeOf(webhook.Outcome{Status: 200}))
	assert.Equal(t, "duplicate", webhookotel.OutcomeOf(webhook.Outcome{Status: 200, Duplicate: true}))
	assert.Equal(t, "dropped", webhookotel.OutcomeOf(webhook.Outcome{Status: 200, Reason: webhook.ErrPermanent, Dropped: true}))
	assert.Equal(t, "webhook: some later reason", webhookotel.OutcomeOf(webhook.Outcome{Reason: errors.New("webhook: some later reason")}))
}
