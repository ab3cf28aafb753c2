package ids

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIDShapes(t *testing.T) {
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, UUID())
	assert.Regexp(t, `^[A-Za-z0-9]{15}$`, RequestID())
	assert.Regexp(t, `^[A-Za-z0-9]{37}$`, ItemID())
	assert.NotEqual(t, UUID(), UUID())
}
