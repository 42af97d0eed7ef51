#!/bin/sh
# The main job: two NetBSD hosts, A and B, emulated in network namespaces
# and configured exactly as wg(4)'s EXAMPLES configure them, then a ping
# through the tunnel both ways, over IPv4 and IPv6.
#
#   A: stationary, 192.0.2.123, listens on port 1234
#   B: roaming, 198.51.100.45, knows A's endpoint, no listen port
#
# Each host keeps its keys in its own /etc/wg (ip netns exec mounts
# /etc/netns/<host>/wg over /etc/wg), so the commands are the manual's,
# verbatim.  Everything is removed at the end.
set -eu
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
[ "$(id -u)" = 0 ] || { echo "demo: run as root (network namespaces, TUN devices)" >&2; exit 1; }

# Install what is missing and build, unless asked not to.
if [ -z "${NBWG_DEMO_NO_SETUP:-}" ]; then
	./scripts/setup.sh
	make build
fi

. ./scripts/netns.subr
A=nbwg-demo-A
B=nbwg-demo-B
BIN="$PWD/bin"
made_etc_wg=
LOGDIR=$(mktemp -d)    # the kernels' logs (nbwgd(8)), gone with the demo
cleanup() {
	netns_remove $A $B
	rm -rf /etc/netns/$A /etc/netns/$B
	[ -n "$made_etc_wg" ] && rmdir /etc/wg 2>/dev/null || true
}
trap 'cleanup; rm -rf "$LOGDIR"' EXIT INT TERM
cleanup

# Show a command, then run it on a host, as a transcript.
run() {
	host=$1; shift
	echo "${host#nbwg-demo-}# $*"
	netns_on "$host" "$*"
}

[ -d /etc/wg ] || { mkdir -m 700 /etc/wg; made_etc_wg=1; }
for ns in $A $B; do
	ip netns add $ns
	mkdir -p -m 700 /etc/netns/$ns/wg
	netns_on $ns "ip link set lo up"
done
# The wire between them (the part of the Internet the manual assumes).
ip link add vB netns $A type veth peer name vA netns $B
netns_on $A "ip addr add 192.0.2.123/24 dev vB && ip link set vB up && ip route add 198.51.100.45/32 dev vB"
netns_on $B "ip addr add 198.51.100.45/24 dev vA && ip link set vA up && ip route add 192.0.2.123/32 dev vA"

echo "=== keys (wg-keygen, as in wg(4))"
run $A "(umask 0077; wg-keygen > /etc/wg/wg0)"
run $A "wg-keygen --pub < /etc/wg/wg0 > /etc/wg/wg0.pub"
run $B "(umask 0077; wg-keygen > /etc/wg/wg0)"
run $B "wg-keygen --pub < /etc/wg/wg0 > /etc/wg/wg0.pub"
run $A "(umask 0077; wg-keygen --psk > /etc/wg/wg0.A-B)"
cp /etc/netns/$A/wg/wg0.A-B /etc/netns/$B/wg/wg0.A-B
pubA=$(cat /etc/netns/$A/wg/wg0.pub)
pubB=$(cat /etc/netns/$B/wg/wg0.pub)

echo
echo "=== host A (stationary, 192.0.2.123)"
run $A "ifconfig wg0 create"
run $A "ifconfig wg0 inet 10.2.0.1/24"
run $A "ifconfig wg0 inet6 fd00:2::1/64"
run $A "wgconfig wg0 set private-key /etc/wg/wg0"
run $A "wgconfig wg0 set listen-port 1234"
run $A "wgconfig wg0 add peer B $pubB --preshared-key=/etc/wg/wg0.A-B --allowed-ips=10.2.0.42/32,fd00:2::42/128"
run $A "ifconfig wg0 up"

echo
echo "=== host B (roaming, 198.51.100.45)"
run $B "ifconfig wg0 create"
run $B "ifconfig wg0 inet 10.2.0.42/24"
run $B "ifconfig wg0 inet6 fd00:2::42/64"
run $B "wgconfig wg0 set private-key /etc/wg/wg0"
run $B "wgconfig wg0 add peer A $pubA --preshared-key=/etc/wg/wg0.A-B --allowed-ips=10.2.0.1/32,fd00:2::1/128 --endpoint=192.0.2.123:1234"
run $B "ifconfig wg0 up"

echo
echo "=== ping through the tunnel"
run $B "ping -c 3 -i 0.2 -W 2 10.2.0.1"
run $B "ping -6 -c 3 -i 0.2 -W 2 fd00:2::1"
run $A "ping -c 3 -i 0.2 -W 2 10.2.0.42"
run $A "ping -6 -c 3 -i 0.2 -W 2 fd00:2::42"

echo
echo "=== what each host shows"
for h in $A $B; do
	run $h "ifconfig wg0"
	run $h "wgconfig wg0"
	echo
done
echo "demo: the tunnel works; cleaning up"
