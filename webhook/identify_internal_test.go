package webhook

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// itemEvent is a webhook about one Item, as the ITEM webhooks are: it names the Item with an
// ItemID method.
type itemEvent struct{ Unknown }

func (itemEvent) ItemID() string { return "wz666MBjYWTp2PDzzggYhM6oWWmBb" }

// TestIdentify checks what the Outcome says of a parsed webhook: its type, code and session, and
// the Item of events that name one.
func TestIdentify(t *testing.T) {
	var o Outcome
	identify(&o, &itemEvent{Unknown{WebhookType: "ITEM", WebhookCode: "ERROR"}})
	assert.Equal(t, Outcome{WebhookType: "ITEM", WebhookCode: "ERROR", ItemID: "wz666MBjYWTp2PDzzggYhM6oWWmBb"}, o)

	o = Outcome{}
	identify(&o, &SessionFinished{WebhookType: TypeLink, WebhookCode: CodeSessionFinished, LinkSessionID: "s1"})
	assert.Equal(t, Outcome{WebhookType: TypeLink, WebhookCode: CodeSessionFinished, LinkSessionID: "s1"}, o)
}
