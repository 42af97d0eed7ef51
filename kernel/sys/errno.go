package sys

import (
	"errors"
	"strconv"
	"syscall"
)

// Errno is an error number as NetBSD defines it (<sys/errno.h>).  The
// numbers differ from Linux's above 34, and the messages differ from
// glibc's in places ("Device not configured" for ENXIO), so the emulated
// kernel speaks NetBSD numbers and the front ends print NetBSD's text.
type Errno uint32

// NetBSD errno values (<sys/errno.h>).
const (
	EPERM           Errno = 1
	ENOENT          Errno = 2
	ESRCH           Errno = 3
	EINTR           Errno = 4
	EIO             Errno = 5
	ENXIO           Errno = 6
	E2BIG           Errno = 7
	ENOEXEC         Errno = 8
	EBADF           Errno = 9
	ECHILD          Errno = 10
	EDEADLK         Errno = 11
	ENOMEM          Errno = 12
	EACCES          Errno = 13
	EFAULT          Errno = 14
	ENOTBLK         Errno = 15
	EBUSY           Errno = 16
	EEXIST          Errno = 17
	EXDEV           Errno = 18
	ENODEV          Errno = 19
	ENOTDIR         Errno = 20
	EISDIR          Errno = 21
	EINVAL          Errno = 22
	ENFILE          Errno = 23
	EMFILE          Errno = 24
	ENOTTY          Errno = 25
	ETXTBSY         Errno = 26
	EFBIG           Errno = 27
	ENOSPC          Errno = 28
	ESPIPE          Errno = 29
	EROFS           Errno = 30
	EMLINK          Errno = 31
	EPIPE           Errno = 32
	EDOM            Errno = 33
	ERANGE          Errno = 34
	EAGAIN          Errno = 35
	EINPROGRESS     Errno = 36
	EALREADY        Errno = 37
	ENOTSOCK        Errno = 38
	EDESTADDRREQ    Errno = 39
	EMSGSIZE        Errno = 40
	EPROTOTYPE      Errno = 41
	ENOPROTOOPT     Errno = 42
	EPROTONOSUPPORT Errno = 43
	ESOCKTNOSUPPORT Errno = 44
	EOPNOTSUPP      Errno = 45
	EPFNOSUPPORT    Errno = 46
	EAFNOSUPPORT    Errno = 47
	EADDRINUSE      Errno = 48
	EADDRNOTAVAIL   Errno = 49
	ENETDOWN        Errno = 50
	ENETUNREACH     Errno = 51
	ENETRESET       Errno = 52
	ECONNABORTED    Errno = 53
	ECONNRESET      Errno = 54
	ENOBUFS         Errno = 55
	EISCONN         Errno = 56
	ENOTCONN        Errno = 57
	ESHUTDOWN       Errno = 58
	ETOOMANYREFS    Errno = 59
	ETIMEDOUT       Errno = 60
	ECONNREFUSED    Errno = 61
	ELOOP           Errno = 62
	ENAMETOOLONG    Errno = 63
	EHOSTDOWN       Errno = 64
	EHOSTUNREACH    Errno = 65
	ENOTEMPTY       Errno = 66
	EPROCLIM        Errno = 67
	EUSERS          Errno = 68
	EDQUOT          Errno = 69
	ESTALE          Errno = 70
	EREMOTE         Errno = 71
	EBADRPC         Errno = 72
	ERPCMISMATCH    Errno = 73
	EPROGUNAVAIL    Errno = 74
	EPROGMISMATCH   Errno = 75
	EPROCUNAVAIL    Errno = 76
	ENOLCK          Errno = 77
	ENOSYS          Errno = 78
	EFTYPE          Errno = 79
	EAUTH           Errno = 80
	ENEEDAUTH       Errno = 81
	EIDRM           Errno = 82
	ENOMSG          Errno = 83
	EOVERFLOW       Errno = 84
	EILSEQ          Errno = 85
	ENOTSUP         Errno = 86
	ECANCELED       Errno = 87
	EBADMSG         Errno = 88
	ENODATA         Errno = 89
	ENOSR           Errno = 90
	ENOSTR          Errno = 91
	ETIME           Errno = 92
	ENOATTR         Errno = 93
	EMULTIHOP       Errno = 94
	ENOLINK         Errno = 95
	EPROTO          Errno = 96
	EOWNERDEAD      Errno = 97
	ENOTRECOVERABLE Errno = 98
)

// errlist holds strerror(3)'s messages from NetBSD's libc.
var errlist = [...]string{
	0:               "Undefined error: 0",
	EPERM:           "Operation not permitted",
	ENOENT:          "No such file or directory",
	ESRCH:           "No such process",
	EINTR:           "Interrupted system call",
	EIO:             "Input/output error",
	ENXIO:           "Device not configured",
	E2BIG:           "Argument list too long",
	ENOEXEC:         "Exec format error",
	EBADF:           "Bad file descriptor",
	ECHILD:          "No child processes",
	EDEADLK:         "Resource deadlock avoided",
	ENOMEM:          "Cannot allocate memory",
	EACCES:          "Permission denied",
	EFAULT:          "Bad address",
	ENOTBLK:         "Block device required",
	EBUSY:           "Device busy",
	EEXIST:          "File exists",
	EXDEV:           "Cross-device link",
	ENODEV:          "Operation not supported by device",
	ENOTDIR:         "Not a directory",
	EISDIR:          "Is a directory",
	EINVAL:          "Invalid argument",
	ENFILE:          "Too many open files in system",
	EMFILE:          "Too many open files",
	ENOTTY:          "Inappropriate ioctl for device",
	ETXTBSY:         "Text file busy",
	EFBIG:           "File too large",
	ENOSPC:          "No space left on device",
	ESPIPE:          "Illegal seek",
	EROFS:           "Read-only file system",
	EMLINK:          "Too many links",
	EPIPE:           "Broken pipe",
	EDOM:            "Numerical argument out of domain",
	ERANGE:          "Result too large or too small",
	EAGAIN:          "Resource temporarily unavailable",
	EINPROGRESS:     "Operation now in progress",
	EALREADY:        "Operation already in progress",
	ENOTSOCK:        "Socket operation on non-socket",
	EDESTADDRREQ:    "Destination address required",
	EMSGSIZE:        "Message too long",
	EPROTOTYPE:      "Protocol wrong type for socket",
	ENOPROTOOPT:     "Protocol option not available",
	EPROTONOSUPPORT: "Protocol not supported",
	ESOCKTNOSUPPORT: "Socket type not supported",
	EOPNOTSUPP:      "Operation not supported",
	EPFNOSUPPORT:    "Protocol family not supported",
	EAFNOSUPPORT:    "Address family not supported by protocol family",
	EADDRINUSE:      "Address already in use",
	EADDRNOTAVAIL:   "Can't assign requested address",
	ENETDOWN:        "Network is down",
	ENETUNREACH:     "Network is unreachable",
	ENETRESET:       "Network dropped connection on reset",
	ECONNABORTED:    "Software caused connection abort",
	ECONNRESET:      "Connection reset by peer",
	ENOBUFS:         "No buffer space available",
	EISCONN:         "Socket is already connected",
	ENOTCONN:        "Socket is not connected",
	ESHUTDOWN:       "Can't send after socket shutdown",
	ETOOMANYREFS:    "Too many references: can't splice",
	ETIMEDOUT:       "Connection timed out",
	ECONNREFUSED:    "Connection refused",
	ELOOP:           "Too many levels of symbolic links",
	ENAMETOOLONG:    "File name too long",
	EHOSTDOWN:       "Host is down",
	EHOSTUNREACH:    "No route to host",
	ENOTEMPTY:       "Directory not empty",
	EPROCLIM:        "Too many processes",
	EUSERS:          "Too many users",
	EDQUOT:          "Disc quota exceeded",
	ESTALE:          "Stale NFS file handle",
	EREMOTE:         "Too many levels of remote in path",
	EBADRPC:         "RPC struct is bad",
	ERPCMISMATCH:    "RPC version wrong",
	EPROGUNAVAIL:    "RPC prog. not avail",
	EPROGMISMATCH:   "Program version wrong",
	EPROCUNAVAIL:    "Bad procedure for program",
	ENOLCK:          "No locks available",
	ENOSYS:          "Function not implemented",
	EFTYPE:          "Inappropriate file type or format",
	EAUTH:           "Authentication error",
	ENEEDAUTH:       "Need authenticator",
	EIDRM:           "Identifier removed",
	ENOMSG:          "No message of desired type",
	EOVERFLOW:       "Value too large to be stored in data type",
	EILSEQ:          "Illegal byte sequence",
	ENOTSUP:         "Not supported",
	ECANCELED:       "Operation canceled",
	EBADMSG:         "Bad or Corrupt message",
	ENODATA:         "No message available",
	ENOSR:           "No STREAM resources",
	ENOSTR:          "Not a STREAM",
	ETIME:           "STREAM ioctl timeout",
	ENOATTR:         "Attribute not found",
	EMULTIHOP:       "Multihop attempted",
	ENOLINK:         "Link has been severed",
	EPROTO:          "Protocol error",
	EOWNERDEAD:      "Previous owner died",
	ENOTRECOVERABLE: "State not recoverable",
}

// Error returns NetBSD's strerror(3) text for e.
func (e Errno) Error() string {
	if int(e) < len(errlist) && errlist[e] != "" {
		return errlist[e]
	}
	return "Unknown error: " + strconv.Itoa(int(e))
}

// hostErrnos maps the host's errno values (Linux's, when the emulated
// kernel runs there) to NetBSD's, for errors that come from host system
// calls such as bind(2) or netlink requests.
var hostErrnos = map[syscall.Errno]Errno{
	syscall.EPERM: EPERM, syscall.ENOENT: ENOENT, syscall.ESRCH: ESRCH,
	syscall.EINTR: EINTR, syscall.EIO: EIO, syscall.ENXIO: ENXIO,
	syscall.E2BIG: E2BIG, syscall.EBADF: EBADF, syscall.ENOMEM: ENOMEM,
	syscall.EACCES: EACCES, syscall.EFAULT: EFAULT, syscall.EBUSY: EBUSY,
	syscall.EEXIST: EEXIST, syscall.ENODEV: ENODEV, syscall.ENOTDIR: ENOTDIR,
	syscall.EISDIR: EISDIR, syscall.EINVAL: EINVAL, syscall.ENFILE: ENFILE,
	syscall.EMFILE: EMFILE, syscall.ENOTTY: ENOTTY, syscall.ENOSPC: ENOSPC,
	syscall.EROFS: EROFS, syscall.EPIPE: EPIPE, syscall.ERANGE: ERANGE,
	syscall.EAGAIN: EAGAIN, syscall.EINPROGRESS: EINPROGRESS,
	syscall.EALREADY: EALREADY, syscall.ENOTSOCK: ENOTSOCK,
	syscall.EDESTADDRREQ: EDESTADDRREQ, syscall.EMSGSIZE: EMSGSIZE,
	syscall.EPROTOTYPE: EPROTOTYPE, syscall.ENOPROTOOPT: ENOPROTOOPT,
	syscall.EPROTONOSUPPORT: EPROTONOSUPPORT, syscall.EOPNOTSUPP: EOPNOTSUPP,
	syscall.EPFNOSUPPORT: EPFNOSUPPORT, syscall.EAFNOSUPPORT: EAFNOSUPPORT,
	syscall.EADDRINUSE: EADDRINUSE, syscall.EADDRNOTAVAIL: EADDRNOTAVAIL,
	syscall.ENETDOWN: ENETDOWN, syscall.ENETUNREACH: ENETUNREACH,
	syscall.ECONNABORTED: ECONNABORTED, syscall.ECONNRESET: ECONNRESET,
	syscall.ENOBUFS: ENOBUFS, syscall.EISCONN: EISCONN,
	syscall.ENOTCONN: ENOTCONN, syscall.ETIMEDOUT: ETIMEDOUT,
	syscall.ECONNREFUSED: ECONNREFUSED, syscall.ELOOP: ELOOP,
	syscall.ENAMETOOLONG: ENAMETOOLONG, syscall.EHOSTDOWN: EHOSTDOWN,
	syscall.EHOSTUNREACH: EHOSTUNREACH, syscall.ENOTEMPTY: ENOTEMPTY,
	syscall.ENOSYS: ENOSYS,
}

// hostOf is hostErrnos the other way round.
var hostOf = func() map[Errno]syscall.Errno {
	m := make(map[Errno]syscall.Errno, len(hostErrnos))
	for h, e := range hostErrnos {
		m[e] = h
	}
	return m
}()

// Host returns the host's errno for e (Linux's number, where the
// emulated kernel answers a protocol of the host's, such as WireGuard's
// userspace API), and false for an errno the host has no equivalent of.
func (e Errno) Host() (syscall.Errno, bool) {
	h, ok := hostOf[e]
	return h, ok
}

// ErrnoOf finds the NetBSD errno an error stands for: an Errno in its
// chain is taken as is, a host syscall.Errno is translated, and anything
// else becomes def.
func ErrnoOf(err error, def Errno) Errno {
	if err == nil {
		return 0
	}
	var e Errno
	if errors.As(err, &e) {
		return e
	}
	var h syscall.Errno
	if errors.As(err, &h) {
		if n, ok := hostErrnos[h]; ok {
			return n
		}
	}
	return def
}
