package linkotel_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLinkDoesNotImportOpenTelemetry: OpenTelemetry is linkotel's dependency, not link's, and
// linkotel itself uses its API alone.
func TestLinkDoesNotImportOpenTelemetry(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/plaidlink/plaidlink-go/link").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.NotContains(t, string(out), "go.opentelemetry.io")

	out, err = exec.Command("go", "list", "-deps", "github.com/plaidlink/plaidlink-go/link/linkotel").CombinedOutput()
	require.NoError(t, err, string(out))
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "go.opentelemetry.io/") {
			assert.False(t, strings.HasPrefix(pkg, "go.opentelemetry.io/otel/sdk") ||
				strings.HasPrefix(pkg, "go.opentelemetry.io/otel/exporters"), "linkotel imports %s", pkg)
		}
	}
}
