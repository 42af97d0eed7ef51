//go:build !linux

// Command nbwgd is nbwg's emulated NetBSD kernel; it exists on Linux
// only, since on NetBSD wg(4) is in the kernel itself.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "nbwgd: the emulated kernel runs on Linux; on NetBSD use the kernel's wg(4)")
	os.Exit(1)
}
