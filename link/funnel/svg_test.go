package funnel

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
)

// node is any XML element, for checking the SVG's structure.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// walk calls fn for n and every element under it.
func (n node) walk(fn func(node)) {
	fn(n)
	for _, c := range n.Children {
		c.walk(fn)
	}
}

func parseSVG(t *testing.T, r Report) (node, string) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, r.WriteSVG(&buf))
	var root node
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &root), buf.String())
	return root, buf.String()
}

func TestWriteSVGStructure(t *testing.T) {
	f := New()
	addAll(f, mixedSessions(14))
	// An error code with markup in it, as a hostile or broken sender might put there.
	addAll(f, []sessionEvent{ev("evil", link.EventNameOpen, 0), ev("evil", link.EventNameExit, time.Second,
		exitWith("<script>alert(1)</script>", `A&B"<img src=x>`))})
	r := f.Report()
	root, raw := parseSVG(t, r)

	assert.Equal(t, "svg", root.XMLName.Local)
	assert.Equal(t, "http://www.w3.org/2000/svg", root.XMLName.Space)
	w, err := strconv.Atoi(root.attr("width"))
	require.NoError(t, err)
	h, err := strconv.Atoi(root.attr("height"))
	require.NoError(t, err)
	assert.Equal(t, "0 0 "+strconv.Itoa(w)+" "+strconv.Itoa(h), root.attr("viewBox"))
	assert.Contains(t, root.attr("font-family"), "sans-serif")

	var bars []node
	var texts []string
	root.walk(func(n node) {
		switch n.XMLName.Local {
		case "rect":
			if n.attr("class") == "step" {
				bars = append(bars, n)
			}
		case "text", "title":
			texts = append(texts, n.Text)
		case "script", "foreignObject", "image", "style", "use", "a":
			t.Errorf("element <%s> in a standalone chart", n.XMLName.Local)
		}
		for _, a := range n.Attrs {
			if a.Name.Local == "href" || strings.HasPrefix(a.Name.Local, "on") {
				t.Errorf("attribute %s=%q on <%s>", a.Name.Local, a.Value, n.XMLName.Local)
			}
			assert.NotContains(t, a.Value, "url(", "no external reference")
		}
	})
	assert.NotContains(t, raw, "<script")
	assert.NotContains(t, raw, "@import")

	// One bar per step, each as wide as its share of the widest.
	require.Len(t, bars, len(r.Steps))
	widest := parseFloat(t, bars[0].attr("width"))
	require.Positive(t, widest)
	for i, b := range bars {
		want := widest * float64(r.Steps[i].Sessions) / float64(r.Steps[0].Sessions)
		assert.InDelta(t, want, parseFloat(t, b.attr("width")), 0.01, "bar %d (%s)", i, r.Steps[i].Name)
		// Bars are centred on one axis.
		assert.InDelta(t, parseFloat(t, bars[0].attr("x"))+widest/2,
			parseFloat(t, b.attr("x"))+parseFloat(t, b.attr("width"))/2, 0.01)
	}

	all := strings.Join(texts, "\n")
	skippedSteps := 0
	for _, s := range r.Steps {
		assert.Contains(t, texts, string(s.Name))
		assert.Contains(t, texts, strconv.Itoa(s.Sessions))
		if s.Emitted < s.Sessions {
			skippedSteps++
			assert.Contains(t, texts, "skipped by "+strconv.Itoa(s.Sessions-s.Emitted), s.Name)
		}
	}
	assert.Positive(t, skippedSteps, "mixedSessions has paths that skip steps")
	assert.Equal(t, skippedSteps, strings.Count(all, "skipped by "))
	// 15 sessions: 15 opened, 12 searched (-20%), 10 chose (-16.7%), 10 logged in, 8 (-20%), 6 (-25%).
	assert.Equal(t, []int{15, 12, 10, 10, 8, 6}, func() []int {
		_, s, _ := stepCounts(r)
		return s
	}())
	for _, p := range []string{"−20.0%", "−16.7%", "no drop-off", "−25.0%", "from previous",
		"40.0% of opened", "100.0% of opened"} {
		assert.Contains(t, texts, p)
	}
	assert.Contains(t, all, "Top exit reasons (7 sessions exited)")
	assert.Contains(t, texts, "INVALID_CREDENTIALS")
	assert.Contains(t, texts, "2 (28.6%)")
	assert.Contains(t, texts, "requires_credentials")
	assert.Contains(t, all, "median OPEN→HANDOFF 4s")
	// The hostile strings are shown as text, not interpreted.
	assert.Contains(t, texts, `A&B"<img src=x>`)
	assert.Contains(t, texts, "<script>alert(1)</script>")
}

func TestWriteSVGEmptyReport(t *testing.T) {
	root, _ := parseSVG(t, New().Report())
	var bars int
	var texts []string
	root.walk(func(n node) {
		if n.XMLName.Local == "rect" && n.attr("class") == "step" {
			bars++
			assert.Equal(t, "0", n.attr("width"))
		}
		if n.XMLName.Local == "text" {
			texts = append(texts, n.Text)
		}
	})
	assert.Equal(t, 6, bars)
	assert.Contains(t, texts, "No sessions yet")
}

func TestWriteSVGShortensLongLabels(t *testing.T) {
	r := Report{Exited: 1, ExitsByErrorCode: []Count{{strings.Repeat("X", 40), 1}}}
	root, _ := parseSVG(t, r)
	var found bool
	root.walk(func(n node) {
		if n.XMLName.Local == "text" && strings.HasPrefix(n.Text, "XXX") {
			found = true
			assert.Equal(t, strings.Repeat("X", maxLabelRune-1)+"…", n.Text)
		}
	})
	assert.True(t, found)
}

// TestWriteSVGInconsistentReport draws a Report filled in by hand with numbers no Funnel gives:
// bars stay within the chart.
func TestWriteSVGInconsistentReport(t *testing.T) {
	r := Report{
		Steps:            []Step{{Name: "OPEN", Sessions: 3}, {Name: "HANDOFF", Sessions: -2}},
		Exited:           1,
		ExitsByErrorCode: []Count{{"A", 5}, {"B", -1}},
	}
	root, _ := parseSVG(t, r)
	var widths []float64
	root.walk(func(n node) {
		if n.XMLName.Local == "rect" && n.attr("class") != "background" {
			widths = append(widths, parseFloat(t, n.attr("width")))
		}
	})
	assert.Equal(t, []float64{barMax, 0, exitBarMax, 0}, widths)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteSVGReturnsWriteError(t *testing.T) {
	assert.EqualError(t, New().Report().WriteSVG(failingWriter{}), "disk full")
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, "number %q", s)
	return f
}

// FuzzWriteSVG gives the chart any text Link events can carry (an event name, an error code, an
// exit status: control characters, invalid UTF-8, markup): it is always well-formed XML.
func FuzzWriteSVG(f *testing.F) {
	f.Add("INVALID_CREDENTIALS", "requires_credentials", "OPEN")
	f.Add("\x00\x01\xff", "]]><script>", "\ufffe")
	f.Fuzz(func(t *testing.T, code, status, name string) {
		fn := New()
		addAll(fn, []sessionEvent{ev("s", link.EventName(name), 0),
			ev("s", link.EventNameExit, time.Second, exitWith(link.ExitStatus(status), code))})
		r := fn.Report()
		r.Steps[0].Name = link.EventName(name)
		root, _ := parseSVG(t, r)
		assert.Equal(t, "svg", root.XMLName.Local)
	})
}
