package webhook

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
