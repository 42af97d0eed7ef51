//go:build !linux

// Package hosts gives integration tests emulated NetBSD hosts in Linux
// network namespaces; it exists on Linux only.
package hosts
