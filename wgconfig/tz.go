package main

import (
	"encoding/binary"
	"os"
	"strings"
	"time"
)

// The zone ctime(3) prints in, as NetBSD's tzset(3) (localtime.c,
// zoneinit) reads TZ: unset, the system's /etc/localtime; empty, UTC;
// otherwise a zone file (TZ's value after an optional ':', under
// /usr/share/zoneinfo unless absolute) and, failing that and when the
// value has no ':', a POSIX TZ rule, "std offset [dst [offset]
// [,start[/time],end[/time]]]" such as "JST-9" or
// "CET-1CEST,M3.5.0,M10.5.0/3".  Anything else is UTC.
//
// Go's time.Local follows the same order but falls back to UTC for a
// POSIX rule.  Its parser for those rules is the one it applies to the
// footer of a TZif file (RFC 8536 section 3.3), which the standard
// library only reaches through LoadLocationFromTZData; posixZone gives it
// the rule in a file of its own.

// ctimeZone is the zone of TZ (set says whether TZ is in the
// environment), or nil for the system's own (time.Local).
func ctimeZone(tz string, set bool) *time.Location {
	if !set {
		return nil
	}
	if tz == "" {
		return time.UTC
	}
	name := strings.TrimPrefix(tz, ":")
	var loc *time.Location
	var err error
	switch {
	case strings.HasPrefix(name, "/"):
		var data []byte
		if data, err = os.ReadFile(name); err == nil {
			loc, err = time.LoadLocationFromTZData(name, data)
		}
	case name == "":
		return time.UTC
	default:
		loc, err = time.LoadLocation(name)
	}
	if err == nil {
		return loc
	}
	if tz[0] != ':' {
		if loc := posixZone(tz); loc != nil {
			return loc
		}
	}
	return time.UTC
}

// posixZone is the zone a POSIX TZ rule describes.  Where the rule does
// not parse, times are UTC, as tzcode's gmtload makes them.
func posixZone(rule string) *time.Location {
	// No transitions and one zone, UTC, which Go uses only where the
	// rule fails; the footer carries the rule.
	if strings.ContainsAny(rule, "\n\x00") {
		return nil
	}
	header := func(nzone, nchar int) []byte {
		h := make([]byte, 0, 44)
		h = append(h, "TZif2"...)
		h = append(h, make([]byte, 15)...)
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []int{0, 0, 0, 0, nzone, nchar} {
			h = binary.BigEndian.AppendUint32(h, uint32(n))
		}
		return h
	}
	// The version 1 part, empty, then the 64-bit one.
	data := header(0, 0)
	data = append(data, header(1, 4)...)
	data = append(data, 0, 0, 0, 0, 0, 0) // utoff 0, not DST, name at 0
	data = append(data, "UTC\x00"...)
	data = append(data, '\n')
	data = append(data, rule...)
	data = append(data, '\n')
	loc, err := time.LoadLocationFromTZData(rule, data)
	if err != nil {
		return nil
	}
	return loc
}
