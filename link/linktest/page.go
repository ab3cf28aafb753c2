package linktest

import (
	"net/url"

	"github.com/plaidlink/plaidlink-go/link/linktest/internal/page"
)

// LinkPageURL returns the URL of the page that stands in for Link's front end on linkToken, for
// any link token, Hosted Link or not. A developer opens it in a browser, picks an institution and
// accounts from [Institutions] and presses Continue (the session completes as with
// [Server.CompleteSession]) or picks an exit status and presses Exit (as with
// [Server.ExitSession]). A Hosted Link token's hosted_link_url serves the same page.
func (s *Server) LinkPageURL(linkToken string) string {
	return s.URL + page.LinkPrefix + url.PathEscape(linkToken)
}

// runPageSession runs the session the Link page's form asks for, as the session drivers do, so
// that its webhooks are sent as for any other session.
func (s *Server) runPageSession(req page.Request) (page.Result, error) {
	var (
		res SessionResult
		err error
	)
	if req.Complete {
		var opts []SessionOption
		if req.InstitutionID != "" {
			opts = append(opts, WithInstitution(req.InstitutionID))
		}
		if len(req.Accounts) > 0 {
			opts = append(opts, WithAccounts(req.Accounts...))
		}
		res, err = s.CompleteSession(req.LinkToken, opts...)
	} else {
		opts := []SessionOption{WithExitStatus(req.ExitStatus)}
		if req.InstitutionID != "" {
			opts = append(opts, WithInstitution(req.InstitutionID))
		}
		res, err = s.ExitSession(req.LinkToken, nil, opts...)
	}
	if err != nil {
		return page.Result{}, err
	}
	return page.Result{
		LinkSessionID: res.LinkSessionID,
		InstitutionID: res.InstitutionID,
		PublicTokens:  len(res.PublicTokens),
		Accounts:      res.Accounts,
		Webhooks:      res.Webhooks,
	}, nil
}
