package transport

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRedact(t *testing.T) {
	r := NewRedactor(testSecret, testClientID, "x", "")
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"token " + testAccess + " end", "token access-sandbox-[REDACTED] end"},
		{`{"public_token":"` + testPublic + `"}`, `{"public_token":"public-sandbox-[REDACTED]"}`},
		{"link-production-af1a0311-da53-4636-b754-dd15cc058176", "link-production-[REDACTED]"},
		{"secret=" + testSecret + " id=" + testClientID, "secret=[REDACTED] id=[REDACTED]"},
		{"xx marks", "xx marks"}, // credentials too short to mask safely are ignored
		{"access-token", "access-token"},
		{"upper " + strings.ToUpper(testSecret), "upper [REDACTED]"},
		{"piece <" + testSecret[3:13] + ">", "piece <[REDACTED]>"},
		{"eight " + testClientID[5:13] + " seven " + testClientID[5:12], "eight [REDACTED] seven " + testClientID[5:12]},
		{`"\u0030\u0061` + testSecret[2:] + `"`, `"[REDACTED]"`},
		{`"\u0030\u0061\u0031\u0062\u0032\u0063\u0033\u0064\u0034\u0065"`, `"[REDACTED]"`},
		{`keep \\u0030 and \" and \u00e9 and \/`, `keep \\u0030 and \" and \u00e9 and /`},
		{"pre" + testSecret + "post", "pre[REDACTED]post"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.Redact(tt.in), tt.in)
	}
	var nilR *Redactor
	assert.Equal(t, "a access-sandbox-[REDACTED]", nilR.Redact("a "+testAccess))
	assert.Equal(t, "public-development-[REDACTED]", RedactTokens("public-development-123"))

	// Valid JSON stays valid JSON.
	in := `{"m":"\u0030\u0061` + testSecret[2:] + ` \"q\" \n"}`
	out := r.Redact(in)
	assert.True(t, json.Valid([]byte(out)), out)
	assert.Equal(t, `{"m":"[REDACTED] \"q\" \n"}`, out)

	short := NewRedactor("abcd")
	assert.Equal(t, "x [REDACTED] y ABC", short.Redact("x ABCD y ABC"), "a credential shorter than a piece is masked whole")
}

func TestDescribeFieldError(t *testing.T) {
	type inner struct {
		At   json.Number `json:"at"`
		When time.Time   `json:"when"`
	}
	type outer struct {
		Items []inner          `json:"items"`
		ByKey map[string]inner `json:"by_key"`
	}
	tests := []struct{ body, want string }{
		{`{"items":[{"when":"2024-01-01T00:00:00Z"},{"when":"2024-13-01T00:00:00Z-SECRETVALUE"}]}`,
			`field items[1].when: not a valid time in layout "2006-01-02T15:04:05Z07:00" (value withheld)`},
		{`{"by_key":{"SECRETKEY":{"when":"nope"}}}`, `field by_key.(a key).when: not a valid time in layout`},
	}
	for _, tt := range tests {
		var out outer
		err := json.Unmarshal([]byte(tt.body), &out)
		if !assert.Error(t, err) {
			continue
		}
		got := describeFieldError(err, []byte(tt.body), &out)
		assert.True(t, strings.HasPrefix(got, tt.want), got)
		assert.NotContains(t, got, "SECRET")
	}
	var out outer
	err := json.Unmarshal([]byte(`{"items":"x"}`), &out)
	assert.Equal(t, "field items: a JSON string cannot be a Go []transport.inner", describeFieldError(err, nil, &out))
}
