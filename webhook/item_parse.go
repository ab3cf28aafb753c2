package webhook

import "crypto/sha256"

// bodyHasher is every typed webhook whose deduplication keys include a hash of its body (see
// itemDedupeKeys); Parse records the hash.
type bodyHasher interface {
	setBodySum([32]byte)
	bodySHA256() [32]byte
}

// newItemWebhook returns an empty struct for an ITEM, LINK_DELIVERY or LAYER webhook this package
// types, or nil for any other type or code.
func newItemWebhook(typ, code string) Event {
	switch typ {
	case TypeItem:
		switch code {
		case CodeError:
			return new(ItemError)
		case CodePendingExpiration:
			return new(PendingExpiration)
		case CodePendingDisconnect:
			return new(PendingDisconnect)
		case CodeNewAccountsAvailable:
			return new(NewAccountsAvailable)
		case CodeLoginRepaired:
			return new(LoginRepaired)
		case CodeUserPermissionRevoked:
			return new(UserPermissionRevoked)
		case CodeUserAccountRevoked:
			return new(UserAccountRevoked)
		case CodeWebhookUpdateAcknowledged:
			return new(WebhookUpdateAcknowledged)
		}
	case TypeLinkDelivery:
		switch code {
		case CodeDeliveryStatus:
			return new(DeliveryStatus)
		case CodeLinkCallback:
			return new(LinkCallback)
		}
	case TypeLayer:
		if code == CodeLayerAuthenticationPassed {
			return new(LayerAuthenticationPassed)
		}
	}
	return nil
}

// recordBodySum keeps the SHA-256 of body in ev if ev is one of the webhooks deduplicated by it.
func recordBodySum(ev Event, body []byte) {
	if h, ok := ev.(bodyHasher); ok {
		h.setBodySum(sha256.Sum256(body))
	}
}
