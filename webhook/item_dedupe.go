package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// itemDedupeKeys returns the key of an ITEM, LINK_DELIVERY or LAYER webhook, or none for any other
// event. These webhooks carry no id of their own, and a redelivery carries the same body, so the
// key is the type and code, what the webhook is about (the Item, the delivery session or the Link
// session) and the SHA-256 of the body. The body is hashed in the form the typed struct encodes
// it, which a redelivery's body gives byte for byte; so the struct holds no hidden copy of what it
// was parsed from, and compares equal to one built in code. A webhook about nothing it names (no
// item_id, say) is not deduplicated: fn runs for each delivery.
//
// Two notifications with the very same body (an Item sent into ITEM_LOGIN_REQUIRED twice within
// the done TTL, with identical payloads) count as one: the second would ask the program for what
// the first already did.
func itemDedupeKeys(ev Event) []string {
	var about string
	switch ev := ev.(type) {
	case *ItemError, *PendingExpiration, *PendingDisconnect, *NewAccountsAvailable, *LoginRepaired,
		*UserPermissionRevoked, *UserAccountRevoked, *WebhookUpdateAcknowledged:
		about = ev.(ItemEvent).Item()
	case *DeliveryStatus:
		about = ev.LinkDeliverySessionID
	case *LinkCallback:
		about = ev.LinkDeliverySessionID
	case *LayerAuthenticationPassed:
		about = ev.LinkSessionID
	default:
		return nil
	}
	if about == "" {
		return nil
	}
	body, err := json.Marshal(ev)
	if err != nil {
		// Only a struct holding a value that cannot be encoded gets here (a time past year 9999):
		// without a key it is processed for each delivery rather than never.
		return nil
	}
	sum := sha256.Sum256(body)
	return []string{dedupeKey(ev.Type()+"."+ev.Code(), ev.Type(), ev.Code(), about, hex.EncodeToString(sum[:]))}
}
