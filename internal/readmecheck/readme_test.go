package readmecheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

func TestReadmeSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)

	var programs []string
	for _, m := range goBlock.FindAllStringSubmatch(string(readme), -1) {
		if strings.HasPrefix(strings.TrimSpace(m[1]), "package main") {
			programs = append(programs, m[1])
		}
	}
	require.NotEmpty(t, programs, "the README shows at least one whole program")

	// Inside the module (so its packages resolve with no replace directive) but under testdata,
	// which ./... patterns skip.
	dir, err := os.MkdirTemp("testdata", "snippets-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })

	var pkgs []string
	for i, src := range programs {
		pkg := filepath.Join(dir, fmt.Sprintf("snippet%d", i+1))
		require.NoError(t, os.MkdirAll(pkg, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(pkg, "main.go"), []byte(src), 0o644))
		pkgs = append(pkgs, "./"+filepath.ToSlash(pkg))
	}
	cmd := exec.Command("go", append([]string{"vet"}, pkgs...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "README snippets do not compile or vet:\n%s", out)
}
