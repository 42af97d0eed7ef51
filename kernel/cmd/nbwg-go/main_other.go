//go:build !linux

// Command nbwg-go is a wireguard-go-compatible WireGuard daemon; it
// exists on Linux only, as wireguard-go's Linux TUN and userspace API do.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "nbwg-go: runs on Linux; on NetBSD use the kernel's wg(4)")
	os.Exit(1)
}
