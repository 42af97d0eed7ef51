package main

import (
	"nbwg/kernel/sys"
)

// listCloners is -C: SIOCIFGCLONERS once for the count, once for the
// names, which are printed on one line.
func (p *prog) listCloners(e penv) error {
	c := sys.IfClonereq{}
	arg := c.Marshal()
	if err := p.ioctl(sys.SIOCIFGCLONERS, arg, nil); err != nil {
		return p.err(err, "SIOCIFGCLONERS for count")
	}
	got, err := sys.UnmarshalIfClonereq(arg)
	if err != nil || got.Total < 0 {
		return p.err(sys.EINVAL, "SIOCIFGCLONERS for count")
	}
	buf := make([]byte, int(got.Total)*sys.IFNAMSIZ)
	c = sys.IfClonereq{Count: got.Total}
	arg = c.Marshal()
	if err := p.ioctl(sys.SIOCIFGCLONERS, arg, buf); err != nil {
		return p.err(err, "SIOCIFGCLONERS for names")
	}
	got, _ = sys.UnmarshalIfClonereq(arg)
	// Cloners may have gone meanwhile: print no more than there are.
	n := min(int(c.Count), max(int(got.Total), 0))
	for i := 0; i < n; i++ {
		if i > 0 {
			p.printf(" ")
		}
		p.printf("%s", sys.Name(buf[i*sys.IFNAMSIZ:(i+1)*sys.IFNAMSIZ]))
	}
	p.printf("\n")
	return exitStatus(0)
}
