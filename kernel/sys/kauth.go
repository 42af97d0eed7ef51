package sys

// Cred is what the kernel knows of the caller of a request, as kauth(9)
// sees it: the effective user and group IDs and the process.  On Linux the
// ioctl carrier takes them from SO_PEERCRED; in-process callers (tests,
// the front ends' stand-ins for a kernel that does not run) state them.
type Cred struct {
	UID uint32
	GID uint32
	PID int32
}

// Privileged reports whether the caller passes NetBSD's default secmodel
// for the requests kauth(9) guards: only the superuser does.
func (c Cred) Privileged() bool { return c.UID == 0 }
