//go:build linux

package main

import "nbwg/internal/cli"

// ownsRoutes says whether this route answers itself: on Linux the
// routes through wg interfaces live in nbwg's emulated kernel.
const ownsRoutes = true

// handOff is not used on Linux.
func handOff(env *cli.Env) int { return 1 }
