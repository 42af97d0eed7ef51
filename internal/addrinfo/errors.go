package addrinfo

import "nbwg/kernel/sys"

// getaddrinfo's error codes (<netdb.h>).
const (
	EAI_ADDRFAMILY = 1
	EAI_AGAIN      = 2
	EAI_BADFLAGS   = 3
	EAI_FAIL       = 4
	EAI_FAMILY     = 5
	EAI_MEMORY     = 6
	EAI_NODATA     = 7
	EAI_NONAME     = 8
	EAI_SERVICE    = 9
	EAI_SOCKTYPE   = 10
	EAI_SYSTEM     = 11
	EAI_BADHINTS   = 12
	EAI_PROTOCOL   = 13
	EAI_OVERFLOW   = 14
	EAI_MAX        = 15
)

// errlist holds gai_strerror(3)'s messages, indexed by code, as
// getaddrinfo.c 1.123 (NetBSD 10) words them.
var errlist = [...]string{
	"Success",
	"Address family for hostname not supported",
	"Temporary failure in name resolution",
	"Invalid value for ai_flags",
	"Non-recoverable failure in name resolution",
	"ai_family not supported",
	"Memory allocation failure",
	"No address associated with hostname",
	"hostname or servname not provided or not known",
	"servname not supported for ai_socktype",
	"ai_socktype not supported",
	"System error returned in errno",
	"Invalid value for hints",
	"Resolved protocol is unknown",
	"Argument buffer overflow",
	"Unknown error",
}

// Strerror is gai_strerror(3): the message of an EAI_* code, "Unknown
// error" for anything outside the table.  Callers that pass it an errno
// value instead (as wgconfig does) get whatever message shares the
// number.
func Strerror(code int) string {
	if code < 0 || code > EAI_MAX {
		code = EAI_MAX
	}
	return errlist[code]
}

// Error is a failed getaddrinfo: its result code, and the errno value it
// left behind (some callers print that instead).
type Error struct {
	Code  int       // EAI_*
	Errno sys.Errno // errno after the call
}

func (e *Error) Error() string { return "getaddrinfo: " + Strerror(e.Code) }
