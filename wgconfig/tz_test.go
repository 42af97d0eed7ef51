package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ctimeIn is ctime(3) in the zone TZ=tz gives (set false: TZ unset).
func ctimeIn(sec int64, tz string, set bool) string {
	loc := ctimeZone(tz, set)
	if loc == nil {
		loc = time.Local
	}
	return time.Unix(sec, 0).In(loc).Format("Mon Jan _2 15:04:05 2006")
}

// Two instants: 2026-11-25 14:37:20 UTC (northern winter) and 2026-07-01
// 12:00:00 UTC (northern summer).
const (
	november = 1795617440
	july     = 1782907200
)

// TZ as tzcode's zoneinit (NetBSD's localtime.c) reads it: a zone file
// first, then, unless the value starts with ':', a POSIX rule; the
// empty value and anything unusable are UTC.
func TestCtimeZone(t *testing.T) {
	tests := []struct {
		tz        string
		nov, july string
	}{
		{"", "Wed Nov 25 14:37:20 2026", "Wed Jul  1 12:00:00 2026"},
		{"JST-9", "Wed Nov 25 23:37:20 2026", "Wed Jul  1 21:00:00 2026"},
		{"UTC0", "Wed Nov 25 14:37:20 2026", "Wed Jul  1 12:00:00 2026"},
		// DST without a rule: the US rules of tzcode's
		// TZDEFRULESTRING, ",M3.2.0,M11.1.0".
		{"FOO5BAR", "Wed Nov 25 09:37:20 2026", "Wed Jul  1 08:00:00 2026"},
		{"CET-1CEST,M3.5.0,M10.5.0/3", "Wed Nov 25 15:37:20 2026", "Wed Jul  1 14:00:00 2026"},
		{"<+0330>-3:30", "Wed Nov 25 18:07:20 2026", "Wed Jul  1 15:30:00 2026"},
		// Southern hemisphere: summer time in November, across the
		// date line.
		{"NZST-12NZDT,M9.5.0,M4.1.0/3", "Thu Nov 26 03:37:20 2026", "Thu Jul  2 00:00:00 2026"},
		// Not a rule: no offset.
		{"ABC", "Wed Nov 25 14:37:20 2026", "Wed Jul  1 12:00:00 2026"},
		{"JST-9\nx", "Wed Nov 25 14:37:20 2026", "Wed Jul  1 12:00:00 2026"},
		// A ':' names a file only: no rule is read.
		{":JST-9", "Wed Nov 25 14:37:20 2026", "Wed Jul  1 12:00:00 2026"},
		{":", "Wed Nov 25 14:37:20 2026", "Wed Jul  1 12:00:00 2026"},
	}
	for _, tt := range tests {
		if got := ctimeIn(november, tt.tz, true); got != tt.nov {
			t.Errorf("TZ=%q: ctime(%d) = %q, want %q", tt.tz, november, got, tt.nov)
		}
		if got := ctimeIn(july, tt.tz, true); got != tt.july {
			t.Errorf("TZ=%q: ctime(%d) = %q, want %q", tt.tz, july, got, tt.july)
		}
	}
	if ctimeZone("", false) != nil {
		t.Error("TZ unset: want the system's zone")
	}
}

// Zone files, by name, with ':' and by path, when the system has them.
func TestCtimeZoneFiles(t *testing.T) {
	const path = "/usr/share/zoneinfo/Asia/Tokyo"
	if _, err := os.Stat(path); err != nil {
		t.Skip("no zone files:", err)
	}
	for _, tz := range []string{"Asia/Tokyo", ":Asia/Tokyo", path, ":" + path} {
		if got, want := ctimeIn(november, tz, true), "Wed Nov 25 23:37:20 2026"; got != want {
			t.Errorf("TZ=%q: %q, want %q", tz, got, want)
		}
	}
	if got, want := ctimeIn(november, "Nowhere/Atlantis", true), "Wed Nov 25 14:37:20 2026"; got != want {
		t.Errorf("TZ of a missing file: %q, want UTC's %q", got, want)
	}
}

// The same rules through the C library's own reading of TZ (glibc
// follows POSIX as tzcode does, except that it also reads a rule after
// ':'), as date(1) prints ctime's fields.
func TestCtimeZoneMatchesLibc(t *testing.T) {
	date, err := exec.LookPath("date")
	if err != nil {
		t.Skip("no date(1)")
	}
	for _, tz := range []string{"JST-9", "FOO5BAR", "CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30",
		"NZST-12NZDT,M9.5.0,M4.1.0/3", "EST5EDT4,J60/2,J300/2", "XYZ+3:15", "AAA-14"} {
		for _, sec := range []int64{november, july, 0, 1772953199, 1772953200} {
			cmd := exec.Command(date, "-d", "@"+itoa(sec), "+%a %b %e %H:%M:%S %Y")
			cmd.Env = []string{"TZ=" + tz, "LC_ALL=C"}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("TZ=%s date: %v", tz, err)
			}
			if got, want := ctimeIn(sec, tz, true), strings.TrimSpace(string(out)); got != want {
				t.Errorf("TZ=%q at %d: %q, date(1) says %q", tz, sec, got, want)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
