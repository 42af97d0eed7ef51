//go:build !linux

package main

// ownsWG says whether this sysctl answers net.wg itself: elsewhere
// (NetBSD) the real kernel has net.wg and the system's sysctl serves
// it, so every command line is handed over.
const ownsWG = false
