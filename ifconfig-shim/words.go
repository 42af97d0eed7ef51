package main

import (
	"nbwg/kernel/sys"
)

// grammar holds the start parsers of the command line; the options
// choose one (options.go).  The graph is sbin/ifconfig's: the interface
// name, then "create" or "destroy" or an optional family word, then the
// command loop (commandRoot) of flag words, keywords and up to three
// address words.
type grammar struct {
	ifaceStart         parser // ifconfig [-hNv] IF [create|destroy|af] [commands]
	ifaceOnly          parser // ifconfig -s IF
	ifaceOptFamilyOnly parser // ifconfig -L|-m|-z IF [af]
	optFamilyOnly      parser // ifconfig -a [af]
	noCmds             parser // ifconfig -l
	cloneTerm          parser // ifconfig -C
	waitDAD            parser // ifconfig -w n
}

// families are the family words in aflist order (constructor order:
// af_atalk, af_link, af_inet6, af_inet), which is also the order in which
// a display without a family word shows them.
var families = []struct {
	name string
	af   int
}{
	{"atalk", afAppletalk},
	{"link", sys.AF_LINK},
	{"inet6", sys.AF_INET6},
	{"inet", sys.AF_INET},
}

func familyWords(next parser) *kwParser {
	k := &kwParser{}
	for _, f := range families {
		k.words = append(k.words, keyword{word: f.name, key: "af", val: int64(f.af), next: next})
	}
	return k
}

// flagWord is parse.h's IFKW: "word" sets a flag, "-word" clears it.
func flagWord(word string, flag int64, next parser, s support) keyword {
	return keyword{word: word, val: flag, negVal: -flag, neg: true, next: next, support: s}
}

func newGrammar() *grammar {
	g := &grammar{}
	root := &branchParser{}

	noCmds := &termParser{key: "none", exec: (*prog).noCmdsExec}
	g.noCmds = noCmds
	g.cloneTerm = &termParser{key: "none", exec: (*prog).listCloners}
	g.waitDAD = &termParser{key: "none", exec: (*prog).waitDADExec}

	familyOnly := familyWords(noCmds)
	g.optFamilyOnly = &branchParser{branches: []parser{noCmds, familyOnly}}
	g.ifaceOptFamilyOnly = &ifaceParser{key: "if", next: g.optFamilyOnly}
	g.ifaceOnly = &ifaceParser{key: "if", exec: (*prog).mediaStatusExec}

	optCommand := &branchParser{branches: []parser{noCmds, root}}
	optFamily := &branchParser{branches: []parser{familyWords(optCommand), optCommand}}
	optSilentFamily := &branchParser{branches: []parser{familyWords(root), root}}
	cloning := &kwParser{exec: (*prog).cloneCommand, words: []keyword{
		{word: "create", key: "clonecmd", val: int64(sys.SIOCIFCREATE), next: optSilentFamily},
		{word: "destroy", key: "clonecmd", val: int64(sys.SIOCIFDESTROY)},
	}}
	g.ifaceStart = &ifaceParser{key: "if", next: &branchParser{branches: []parser{cloning, optFamily}}}

	ifflags := &kwParser{exec: (*prog).setifflags}
	for _, w := range []keyword{
		flagWord("arp", -sys.IFF_NOARP, root, supported),
		flagWord("debug", sys.IFF_DEBUG, root, supported),
		flagWord("unnumbered", sys.IFF_UNNUMBERED, root, supported),
		flagWord("link0", sys.IFF_LINK0, root, supported),
		flagWord("link1", sys.IFF_LINK1, root, supported),
		flagWord("link2", sys.IFF_LINK2, root, supported),
		{word: "down", val: int64(-sys.IFF_UP), next: root},
		{word: "up", val: int64(sys.IFF_UP), next: root},
	} {
		w.key = "ifflag"
		ifflags.words = append(ifflags.words, w)
	}

	netmask := &addrParser{addrKey: "dstormask", exec: (*prog).setifnetmask, next: root}
	broadcastWord := &addrParser{addrKey: "broadcast", exec: (*prog).setifbroadaddr, next: root}
	// ifconfig.c's parse_descr: not hexadecimal, unlike linkstr.
	descr := &strParser{key: "descr", exec: (*prog).setifdescr, next: root}
	misc := &kwParser{words: []keyword{
		{word: "alias", key: "alias", val: true, neg: true, negVal: false, deact: "alias", next: root},
		{word: "broadcast", next: broadcastWord},
		{word: "delete", key: "alias", val: false, deact: "alias", next: root},
		{word: "metric", next: &intParser{key: "metric", base: 10, min: minInt64, max: maxInt64, exec: (*prog).setifmetric, next: root}},
		{word: "mtu", next: &intParser{key: "mtu", base: 10, min: minInt64, max: maxInt64, exec: (*prog).setifmtu, next: root}},
		{word: "netmask", next: netmask},
		{word: "preference", act: "address", next: &intParser{key: "preference", base: 10, min: -1 << 15, max: 1<<15 - 1, next: root}},
		{word: "prefixlen", next: &intParser{key: "prefixlen", base: 10, min: minInt64, max: maxInt64, exec: (*prog).setifprefixlen, next: root}},
		{word: "trailers", neg: true, exec: (*prog).notrailers, next: root},
		{word: "linkstr", next: &strParser{key: "linkstr", hexOK: true, exec: (*prog).setlinkstr, next: root}},
		{word: "-linkstr", exec: (*prog).unsetlinkstr, next: root},
		{word: "descr", next: descr},
		{word: "description", next: descr},
		{word: "-descr", exec: (*prog).unsetifdescr, next: root},
		{word: "-description", exec: (*prog).unsetifdescr, next: root},
	}}

	// The IPv6 keywords (af_inet6.c) apply to the inet6 commit only;
	// with another family they are accepted and ignored, as NetBSD does.
	ia6flags := &kwParser{words: []keyword{
		{word: "anycast", key: "ia6flag", val: int64(sys.IN6_IFF_ANYCAST), negVal: int64(-sys.IN6_IFF_ANYCAST), neg: true, next: root},
		{word: "deprecated", key: "ia6flag", val: int64(sys.IN6_IFF_DEPRECATED), negVal: int64(-sys.IN6_IFF_DEPRECATED), neg: true, next: root},
	}}
	inet6 := &kwParser{words: []keyword{
		{word: "pltime", next: &intParser{key: "pltime", base: 0, min: minInt64, max: maxInt64, next: root}},
		{word: "vltime", next: &intParser{key: "vltime", base: 0, min: minInt64, max: maxInt64, next: root}},
		{word: "eui64", key: "eui64", val: true, next: root},
	}}

	address := &addrParser{addrKey: "address", maskKey: "netmask", deact: "address", exec: (*prog).setifaddr, next: root}
	dstormask := &addrParser{addrKey: "dstormask", act: "address", deact: "dstormask", exec: (*prog).setifdstormask, next: root}
	broadcast := &addrParser{addrKey: "broadcast", act: "dstormask", deact: "broadcast", exec: (*prog).setifbroadaddr, next: root}

	// Module branches come first: register_cmdloop_branch inserts
	// each at the head of the command loop.
	root.branches = append(foreignBranches(root), inet6, ia6flags)
	root.branches = append(root.branches,
		ifflags, ifcapWords(root), mediaWords(root), misc,
		address, dstormask, broadcast, nil)
	return g
}
