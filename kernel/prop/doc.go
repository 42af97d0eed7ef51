// Package prop reads and writes NetBSD proplib XML property lists the way
// NetBSD's libprop does (common/lib/libprop), so that the emulated kernel
// and the front ends exchange byte-for-byte the documents that if_wg(4) and
// wgconfig(8) exchange on NetBSD.
//
// Only what wg(4) needs is modelled: a property list whose root is a
// dictionary, holding dictionaries, arrays, strings, data, booleans and
// 64-bit numbers that remember whether they are signed or unsigned.
//
// # Externalized form (prop_extern.c, prop_dictionary.c, prop_number.c ...)
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
//	<plist version="1.0">
//	<dict>
//		<key>listen_port</key>
//		<integer>0xca6c</integer>
//	</dict>
//	</plist>
//
// Each nesting level is one tab; a key and its value sit on lines of their
// own at the same depth; dictionary keys come out sorted bytewise (strcmp);
// unsigned numbers are written as lower-case hex with "0x", signed numbers
// in decimal; data is one line of padded base64; empty containers, strings
// and data are written as empty elements (<dict/>, <array/>, <string/>,
// <data/>); only '<', '>' and '&' are escaped.  The document ends with
// "</plist>\n"; libprop adds a NUL, Externalize does not.
//
// # Internalizing
//
// Internalize follows libprop's hand-written parser, quirks included (see
// parser.go): it is not a general XML parser.  It is fed bytes from
// untrusted callers, so it bounds the input size (MaxInternalizeSize) and
// the nesting depth (MaxDepth), which libprop does not, and it returns an
// error instead of NULL.  Numbers follow the kernel's strtoll/strtoull,
// which fail on overflow rather than setting ERANGE.
//
// Values are not safe for concurrent use; callers serialize access.
package prop
