package webhook_test

import (
	"fmt"

	"github.com/plaidlink/plaidlink-go/webhook"
)

// An ITEM webhook says which Item it is about, and UserActionFor whether its user must go back
// to Link's update mode.
func ExampleUserActionFor() {
	body := []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"wz666MBjYWTp2PDzzggYhM6oWWmBb",
		"error":{"error_type":"ITEM_ERROR","error_code":"ITEM_LOGIN_REQUIRED","error_message":"...","display_message":null,"status":400},
		"environment":"production"}`)
	ev, err := webhook.Parse(body)
	if err != nil {
		panic(err)
	}
	if item, ok := ev.(webhook.ItemEvent); ok {
		action := webhook.UserActionFor(ev)
		fmt.Println(item.Item(), action, action.NeedsUser(), action.AccountSelection())
	}
	// Output: wz666MBjYWTp2PDzzggYhM6oWWmBb REAUTHENTICATE true false
}
