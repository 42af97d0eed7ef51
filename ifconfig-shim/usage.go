package main

import (
	"fmt"
	"strings"
)

// usage prints sbin/ifconfig's usage (ifconfig.c's usage() with the lines
// its modules register, in constructor order) and ends the run with
// status 1.
func (p *prog) usage() error {
	p.out.Flush()
	name := p.env.Progname()
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s [-h] [-m] [-v] [-z] [-L] interface\n", name)
	b.WriteString("\t[ af [ address [ dest_addr ] ] [ netmask mask ] [ prefixlen n ]\n" +
		"\t\t[ alias | -alias ] ]\n" +
		"\t[ up ] [ down ] [ metric n ] [ mtu n ]\n")
	// Module lines: carp, pfsync, inet6, ieee80211, media, tunnel,
	// vlan, agr, l2tp, lagg.
	b.WriteString("\t[ advbase n ] [ advskew n ] [ carpdev iface ] [ pass passphrase ] [ state state ] [ vhid n ]\n" +
		"\t[ maxupd n ] [ syncdev iface ] [syncpeer peer_addr]\n" +
		"\t[ anycast | -anycast ] [ deprecated | -deprecated ]\n" +
		"\t[ pltime n ] [ vltime n ] [ eui64 ]\n" +
		"\t[ nwid network_id ] [ nwkey network_key | -nwkey ]\n" +
		"\t[ list scan ]\n" +
		"\t[ powersave | -powersave ] [ powersavesleep duration ]\n" +
		"\t[ hidessid | -hidessid ] [ apbridge | -apbridge ]\n" +
		"\t[ media type ] [ mediaopt opts ] [ -mediaopt opts ] [ instance minst ]\n" +
		"\t[ [ af ] tunnel src_addr dest_addr ] [ deletetunnel ]\n" +
		"\t[ vlan n vlanif i ] [ -vlanif i ]\n" +
		"\t[ agrport i ] [ -agrport i ]\n" +
		"\t[ session local-session-id remote-session-id ]\n" +
		"\t[ cookie local-cookie-length local-cookie remote-cookie-length remote-cookie ]\n" +
		"\t[ laggproto p ]\n" +
		"\t[ laggport i [ pri n ] ] [ -laggport i ]\n" +
		"\t[ laggportpri i [ pri n]]\n" +
		"\t[ lagglacp [ dumpdu | -dumpdu ] [ stopdu | -stopdu ]\n" +
		"\t\t[ maxports n | -maxports ] [ optimistic | -optimistic ] ]\n" +
		"\t[ laggfailover] [ rx-all | -rx-all ]\n")
	b.WriteString("\t[ arp | -arp ]\n" +
		"\t[ preference n ]\n" +
		"\t[ link0 | -link0 ] [ link1 | -link1 ] [ link2 | -link2 ]\n" +
		"\t[ linkstr str | -linkstr ]\n" +
		"\t[ unnumbered | -unnumbered ]\n" +
		"\t[ description str | descr str | -description | -descr ]\n")
	fmt.Fprintf(&b, "       %s -a [-b] [-d] [-h] [-m] [-u] [-v] [-z] [ af ]\n", name)
	fmt.Fprintf(&b, "       %s -l [-b] [-d] [-s] [-u]\n", name)
	fmt.Fprintf(&b, "       %s -C\n", name)
	fmt.Fprintf(&b, "       %s -w n\n", name)
	fmt.Fprintf(&b, "       %s interface create\n", name)
	fmt.Fprintf(&b, "       %s interface destroy\n", name)
	fmt.Fprint(p.env.Stderr, b.String())
	return exitStatus(1)
}
