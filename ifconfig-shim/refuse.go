package main

import (
	"nbwg/kernel/sys"
)

// refuse rejects, before anything is done, a command line that asks for
// what nbwg's wg interfaces do not have.  NetBSD would parse it as well,
// then fail on the first ioctl the interface does not know; nbwg says
// why instead, and leaves the interface as it was.
func (p *prog) refuse(matches []match, last penv) error {
	for _, m := range matches {
		if m.support == notForWG {
			return p.errx("%s: not supported for wg(4) interfaces", m.word)
		}
	}
	// An address of the link or AppleTalk family: wg(4) has neither a
	// link-level address nor AppleTalk.
	if _, ok := last.addr("address"); ok {
		for _, f := range families {
			if f.af == last.af() && (f.af == sys.AF_LINK || f.af == afAppletalk) {
				return p.errx("%s: not supported for wg(4) interfaces", f.name)
			}
		}
	}
	return nil
}
