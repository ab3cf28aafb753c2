// Command funnel builds a Link conversion funnel: how many sessions opened Link, chose an
// institution, logged in and were handed off, and where and why the rest left. It prints the
// report as a table and draws it as an SVG chart.
//
// Run it with no arguments and no keys:
//
//	go run ./examples/funnel                    # writes ./funnel.svg
//	go run ./examples/funnel -out /tmp/f.svg
//
// It starts linktest, the in-process fake Plaid, and plays a dozen users through Hosted Link:
// some search for their bank and some banks ask for MFA; some link an Item, others leave at
// different points, after different errors. Then it reads each session back with WaitForSession
// (which polls /link/token/get), as a backend does for Hosted Link, and folds their events into a
// funnel.Funnel. In production the same events come from EVENTS webhooks (webhook.Events) or from
// the front end's onEvent callback; the funnel takes them from all three, in any order and more
// than once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/funnel"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

func main() {
	svgPath := flag.String("out", "funnel.svg", "where to write the SVG chart")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *svgPath); err != nil {
		fmt.Fprintln(os.Stderr, "funnel:", err)
		os.Exit(1)
	}
}

// user is one person going through Link: they find institution (typing search into Link's
// search first, if set), then link an Item, answering the institution's MFA of type mfa if set,
// or, if exitStatus is set, leave with that status after err (nil: without an error).
type user struct {
	institution string
	search      string
	mfa         string
	exitStatus  link.ExitStatus
	err         *link.Error
}

func itemError(code link.ErrorCode, msg string) *link.Error {
	return &link.Error{ErrorType: link.ErrorTypeItemError, ErrorCode: code, ErrorMessage: msg}
}

var (
	invalidCredentials = itemError(link.ErrorCodeInvalidCredentials, "the provided credentials were not correct")
	itemLocked         = itemError(link.ErrorCodeItemLocked, "the account is locked")
	notResponding      = &link.Error{ErrorType: link.ErrorTypeInstitutionError, ErrorCode: link.ErrorCodeInstitutionNotResponding,
		ErrorMessage: "this financial institution is not currently responding to requests"}
)

// users are the people the example plays, in the order they come. Some search for their bank and
// some banks ask for MFA, so those steps are skipped on some paths, as in Link.
var users = []user{
	{institution: "ins_109508", search: "platypus", mfa: linktest.MFATypeCode},
	{institution: "ins_109508", search: "platypus", exitStatus: link.ExitStatusRequiresCredentials, err: invalidCredentials},
	{institution: "ins_109511"},
	{institution: "ins_109512", search: "houndstooth", exitStatus: link.ExitStatusRequiresCredentials},
	{institution: "ins_109508", mfa: linktest.MFATypeDevice},
	{institution: "ins_109511", search: "tartan", exitStatus: link.ExitStatusRequiresCredentials, err: itemLocked},
	{institution: "ins_109512", search: "houndstooth"},
	{institution: "ins_109508", exitStatus: link.ExitStatusRequiresCredentials, err: invalidCredentials},
	{institution: "ins_109511", search: "tartan", exitStatus: link.ExitStatusInstitutionNotSupported},
	{institution: "ins_109508", search: "first platypus", mfa: linktest.MFATypeQuestions},
	{institution: "ins_109512", exitStatus: link.ExitStatusRequiresCredentials, err: notResponding},
	{institution: "ins_109511"},
}

// run plays users on a fake Plaid, builds their funnel from /link/token/get, prints it to out
// and writes the chart to svgPath.
func run(ctx context.Context, out io.Writer, svgPath string) error {
	if svgPath == "" {
		return errors.New("no path for the SVG chart (-out)")
	}
	srv := linktest.NewServer()
	defer srv.Close()
	client := srv.Client()

	var sessions []link.TokenGetSessionsResponse
	for i, u := range users {
		// Hosted Link: Plaid returns the session's events from /link/token/get for Hosted Link
		// tokens without any account enablement.
		tok, err := client.CreateToken(ctx, &link.TokenCreateRequest{
			ClientName:   "plaidlink funnel",
			Language:     link.LanguageEnglish,
			CountryCodes: []link.CountryCode{link.CountryCodeUS},
			User:         &link.TokenCreateRequestUser{ClientUserID: fmt.Sprintf("funnel-user-%d", i+1)},
			Products:     []link.Product{link.ProductTransactions},
			HostedLink:   &link.TokenCreateHostedLink{},
		})
		if err != nil {
			return fmt.Errorf("create link token for user %d: %w", i+1, err)
		}
		opts := []linktest.SessionOption{linktest.WithInstitution(u.institution)}
		if u.search != "" {
			opts = append(opts, linktest.WithInstitutionSearch(u.search))
		}
		if u.exitStatus == "" {
			if u.mfa != "" {
				opts = append(opts, linktest.WithMFA(u.mfa))
			}
			_, err = srv.CompleteSession(tok.LinkToken, opts...)
		} else {
			_, err = srv.ExitSession(tok.LinkToken, u.err, append(opts, linktest.WithExitStatus(u.exitStatus))...)
		}
		if err != nil {
			return fmt.Errorf("user %d in Link: %w", i+1, err)
		}
		// As a Hosted Link backend would: wait for the session's outcome, which carries its events.
		s, err := client.WaitForSession(ctx, tok.LinkToken)
		if err != nil {
			return fmt.Errorf("read the session of user %d: %w", i+1, err)
		}
		sessions = append(sessions, *s)
		srv.Clock().Advance(3 * time.Minute) // the next user comes a little later
	}

	// WaitForSession (GetToken) put each session's link_session_id into its events' metadata, so
	// Add groups them.
	f := funnel.New()
	for _, s := range sessions {
		f.Add(s.Events...)
	}
	// A poller that reads the same sessions again, or an EVENTS webhook resent, counts nothing
	// twice.
	for _, s := range sessions {
		f.Add(s.Events...)
	}
	r := f.Report()
	if err := printReport(out, r); err != nil {
		return err
	}
	if err := writeSVG(svgPath, r); err != nil {
		return err
	}
	_, err := fmt.Fprintf(out, "\nwrote %s\n", svgPath)
	return err
}

// printReport writes the report as aligned tables.
func printReport(out io.Writer, r funnel.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d sessions, %d handed off, %d exited, median OPEN to HANDOFF %s\n",
		r.Sessions, r.HandedOff, r.Exited, r.MedianOpenToHandoff)

	rows := [][]string{{"step", "sessions", "emitted", "drop-off"}}
	for i, s := range r.Steps {
		drop := ""
		if i > 0 {
			drop = fmt.Sprintf("%.1f%%", s.DropOff)
		}
		rows = append(rows, []string{string(s.Name), strconv.Itoa(s.Sessions), strconv.Itoa(s.Emitted), drop})
	}
	table(&b, rows)

	rows = [][]string{{"exit status", "sessions"}}
	for _, c := range r.ExitsByStatus {
		rows = append(rows, []string{orNone(c.Key), strconv.Itoa(c.Sessions)})
	}
	table(&b, rows)

	rows = [][]string{{"error code", "sessions"}}
	for _, c := range r.ExitsByErrorCode {
		rows = append(rows, []string{orNone(c.Key), strconv.Itoa(c.Sessions)})
	}
	table(&b, rows)

	rows = [][]string{{"institution", "sessions", "handoffs"}}
	for _, in := range r.Institutions {
		rows = append(rows, []string{in.Name + " (" + in.ID + ")", strconv.Itoa(in.Sessions), strconv.Itoa(in.Handoffs)})
	}
	table(&b, rows)
	_, err := io.WriteString(out, b.String())
	return err
}

// table writes rows after a blank line, the first column aligned left and the others, numbers,
// aligned right.
func table(b *strings.Builder, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	b.WriteString("\n")
	for _, row := range rows {
		line := fmt.Sprintf("%-*s", widths[0], row[0])
		for i, cell := range row[1:] {
			line += fmt.Sprintf("  %*s", widths[i+1], cell)
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// writeSVG draws the report to path.
func writeSVG(path string, r funnel.Report) error {
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write the chart: %w", err)
	}
	if err := r.WriteSVG(file); err != nil {
		file.Close()
		return fmt.Errorf("write the chart to %s: %w", path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("write the chart to %s: %w", path, err)
	}
	return nil
}
