package page

import (
	"net"
	"net/url"
	"strings"
)

// crossSiteRefusal says why a POST to the Link page comes from another site, or returns "" when it
// may be served. Whoever knows a link token could otherwise complete its session from a page of
// their own, as a cross-site request forgery.
//
// A browser's Sec-Fetch-Site header decides when it is there: only "cross-site" is refused, so the
// page's own forms (same-origin) and a developer's front end on another port of the same host
// (same-site) still work. A browser too old to send it sends Origin, which is refused when it names
// another host, or is "null" (an opaque origin, such as a sandboxed frame's or one under a
// no-referrer policy, which cannot be told apart from another site). A request with neither
// header, such as curl's or a test's, is served: those are not made by a browser on some site's
// behalf.
func crossSiteRefusal(header map[string][]string, host string) string {
	if site := first(header, "Sec-Fetch-Site"); site != "" {
		if strings.EqualFold(site, "cross-site") {
			return "This form was posted from another site (Sec-Fetch-Site: cross-site)."
		}
		return ""
	}
	origin := first(header, "Origin")
	if origin == "" {
		return ""
	}
	if origin == "null" {
		return "This form was posted from a page with no origin (Origin: null)."
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Hostname(), hostname(host)) {
		return "This form was posted from another site (Origin: " + origin + ")."
	}
	return ""
}

// first returns the first value of the canonical header key, or "".
func first(header map[string][]string, key string) string {
	if v := header[key]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// hostname is the host of a Host header without its port.
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.Trim(host, "[]")
}

// crossSiteHelp follows the refusal on the 403 page: what happened and what to do instead.
const crossSiteHelp = " The Link page accepts only its own forms, so that another site that learns a link token " +
	"cannot complete its session. Open the page itself and press its buttons."
