//go:build !linux

// Package tests holds nbwg's integration tests, which emulate NetBSD
// hosts in Linux network namespaces; elsewhere there is nothing to run.
package tests
