package transport

import (
	"regexp"
	"strings"
)

// tokenPattern matches Plaid's token shapes: access-sandbox-<uuid>, public-production-<uuid>,
// link-sandbox-<uuid> and their kin, in any case and wherever they start (after a letter, an
// underscore, inside a word): a server that echoes a token may change its case or glue it to
// something. The kind and environment are kept, the identifier masked.
var tokenPattern = regexp.MustCompile(`(?i)(access|public|link|processor|user)-(sandbox|development|production)-[0-9a-z][0-9a-z-]*`)

const mask = "[REDACTED]"

// minSecretLen keeps a degenerate credential (a test's "x") from masking every "x" in a message.
const minSecretLen = 4

// pieceLen is the length of the shortest piece of a credential that is masked. A server that
// echoes a credential may cut it, change its case or escape some of its characters; any run of
// pieceLen of its characters, in any case, is masked, so no longer piece survives.
const pieceLen = 8

// Redactor masks known credentials, and pieces of them, and anything shaped like a Plaid token in
// text bound for a log line or an error message. A nil *Redactor masks token shapes only.
type Redactor struct {
	// parent, if not nil, masks first: With makes a call's Redactor on the Client's.
	parent *Redactor
	// pieces holds, for each window length, the lower-case runs of that length of every
	// credential (the length is pieceLen, or a whole credential that is shorter).
	pieces map[int]map[string]struct{}
}

// NewRedactor returns a Redactor that also masks each of secrets, and every piece of pieceLen of
// their characters, wherever they appear and in any case.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{pieces: map[int]map[string]struct{}{}}
	r.add(secrets)
	return r
}

// With returns a Redactor that masks what r does and also the tokens given, each wherever it
// appears, in any case, and its identifier alone (the part after "access-sandbox-", say), with
// every piece of it. r is not changed. With no tokens, it returns r.
func (r *Redactor) With(tokens ...string) *Redactor {
	var secrets []string
	for _, t := range tokens {
		if m := tokenPattern.FindStringSubmatchIndex(t); m != nil && m[0] == 0 && m[1] == len(t) {
			t = t[m[5]+1:] // the identifier: every piece of it is a piece of the whole token
		}
		if len(t) >= minSecretLen {
			secrets = append(secrets, t)
		}
	}
	if len(secrets) == 0 {
		return r
	}
	n := &Redactor{parent: r, pieces: map[int]map[string]struct{}{}}
	n.add(secrets)
	return n
}

func (r *Redactor) add(secrets []string) {
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		s = asciiLower(s)
		k := min(pieceLen, len(s))
		set := r.pieces[k]
		if set == nil {
			set = map[string]struct{}{}
			r.pieces[k] = set
		}
		for i := 0; i+k <= len(s); i++ {
			set[s[i:i+k]] = struct{}{}
		}
	}
}

// Redact returns s with credentials, pieces of them and token identifiers masked. JSON \u
// escapes of printable ASCII are undone first, so an escaped credential is found too.
func (r *Redactor) Redact(s string) string {
	if r != nil {
		s = unescapeASCII(s)
		for p := r; p != nil; p = p.parent {
			if len(p.pieces) > 0 {
				s = p.maskPieces(s)
			}
		}
	}
	return RedactTokens(s)
}

func (r *Redactor) maskPieces(s string) string {
	lower := asciiLower(s)
	var marked []bool
	for k, set := range r.pieces {
		for i := 0; i+k <= len(lower); i++ {
			if _, ok := set[lower[i:i+k]]; ok {
				if marked == nil {
					marked = make([]bool, len(s))
				}
				for j := i; j < i+k; j++ {
					marked[j] = true
				}
			}
		}
	}
	if marked == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !marked[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(mask)
		for i < len(s) && marked[i] {
			i++
		}
	}
	return b.String()
}

// asciiLower lowers ASCII letters only, so that byte offsets match the input's.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + ('a' - 'A')
				}
			}
			return string(b)
		}
	}
	return s
}

// unescapeASCII replaces each JSON escape \uXXXX of a printable ASCII character other than the
// quote and the backslash with the character itself, and \/ with /. Text that was valid JSON
// stays valid JSON with the same meaning.
func unescapeASCII(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch {
			case s[i+1] == '\\':
				b.WriteString(`\\`) // an escaped backslash is not the start of an escape
				i++
				continue
			case s[i+1] == '/':
				b.WriteByte('/')
				i++
				continue
			case s[i+1] == 'u' && i+6 <= len(s):
				if v, ok := hex4(s[i+2 : i+6]); ok && v >= 0x20 && v < 0x7f && v != '"' && v != '\\' {
					b.WriteByte(byte(v))
					i += 5
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func hex4(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// RedactTokens returns s with the identifier of every Plaid-token-shaped substring masked.
func RedactTokens(s string) string {
	if !strings.Contains(s, "-") {
		return s
	}
	return tokenPattern.ReplaceAllString(s, "$1-$2-"+mask)
}
