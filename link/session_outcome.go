package link

import (
	"slices"
	"strconv"
)

// SessionOutcome is how a Link session ended, or that it has not yet: what
// [TokenGetSessionsResponse.Outcome] reads from the fields Plaid fills in /link/token/get.
type SessionOutcome int

// SessionOutcome values. The zero value is [SessionInProgress].
const (
	// SessionInProgress: Plaid reports nothing yet that ends the session (no results, exit or
	// finished_at): the user may still be in Link.
	SessionInProgress SessionOutcome = iota
	// SessionLinked: the session added at least one Item (results.item_add_results or
	// results.cra_item_add_results, or the legacy on_success). A Multi-Item Link session that
	// added Items and then exited is linked: its Items exist, and their public tokens wait to be
	// exchanged.
	SessionLinked
	// SessionExited: the user left Link without adding an Item (exit, or the legacy on_exit),
	// possibly after an error, which exit.error carries.
	SessionExited
	// SessionAbandoned: the session has a finished_at and nothing else: the user closed the page
	// or stopped interacting, and Plaid closed the session 5 to 15 minutes after the last action.
	SessionAbandoned
)

// String returns the outcome's name, such as "SessionLinked", for logs and test failures.
func (o SessionOutcome) String() string {
	switch o {
	case SessionInProgress:
		return "SessionInProgress"
	case SessionLinked:
		return "SessionLinked"
	case SessionExited:
		return "SessionExited"
	case SessionAbandoned:
		return "SessionAbandoned"
	}
	return "SessionOutcome(" + strconv.Itoa(int(o)) + ")"
}

// Outcome says how the session ended, from the fields Plaid documents for it, in this order:
//
//   - [SessionLinked] if results.item_add_results or results.cra_item_add_results has an Item,
//     or the legacy on_success is set, whatever else the session carries: a Multi-Item Link
//     session that linked Items and then exited (it has exit too) counts as linked;
//   - [SessionExited] if exit or the legacy on_exit is set (an exited session may carry an empty
//     results object, which does not make it linked);
//   - [SessionAbandoned] if finished_at is set and nothing above is;
//   - [SessionInProgress] otherwise, and for a nil session.
//
// [TokenGetSessionsResponse.PublicTokens] lists the public tokens of a linked session's Items.
func (s *TokenGetSessionsResponse) Outcome() SessionOutcome {
	switch {
	case s == nil:
		return SessionInProgress
	case s.OnSuccess != nil || s.Results != nil && (len(s.Results.ItemAddResults) > 0 || len(s.Results.CRAItemAddResults) > 0):
		return SessionLinked
	case s.Exit != nil || s.OnExit != nil:
		return SessionExited
	case !s.FinishedAt.IsZero():
		return SessionAbandoned
	}
	return SessionInProgress
}

// PublicTokens returns the public token of every Item the session added: those of
// results.item_add_results, in Plaid's order, or for a legacy session that has none there,
// on_success's. Empty and repeated tokens are left out, so each token is listed once; a session
// that added no Item with a public token (one that exited or was abandoned, or that only added a
// Plaid Check Item, which has none) returns nil. Each token is exchanged once, within 30 minutes
// of the session, with [Client.ExchangePublicToken] (or package link/exchange, which makes sure
// of the once).
func (s *TokenGetSessionsResponse) PublicTokens() []string {
	if s == nil {
		return nil
	}
	var tokens []string
	add := func(t string) {
		if t != "" && !slices.Contains(tokens, t) {
			tokens = append(tokens, t)
		}
	}
	if s.Results != nil {
		for _, r := range s.Results.ItemAddResults {
			add(r.PublicToken)
		}
	}
	if len(tokens) == 0 && s.OnSuccess != nil {
		add(s.OnSuccess.PublicToken)
	}
	return tokens
}
