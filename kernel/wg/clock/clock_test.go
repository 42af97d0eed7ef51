package clock

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFakeFiresInOrder(t *testing.T) {
	c := NewFake(time.Unix(1000, 0))
	var got []string
	c.AfterFunc(3*time.Second, func() { got = append(got, "3s") })
	a := c.AfterFunc(1*time.Second, func() {
		got = append(got, "1s")
		// A timer set from a timer fires within the same Advance.
		c.AfterFunc(time.Second, func() { got = append(got, "1s+1s at "+c.Now().Format("05")) })
	})
	stopped := c.AfterFunc(2*time.Second, func() { got = append(got, "stopped") })
	stopped.Stop()
	c.Advance(2500 * time.Millisecond)
	if diff := cmp.Diff([]string{"1s", "1s+1s at 42"}, got); diff != "" {
		t.Errorf("after 2.5s (-want +got):\n%s", diff)
	}
	if a.Stop() {
		t.Error("fired timer still pending")
	}
	a.Reset(time.Second) // rearm: due at 3.5s
	c.Advance(time.Second)
	if diff := cmp.Diff([]string{"1s", "1s+1s at 42", "3s", "1s"}, got[:4]); diff != "" {
		t.Errorf("after 3.5s (-want +got):\n%s", diff)
	}
	if c.Pending() != 1 { // the rearmed timer's own child
		t.Errorf("%d pending", c.Pending())
	}
	if !c.Now().Equal(time.Unix(1003, 500_000_000)) {
		t.Errorf("now = %v", c.Now())
	}
}

// TestFakeStopReset: a timer stopped and re-armed before the clock moves
// is one pending timer, and fires once.
func TestFakeStopReset(t *testing.T) {
	c := NewFake(time.Unix(1000, 0))
	fired := 0
	tm := c.AfterFunc(time.Second, func() { fired++ })
	for range 3 {
		tm.Stop()
		tm.Reset(2 * time.Second)
	}
	if n := c.Pending(); n != 1 {
		t.Errorf("%d timers pending, want 1", n)
	}
	c.Advance(time.Second)
	if fired != 0 {
		t.Fatalf("fired at its first deadline after Reset")
	}
	c.Advance(time.Second)
	if fired != 1 || c.Pending() != 0 {
		t.Errorf("fired %d times, %d pending; want 1, 0", fired, c.Pending())
	}
}
