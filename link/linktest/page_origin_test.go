package linktest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
)

// postPageWith posts the page's continue form with the given headers, without following the 303.
func postPageWith(t *testing.T, pageURL, id string, headers map[string]string) pageReply {
	t.Helper()
	form := url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_109508"}, "account": {"0000"}}
	req, err := http.NewRequest(http.MethodPost, pageURL, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return pageReply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// The page's POSTs refuse requests a browser makes on another site's behalf, so that whoever
// learns a link token cannot complete its session from a page of their own; the page's own form,
// a front end on the same host, and requests with neither header (curl, tests) still work.
func TestPageRefusesCrossSitePosts(t *testing.T) {
	tests := []struct {
		name    string
		headers func(pageURL string) map[string]string
		refused string // what the 403 page says; "" if the post is served
	}{
		{"neither header, as curl sends", func(string) map[string]string { return nil }, ""},
		{"the page's own origin", func(u string) map[string]string { return map[string]string{"Origin": origin(t, u)} }, ""},
		{"the page's own form in a browser", func(string) map[string]string {
			return map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": origin(t, "http://127.0.0.1")}
		}, ""},
		{"a browser's same-origin post under no-referrer", func(string) map[string]string {
			return map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "null"}
		}, ""},
		{"a front end on another port of the same host", func(string) map[string]string {
			return map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:3000"}
		}, ""},
		{"an older browser on another port of the same host", func(string) map[string]string {
			return map[string]string{"Origin": "http://127.0.0.1:3000"}
		}, ""},
		{"a navigation the user started", func(string) map[string]string { return map[string]string{"Sec-Fetch-Site": "none"} }, ""},
		{"another site, by Sec-Fetch-Site", func(string) map[string]string {
			return map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
		}, "This form was posted from another site (Sec-Fetch-Site: cross-site)."},
		{"Sec-Fetch-Site decides over a forged-looking Origin", func(u string) map[string]string {
			return map[string]string{"Sec-Fetch-Site": "Cross-Site", "Origin": origin(t, u)}
		}, "This form was posted from another site (Sec-Fetch-Site: cross-site)."},
		{"another site, by Origin in an older browser", func(string) map[string]string {
			return map[string]string{"Origin": "https://evil.example"}
		}, "This form was posted from another site (Origin: https://evil.example)."},
		{"an opaque origin in an older browser", func(string) map[string]string { return map[string]string{"Origin": "null"} },
			"This form was posted from a page with no origin (Origin: null)."},
		{"an Origin that is not one", func(string) map[string]string { return map[string]string{"Origin": "evil"} },
			"This form was posted from another site (Origin: evil)."},
	}
	for _, tt := range tests {
		for _, hosted := range []bool{false, true} {
			name := tt.name
			if hosted {
				name += "/hosted_link_url"
			}
			t.Run(name, func(t *testing.T) {
				s := newServer(t)
				c := s.Client()
				req := tokenRequest()
				if hosted {
					req.HostedLink = &link.TokenCreateHostedLink{}
				}
				tok := createToken(t, c, req)
				pageURL := s.LinkPageURL(tok.LinkToken)
				if hosted {
					pageURL = tok.HostedLinkURL
				}
				_, id := openPage(t, pageURL)

				r := postPageWith(t, pageURL, id, tt.headers(pageURL))
				if tt.refused == "" {
					assert.Equal(t, http.StatusSeeOther, r.status, r.body)
					assert.Len(t, getSessions(t, c, tok.LinkToken), 1, "the session ran")
					return
				}
				assert.Equal(t, http.StatusForbidden, r.status)
				assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
				assert.Contains(t, r.body, "<title>Forbidden")
				assert.Contains(t, r.body, tt.refused)
				assert.Contains(t, r.body, "The Link page accepts only its own forms, so that another site that learns a link token cannot complete its session.")
				assert.Empty(t, getSessions(t, c, tok.LinkToken), "no session ran")

				// The same form posted from the page itself still works afterwards.
				r = postPageWith(t, pageURL, id, map[string]string{"Sec-Fetch-Site": "same-origin"})
				assert.Equal(t, http.StatusSeeOther, r.status, r.body)
				assert.Len(t, getSessions(t, c, tok.LinkToken), 1)
			})
		}
	}
}

// origin is the origin of rawURL, as a browser sends it.
func origin(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	return u.Scheme + "://" + u.Host
}
