package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRunPrintsTheFunnel(t *testing.T) {
	svgPath := filepath.Join(t.TempDir(), "funnel.svg")
	var out bytes.Buffer
	require.NoError(t, run(testContext(t), &out, svgPath))
	text := out.String()

	// The median depends on how far apart the fake stamps a session's events; the counts do not.
	assert.Regexp(t, regexp.MustCompile(`^12 sessions, 6 handed off, 6 exited, median OPEN to HANDOFF \S+\n`), text)
	for _, want := range []string{`
step                sessions  emitted  drop-off
OPEN                      12       12
SEARCH_INSTITUTION        12        7      0.0%
SELECT_INSTITUTION        12       12      0.0%
SUBMIT_CREDENTIALS        10       10     16.7%
SUBMIT_MFA                 6        3     40.0%
HANDOFF                    6        6      0.0%
`, `
exit status                sessions
requires_credentials              5
institution_not_supported         1
`, `
error code                  sessions
(none)                             2
INVALID_CREDENTIALS                2
INSTITUTION_NOT_RESPONDING         1
ITEM_LOCKED                        1
`, `
institution                       sessions  handoffs
First Platypus Bank (ins_109508)         5         3
Tartan Bank (ins_109511)                 4         2
Houndstooth Bank (ins_109512)            3         1
`} {
		assert.Contains(t, text, want)
	}
	assert.True(t, strings.HasSuffix(text, "\nwrote "+svgPath+"\n"), text)

	body, err := os.ReadFile(svgPath)
	require.NoError(t, err)
	var svg struct {
		XMLName xml.Name
		Width   string `xml:"width,attr"`
		Rects   []struct {
			Class string `xml:"class,attr"`
			Width string `xml:"width,attr"`
		} `xml:"rect"`
		Texts []string `xml:"text"`
	}
	require.NoError(t, xml.Unmarshal(body, &svg))
	assert.Equal(t, "svg", svg.XMLName.Local)
	assert.Equal(t, "http://www.w3.org/2000/svg", svg.XMLName.Space)
	var widths []float64
	for _, r := range svg.Rects {
		if r.Class == "step" {
			w, err := strconv.ParseFloat(r.Width, 64)
			require.NoError(t, err)
			widths = append(widths, w)
		}
	}
	require.Len(t, widths, 6)
	for i, n := range []float64{12, 12, 12, 10, 6, 6} {
		assert.InDelta(t, widths[0]*n/12, widths[i], 0.01, "bar %d", i)
	}
	for _, want := range []string{"SUBMIT_CREDENTIALS", "−16.7%", "−40.0%", "50.0% of opened", "skipped by 5", "skipped by 3",
		"INVALID_CREDENTIALS", "ITEM_LOCKED", "requires_credentials", "5 (83.3%)"} {
		assert.Contains(t, svg.Texts, want)
	}
}

func TestRunNeedsAWritableSVGPath(t *testing.T) {
	var out bytes.Buffer
	require.EqualError(t, run(testContext(t), &out, ""), "no path for the SVG chart (-out)")

	missing := filepath.Join(t.TempDir(), "no-such-dir", "funnel.svg")
	err := run(testContext(t), &out, missing)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "write the chart")
	assert.Contains(t, err.Error(), "no-such-dir")
}
