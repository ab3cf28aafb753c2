package funnel

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Chart geometry, in SVG user units (pixels at 100%).
const (
	svgWidth  = 800
	svgPad    = 24
	labelX    = svgPad
	barLeft   = 214
	barMax    = 330 // width of the widest bar, the first step's
	numbersX  = barLeft + barMax + 18
	dropX     = 676
	rowHeight = 46
	barHeight = 30
	stepsTop  = 86
	// An exit reason takes two lines, its label over its bar, so that a label of any letters up
	// to maxLabelRune fits the column's width, whatever font the viewer substitutes.
	exitRow      = 38
	exitsTop     = 30 // from the last step's row to the top of the exit columns
	exitRowDepth = 24 // from a row's label baseline to below its count's descenders
	exitColWidth = (svgWidth - 2*svgPad) / 2
	exitBarMax   = 220 // leaves room after the bar for a count like "12,345 (100.0%)"
	topExits     = 5
	maxLabelRune = 28
)

// stepColors shade the bars from the first step to the last; HANDOFF, the goal, is green.
var stepColors = []string{"#1e3a8a", "#1e40af", "#1d4ed8", "#2563eb", "#3b82f6", "#16a34a"}

// WriteSVG draws the report as a standalone SVG funnel chart: one horizontal bar per step, as wide
// as the share of sessions that reached it, with the count, the share of the first step and the
// drop-off from the previous step (a step that some sessions passed without its event says by how
// many), then the top exit reasons by error code and by exit status.
// The SVG uses no script, no external font or image, and escapes every text it shows, so it can
// be served or embedded as it is. Its only error is w's.
func (r Report) WriteSVG(w io.Writer) error {
	var b bytes.Buffer
	exitRows := min(topExits, max(len(r.exitCodes()), len(r.ExitsByStatus), 1))
	stepsBottom := stepsTop + len(r.Steps)*rowHeight
	height := exitRowY(stepsBottom+exitsTop, exitRows-1) + exitRowDepth + svgPad

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" role="img">`+"\n",
		svgWidth, height, svgWidth, height)
	b.WriteString("<title>")
	escape(&b, "Link conversion funnel")
	b.WriteString("</title>\n")
	fmt.Fprintf(&b, `<rect class="background" x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", svgWidth, height)

	text(&b, labelX, 38, `font-size="20" font-weight="bold" fill="#111827"`, "Link conversion funnel")
	text(&b, labelX, 62, `font-size="13" fill="#4b5563"`, r.summary())

	first := 0
	if len(r.Steps) > 0 {
		first = r.Steps[0].Sessions
	}
	widest := 0
	for _, s := range r.Steps {
		widest = max(widest, s.Sessions)
	}
	for i, s := range r.Steps {
		y := stepsTop + i*rowHeight
		mid := y + barHeight/2 + 5
		// A step that paths skip counts sessions from later steps too; say how many, so that a
		// bar for SUBMIT_MFA is not read as that many MFA answers.
		if skipped := s.Sessions - s.Emitted; skipped > 0 {
			text(&b, labelX, mid-6, `font-size="13" font-weight="bold" fill="#111827"`, string(s.Name))
			text(&b, labelX, mid+9, `font-size="11" fill="#6b7280"`, "skipped by "+thousands(skipped))
		} else {
			text(&b, labelX, mid, `font-size="13" font-weight="bold" fill="#111827"`, string(s.Name))
		}
		w := 0.0
		if widest > 0 {
			w = barWidth(barMax, s.Sessions, widest)
		}
		color := stepColors[min(i, len(stepColors)-2)]
		if i == len(r.Steps)-1 {
			color = stepColors[len(stepColors)-1]
		}
		// Bars are centred on one axis, so the chart narrows like a funnel.
		fmt.Fprintf(&b, `<rect class="step" x="%s" y="%d" width="%s" height="%d" rx="3" fill="%s"/>`+"\n",
			num(barLeft+(barMax-w)/2), y, num(w), barHeight, color)
		text(&b, numbersX, mid-6, `font-size="14" font-weight="bold" fill="#111827"`, thousands(s.Sessions))
		text(&b, numbersX, mid+9, `font-size="11" fill="#6b7280"`, percent(s.Sessions, first)+" of opened")
		if i > 0 {
			if s.DropOff == 0 {
				text(&b, dropX, mid, `font-size="12" fill="#9ca3af"`, "no drop-off")
			} else {
				text(&b, dropX, mid-6, `font-size="14" font-weight="bold" fill="#dc2626"`, fmt.Sprintf("−%.1f%%", s.DropOff))
				text(&b, dropX, mid+9, `font-size="11" fill="#6b7280"`, "from previous")
			}
		}
	}

	text(&b, labelX, stepsBottom+exitsTop-10, `font-size="15" font-weight="bold" fill="#111827"`,
		fmt.Sprintf("Top exit reasons (%s sessions exited)", thousands(r.Exited)))
	r.exitColumn(&b, labelX, stepsBottom+exitsTop, "by error code", r.exitCodes())
	r.exitColumn(&b, labelX+exitColWidth, stepsBottom+exitsTop, "by exit status", r.ExitsByStatus)
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// exitCodes are the exits by error code with a code: an exit without an error says nothing about
// why the user left.
func (r Report) exitCodes() []Count {
	out := make([]Count, 0, len(r.ExitsByErrorCode))
	for _, c := range r.ExitsByErrorCode {
		if c.Key != "" {
			out = append(out, c)
		}
	}
	return out
}

// exitRowY is the baseline of the label of row i of an exit column whose top is at top; the
// chart's height is taken from its last row.
func exitRowY(top, i int) int { return top + 30 + i*exitRow }

// exitColumn draws the top exit counts under a heading at y, with bars as long as their share of
// the exited sessions.
func (r Report) exitColumn(b *bytes.Buffer, x, y int, heading string, counts []Count) {
	text(b, x, y+8, `font-size="12" fill="#6b7280"`, heading)
	if len(counts) == 0 {
		text(b, x, exitRowY(y, 0), `font-size="12" fill="#9ca3af"`, "none")
		return
	}
	for i, c := range counts[:min(len(counts), topExits)] {
		row := exitRowY(y, i) // the label's baseline
		label := c.Key
		if label == "" {
			label = "(none)"
		}
		text(b, x, row, `font-size="12" fill="#111827"`, shorten(label))
		w := 0.0
		if r.Exited > 0 {
			w = barWidth(exitBarMax, c.Sessions, r.Exited)
		}
		fmt.Fprintf(b, `<rect class="exit" x="%d" y="%d" width="%s" height="10" rx="2" fill="#f87171"/>`+"\n",
			x, row+6, num(w))
		text(b, x+int(w)+6, row+16, `font-size="12" fill="#374151"`,
			fmt.Sprintf("%s (%s)", thousands(c.Sessions), percent(c.Sessions, r.Exited)))
	}
}

// barWidth is n's share of of as a bar at most full wide, kept within [0, full] for a Report
// that a caller filled in with inconsistent numbers.
func barWidth(full float64, n, of int) float64 {
	return min(full, max(0, full*float64(n)/float64(of)))
}

// summary is the line under the title.
func (r Report) summary() string {
	if r.Sessions == 0 {
		return "No sessions yet"
	}
	s := fmt.Sprintf("%s sessions · %s handed off (%s) · %s unfinished", thousands(r.Sessions),
		thousands(r.HandedOff), percent(r.HandedOff, r.Sessions), thousands(r.Unfinished))
	if r.TimedSessions > 0 {
		s += " · median OPEN→HANDOFF " + shortDuration(r.MedianOpenToHandoff)
	}
	return s
}

// text writes a <text> element at (x, y) with attrs (constants of this file) and s escaped.
func text(b *bytes.Buffer, x, y int, attrs, s string) {
	fmt.Fprintf(b, `<text x="%d" y="%d" %s>`, x, y, attrs)
	escape(b, s)
	b.WriteString("</text>\n")
}

func escape(b *bytes.Buffer, s string) {
	// EscapeText fails only when its writer does, and a bytes.Buffer does not.
	_ = xml.EscapeText(b, []byte(s))
}

// shorten cuts a label Plaid sent to what fits beside its bar.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxLabelRune {
		return s
	}
	return string([]rune(s)[:maxLabelRune-1]) + "…"
}

// num formats a coordinate with at most two decimals.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// percent formats n as a share of of, "0%" when of is 0.
func percent(n, of int) string {
	if of == 0 {
		return "0%"
	}
	return strconv.FormatFloat(100*float64(n)/float64(of), 'f', 1, 64) + "%"
}

// thousands formats n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// shortDuration rounds d to what a person reads: milliseconds under a second, seconds above.
func shortDuration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
