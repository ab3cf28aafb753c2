package link_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

func readmeTokenRequest() *link.TokenCreateRequest {
	return &link.TokenCreateRequest{
		ClientName:   "My App",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []link.Product{link.ProductAuth},
	}
}

// TestReadmeRetryExample is the README's "Testing your retries": linktest's Client does not
// retry until told to, and WithRetryBackoff(0, 0) makes the retries instant.
func TestReadmeRetryExample(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	rateLimited := &link.Error{ErrorType: link.ErrorTypeRateLimitExceeded, ErrorCode: "RATE_LIMIT"}

	// srv.Client() alone does not retry: the rate limit comes straight back.
	srv.FailNext(linktest.PathTokenCreate, 1, http.StatusTooManyRequests, rateLimited)
	var raw link.Response
	_, err := srv.Client().CreateToken(context.Background(), readmeTokenRequest(), link.WithResponseInto(&raw))
	require.Error(t, err)
	assert.True(t, link.IsErrorCode(err, "RATE_LIMIT"))
	assert.Equal(t, 1, raw.Attempts)

	client := srv.Client(link.WithMaxRetries(2), link.WithRetryBackoff(0, 0))
	srv.FailNext(linktest.PathTokenCreate, 2, http.StatusTooManyRequests, rateLimited)
	tok, err := client.CreateToken(context.Background(), readmeTokenRequest(), link.WithResponseInto(&raw))
	require.NoError(t, err)
	assert.NotEmpty(t, tok.LinkToken)
	assert.Equal(t, 3, raw.Attempts)
}
