//go:build !linux

// Package hosts gives integration tests emulated NetBSD hosts in Linux
// network namespaces, which exist on Linux only; elsewhere it holds only
// Bin, Exec and its Result, for tests that build and run commands on the
// machine itself, and the tiers' rules (Integration, Missing; tier.go).
package hosts
