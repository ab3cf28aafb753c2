package funnel

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/chromiumtest"
	"github.com/plaidlink/plaidlink-go/link"
)

// box is where Chromium laid out one element of the chart.
type box struct {
	Tag, Class, Text string
	X, Y, W, H       float64
}

func (b box) overlaps(o box) bool {
	return b.X < o.X+o.W && o.X < b.X+b.W && b.Y < o.Y+o.H && o.Y < b.Y+b.H
}

var boxesOut = regexp.MustCompile(`(?s)<pre id="boxes">(.*?)</pre>`)

// layout has Chromium render the chart with whatever sans-serif fonts the machine has (often wider
// than Helvetica), and returns the box of every text and bar. The measuring script is the test's
// page's, around the chart: the chart itself has none.
func layout(t *testing.T, chromium string, svg []byte) []box {
	t.Helper()
	page := `<!DOCTYPE html><html><body style="margin:0">` + string(svg) + `<pre id="boxes"></pre><script>
const out = [];
for (const el of document.querySelectorAll("svg text, svg rect")) {
  const b = el.getBBox();
  out.push({Tag: el.tagName, Class: el.getAttribute("class") || "", Text: el.textContent, X: b.x, Y: b.y, W: b.width, H: b.height});
}
document.getElementById("boxes").textContent = JSON.stringify(out);
</script></body></html>`
	dir := t.TempDir()
	file := filepath.Join(dir, "chart.html")
	require.NoError(t, os.WriteFile(file, []byte(page), 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	profile, err := os.MkdirTemp("", "funnel-chromium-")
	require.NoError(t, err)
	defer os.RemoveAll(profile)
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--no-first-run",
		"--user-data-dir="+profile, "--dump-dom", "file://"+file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	require.NoError(t, err, "chromium: %s", stderr.String())
	m := boxesOut.FindSubmatch(dom)
	require.NotNil(t, m, "no measurements in %s", dom)
	var boxes []box
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &boxes))
	return boxes
}

// TestWriteSVGLayoutInChromium renders charts in a real browser and checks what a person sees:
// everything inside the chart, no text on a bar or on other text, however long the labels.
func TestWriteSVGLayoutInChromium(t *testing.T) {
	chromium := chromiumtest.Require(t)
	f := New()
	addAll(f, mixedSessions(14))
	wide := New()
	addAll(wide, mixedSessions(14))
	// The longest labels a chart shows, with the widest letters, and counts in the thousands.
	for i := range 1200 {
		sid := "wide-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26))
		code := strings.Repeat("W", 40)
		if i%2 == 0 {
			code = "INSTITUTION_NOT_RESPONDING"
		}
		addAll(wide, []sessionEvent{ev(sid, link.EventNameOpen, 0), ev(sid, link.EventNameExit, time.Second,
			exitWith(link.ExitStatus(strings.Repeat("M", 40)), code))})
	}
	for name, r := range map[string]Report{"mixed": f.Report(), "wide labels": wide.Report(), "empty": New().Report()} {
		t.Run(name, func(t *testing.T) {
			var svg bytes.Buffer
			require.NoError(t, r.WriteSVG(&svg))
			boxes := layout(t, chromium, svg.Bytes())
			require.NotEmpty(t, boxes)
			bg := boxes[0]
			require.Equal(t, "background", bg.Class)
			var texts, bars []box
			for _, b := range boxes[1:] {
				assert.True(t, b.X >= bg.X && b.Y >= bg.Y && b.X+b.W <= bg.X+bg.W && b.Y+b.H <= bg.Y+bg.H,
					"%s %q at %+v is outside the %vx%v chart", b.Tag, b.Text, b, bg.W, bg.H)
				if b.Tag == "text" {
					texts = append(texts, b)
				} else if b.W > 0 {
					bars = append(bars, b)
				}
			}
			for i, a := range texts {
				for _, o := range texts[i+1:] {
					assert.False(t, a.overlaps(o), "%q %+v overlaps %q %+v", a.Text, a, o.Text, o)
				}
				for _, o := range bars {
					assert.False(t, a.overlaps(o), "%q %+v is drawn on the %s bar %+v", a.Text, a, o.Class, o)
				}
			}
		})
	}
}
