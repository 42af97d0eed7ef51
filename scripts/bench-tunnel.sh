#!/bin/sh
# Throughput through the tunnel, nbwg against wireguard-go, measured side
# by side: two hosts in network namespaces on a veth pair, iperf3 over
# TCP through the tunnel, ROUNDS alternating runs of each, SECONDS each.
# Prints every run and the ratio of the medians (nbwg / wireguard-go).
#
# wireguard-go is the one on PATH (Debian's package), or the binary named
# by $WIREGUARD_GO (e.g. a newer build of your own).  Run as root after
# `make`.
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-8}
WGGO=${WIREGUARD_GO:-$(command -v wireguard-go || true)}
BIN="$PWD/bin"
[ "$(id -u)" = 0 ] || { echo "bench-tunnel: run as root" >&2; exit 1; }
[ -x "$BIN/nbwgd" ] || { echo "bench-tunnel: run make first" >&2; exit 1; }
[ -n "$WGGO" ] || { echo "bench-tunnel: no wireguard-go (apt-get install wireguard-go, or set WIREGUARD_GO)" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "bench-tunnel: iperf3 is not installed" >&2; exit 1; }

. ./scripts/netns.subr
A=nbwg-bench-A; B=nbwg-bench-B
TMP=$(mktemp -d)
LOGDIR=$TMP    # the nbwg kernels' logs (nbwgd(8)), with the keys
cleanup() {
	netns_remove $A $B
	rm -f /var/run/wireguard/wgbA.sock /var/run/wireguard/wgbB.sock
}
trap 'cleanup; rm -rf "$TMP"' EXIT INT TERM

setup_net() {
	cleanup
	ip netns add $A; ip netns add $B
	ip link add vB netns $A type veth peer name vA netns $B
	ip -n $A addr add 192.0.2.1/24 dev vB; ip -n $A link set vB up; ip -n $A link set lo up
	ip -n $B addr add 192.0.2.2/24 dev vA; ip -n $B link set vA up; ip -n $B link set lo up
	(umask 077; "$BIN/wg-keygen" > "$TMP/a.key"; "$BIN/wg-keygen" > "$TMP/b.key")
	"$BIN/wg-keygen" --pub < "$TMP/a.key" > "$TMP/a.pub"
	"$BIN/wg-keygen" --pub < "$TMP/b.key" > "$TMP/b.pub"
}

setup_nbwg() {
	setup_net
	netns_on $A "ifconfig wg0 create && ifconfig wg0 inet 10.9.0.1/24 && wgconfig wg0 set private-key $TMP/a.key && wgconfig wg0 set listen-port 51820 && wgconfig wg0 add peer B $(cat "$TMP/b.pub") --allowed-ips=10.9.0.2/32 && ifconfig wg0 up"
	netns_on $B "ifconfig wg0 create && ifconfig wg0 inet 10.9.0.2/24 && wgconfig wg0 set private-key $TMP/b.key && wgconfig wg0 add peer A $(cat "$TMP/a.pub") --allowed-ips=10.9.0.1/32 --endpoint=192.0.2.1:51820 && ifconfig wg0 up"
}

setup_wggo() {
	setup_net
	for h in A B; do
		ns=$(eval echo \$$h)
		ip netns exec $ns sh -c "WG_PROCESS_FOREGROUND=1 setsid $WGGO wgb$h >/dev/null 2>&1 < /dev/null &"
	done
	for i in $(seq 50); do [ -S /var/run/wireguard/wgbA.sock ] && [ -S /var/run/wireguard/wgbB.sock ] && break; sleep 0.1; done
	ip netns exec $A wg set wgbA private-key "$TMP/a.key" listen-port 51820 peer "$(cat "$TMP/b.pub")" allowed-ips 10.9.0.2/32
	ip netns exec $B wg set wgbB private-key "$TMP/b.key" peer "$(cat "$TMP/a.pub")" endpoint 192.0.2.1:51820 allowed-ips 10.9.0.1/32
	ip -n $A addr add 10.9.0.1/24 dev wgbA; ip -n $A link set wgbA mtu 1420 up
	ip -n $B addr add 10.9.0.2/24 dev wgbB; ip -n $B link set wgbB mtu 1420 up
}

# measure prints the receiver's Mbit/s.
measure() {
	ip netns exec $B ping -c 1 -W 5 10.9.0.1 >/dev/null
	ip netns exec $A iperf3 -s -1 -D >/dev/null
	sleep 0.3
	ip netns exec $B iperf3 -c 10.9.0.1 -t "$SECONDS_EACH" -f m | awk '/receiver/ { print $7 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "# iperf3 TCP through the tunnel, $SECONDS_EACH s per run, $(nproc) CPUs, wireguard-go: $WGGO"
: > "$TMP/nbwg"; : > "$TMP/wggo"
for r in $(seq "$ROUNDS"); do
	setup_nbwg; v=$(measure); echo "round $r nbwg         $v Mbit/s"; echo "$v" >> "$TMP/nbwg"
	setup_wggo; v=$(measure); echo "round $r wireguard-go $v Mbit/s"; echo "$v" >> "$TMP/wggo"
done
n=$(median < "$TMP/nbwg"); w=$(median < "$TMP/wggo")
echo "median nbwg $n Mbit/s, wireguard-go $w Mbit/s, ratio $(awk -v n="$n" -v w="$w" 'BEGIN { printf "%.2f", n / w }')"
