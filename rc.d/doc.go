// Package rcd holds nbwg's boot configuration, which is shell, not Go:
// network (the rc.d script, installed as /etc/rc.d/nbwg), ifconfig.subr
// (reads and applies ifconfig.if(5) files and rc.conf variables), rc.subr
// (the part of NetBSD's rc.subr the script needs, for Linux) and
// nbwg@.service (the systemd unit, one interface per instance).
//
// They are shell so that they run where NetBSD's own rc.d/network runs,
// with the system's rc.subr and nothing else installed, and because an
// ifconfig.if(5) line is shell: "!" lines are evaluated with the
// script's variables in scope ($int), and ifconfig lines are split and
// expanded by eval.  A reimplementation in Go would have to reproduce
// sh(1) quoting and expansion, and still hand "!" lines to a shell that
// could not see the script's variables.
//
// This package has only tests: they run the scripts under each POSIX
// shell found (dash, busybox ash, bash in POSIX mode) against fake
// ifconfig and wgconfig commands, and, as root, boot two emulated hosts
// in network namespaces from ifconfig.wg0 files and ping through the
// tunnel.
package rcd
