package state

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
)

// TestEnumValuesCoverLink holds enumValues to package link's source: every enum type a request
// carries is in the table, each with every value link declares for it, so that the fake does not
// refuse a value Plaid accepts.
func TestEnumValuesCoverLink(t *testing.T) {
	declared := map[string][]string{} // type name -> values, from link's const declarations
	fset := token.NewFileSet()
	for _, file := range []string{"../../../enums_types.go", "../../../enums.go"} {
		f, err := parser.ParseFile(fset, file, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok || len(vs.Values) != 1 {
					continue
				}
				lit, ok := vs.Values[0].(*ast.BasicLit)
				if !ok {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				declared[id.Name] = append(declared[id.Name], v)
			}
		}
	}

	// Every enum-typed field of the requests the fake decodes.
	used := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	seen := map[reflect.Type]bool{}
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		case reflect.String:
			if _, ok := declared[t.Name()]; ok && t.PkgPath() == reflect.TypeOf(link.Product("")).PkgPath() {
				used[t] = true
			}
		}
	}
	walk(reflect.TypeOf(link.TokenCreateRequest{}))
	walk(reflect.TypeOf(link.SandboxPublicTokenCreateRequest{}))
	walk(reflect.TypeOf(link.SessionTokenCreateRequest{}))
	require.NotEmpty(t, used)
	assert.Len(t, enumValues, len(used), "the table holds exactly the enums the requests carry")

	for typ := range used {
		assert.ElementsMatch(t, declared[typ.Name()], enumValues[typ], "%s", typ.Name())
	}
	assert.Contains(t, enumValues[reflect.TypeOf(link.AppearanceMode(""))], "SYSTEM")
}
