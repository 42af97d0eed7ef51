package main

import (
	"nbwg/internal/ctype"
	"nbwg/kernel/sys"
)

const ifnamsiz = sys.IFNAMSIZ

// isClonedName reports whether name is cloner followed by a decimal unit.
func isClonedName(name, cloner string) bool {
	if len(name) <= len(cloner) || name[:len(cloner)] != cloner {
		return false
	}
	for i := len(cloner); i < len(name); i++ {
		if !ctype.IsDigit(name[i]) {
			return false
		}
	}
	return true
}

// checkNameLen is what happens to a name of exactly IFNAMSIZ characters
// (the parser takes up to IFNAMSIZ): the first ioctl's estrlcpy(3) into
// ifr_name fails.
func (p *prog) checkNameLen(name string) error {
	if len(name) >= ifnamsiz {
		return p.err(sys.ENAMETOOLONG, "Cannot copy string; %d chars needed %d provided", len(name), ifnamsiz)
	}
	return nil
}

// ifname fills an interface name buffer; names were checked to fit.
func ifname(name string) sys.Name {
	var n sys.Name
	copy(n[:len(n)-1], name)
	return n
}
