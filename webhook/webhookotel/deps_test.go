package webhookotel_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/plaidlink/plaidlink-go"

// otelPackages are the only library packages of the module that import OpenTelemetry.
var otelPackages = map[string]bool{module + "/link/linkotel": true, module + "/webhook/webhookotel": true}

// apiModules are the modules whose packages otelPackages may depend on: OpenTelemetry's API
// (otel, trace, metric), and auto/sdk, which the otel module itself requires for its global
// tracer provider. Never the SDK or an exporter.
var apiModules = map[string]bool{
	"go.opentelemetry.io/otel": true, "go.opentelemetry.io/otel/trace": true,
	"go.opentelemetry.io/otel/metric": true, "go.opentelemetry.io/auto/sdk": true,
}

// goList runs go list with args at the module's root and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	require.NoError(t, err, "the go command, for go list")
	cmd := exec.Command(goCmd, append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("go list %v: %v\n%s", args, err, ee.Stderr)
	}
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestLinkAndWebhookDoNotImportOpenTelemetry checks that a program using link and webhook, and
// not the otel packages, builds no OpenTelemetry package in.
func TestLinkAndWebhookDoNotImportOpenTelemetry(t *testing.T) {
	deps := goList(t, "-deps", "./link", "./webhook")
	require.Greater(t, len(deps), 50, "go list listed the dependencies")
	assert.Contains(t, deps, module+"/link")
	for _, p := range deps {
		assert.False(t, strings.HasPrefix(p, "go.opentelemetry.io/"), "link and webhook depend on %s", p)
	}
}

// TestOnlyTheOtelPackagesImportOpenTelemetry checks that no other library package of the module
// imports OpenTelemetry (programs, the examples and commands, may use the SDK and exporters), and
// that the otel packages depend on its API alone.
func TestOnlyTheOtelPackagesImportOpenTelemetry(t *testing.T) {
	found := 0
	for _, line := range goList(t, "-f", "{{.ImportPath}} {{.Name}} {{join .Imports \" \"}}", "./...") {
		fields := strings.Fields(line)
		require.GreaterOrEqual(t, len(fields), 2, line)
		path, name := fields[0], fields[1]
		if otelPackages[path] {
			found++
		}
		if name == "main" || otelPackages[path] {
			continue
		}
		for _, imp := range fields[2:] {
			assert.False(t, strings.HasPrefix(imp, "go.opentelemetry.io/"), "%s imports %s", path, imp)
		}
	}
	require.Positive(t, found, "the otel packages were listed")

	var pkgs []string
	for p := range otelPackages {
		pkgs = append(pkgs, p)
	}
	// -e: link/linkotel may not be in this checkout yet.
	lines := goList(t, append([]string{"-e", "-deps", "-f", "{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}"}, pkgs...)...)
	otel := 0
	for _, line := range lines {
		path, mod, _ := strings.Cut(line, " ")
		if !strings.HasPrefix(path, "go.opentelemetry.io/") {
			continue
		}
		otel++
		assert.True(t, apiModules[mod], "%s, of module %s, is not OpenTelemetry's API", path, mod)
		assert.False(t, strings.HasPrefix(path, "go.opentelemetry.io/otel/sdk") || strings.HasPrefix(path, "go.opentelemetry.io/otel/exporters"), path)
	}
	assert.Positive(t, otel, "the otel packages depend on OpenTelemetry")
}
