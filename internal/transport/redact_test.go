package transport

import (
	"testing"

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
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.Redact(tt.in))
	}
	var nilR *Redactor
	assert.Equal(t, "a access-sandbox-[REDACTED]", nilR.Redact("a "+testAccess))
	assert.Equal(t, "public-development-[REDACTED]", RedactTokens("public-development-123"))
}
