// Package ids makes the identifiers of the fake, shaped as Plaid's: tokens, request ids, Item,
// account and session ids.
package ids

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// UUID returns a random (version 4) UUID in its canonical text form, the shape of the
// identifiers Plaid embeds in tokens and uses for link_session_id and event_id.
func UUID() string {
	var b [16]byte
	// crypto/rand.Read never returns an error (it crashes the program instead, per its docs).
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// randomAlnum returns n random letters and digits, the shape of Plaid's request, item and
// account ids. They identify test objects, so math/rand is strong enough.
func randomAlnum(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[mrand.IntN(len(alnum))]
	}
	return string(b)
}

// RequestID is a request_id.
func RequestID() string { return randomAlnum(15) }

// ItemID is an item_id.
func ItemID() string { return randomAlnum(37) }

// AccountID is an account_id.
func AccountID() string { return randomAlnum(37) }

// LinkToken is a Sandbox link_token.
func LinkToken() string { return "link-sandbox-" + UUID() }

// PublicToken is a Sandbox public_token.
func PublicToken() string { return "public-sandbox-" + UUID() }

// AccessToken is a Sandbox access_token.
func AccessToken() string { return "access-sandbox-" + UUID() }
