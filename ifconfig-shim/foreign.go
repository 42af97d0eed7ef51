package main

// Words of sbin/ifconfig's modules for other kinds of interface.  They
// are parsed exactly as NetBSD parses them, so that what NetBSD takes for
// a usage error stays one, and then refused (refuse.go) before anything
// is done: a wg(4) interface has no media, no VLAN tag, no tunnel
// addresses, no CARP or pfsync state, no link aggregation, no 802.11
// settings and no hardware offload.
//
// Sources: carp.c, pfsync.c, tunnel.c, vlan.c, agr.c, l2tp.c, lagg.c
// (netbsd-10), media.c 1.14, af_link.c, ifconfig.c 1.251 (capabilities).
// The 802.11 and ethernet-capability words are inferred from later
// NetBSD revisions than those read.

func foreignKeywords(next parser, words ...keyword) *kwParser {
	k := &kwParser{}
	for _, w := range words {
		w.support = notForWG
		if w.next == nil && next != nil {
			w.next = next
		}
		k.words = append(k.words, w)
	}
	return k
}

func anyInt(key string, next parser) *intParser {
	return &intParser{key: key, base: 10, min: minInt64, max: maxInt64, next: next}
}

func rangeInt(key string, min, max int64, next parser) *intParser {
	return &intParser{key: key, base: 10, min: min, max: max, next: next}
}

// foreignBranches are the command-loop branches the modules register,
// most recently registered first.
func foreignBranches(root parser) []parser {
	// lagg.c
	laggPortRoot := &branchParser{}
	laggPortRoot.branches = []parser{
		foreignKeywords(nil, keyword{word: "pri", next: rangeInt("laggportpri", 0, 1<<16-1, laggPortRoot)}),
		root,
	}
	lacpRoot := &branchParser{}
	lacp := foreignKeywords(lacpRoot,
		keyword{word: "dumpdu", key: "lacpdumpdu", val: int64(1)},
		keyword{word: "-dumpdu", key: "lacpdumpdu", val: int64(-1)},
		keyword{word: "stopdu", key: "lacpstopdu", val: int64(2)},
		keyword{word: "-stopdu", key: "lacpstopdu", val: int64(-2)},
		keyword{word: "optimistic", key: "lacpoptimistic", val: int64(3)},
		keyword{word: "-optimistic", key: "lacpoptimistic", val: int64(-3)},
		keyword{word: "maxports", next: rangeInt("lacpmaxports", 1, 1<<32-1, lacpRoot)},
		keyword{word: "-maxports", key: "lacpmaxports", val: int64(0)},
		keyword{word: "multi-linkspeed", key: "lacpmultils", val: int64(4)},
		keyword{word: "-multi-linkspeed", key: "lacpmultils", val: int64(-4)},
	)
	lacpRoot.branches = []parser{lacp, root}
	failRoot := &branchParser{}
	fail := foreignKeywords(failRoot,
		keyword{word: "rx-all", key: "failrxall", val: int64(1)},
		keyword{word: "-rx-all", key: "failrxall", val: int64(-1)},
	)
	failRoot.branches = []parser{fail, root}
	lagg := foreignKeywords(nil,
		keyword{word: "laggproto", next: &strParser{key: "laggproto", hexOK: true, next: root}},
		keyword{word: "-laggproto", key: "laggproto", val: "none"},
		keyword{word: "laggport", key: "laggportcmd", val: int64(2), next: &ifaceParser{key: "laggport", next: laggPortRoot}},
		keyword{word: "-laggport", key: "laggportcmd", val: int64(3), next: &ifaceParser{key: "laggport", next: root}},
		keyword{word: "lagglacp", next: lacp},
		keyword{word: "laggportpri", next: &ifaceParser{key: "laggport", next: rangeInt("laggportpri", 0, 1<<16-1, root)}},
		keyword{word: "laggfailover", next: fail},
	)

	// l2tp.c
	l2tp := foreignKeywords(root,
		keyword{word: "cookie", next: rangeInt("l2tplocalcookielen", 0, 1<<16-1,
			anyInt("l2tplocalcookie", rangeInt("l2tpremotecookielen", 0, 1<<16-1,
				anyInt("l2tpremotecookie", root))))},
		keyword{word: "deletecookie"},
		keyword{word: "session", next: rangeInt("l2tplocalsession", 0, 1<<32-1,
			rangeInt("l2tpremotesession", 0, 1<<32-1, root))},
		keyword{word: "deletesession"},
	)

	// agr.c
	agrPort := &ifaceParser{key: "agrport", next: root}
	agr := foreignKeywords(nil,
		keyword{word: "agrport", key: "agrcmd", val: int64(1), next: agrPort},
		keyword{word: "-agrport", key: "agrcmd", val: int64(2), next: agrPort},
	)

	// vlan.c: "-vlanif" has no next parser, so the words end there.
	vlan := foreignKeywords(nil,
		keyword{word: "vlan", next: rangeInt("vlantag", 0, 1<<16-1, root)},
		keyword{word: "vlanif", act: "vlantag", next: &ifaceParser{key: "vlanif", next: root}},
		keyword{word: "-vlanif", key: "vlanif", val: ""},
	)

	// tunnel.c
	tunnel := foreignKeywords(root,
		keyword{word: "deletetunnel"},
		keyword{word: "tunnel", next: &addrParser{addrKey: "tunsrc", next: &addrParser{addrKey: "tundst", next: root}}},
	)

	// ieee80211.c (inferred)
	ieee80211 := foreignKeywords(root,
		keyword{word: "ssid", next: &strParser{key: "ssid", hexOK: true, next: root}},
		keyword{word: "nwid", next: &strParser{key: "ssid", hexOK: true, next: root}},
		keyword{word: "nwkey", next: &strParser{key: "nwkey", hexOK: true, next: root}},
		keyword{word: "-nwkey"},
		keyword{word: "bssid", next: &strParser{key: "bssid", hexOK: true, next: root}},
		keyword{word: "-bssid"},
		keyword{word: "chan", next: rangeInt("chan", 0, 1<<16-1, root)},
		keyword{word: "-chan"},
		keyword{word: "frag", next: anyInt("frag", root)},
		keyword{word: "-frag"},
		keyword{word: "list", next: foreignKeywords(root, keyword{word: "scan"})},
		keyword{word: "powersave", key: "powersave", val: true, negVal: false, neg: true},
		keyword{word: "powersavesleep", next: anyInt("powersavesleep", root)},
		keyword{word: "hidessid", key: "hidessid", val: true, negVal: false, neg: true},
		keyword{word: "apbridge", key: "apbridge", val: true, negVal: false, neg: true},
	)

	// pfsync.c
	pfsync := foreignKeywords(root,
		keyword{word: "maxupd", next: rangeInt("maxupd", 0, 255, root)},
		keyword{word: "syncdev", next: &ifaceParser{key: "syncdev", next: root}},
		keyword{word: "-syncdev", key: "syncdev", val: ""},
		keyword{word: "syncpeer", next: &addrParser{addrKey: "syncpeer", next: root}},
		keyword{word: "-syncpeer", key: "syncpeer", val: ""},
	)

	// carp.c
	carp := foreignKeywords(root,
		keyword{word: "advbase", next: rangeInt("advbase", 0, 255, root)},
		keyword{word: "advskew", next: rangeInt("advskew", 0, 254, root)},
		keyword{word: "carpdev", next: &ifaceParser{key: "carpdev", next: root}},
		keyword{word: "-carpdev", key: "carpdev", val: ""},
		keyword{word: "pass", next: &strParser{key: "pass", hexOK: true, next: root}},
		keyword{word: "state", next: foreignKeywords(root,
			keyword{word: "INIT"}, keyword{word: "BACKUP"}, keyword{word: "MASTER"})},
		keyword{word: "vhid", next: rangeInt("vhid", 0, 255, root)},
	)

	// af_link.c
	link := foreignKeywords(root, keyword{word: "active", key: "active", val: true})

	// ether.c (inferred)
	ethercaps := foreignKeywords(root,
		flagWord("vlan-hwfilter", 1, nil, notForWG),
		flagWord("eee", 2, nil, notForWG),
	)

	return []parser{lagg, l2tp, agr, vlan, tunnel, ieee80211, ethercaps, pfsync, carp, link}
}

// ifcapWords are the capability words of ifconfig.c: wg(4) interfaces
// have no hardware offload.
func ifcapWords(root parser) *kwParser {
	k := &kwParser{}
	for _, w := range []string{
		"ip4csum-tx", "ip4csum-rx", "tcp4csum-tx", "tcp4csum-rx", "udp4csum-tx",
		"udp4csum-rx", "tcp6csum-tx", "tcp6csum-rx", "udp6csum-tx", "udp6csum-rx",
		"ip4csum", "tcp4csum", "udp4csum", "tcp6csum", "udp6csum", "tso4", "tso6",
	} {
		kw := flagWord(w, 1, root, notForWG)
		kw.key = "ifcap"
		k.words = append(k.words, kw)
	}
	return k
}

// mediaWords are media.c's keywords: wg(4) interfaces have no media.
func mediaWords(root parser) *kwParser {
	const instMax = 15 // IFM_INST_MAX
	return foreignKeywords(nil,
		keyword{word: "instance", key: "anymedia", val: true, act: "media", deact: "mediainst", next: rangeInt("mediainst", 0, instMax, root)},
		keyword{word: "inst", key: "anymedia", val: true, act: "media", deact: "mediainst", next: rangeInt("mediainst", 0, instMax, root)},
		keyword{word: "media", key: "anymedia", val: true, deact: "media", altdeact: "anymedia", next: &strParser{key: "media", next: root}},
		keyword{word: "mediaopt", key: "anymedia", val: true, deact: "mediaopt", altdeact: "instance", next: &strParser{key: "mediaopt", next: root}},
		keyword{word: "-mediaopt", key: "anymedia", val: true, deact: "unmediaopt", altdeact: "media", next: &strParser{key: "unmediaopt", next: root}},
		keyword{word: "mode", key: "anymedia", val: true, deact: "mode", next: &strParser{key: "mediamode", next: root}},
	)
}
