package main

import (
	"errors"
	"fmt"

	"nbwg/kernel/sys"
)

// The ways wgconfig ends unsuccessfully, all with exit status 1.
var (
	// errUsage prints the usage text (usage()).
	errUsage = errors.New("usage")
	// errSilent prints nothing (show peer finding no such peer).
	errSilent = errors.New("failure without a message")
)

// failure is a diagnostic printed as "wgconfig: <msg>" (errx(3), or
// err(3) when msg ends with the strerror text).
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

// errx is errx(3): a message of its own.
func errx(format string, a ...any) error {
	return &failure{fmt.Sprintf(format, a...)}
}

// errc is err(3): the message, then the text of the errno behind err.
func errc(err error, format string, a ...any) error {
	return &failure{fmt.Sprintf(format, a...) + ": " + strerror(err)}
}

// strerror is NetBSD's strerror(3) for the errno behind err (host errnos
// translated), or the error's own text when it carries none.
func strerror(err error) string {
	if n := sys.ErrnoOf(err, 0); n != 0 {
		return n.Error()
	}
	var e sys.Errno
	if errors.As(err, &e) {
		return e.Error()
	}
	return err.Error()
}
