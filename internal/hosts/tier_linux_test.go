//go:build linux

package hosts

import (
	"testing"
)

// TestShortMakesNothing: under -short (make test-unit) New refuses before
// it makes a namespace: the test that calls it is skipped.  Without
// -short the rule is not in play and there is nothing to check here.
func TestShortMakesNothing(t *testing.T) {
	if !testing.Short() {
		return
	}
	var inner *testing.T
	made := false
	t.Run("New", func(t *testing.T) {
		inner = t
		New(t, "X")
		made = true
	})
	if made || !inner.Skipped() {
		t.Errorf("under -short New went on (made: %v, skipped: %v)", made, inner.Skipped())
	}
}
