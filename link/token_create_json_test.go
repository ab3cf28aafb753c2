package link

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// reflectionJSON is what encoding/json makes of r's fields without the hand-written encoder.
func reflectionJSON(t testing.TB, r *TokenCreateRequest) string {
	t.Helper()
	b, err := json.Marshal((*tokenCreateRequestFields)(r))
	require.NoError(t, err)
	return string(b)
}

// requireSameJSON checks that both ways of encoding r, the encoder called directly (as the
// transport does) and through json.Marshal, give encoding/json's reflection bytes exactly.
func requireSameJSON(t testing.TB, r *TokenCreateRequest) {
	t.Helper()
	want := reflectionJSON(t, r)
	got, err := r.MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, want, string(got))
	viaJSON, err := json.Marshal(r)
	require.NoError(t, err)
	require.Equal(t, want, string(viaJSON))
}

func TestTokenCreateRequestEncodesAsReflection(t *testing.T) {
	t.Run("benchmark request", func(t *testing.T) {
		requireSameJSON(t, benchTokenCreateRequest())
		got, err := benchTokenCreateRequest().MarshalJSON()
		require.NoError(t, err)
		require.Equal(t, `{"client_name":"Wonderwallet","language":"en","country_codes":["US"],`+
			`"user":{"client_user_id":"user-7c8d"},"products":["auth","transactions"],`+
			`"webhook":"https://example.com/plaid/webhook"}`, string(got))
	})
	t.Run("empty", func(t *testing.T) {
		requireSameJSON(t, &TokenCreateRequest{})
		got, err := (&TokenCreateRequest{}).MarshalJSON()
		require.NoError(t, err)
		require.Equal(t, `{"client_name":"","language":"","country_codes":null}`, string(got))
	})
	t.Run("empty lists", func(t *testing.T) {
		// A required list that is empty but not nil is [], an optional one is left out.
		r := &TokenCreateRequest{CountryCodes: []CountryCode{}, Products: []Product{}, AccessTokens: []string{},
			User: &TokenCreateRequestUser{}}
		requireSameJSON(t, r)
		got, err := r.MarshalJSON()
		require.NoError(t, err)
		require.Equal(t, `{"client_name":"","language":"","country_codes":[],"user":{"client_user_id":""}}`, string(got))
	})
	t.Run("explicit false", func(t *testing.T) {
		requireSameJSON(t, &TokenCreateRequest{CRAEnabled: new(bool), EnableMultiItemLink: new(bool)})
	})
	t.Run("every field", func(t *testing.T) {
		r := new(TokenCreateRequest)
		var f filler
		f.fill(reflect.ValueOf(r).Elem(), "TokenCreateRequest")
		requireSameJSON(t, r)
	})
	// Each field alone, so that a field the encoder forgot, or wrote under another name or rule,
	// fails here by name.
	typ := reflect.TypeFor[TokenCreateRequest]()
	for i := range typ.NumField() {
		field := typ.Field(i)
		t.Run(field.Name, func(t *testing.T) {
			r := new(TokenCreateRequest)
			var f filler
			f.fill(reflect.ValueOf(r).Elem().Field(i), field.Name)
			requireSameJSON(t, r)
		})
	}
	userType := reflect.TypeFor[TokenCreateRequestUser]()
	for i := range userType.NumField() {
		field := userType.Field(i)
		t.Run("User."+field.Name, func(t *testing.T) {
			r := &TokenCreateRequest{User: new(TokenCreateRequestUser)}
			var f filler
			f.fill(reflect.ValueOf(r.User).Elem().Field(i), field.Name)
			requireSameJSON(t, r)
		})
	}
}

func TestTokenCreateRequestEncodingErrorsAsReflection(t *testing.T) {
	for name, r := range map[string]*TokenCreateRequest{
		"impossible date": {User: &TokenCreateRequestUser{DateOfBirth: NewDate(2024, time.February, 30)}},
		"year past 9999":  {User: &TokenCreateRequestUser{EmailAddressVerifiedTime: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		"nested date":     {IdentityVerification: &TokenCreateRequestIdentityVerification{}, User: &TokenCreateRequestUser{DateOfBirth: NewDate(2023, 13, 1)}},
	} {
		t.Run(name, func(t *testing.T) {
			_, want := json.Marshal((*tokenCreateRequestFields)(r))
			require.Error(t, want)
			_, got := r.MarshalJSON()
			require.EqualError(t, got, want.Error())
		})
	}
}

func TestNilTokenCreateRequestEncodesAsNull(t *testing.T) {
	got, err := (*TokenCreateRequest)(nil).MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, "null", string(got))
}

// FuzzTokenCreateRequestJSON holds the hand-written encoder to encoding/json for any string:
// control characters, quotes, HTML, U+2028, invalid UTF-8.
func FuzzTokenCreateRequestJSON(f *testing.F) {
	f.Add("Wonderwallet", "https://example.com/hook?a=1&b=<2>", "user-\"7c8d\"\\", "auth")
	f.Add("\x00\x1f\x7f\u2028\u2029", "\xff\xfe", "é\U0001F600", "\ttab\nline\r")
	f.Add("", "a\xc3", "\u2027\u202a", "</script>")
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		r := &TokenCreateRequest{
			ClientName:   a,
			Language:     Language(d),
			CountryCodes: []CountryCode{CountryCode(b), CountryCode(c)},
			User:         &TokenCreateRequestUser{ClientUserID: c, LegalName: a, EmailAddress: b, SSN: d},
			Products:     []Product{Product(d), Product(a)},
			Webhook:      b,
			AccessTokens: []string{c},
			UserToken:    a,
		}
		requireSameJSON(t, r)
		got, err := r.MarshalJSON()
		require.NoError(t, err)
		require.True(t, json.Valid(got), "%q", got)
	})
}

// BenchmarkTokenCreateRequestEncode compares the hand-written encoder with encoding/json's
// reflection over the same fields, for the request the CreateToken benchmarks send.
func BenchmarkTokenCreateRequestEncode(b *testing.B) {
	r := benchTokenCreateRequest()
	b.Run("hand-written", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reflection", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal((*tokenCreateRequestFields)(r)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
