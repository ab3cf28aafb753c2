package webhook

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIdentify checks what the Outcome says of a parsed webhook: its type, code and session, and
// the Item of events that name one.
func TestIdentify(t *testing.T) {
	body, err := os.ReadFile("testdata/item/ItemErrorWebhook.json")
	require.NoError(t, err)
	ev, err := Parse(body)
	require.NoError(t, err)
	var o Outcome
	identify(&o, ev)
	assert.Equal(t, Outcome{WebhookType: TypeItem, WebhookCode: "ERROR", ItemID: "wz666MBjYWTp2PDzzggYhM6oWWmBb"}, o)

	o = Outcome{}
	identify(&o, &SessionFinished{WebhookType: TypeLink, WebhookCode: CodeSessionFinished, LinkSessionID: "s1"})
	assert.Equal(t, Outcome{WebhookType: TypeLink, WebhookCode: CodeSessionFinished, LinkSessionID: "s1"}, o)
}
