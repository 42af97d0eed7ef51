package main

import (
	"encoding/binary"
	"os"
	"strconv"
	"time"

	"nbwg/internal/b64key"
	"nbwg/internal/inet"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// timeLocation is the zone ctime(3) prints in: the one TZ names (tz.go),
// else the system's.  Tests pin it.
var timeLocation = func() *time.Location {
	tz, set := os.LookupEnv("TZ")
	if loc := ctimeZone(tz, set); loc != nil {
		return loc
	}
	return time.Local
}()

// ctime is ctime(3): "Wed Nov 25 14:37:20 2026\n", the day of the month
// padded with a space.
func ctime(sec int64) string {
	return time.Unix(sec, 0).In(timeLocation).Format("Mon Jan _2 15:04:05 2006") + "\n"
}

// appendKey appends a key's base64 text as wgconfig.c's format_key does:
// "(none)" when the dictionary has no such key, an error when the object
// is not 32 bytes of data.  It appends into the caller's buffer rather
// than returning a string so that a secret can be cleared.
func appendKey(dst []byte, o prop.Object, present bool) ([]byte, error) {
	if !present {
		return append(dst, "(none)"...), nil
	}
	key, ok := o.(prop.Data)
	if !ok {
		return dst, errx("invalid key")
	}
	if len(key) != b64key.KeyLen {
		return dst, errx("invalid key len: %d", len(key))
	}
	return b64key.AppendEncode(dst, key), nil
}

// inet6AddrStrLen is INET6_ADDRSTRLEN, the size of the buffer
// wgconfig.c's format_endpoint prints into (NUL included).
const inet6AddrStrLen = 46

// formatEndpoint prints a peer's endpoint, the raw struct sockaddr the
// kernel returns, with sockaddr_snprintf(3)'s "%a:%p": the numeric
// address as getnameinfo(3) gives it (IPv6 without brackets, a non-zero
// scope id after '%', a link-local one as an interface name), a colon,
// the port.  An AF_UNSPEC address prints nothing; the text is cut to fit
// NetBSD's buffer.
func formatEndpoint(o prop.Object) (string, error) {
	b, err := appendEndpoint(nil, o)
	return string(b), err
}

// appendEndpoint appends formatEndpoint's text to dst.
func appendEndpoint(dst []byte, o prop.Object) ([]byte, error) {
	data, ok := o.(prop.Data)
	if !ok {
		return dst, errx("invalid endpoint")
	}
	// NetBSD copies the data into a struct sockaddr_storage.
	var ss [sys.SizeofSockaddrStorage]byte
	copy(ss[:], data)
	saLen, family := ss[0], ss[1]
	start := len(dst)
	var port uint16
	switch family {
	case 0: // AF_UNSPEC
		return dst, nil
	case sys.AF_INET:
		// getnameinfo(3) insists on the right sa_len.
		if saLen != sys.SizeofSockaddrIn {
			return dst, errc(sys.Errno(0), "sockaddr_snprintf failed")
		}
		port = binary.BigEndian.Uint16(ss[2:])
		dst = inet.AppendNtop4(dst, [4]byte(ss[4:8]))
	case sys.AF_INET6:
		if saLen != sys.SizeofSockaddrIn6 {
			return dst, errc(sys.Errno(0), "sockaddr_snprintf failed")
		}
		port = binary.BigEndian.Uint16(ss[2:])
		// A link-local scope is named after its interface when
		// the index names one, as the kernel's sockets see them.
		dst = append(dst, resolver.NumericHost6([16]byte(ss[8:24]), binary.LittleEndian.Uint32(ss[24:]))...)
	default:
		return dst, errc(sys.EAFNOSUPPORT, "sockaddr_snprintf failed")
	}
	dst = strconv.AppendUint(append(dst, ':'), uint64(port), 10)
	if len(dst)-start > inet6AddrStrLen-1 {
		dst = dst[:start+inet6AddrStrLen-1]
	}
	return dst, nil
}
