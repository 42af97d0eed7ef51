package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Bit names for snprintb(3), in bit order from bit 0.
var (
	// IFFBITS (<net/if.h>).
	iffBits = []string{"UP", "BROADCAST", "DEBUG", "LOOPBACK", "POINTOPOINT",
		"UNNUMBERED", "RUNNING", "NOARP", "PROMISC", "ALLMULTI", "OACTIVE",
		"SIMPLEX", "LINK0", "LINK1", "LINK2", "MULTICAST"}
	// IN_IFFBITS (<netinet/in_var.h>).
	inIffBits = []string{"TENTATIVE", "DUPLICATED", "DETACHED", "TRYTENTATIVE"}
	// IN6_IFFBITS (<netinet6/in6_var.h>).
	in6IffBits = []string{"ANYCAST", "TENTATIVE", "DUPLICATED", "DETACHED",
		"DEPRECATED", "NODAD", "AUTOCONF", "TEMPORARY"}
)

// snprintb is snprintb(3) with an old-style hexadecimal format: the value
// as "%#x" ("0" for zero), then the names of its set bits in angle
// brackets, if any is set.
func snprintb(v uint64, names []string) string {
	var b strings.Builder
	if v == 0 {
		b.WriteString("0")
	} else {
		fmt.Fprintf(&b, "%#x", v)
	}
	sep := "<"
	for i, n := range names {
		if v&(1<<i) != 0 {
			b.WriteString(sep)
			b.WriteString(n)
			sep = ","
		}
	}
	if sep == "," {
		b.WriteString(">")
	}
	return b.String()
}

// plural is ifconfig.c's print_plural: "<prefix><n> <unit>", with an "s"
// unless n is 1.
func plural(prefix string, n uint64, unit string) string {
	s := "s"
	if n == 1 {
		s = ""
	}
	return fmt.Sprintf("%s%d %s%s", prefix, n, unit, s)
}

// humanizeBytes is ifconfig.c's print_human_bytes with -h:
// humanize_number(3) into 5 bytes, autoscaled by 1024, no space, one
// decimal below 10; "byte" is singular when the number reads as 1.
func humanizeBytes(n uint64) string {
	s := humanizeNumber(int64(n), 5)
	unit := "bytes"
	if f, err := strconv.ParseFloat(strings.TrimRight(s, "KMGTPE"), 64); err == nil && f == 1.0 {
		unit = "byte"
	}
	return ", " + s + " " + unit
}

// humanizeNumber is humanize_number(3) with suffix "", HN_AUTOSCALE and
// HN_NOSPACE|HN_DECIMAL, for a buffer of length bytes (NUL included).
func humanizeNumber(n int64, length int) string {
	const prefixes = "\x00KMGTPE"
	const maxscale = 7
	sign := int64(1)
	baselen := 2 // digit, prefix
	post := int64(1)
	if n < 0 {
		sign = -1
		baselen = 3
		if -n < maxInt64/100 {
			n *= -100
		} else {
			n = -n
			post = 100
			baselen += 2
		}
	} else if n < maxInt64/100 {
		n *= 100
	} else {
		post = 100
		baselen += 2
	}
	if length < baselen+1 {
		return ""
	}
	max := int64(100)
	for i := length - baselen; i > 0; i-- {
		max *= 10
	}
	i := 0
	for ; n >= max-50 && i < maxscale; i++ {
		n /= 1024
	}
	prefix := ""
	if i > 0 {
		prefix = prefixes[i : i+1]
	}
	if i == 0 {
		if post == 1 {
			n /= 100
		}
		return fmt.Sprintf("%d%s", sign*n, prefix)
	}
	n *= post
	if n < 995 {
		b := (n + 5) / 10
		return fmt.Sprintf("%d.%d%s", sign*(b/10), b%10, prefix)
	}
	return fmt.Sprintf("%d%s", sign*((n+50)/100), prefix)
}
