package transport

import (
	"regexp"
	"strings"
)

// tokenPattern matches Plaid's token shapes: access-sandbox-<uuid>, public-production-<uuid>,
// link-sandbox-<uuid> and their kin. The kind and environment are kept, the identifier masked.
var tokenPattern = regexp.MustCompile(`\b(access|public|link|processor|user)-(sandbox|development|production)-[0-9A-Za-z][0-9A-Za-z-]*`)

const mask = "[REDACTED]"

// minSecretLen keeps a degenerate credential (a test's "x") from masking every "x" in a message.
const minSecretLen = 4

// Redactor masks known credentials and anything shaped like a Plaid token in text bound for a
// log line or an error message. A nil *Redactor masks token shapes only.
type Redactor struct {
	secrets []string
}

// NewRedactor returns a Redactor that also masks each of secrets wherever it appears.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// Redact returns s with credentials and token identifiers masked.
func (r *Redactor) Redact(s string) string {
	if r != nil {
		for _, secret := range r.secrets {
			s = strings.ReplaceAll(s, secret, mask)
		}
	}
	return RedactTokens(s)
}

// RedactTokens returns s with the identifier of every Plaid-token-shaped substring masked.
func RedactTokens(s string) string {
	if !strings.Contains(s, "-") {
		return s
	}
	return tokenPattern.ReplaceAllString(s, "$1-$2-"+mask)
}
