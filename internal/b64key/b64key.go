// Package b64key converts WireGuard keys to and from base64 exactly as
// NetBSD's wgconfig(8) and wg-keygen(8) do, through libc's b64_ntop(3)
// and b64_pton(3) (lib/libc/net/base64.c).
//
// b64_pton is more lenient than encoding/base64 in some ways (white space
// is skipped anywhere, the text ends at a NUL) and stricter in others (the
// bits past the last whole byte must be zero, nothing but white space may
// follow the padding), and it stops with an error as soon as the output
// would not fit the target.  Decode reproduces those rules so that a key
// file NetBSD accepts is accepted here and one it refuses is refused.
package b64key

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"

	"nbwg/internal/ctype"
)

// Lengths of a WireGuard key (Curve25519 key or preshared key) and of its
// base64 text with padding (wgconfig.c, wg-keygen.c: KEY_LEN,
// KEY_BASE64_LEN).
const (
	KeyLen    = 32
	Base64Len = 44
)

// ErrSyntax is b64_pton's only failure: -1, whatever the reason.
var ErrSyntax = errors.New("b64_pton failed")

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// AppendEncode appends the padded base64 text of src to dst
// (b64_ntop(3)).  It appends rather than returning a string so that the
// text of a secret lives in a buffer the caller can clear afterwards,
// which a Go string is not.
func AppendEncode(dst, src []byte) []byte {
	return base64.StdEncoding.AppendEncode(dst, src)
}

// Decode is b64_pton(src, dst, len(dst)): it decodes the base64 text src
// into dst and returns the number of bytes stored.  src ends at its first
// NUL byte, as a C string would.  White space is skipped anywhere.  The
// bytes of dst past the returned count may have been written.
//
// Like NetBSD's wgconfig and wg-keygen, callers decoding a key pass a
// 32-byte dst and ignore the count: a shorter key leaves the rest of dst
// as it was (NetBSD leaves stack garbage there; nbwg callers zero dst).
//
// src is a byte slice, not a string, so that a caller decoding a secret
// can clear the text afterwards.
func Decode(dst, src []byte) (int, error) {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		src = src[:i]
	}
	n := 0     // tarindex: bytes completed or being completed
	state := 0 // base64 characters seen in the current quantum
	i := 0
	sawPad := false
	for ; i < len(src); i++ {
		c := src[i]
		if ctype.IsSpace(c) {
			continue
		}
		if c == '=' {
			sawPad = true
			break
		}
		v := strings.IndexByte(alphabet, c)
		if v < 0 {
			return 0, ErrSyntax
		}
		if n >= len(dst) {
			return 0, ErrSyntax
		}
		switch state {
		case 0:
			dst[n] = byte(v << 2)
		case 1, 2:
			var next byte
			if state == 1 {
				dst[n] |= byte(v >> 4)
				next = byte(v&0x0f) << 4
			} else {
				dst[n] |= byte(v >> 2)
				next = byte(v&0x03) << 6
			}
			// The leftover bits go to the next byte if there is
			// room for it; if there is not, they must be zero.
			if n+1 < len(dst) {
				dst[n+1] = next
			} else if next != 0 {
				return 0, ErrSyntax
			}
			n++
		case 3:
			dst[n] |= byte(v)
			n++
		}
		state = (state + 1) % 4
	}
	if !sawPad {
		// The text ended: it must end on a quantum boundary.
		if state != 0 {
			return 0, ErrSyntax
		}
		return n, nil
	}
	i++ // past the first '='
	switch state {
	case 0, 1:
		// Padding cannot come first or second in a quantum.
		return 0, ErrSyntax
	case 2:
		// One byte of information: a second '=' must follow,
		// possibly after white space.
		for i < len(src) && ctype.IsSpace(src[i]) {
			i++
		}
		if i >= len(src) || src[i] != '=' {
			return 0, ErrSyntax
		}
		i++
	}
	// Nothing but white space may follow the padding.
	for ; i < len(src); i++ {
		if !ctype.IsSpace(src[i]) {
			return 0, ErrSyntax
		}
	}
	// The bits that slopped past the last whole byte must be zero,
	// lest they become a subliminal channel.
	if n < len(dst) && dst[n] != 0 {
		return 0, ErrSyntax
	}
	return n, nil
}
