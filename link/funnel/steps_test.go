package funnel

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
)

// linkEventNames reads the EventName constants link declares, so that a name added there without
// a bit here fails this test rather than being counted as OTHER, "not documented".
func linkEventNames(t *testing.T) []link.EventName {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "../enums.go", nil, 0)
	require.NoError(t, err)
	var names []link.EventName
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "EventName" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				require.True(t, ok, "EventName constant that is not a string literal")
				s, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				names = append(names, link.EventName(s))
			}
		}
	}
	return names
}

func TestEveryDocumentedEventHasABit(t *testing.T) {
	names := linkEventNames(t)
	require.Greater(t, len(names), 30, "EventName constants found in link/enums.go")
	assert.ElementsMatch(t, names, knownEvents)
	assert.Less(t, len(knownEvents), otherBit, "a bit per documented name, and one for the others")
}

func TestStepEventsAreDocumented(t *testing.T) {
	for _, d := range stepDefs {
		for _, n := range append([]link.EventName{d.name}, d.via...) {
			_, ok := eventBits[n]
			assert.True(t, ok, "%s marks step %s but has no bit of its own: every unknown name would mark it", n, d.name)
		}
	}
}
