package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// itemFixtures are the x-examples of plaid-item-webhooks-openapi.yml, one file per schema, and
// for the two LINK_DELIVERY schemas (which have no examples) a payload written from the schema
// with every property set.
var itemFixtures = []struct {
	file string
	want webhook.Event
}{
	{"ItemErrorWebhook.json", &webhook.ItemError{}},
	{"ItemLoginRepairedWebhook.json", &webhook.LoginRepaired{}},
	{"PendingExpirationWebhook.json", &webhook.PendingExpiration{}},
	{"PendingDisconnectWebhook.json", &webhook.PendingDisconnect{}},
	{"NewAccountsAvailableWebhook.json", &webhook.NewAccountsAvailable{}},
	{"UserPermissionRevokedWebhook.json", &webhook.UserPermissionRevoked{}},
	{"UserAccountRevokedWebhook.json", &webhook.UserAccountRevoked{}},
	{"WebhookUpdateAcknowledgedWebhook.json", &webhook.WebhookUpdateAcknowledged{}},
	{"LayerAuthenticationPassedWebhook.json", &webhook.LayerAuthenticationPassed{}},
	{"LinkUserDeliveryStatusWebhook.json", &webhook.DeliveryStatus{}},
	{"LinkDeliveryCallbackWebhook.json", &webhook.LinkCallback{}},
}

// TestItemWebhookFixtures: each payload decodes strictly (no field the struct lacks), Parse gives
// the same type, and encoding it again keeps every value.
func TestItemWebhookFixtures(t *testing.T) {
	for _, f := range itemFixtures {
		t.Run(f.file, func(t *testing.T) {
			body := sample(t, "item/"+f.file)

			strict := reflect.New(reflect.TypeOf(f.want).Elem()).Interface()
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(strict), "every field of the payload has a field in the struct")

			ev, err := webhook.Parse(body)
			require.NoError(t, err)
			require.IsType(t, f.want, ev)

			again, err := json.Marshal(ev)
			require.NoError(t, err)
			var orig, round any
			require.NoError(t, json.Unmarshal(body, &orig))
			require.NoError(t, json.Unmarshal(again, &round))
			requireKept(t, "$", orig, round)
		})
	}
}

// requireKept fails unless every value of orig is in round. A null in orig may come back as null,
// absent or "": link.Error holds display_message and error_code_reason as plain strings, where
// "" is Plaid's null (no message for the user, no reason).
func requireKept(t *testing.T, path string, orig, round any) {
	t.Helper()
	switch o := orig.(type) {
	case map[string]any:
		r, ok := round.(map[string]any)
		require.Truef(t, ok, "%s: an object became %v", path, round)
		for k, ov := range o {
			rv, present := r[k]
			if ov == nil {
				assert.Truef(t, !present || rv == nil || rv == "", "%s.%s: null became %v", path, k, rv)
				continue
			}
			require.Truef(t, present, "%s.%s was dropped", path, k)
			requireKept(t, path+"."+k, ov, rv)
		}
	case []any:
		r, ok := round.([]any)
		require.Truef(t, ok, "%s: an array became %v", path, round)
		require.Lenf(t, r, len(o), "%s", path)
		for i := range o {
			requireKept(t, path, o[i], r[i])
		}
	default:
		assert.Equalf(t, orig, round, "%s", path)
	}
}

func TestParseItemWebhooksValues(t *testing.T) {
	ev, err := webhook.Parse(sample(t, "item/ItemErrorWebhook.json"))
	require.NoError(t, err)
	ie := ev.(*webhook.ItemError)
	assert.Equal(t, "wz666MBjYWTp2PDzzggYhM6oWWmBb", ie.ItemID)
	assert.Equal(t, "usr_9nSp2KuZ2x4JDw", ie.UserID)
	assert.Equal(t, webhook.EnvironmentProduction, ie.Environment)
	require.NotNil(t, ie.Error)
	assert.Equal(t, link.ErrorCodeItemLoginRequired, ie.Error.ErrorCode)
	assert.Equal(t, link.ErrorTypeItemError, ie.Error.ErrorType)
	assert.Equal(t, "OAUTH_INVALID_TOKEN", ie.Error.ErrorCodeReason)
	require.NotNil(t, ie.Error.Status)
	assert.Equal(t, 400, *ie.Error.Status)
	assert.Equal(t, "", ev.SessionID())

	ev, err = webhook.Parse(sample(t, "item/PendingDisconnectWebhook.json"))
	require.NoError(t, err)
	pd := ev.(*webhook.PendingDisconnect)
	assert.Equal(t, webhook.PendingDisconnectInstitutionMigration, pd.Reason)
	assert.True(t, pd.DisconnectTime.Equal(time.Date(2020, 1, 15, 13, 25, 17, 766e6, time.UTC)), pd.DisconnectTime)

	ev, err = webhook.Parse(sample(t, "item/LinkDeliveryCallbackWebhook.json"))
	require.NoError(t, err)
	cb := ev.(*webhook.LinkCallback)
	assert.Equal(t, "1daca4d5-9a0d-4e85-a2e9-1e905ecaa32e", cb.SessionID())
	assert.Equal(t, webhook.DeliveryCallbackOnSuccess, cb.LinkCallbackMetadata.CallbackType)
	assert.Equal(t, link.EventNameHandoff, cb.LinkCallbackMetadata.EventName)
	assert.Equal(t, webhook.DeliveryVerificationPendingManualVerification, cb.LinkCallbackMetadata.Accounts[0].VerificationStatus)

	ev, err = webhook.Parse(sample(t, "item/LayerAuthenticationPassedWebhook.json"))
	require.NoError(t, err)
	assert.Equal(t, "1daca4d5-9a0d-4e85-a2e9-1e905ecaa32e", ev.SessionID())
}

// TestItemEventGivesItemID: every ITEM webhook gives its item_id through ItemEvent, and none of
// the others claims to be about an Item.
func TestItemEventGivesItemID(t *testing.T) {
	for _, f := range itemFixtures {
		ev, err := webhook.Parse(sample(t, "item/"+f.file))
		require.NoError(t, err)
		ie, ok := ev.(webhook.ItemEvent)
		assert.Equal(t, ev.Type() == webhook.TypeItem, ok, f.file)
		if ok {
			var raw struct {
				ItemID string `json:"item_id"`
			}
			require.NoError(t, json.Unmarshal(sample(t, "item/"+f.file), &raw))
			require.NotEmpty(t, raw.ItemID)
			assert.Equal(t, raw.ItemID, ie.Item(), f.file)
		}
	}
}

func TestParseKeepsOtherWebhooksUnknown(t *testing.T) {
	body := []byte(`{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"x","initial_update_complete":true,"environment":"sandbox"}`)
	ev, err := webhook.Parse(body)
	require.NoError(t, err)
	u := ev.(*webhook.Unknown)
	assert.Equal(t, "TRANSACTIONS", u.Type())
	assert.Equal(t, "SYNC_UPDATES_AVAILABLE", u.Code())
	assert.JSONEq(t, string(body), string(u.Raw))

	// An ITEM code added after this package stays Unknown too, rather than failing.
	ev, err = webhook.Parse([]byte(`{"webhook_type":"ITEM","webhook_code":"SOMETHING_NEW","item_id":"x"}`))
	require.NoError(t, err)
	assert.IsType(t, &webhook.Unknown{}, ev)
}

func TestParseRefusesItemWebhookNotFittingItsSchema(t *testing.T) {
	for name, body := range map[string]string{
		"time not a time":  `{"webhook_type":"ITEM","webhook_code":"PENDING_EXPIRATION","item_id":"i","consent_expiration_time":"next week"}`,
		"error not object": `{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"i","error":"ITEM_LOGIN_REQUIRED"}`,
		"item_id a number": `{"webhook_type":"ITEM","webhook_code":"LOGIN_REPAIRED","item_id":12}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := webhook.Parse([]byte(body))
			require.Error(t, err)
			assert.True(t, errors.Is(err, webhook.ErrInvalidPayload), err)
		})
	}
}

func TestUserActionFor(t *testing.T) {
	loginRequired := &link.Error{ErrorType: link.ErrorTypeItemError, ErrorCode: link.ErrorCodeItemLoginRequired}
	for _, tc := range []struct {
		ev   webhook.Event
		want webhook.UserAction
	}{
		{&webhook.ItemError{WebhookType: "ITEM", WebhookCode: "ERROR", Error: loginRequired}, webhook.UserActionReauthenticate},
		{&webhook.ItemError{WebhookType: "ITEM", WebhookCode: "ERROR", Error: &link.Error{ErrorCode: "INSTITUTION_DOWN"}}, webhook.UserActionNone},
		{&webhook.ItemError{WebhookType: "ITEM", WebhookCode: "ERROR"}, webhook.UserActionNone},
		{&webhook.PendingExpiration{}, webhook.UserActionRenewConsent},
		{&webhook.PendingDisconnect{}, webhook.UserActionRenewConsent},
		{&webhook.NewAccountsAvailable{}, webhook.UserActionChooseAccounts},
		{&webhook.LoginRepaired{}, webhook.UserActionNone},
		{&webhook.UserPermissionRevoked{}, webhook.UserActionNone},
		{&webhook.UserAccountRevoked{}, webhook.UserActionNone},
		{&webhook.WebhookUpdateAcknowledged{}, webhook.UserActionNone},
		{&webhook.SessionFinished{}, webhook.UserActionNone},
		{&webhook.Unknown{WebhookType: "ITEM", WebhookCode: "ERROR"}, webhook.UserActionNone},
	} {
		got := webhook.UserActionFor(tc.ev)
		assert.Equal(t, tc.want, got, "%T", tc.ev)
		assert.Equal(t, tc.want != webhook.UserActionNone, got.NeedsUser(), "%T", tc.ev)
		assert.Equal(t, tc.want == webhook.UserActionChooseAccounts, got.AccountSelection(), "%T", tc.ev)
	}
}

// FuzzParseItemWebhooks: any body shaped like the ITEM, LINK_DELIVERY and LAYER webhooks parses
// to its type or fails with ErrInvalidPayload, never panics, and UserActionFor takes whatever
// Parse returns.
func FuzzParseItemWebhooks(f *testing.F) {
	for _, fx := range itemFixtures {
		f.Add(sample(f, "item/"+fx.file))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := webhook.Parse(body)
		if err != nil {
			require.ErrorIs(t, err, webhook.ErrInvalidPayload)
			return
		}
		action := webhook.UserActionFor(ev)
		if action.NeedsUser() {
			_, ok := ev.(webhook.ItemEvent)
			require.True(t, ok, "only an ITEM webhook sends the user back: %T", ev)
		}
		if ie, ok := ev.(webhook.ItemEvent); ok {
			require.Equal(t, webhook.TypeItem, ie.Type())
		}
	})
}
