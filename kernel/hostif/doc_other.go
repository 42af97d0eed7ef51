//go:build !linux

// Package hostif mirrors the emulated kernel's interfaces onto host
// devices; it exists on Linux only.
package hostif
