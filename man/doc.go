// Package man holds nbwg's manual pages, mdoc(7) sources that "make
// install" copies to share/man/man<section>:
//
//	man4/wg.4             the wg interface, its sysctl variables, the two-host example
//	man5/ifconfig.if.5    /etc/ifconfig.wgN and ifconfig_wgN, and how rc.d applies them
//	man8/ifconfig.8       the ifconfig front end for wg interfaces
//	man8/nbwgd.8          the emulated kernel: starting, socket, log, halting
//	man8/route.8          the route front end for routes through wg interfaces
//	man8/sysctl.8         the sysctl front end for net.wg.*
//	man8/wg-keygen.8      key generation
//	man8/wgconfig.8       WireGuard settings of an interface
//
// The package has no code, only the tests that keep the pages true:
//
//   - every page passes "mandoc -Tlint -Wwarning" and renders with
//     "man -l" without a complaint (lint_test.go);
//   - each command's SYNOPSIS lists exactly the sub-commands and options
//     that the built command's usage text shows and its parser accepts,
//     both read from the program itself: the usage by running it, the
//     parser from its Go source (synopsis_test.go);
//   - wg(4)'s SYSCTL VARIABLES are the emulated kernel's, with their types
//     and defaults (sysctl_test.go), and every NBWG_* environment variable
//     the programs read is described (env_test.go);
//   - every .Xr names a page of this tree or one that the Debian packages
//     scripts/setup.sh installs provide (xref_test.go);
//   - as root, every command of wg(4)'s EXAMPLES runs verbatim on two
//     emulated hosts and prints what the page shows, and so do those of
//     wg-keygen(8), wgconfig(8), ifconfig(8), sysctl(8) and route(8) on one
//     (examples_linux_test.go); the two hosts also boot from the
//     /etc/ifconfig.wg0 file and the rc.conf variable that
//     ifconfig.if(5)'s EXAMPLES show (boot_linux_test.go).
package man
