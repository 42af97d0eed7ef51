//go:build !linux

package main

import (
	"os"
	"syscall"

	"nbwg/internal/cli"
)

// ownsRoutes says whether this route answers itself: elsewhere (NetBSD)
// the real kernel has the routing socket and the system's route serves
// every command line.
const ownsRoutes = false

// systemRoute is NetBSD's route(8).
const systemRoute = "/sbin/route"

// handOff replaces this program with the system's route.
func handOff(env *cli.Env) int {
	err := syscall.Exec(systemRoute, append([]string{env.Progname()}, env.Args[1:]...), os.Environ())
	env.Warn(err, "exec %s", systemRoute)
	return 1
}
