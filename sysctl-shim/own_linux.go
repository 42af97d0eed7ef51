//go:build linux

package main

// ownsWG says whether this sysctl answers net.wg itself: on Linux the
// variables live in nbwg's emulated kernel, which the host's sysctl
// does not know.
const ownsWG = true
