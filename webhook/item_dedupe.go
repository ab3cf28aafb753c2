package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// itemDedupeKeys returns the key of an ITEM, LINK_DELIVERY or LAYER webhook, or none for any other
// event. These webhooks carry no id of their own, and a redelivery carries the same body, so the
// key is the type and code, what the webhook is about (the Item, the delivery session or the Link
// session) and the SHA-256 of the body. A webhook about nothing it names (no item_id, say) is not
// deduplicated: fn runs for each delivery.
//
// Two distinct notifications with the very same body (an Item sent into ITEM_LOGIN_REQUIRED twice
// within the done TTL with identical payloads) count as one: the second would ask the program
// for what the first already did.
func itemDedupeKeys(ev Event) []string {
	h, ok := ev.(bodyHasher)
	if !ok {
		return nil
	}
	var about string
	switch ev := ev.(type) {
	case ItemEvent:
		about = ev.Item()
	case *DeliveryStatus:
		about = ev.LinkDeliverySessionID
	case *LinkCallback:
		about = ev.LinkDeliverySessionID
	case *LayerAuthenticationPassed:
		about = ev.LinkSessionID
	}
	if about == "" {
		return nil
	}
	sum := h.bodySHA256()
	if sum == ([32]byte{}) {
		// Built in code rather than parsed: its encoding stands in for the body it would have had.
		b, err := json.Marshal(ev)
		if err != nil {
			return nil
		}
		sum = sha256.Sum256(b)
	}
	return []string{dedupeKey(ev.Type()+"."+ev.Code(), ev.Type(), ev.Code(), about, hex.EncodeToString(sum[:]))}
}
