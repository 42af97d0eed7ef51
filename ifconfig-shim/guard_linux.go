//go:build linux

package main

// On Linux the kernel this ifconfig talks to is nbwg's emulated one, which
// has wg interfaces only.  A name that cannot be one (eth0, lo) is
// refused with a message rather than passed on, so that nobody takes
// "Device not configured" for a statement about the host's interface:
// this ifconfig never reads or changes the host's own interfaces.

// wgCloner is the name of the emulated kernel's only interface cloner.
const wgCloner = "wg"

// checkName refuses an interface name that is not the wg cloner's name
// followed by a unit number.
func (p *prog) checkName(name string) error {
	if isClonedName(name, wgCloner) {
		return p.checkNameLen(name)
	}
	return p.errx("%s: not a wg interface: this ifconfig only manages nbwg's emulated wg(4) interfaces", name)
}
