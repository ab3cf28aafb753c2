package link

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rootTypes are the request and response types of the seven endpoints, plus the error body: every
// schema the SDK mirrors is reachable from one of them.
var rootTypes = map[string]func() any{
	"TokenCreateRequest":                func() any { return new(TokenCreateRequest) },
	"TokenCreateResponse":               func() any { return new(TokenCreateResponse) },
	"TokenGetRequest":                   func() any { return new(TokenGetRequest) },
	"TokenGetResponse":                  func() any { return new(TokenGetResponse) },
	"ItemPublicTokenExchangeRequest":    func() any { return new(ItemPublicTokenExchangeRequest) },
	"ItemPublicTokenExchangeResponse":   func() any { return new(ItemPublicTokenExchangeResponse) },
	"SandboxPublicTokenCreateRequest":   func() any { return new(SandboxPublicTokenCreateRequest) },
	"SandboxPublicTokenCreateResponse":  func() any { return new(SandboxPublicTokenCreateResponse) },
	"SandboxItemResetLoginRequest":      func() any { return new(SandboxItemResetLoginRequest) },
	"SandboxItemResetLoginResponse":     func() any { return new(SandboxItemResetLoginResponse) },
	"SessionTokenCreateRequest":         func() any { return new(SessionTokenCreateRequest) },
	"SessionTokenCreateResponse":        func() any { return new(SessionTokenCreateResponse) },
	"WebhookVerificationKeyGetRequest":  func() any { return new(WebhookVerificationKeyGetRequest) },
	"WebhookVerificationKeyGetResponse": func() any { return new(WebhookVerificationKeyGetResponse) },
	"Error":                             func() any { return new(Error) },
}

// extraFields are mirrored although the OpenAPI description lacks them: Plaid's reference text or
// sample payloads show them.
var extraFields = map[string]bool{
	"TokenCreateRequest cra_options.partner_insights.prism_products":          true,
	"TokenGetResponse link_sessions.results.protect_results":                  true,
	"TokenGetResponse link_sessions.results.protect_results.event_id":         true,
	"TokenGetResponse link_sessions.results.protect_results.trust_index":      true,
	"TokenGetResponse link_sessions.results.protect_results.fraud_attributes": true,
	// Link's onEvent metadata carries it; GetToken and webhook.Parse fill it from the session.
	"TokenGetResponse link_sessions.events.event_metadata.link_session_id": true,
}

var (
	timeType    = reflect.TypeOf(time.Time{})
	dateType    = reflect.TypeOf(Date{})
	stampType   = reflect.TypeOf(Timestamp{})
	rawJSONType = reflect.TypeOf(json.RawMessage(nil))
)

// jsonPaths lists the JSON field paths of t the way spec_fields.txt does: a nested object's fields
// under its own path, array elements sharing their array's path.
func jsonPaths(t reflect.Type, prefix string, out *[]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t == rawJSONType {
			return
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == timeType || t == dateType || t == stampType {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		*out = append(*out, prefix+name)
		jsonPaths(f.Type, prefix+name+".", out)
	}
}

func TestEveryFieldMirrored(t *testing.T) {
	f, err := os.Open("testdata/spec_fields.txt")
	require.NoError(t, err)
	defer f.Close()
	want := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want[line] = true
	}
	require.NoError(t, sc.Err())
	require.Greater(t, len(want), 400, "the spec lists some 450 field paths")

	got := map[string]bool{}
	for name, newRoot := range rootTypes {
		var paths []string
		jsonPaths(reflect.TypeOf(newRoot()), "", &paths)
		for _, p := range paths {
			got[name+" "+p] = true
		}
	}
	var missing, unexpected []string
	for p := range want {
		if !got[p] {
			missing = append(missing, p)
		}
	}
	for p := range got {
		if !want[p] && !extraFields[p] {
			unexpected = append(unexpected, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(unexpected)
	assert.Empty(t, missing, "spec fields with no Go field")
	assert.Empty(t, unexpected, "Go fields the spec does not list (add to extraFields if Plaid documents them)")
	for p, mirrored := range extraFields {
		assert.Equal(t, mirrored, got[p], p)
	}
}

// filler sets every field of a value, at every depth, to a distinct non-zero value, so that a field
// dropped or altered by an encode/decode round trip shows up as a difference.
type filler struct{ n int }

func (f *filler) next() int { f.n++; return f.n }

func (f *filler) fill(v reflect.Value, path string) {
	switch {
	case v.Type() == timeType:
		// Nanoseconds and a non-UTC zone must survive the round trip.
		zone := time.FixedZone("", -5*3600)
		v.Set(reflect.ValueOf(time.Date(2024, 7, 29, 20, 22, 36, 522196741+f.next(), zone)))
		return
	case v.Type() == dateType:
		v.Set(reflect.ValueOf(NewDate(1990, time.May, 1+f.next()%28)))
		return
	case v.Type() == stampType:
		v.Set(reflect.ValueOf(Timestamp{Time: time.Date(2024, 5, 21, 0, 17, 54, 100+f.next(), time.UTC)}))
		return
	case v.Type() == rawJSONType:
		v.SetBytes([]byte(fmt.Sprintf(`{"score":%d,"path":%q}`, f.next(), path)))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), path)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			field := v.Type().Field(i)
			if field.Tag.Get("json") == "-" {
				continue
			}
			f.fill(v.Field(i), path+"."+field.Name)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		f.fill(s.Index(0), path+"[0]")
		f.fill(s.Index(1), path+"[1]")
		v.Set(s)
	case reflect.String:
		// Typed enums get a value the SDK does not list, to show unknown values survive too.
		v.SetString(fmt.Sprintf("%s-%d", path, f.next()))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(f.next()))
	case reflect.Float64:
		v.SetFloat(float64(f.next()) + 0.25)
	default:
		panic("filler: unhandled kind " + v.Kind().String() + " at " + path)
	}
}

// countZero reports the paths of fields left at their zero value, to prove the filler (and so the
// round trip) reached every field.
func countZero(v reflect.Value, path string, zero *[]string) {
	if v.Type() == timeType || v.Type() == dateType || v.Type() == rawJSONType || v.Type() == stampType {
		if v.IsZero() {
			*zero = append(*zero, path)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			*zero = append(*zero, path)
			return
		}
		countZero(v.Elem(), path, zero)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Tag.Get("json") == "-" {
				continue
			}
			countZero(v.Field(i), path+"."+v.Type().Field(i).Name, zero)
		}
	case reflect.Slice:
		if v.Len() == 0 {
			*zero = append(*zero, path)
		}
		for i := 0; i < v.Len(); i++ {
			countZero(v.Index(i), fmt.Sprintf("%s[%d]", path, i), zero)
		}
	default:
		if v.IsZero() {
			*zero = append(*zero, path)
		}
	}
}

func TestRoundTripEveryField(t *testing.T) {
	for name, newRoot := range rootTypes {
		t.Run(name, func(t *testing.T) {
			original := newRoot()
			var f filler
			f.fill(reflect.ValueOf(original).Elem(), name)

			var zero []string
			countZero(reflect.ValueOf(original).Elem(), name, &zero)
			require.Empty(t, zero, "the filler left fields unset")

			encoded, err := json.Marshal(original)
			require.NoError(t, err)

			decoded := newRoot()
			require.NoError(t, json.Unmarshal(encoded, decoded))
			assertSameValue(t, original, decoded)

			// Encoding the decoded value again gives the same JSON: nothing was lost or reshaped.
			again, err := json.Marshal(decoded)
			require.NoError(t, err)
			require.JSONEq(t, string(encoded), string(again))
		})
	}
}

// assertSameValue compares two decoded values; times are compared as instants with their offsets,
// since a decoded time.Time carries a fresh *Location.
func assertSameValue(t *testing.T, want, got any) {
	t.Helper()
	var diffs []string
	compareValues(reflect.ValueOf(want), reflect.ValueOf(got), "", &diffs)
	require.Empty(t, diffs)
}

func compareValues(a, b reflect.Value, path string, diffs *[]string) {
	if a.Type() == timeType {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		if !ta.Equal(tb) || oa != ob {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v != %v", path, ta, tb))
		}
		return
	}
	if a.Type() == stampType {
		ta, tb := a.Interface().(Timestamp), b.Interface().(Timestamp)
		if !ta.Time.Equal(tb.Time) || ta.Raw() != tb.Raw() {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v != %v", path, ta.Raw(), tb.Raw()))
		}
		return
	}
	if a.Type() == rawJSONType {
		if !jsonEqual(a.Bytes(), b.Bytes()) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %s != %s", path, a.Bytes(), b.Bytes()))
		}
		return
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() != b.IsNil() {
			*diffs = append(*diffs, path+": nil mismatch")
			return
		}
		if !a.IsNil() {
			compareValues(a.Elem(), b.Elem(), path, diffs)
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			compareValues(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name, diffs)
		}
	case reflect.Slice:
		if a.Len() != b.Len() {
			*diffs = append(*diffs, fmt.Sprintf("%s: len %d != %d", path, a.Len(), b.Len()))
			return
		}
		for i := 0; i < a.Len(); i++ {
			compareValues(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i), diffs)
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v != %v", path, a.Interface(), b.Interface()))
		}
	}
}

func jsonEqual(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func TestRequestsLeaveOutUnsetOptionalFields(t *testing.T) {
	req := TokenCreateRequest{
		ClientName:   "Wonderwallet",
		Language:     LanguageEnglish,
		CountryCodes: []CountryCode{CountryCodeUS},
		User:         &TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []Product{ProductAuth},
		// An explicit false must reach Plaid: instant_match_enabled defaults to true.
		Auth: &TokenCreateRequestAuth{InstantMatchEnabled: new(bool)},
	}
	b, err := json.Marshal(req)
	require.NoError(t, err)
	require.JSONEq(t, `{
		"client_name": "Wonderwallet",
		"language": "en",
		"country_codes": ["US"],
		"user": {"client_user_id": "user-1"},
		"products": ["auth"],
		"auth": {"instant_match_enabled": false}
	}`, string(b))
}

func TestTokenGetSampleDecodes(t *testing.T) {
	body, err := os.ReadFile("testdata/token_get_sample.json")
	require.NoError(t, err)
	var resp TokenGetResponse
	require.NoError(t, json.Unmarshal(body, &resp))

	assert.Equal(t, "link-sandbox-e7b6956c-1522-4823-85d2-c4ca74251949", resp.LinkToken)
	assert.Equal(t, "Pxpgzy0Wjvn99mY", resp.RequestID)
	require.NotNil(t, resp.CreatedAt)
	assert.Equal(t, time.Date(2024, 7, 29, 20, 22, 21, 0, time.UTC), resp.CreatedAt.UTC())
	assert.Equal(t, "Wonderwallet", resp.Metadata.ClientName)
	assert.Equal(t, []CountryCode{CountryCodeUS}, resp.Metadata.CountryCodes)
	assert.Equal(t, []Product{ProductTransactions}, resp.Metadata.InitialProducts)
	assert.Equal(t, LanguageEnglish, resp.Metadata.Language)
	assert.Equal(t, "https://webhook.site/dc9c138f-75de-4db1-883a-a4add4b7eb7e", resp.Metadata.Webhook)
	assert.Empty(t, resp.Metadata.RedirectURI, "null decodes to empty")

	require.Len(t, resp.LinkSessions, 1)
	s := resp.LinkSessions[0]
	assert.Equal(t, "43face8b-a5c2-42a4-adec-4a4ec589eb46", s.LinkSessionID)
	require.NotNil(t, s.FinishedAt)
	assert.Equal(t, 330312653, s.FinishedAt.Nanosecond(), "nanoseconds survive")
	require.Len(t, s.Events, 17)
	assert.Equal(t, EventNameHandoff, s.Events[0].EventName)
	assert.Equal(t, "8b2b5d28-79ec-468b-bbce-f8bd34be635a", s.Events[0].EventID)
	assert.Equal(t, "ins_20", s.Events[0].EventMetadata.InstitutionID)
	assert.Equal(t, time.Date(2024, 7, 29, 20, 23, 59, 0, time.UTC), s.Events[0].Timestamp.UTC())
	assert.True(t, s.Events[0].Timestamp.Valid())

	require.NotNil(t, s.OnSuccess)
	assert.Equal(t, "public-sandbox-3b9687f0-3abd-4913-9889-f0ba816d4a3a", s.OnSuccess.PublicToken)
	require.NotNil(t, s.OnSuccess.Metadata)
	require.Len(t, s.OnSuccess.Metadata.Accounts, 3)
	acct := s.OnSuccess.Metadata.Accounts[2]
	assert.Equal(t, "wZXnexn1eoH6LNWmMNL4hqkPB55ndjHPRNp93", acct.ID)
	assert.Equal(t, "9999", acct.Mask)
	assert.Equal(t, AccountTypeCredit, acct.Type)
	assert.Equal(t, "credit card", acct.Subtype)
	require.NotNil(t, s.OnSuccess.Metadata.Institution)
	assert.Equal(t, "ins_127989", s.OnSuccess.Metadata.Institution.InstitutionID)

	require.NotNil(t, s.Results)
	require.Len(t, s.Results.ItemAddResults, 2)
	assert.Equal(t, "public-sandbox-44ba202e-bf6b-45c6-a5ba-d526765626a9", s.Results.ItemAddResults[1].PublicToken)
	assert.Equal(t, "Citizens Bank", s.Results.ItemAddResults[1].Institution.Name)
	assert.NotNil(t, s.Results.CRAItemAddResults)
	assert.Empty(t, s.Results.CRAItemAddResults)
	assert.Nil(t, s.Results.DocumentIncomeResults)
	assert.Nil(t, s.Results.ProtectResults)

	// Decoding what we encode gives the same value again.
	encoded, err := json.Marshal(resp)
	require.NoError(t, err)
	var again TokenGetResponse
	require.NoError(t, json.Unmarshal(encoded, &again))
	assertSameValue(t, &resp, &again)
}

func TestUnknownEnumValuesSurvive(t *testing.T) {
	in := `{"error_type":"BRAND_NEW_TYPE","error_code":"X","error_message":"m","display_message":null}`
	var e Error
	require.NoError(t, json.Unmarshal([]byte(in), &e))
	assert.Equal(t, ErrorType("BRAND_NEW_TYPE"), e.ErrorType)
	out, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"error_type":"BRAND_NEW_TYPE"`)
}

func TestDate(t *testing.T) {
	var d Date
	require.NoError(t, json.Unmarshal([]byte(`"1990-05-29"`), &d))
	assert.Equal(t, NewDate(1990, time.May, 29), d)
	b, err := json.Marshal(d)
	require.NoError(t, err)
	assert.Equal(t, `"1990-05-29"`, string(b))

	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	assert.Equal(t, NewDate(1990, time.May, 29), d, "null leaves the value alone")

	for _, bad := range []string{`"1990-02-30"`, `"29/05/1990"`, `19900529`, `""`, `"1990-5-29"`} {
		err := json.Unmarshal([]byte(bad), &d)
		assert.Error(t, err, bad)
	}
	assert.True(t, Date{}.IsZero())
	assert.Equal(t, "2024-01-02", DateOf(time.Date(2024, 1, 2, 23, 0, 0, 0, time.UTC)).String())

	// Only real days encode: each must come back unchanged from ParseDate.
	for _, ok := range []Date{NewDate(2024, time.February, 29), NewDate(1, 1, 1), NewDate(9999, 12, 31)} {
		b, err := json.Marshal(ok)
		require.NoError(t, err, ok.String())
		var back Date
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, ok, back)
	}
	for _, bad := range []Date{
		NewDate(2024, time.February, 30), NewDate(2023, time.February, 29), NewDate(2024, 13, 1),
		NewDate(2024, 0, 1), NewDate(2024, 1, 0), NewDate(2024, 4, 31), NewDate(10000, 1, 1), NewDate(-1, 1, 1),
	} {
		b, err := json.Marshal(bad)
		require.Error(t, err, bad.String())
		assert.Contains(t, err.Error(), "link: invalid date "+bad.String())
		assert.Nil(t, b)
	}
	// The zero Date is "no date": null, which decodes back to the zero Date.
	b, err = json.Marshal(Date{})
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
}

func TestEventMetadataExitStatusIsTyped(t *testing.T) {
	var md EventMetadata
	require.NoError(t, json.Unmarshal([]byte(`{"exit_status":"requires_credentials","error_type":"ITEM_ERROR"}`), &md))
	assert.Equal(t, ExitStatusRequiresCredentials, md.ExitStatus)
	assert.Equal(t, ErrorTypeItemError, md.ErrorType)
}

func TestTimestampIsReadLeniently(t *testing.T) {
	for _, tc := range []struct {
		in        string
		wantTime  time.Time
		wantRaw   string
		wantValid bool
		keptRaw   bool // not RFC 3339, so encoding must give back the text exactly
	}{
		{`"2024-05-21T00:17:54Z"`, time.Date(2024, 5, 21, 0, 17, 54, 0, time.UTC), "2024-05-21T00:17:54Z", true, false},
		{`"2024-07-29T20:24:05.330312653Z"`, time.Date(2024, 7, 29, 20, 24, 5, 330312653, time.UTC), "2024-07-29T20:24:05.330312653Z", true, false},
		{`"2024-05-21T02:17:54+02:00"`, time.Date(2024, 5, 21, 0, 17, 54, 0, time.UTC), "2024-05-21T02:17:54+02:00", true, false},
		// ISO 8601 without a zone: read as UTC, and kept as sent.
		{`"2024-05-21T00:17:54"`, time.Date(2024, 5, 21, 0, 17, 54, 0, time.UTC), "2024-05-21T00:17:54", true, true},
		{`"2024-05-21 00:17:54.5"`, time.Date(2024, 5, 21, 0, 17, 54, 500000000, time.UTC), "2024-05-21 00:17:54.5", true, true},
		// Not a time at all: no time, but nothing lost.
		{`"yesterday"`, time.Time{}, "yesterday", false, true},
		{`""`, time.Time{}, "", false, false},
	} {
		var ev Event
		require.NoError(t, json.Unmarshal([]byte(`{"event_id":"e","event_name":"OPEN","timestamp":`+tc.in+`,"event_metadata":{}}`), &ev), tc.in)
		assert.True(t, tc.wantTime.Equal(ev.Timestamp.Time), "%s: got %v", tc.in, ev.Timestamp.Time)
		assert.Equal(t, tc.wantValid, ev.Timestamp.Valid(), tc.in)
		assert.Equal(t, tc.wantRaw, ev.Timestamp.Raw(), tc.in)

		// Encoding gives back the same text (or, for RFC 3339, the same instant).
		out, err := json.Marshal(ev.Timestamp)
		require.NoError(t, err)
		if tc.wantRaw == "" {
			assert.Equal(t, "null", string(out), tc.in)
			continue
		}
		var back Timestamp
		require.NoError(t, json.Unmarshal(out, &back))
		assert.True(t, back.Time.Equal(ev.Timestamp.Time), tc.in)
		if tc.keptRaw {
			assert.Equal(t, strconv.Quote(tc.wantRaw), string(out), "non-RFC 3339 text is kept as sent")
		}
	}

	var ts Timestamp
	err := json.Unmarshal([]byte(`1716250674`), &ts)
	require.Error(t, err, "a number is not an ISO 8601 timestamp")
	assert.Contains(t, err.Error(), "event timestamp must be a JSON string")
	require.NoError(t, json.Unmarshal([]byte(`null`), &ts))
	assert.True(t, ts.IsZero())
}
