//go:build !linux

// Package hosts gives integration tests emulated NetBSD hosts in Linux
// network namespaces, which exist on Linux only; elsewhere it holds only
// Exec and its Result, for tests that run commands on the machine itself.
package hosts
