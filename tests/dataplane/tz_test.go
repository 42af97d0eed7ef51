//go:build linux

package dataplane

import (
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// handshakeWallTime is the latest-handshake line of `wgconfig wg0 show peer
// peer0` run with TZ=tz, parsed as a wall time.
func handshakeWallTime(t *testing.T, h *hosts.Host, tz string) time.Time {
	t.Helper()
	out := h.MustRun(t, "TZ='"+tz+"' wgconfig wg0 show peer peer0")
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "latest-handshake: "); ok {
			w, err := time.Parse("Mon Jan _2 15:04:05 2006", v)
			if err != nil {
				t.Fatalf("TZ=%s: latest-handshake %q: %v", tz, v, err)
			}
			return w
		}
	}
	t.Fatalf("TZ=%s: no latest-handshake in\n%s", tz, out)
	return time.Time{}
}

// latest-handshake is printed by ctime(3), which honours a POSIX TZ rule
// (issue 12.4): TZ=JST-9 is nine hours ahead of UTC, and a rule with
// southern-hemisphere summer time is applied by its date.
func TestLatestHandshakeTZ(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	pingable(t, p.local, "10.0.0.2")
	utc := handshakeWallTime(t, p.local, "UTC")
	if got := handshakeWallTime(t, p.local, "JST-9").Sub(utc); got != 9*time.Hour {
		t.Errorf("TZ=JST-9 is %v from TZ=UTC, want 9h", got)
	}
	// New Zealand's summer time runs from the last Sunday of September
	// to the first Sunday of April: the rule decides within those
	// months, the month alone outside them.
	got := handshakeWallTime(t, p.local, "NZST-12NZDT,M9.5.0,M4.1.0/3").Sub(utc)
	switch m := utc.Month(); {
	case m >= time.October || m <= time.March:
		if got != 13*time.Hour {
			t.Errorf("TZ=NZST-12NZDT,... in %v is %v from UTC, want 13h", m, got)
		}
	case m >= time.May && m <= time.August:
		if got != 12*time.Hour {
			t.Errorf("TZ=NZST-12NZDT,... in %v is %v from UTC, want 12h", m, got)
		}
	default:
		if got != 12*time.Hour && got != 13*time.Hour {
			t.Errorf("TZ=NZST-12NZDT,... in %v is %v from UTC, want 12h or 13h", m, got)
		}
	}
	if got := handshakeWallTime(t, p.local, ":JST-9").Sub(utc); got != 0 {
		t.Errorf("TZ=:JST-9 (a file name, none such) is %v from UTC, want 0", got)
	}
}
