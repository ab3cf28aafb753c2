package linktest_test

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// A server on a caller's listener (the dev server's) serves there, with every timeout set; one on
// its own random port, for tests, keeps httptest's defaults.
func TestWithListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := linktest.NewServer(linktest.WithListener(l))
	defer s.Close()
	assert.Equal(t, "http://"+l.Addr().String(), s.URL)
	hs := linktest.HTTPServer(s)
	assert.Equal(t, 10*time.Second, hs.ReadHeaderTimeout)
	assert.Equal(t, time.Minute, hs.ReadTimeout)
	assert.Equal(t, 2*time.Minute, hs.WriteTimeout)
	assert.Equal(t, 2*time.Minute, hs.IdleTimeout)

	// The fake answers on it.
	_, err = s.Client().GetToken(t.Context(), nil)
	assert.Error(t, err, "a nil request is refused before sending, by the client")
	tok := createToken(t, s.Client(), tokenRequest())
	assert.NotEmpty(t, tok.LinkToken)

	plain := linktest.NewServer()
	defer plain.Close()
	assert.Zero(t, linktest.HTTPServer(plain).ReadHeaderTimeout)
}
