#!/bin/sh
# nbwg's benchmark: the tunnel measured side by side against the newest
# wireguard-go (built here from the module proxy, pinned below) and
# Debian's wireguard-go (the apt package), every figure of issue 13's
# table, in one run on one machine.
#
#   scripts/bench.sh [-q] [-o FILE]
#
# Each round sets up two hosts in network namespaces on a veth pair
# (A: 10.9.0.1, listens on 51820; B: 10.9.0.2, knows A's endpoint) for
# each implementation in turn, the order rotating from round to round,
# and measures through the tunnel:
#   - TCP, 1 stream, A sends (the side with the listen port: iperf3 -c on A)
#   - TCP, 1 stream, B sends (iperf3 -c on B)
#   - TCP, 4 streams, B sends (iperf3 -P 4)
#   - UDP, 64-byte payloads, packets/s received (iperf3 -u -b 0 -l 64, B sends)
#   - RTT, median of 200 pings at 10 ms (B pings A)
#   - peak RSS of each side's daemon (VmHWM) after all of the above
#   - Gbit per CPU-second of both daemons during the 1-stream TCP run B sends
# then, on one host alone, 10,000 peers: the time to add them through the
# kernel interface in one process (nbwg: bench/wgpeers, one request per
# peer over 4 connections at once, and again one request at a time over
# one connection; wireguard-go: one `wg setconf`), the RSS they add per peer, and
# the time of `wgconfig wg0` (nbwg) or `wg show` (wireguard-go).
#
# Every implementation runs with its defaults: MTU 1420, its own offload
# settings; iperf3's options are the same for all.  The table gives the
# median of the rounds and the ratios nbwg / newest and nbwg / Debian's.
# The machine may be shared: implementations alternate within each round
# so that load from elsewhere falls on all of them alike.
#
# -q (make bench-quick): TCP 1 stream (B sends) and UDP only, one round
# unless ROUNDS says otherwise.
# -o FILE: also write the results as Markdown to FILE.
# Environment: ROUNDS (3; 1 with -q), SECONDS_EACH (5), PEERS (10000), GO (go),
# WIREGUARD_GO_NEWEST (a binary to use instead of building one),
# WIREGUARD_GO_DEBIAN (/usr/bin/wireguard-go), IMPLS (nbwg newest debian).
# Run as root after `make build`.
set -eu
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

# The newest wireguard-go: module golang.zx2c4.com/wireguard at this
# pseudo-version (the snapshot of 2026-05-22), built into a temporary
# directory with a go.mod of its own.  It is a benchmark peer, never a
# dependency of nbwg.
WGGO_MODULE=golang.zx2c4.com/wireguard
WGGO_VERSION=v0.0.0-20260522210424-ecfc5a8d5446

QUICK=
OUT=
while getopts qo: opt; do
	case $opt in
	q) QUICK=1 ;;
	o) OUT=$OPTARG ;;
	*) echo "usage: $0 [-q] [-o file]" >&2; exit 1 ;;
	esac
done
if [ -n "$QUICK" ]; then ROUNDS=${ROUNDS:-1}; else ROUNDS=${ROUNDS:-3}; fi
T=${SECONDS_EACH:-5}
PEERS=${PEERS:-10000}
GO=${GO:-go}
IMPLS=${IMPLS:-nbwg newest debian}
DEBIAN=${WIREGUARD_GO_DEBIAN:-/usr/bin/wireguard-go}
BIN="$PWD/bin"

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (network namespaces, TUN devices)"
[ -x "$BIN/nbwgd" ] || die "run make build first"
for t in iperf3 jq wg ping; do
	command -v $t >/dev/null || die "$t is missing (apt-get install iperf3 jq wireguard-tools iputils-ping)"
done
case " $IMPLS " in *" debian "*)
	[ -x "$DEBIAN" ] || die "no Debian wireguard-go at $DEBIAN (apt-get install wireguard-go)" ;;
esac

. ./scripts/netns.subr
A=nbwg-bench-A; B=nbwg-bench-B
TMP=$(mktemp -d)
LOGDIR=$TMP    # the nbwg kernels' logs (nbwgd(8))
RES=$TMP/results    # one line per figure: impl measure round value
: > "$RES"
WGNAMES="wgbnA wgbnB wgbdA wgbdB"
cleanup() {
	netns_remove $A $B
	# What the kernels published for wg(8) in the namespaces (nbwgd.8).
	rm -rf /etc/netns/$A /etc/netns/$B
	for n in $WGNAMES; do rm -f /var/run/wireguard/$n.sock; done
}
trap 'cleanup; rm -rf "$TMP"' EXIT INT TERM

# build_newest builds the newest wireguard-go into $TMP.
build_newest() {
	if [ -n "${WIREGUARD_GO_NEWEST:-}" ]; then
		NEWEST=$WIREGUARD_GO_NEWEST
		return
	fi
	mkdir -p "$TMP/wggo" "$TMP/newest"
	printf 'module nbwgbench\n\ngo 1.26\n' > "$TMP/wggo/go.mod"
	echo "# building $WGGO_MODULE@$WGGO_VERSION" >&2
	(cd "$TMP/wggo" && GOFLAGS=-mod=mod $GO get "$WGGO_MODULE@$WGGO_VERSION" >/dev/null 2>&1 &&
		GOFLAGS=-mod=mod $GO build -o "$TMP/newest/wireguard-go" "$WGGO_MODULE") ||
		die "cannot build $WGGO_MODULE@$WGGO_VERSION"
	NEWEST=$TMP/newest/wireguard-go
}

setup_net() {
	cleanup
	ip netns add $A; ip netns add $B
	ip link add vB netns $A type veth peer name vA netns $B
	ip -n $A addr add 192.0.2.1/24 dev vB; ip -n $A link set vB up; ip -n $A link set lo up
	ip -n $B addr add 192.0.2.2/24 dev vA; ip -n $B link set vA up; ip -n $B link set lo up
}

make_keys() {
	(umask 077; "$BIN/wg-keygen" > "$TMP/a.key"; "$BIN/wg-keygen" > "$TMP/b.key")
	"$BIN/wg-keygen" --pub < "$TMP/a.key" > "$TMP/a.pub"
	"$BIN/wg-keygen" --pub < "$TMP/b.key" > "$TMP/b.pub"
}

# daemon_pid ns prints the pid of the namespace's WireGuard daemon.
daemon_pid() {
	for p in $(ip netns pids "$1"); do
		case $(cat /proc/$p/comm 2>/dev/null) in nbwgd|wireguard-go) echo "$p"; return ;; esac
	done
	die "no daemon in $1"
}

# wggo_start impl ns name starts wireguard-go (newest or debian) in ns.
wggo_start() {
	case $1 in newest) bin=$NEWEST ;; debian) bin=$DEBIAN ;; esac
	ip netns exec "$2" sh -c "WG_PROCESS_FOREGROUND=1 setsid $bin $3 >/dev/null 2>&1 < /dev/null &"
	for i in $(seq 100); do [ -S /var/run/wireguard/$3.sock ] && return; sleep 0.05; done
	die "$bin $3 did not start"
}

wgname() { case $1 in newest) echo wgbn$2 ;; debian) echo wgbd$2 ;; esac; }

# setup impl: the two hosts with a tunnel between them.
setup() {
	setup_net
	case $1 in
	nbwg)
		netns_on $A "ifconfig wg0 create && ifconfig wg0 inet 10.9.0.1/24 && wgconfig wg0 set private-key $TMP/a.key && wgconfig wg0 set listen-port 51820 && wgconfig wg0 add peer B $(cat "$TMP/b.pub") --allowed-ips=10.9.0.2/32 && ifconfig wg0 up"
		netns_on $B "ifconfig wg0 create && ifconfig wg0 inet 10.9.0.2/24 && wgconfig wg0 set private-key $TMP/b.key && wgconfig wg0 add peer A $(cat "$TMP/a.pub") --allowed-ips=10.9.0.1/32 --endpoint=192.0.2.1:51820 && ifconfig wg0 up"
		;;
	*)
		na=$(wgname $1 A); nb=$(wgname $1 B)
		wggo_start $1 $A $na; wggo_start $1 $B $nb
		ip netns exec $A wg set $na private-key "$TMP/a.key" listen-port 51820 peer "$(cat "$TMP/b.pub")" allowed-ips 10.9.0.2/32
		ip netns exec $B wg set $nb private-key "$TMP/b.key" peer "$(cat "$TMP/a.pub")" endpoint 192.0.2.1:51820 allowed-ips 10.9.0.1/32
		ip -n $A addr add 10.9.0.1/24 dev $na; ip -n $A link set $na mtu 1420 up
		ip -n $B addr add 10.9.0.2/24 dev $nb; ip -n $B link set $nb mtu 1420 up
		;;
	esac
	ip netns exec $B ping -c 1 -W 5 10.9.0.1 >/dev/null || die "$1: no ping through the tunnel"
	PIDA=$(daemon_pid $A); PIDB=$(daemon_pid $B)
}

# cpu_ticks prints the CPU time (user + system, in clock ticks) of the
# daemons.
cpu_ticks() {
	t=0
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' /proc/$p/stat)))
	done
	echo $t
}

record() { echo "$1 $2 $3 $4" >> "$RES"; }

# iperf_json srv_ns srv_ip cli_ns args... runs one iperf3 test and prints
# the client's JSON.
iperf_json() {
	srv=$1; ip=$2; cli=$3; shift 3
	ip netns exec $srv iperf3 -s -1 -D >/dev/null
	sleep 0.3
	ip netns exec $cli iperf3 -c $ip -t "$T" -J "$@" || true
}

# measure impl round: the traffic figures.
measure() {
	impl=$1; r=$2
	tck=$(getconf CLK_TCK)
	if [ -z "$QUICK" ]; then
		v=$(iperf_json $B 10.9.0.2 $A | jq '.end.sum_received.bits_per_second / 1e9')
		record $impl tcp_a $r "$v"
	fi
	c0=$(cpu_ticks $PIDA $PIDB)
	j=$(iperf_json $A 10.9.0.1 $B)
	c1=$(cpu_ticks $PIDA $PIDB)
	v=$(echo "$j" | jq '.end.sum_received.bits_per_second / 1e9')
	record $impl tcp_b $r "$v"
	bits=$(echo "$j" | jq '.end.sum_received.bytes * 8 / 1e9')
	record $impl gbit_cpu $r "$(awk -v b="$bits" -v c=$((c1 - c0)) -v t="$tck" 'BEGIN { printf "%.3f", (c > 0) ? b / (c / t) : 0 }')"
	if [ -z "$QUICK" ]; then
		v=$(iperf_json $A 10.9.0.1 $B -P 4 | jq '.end.sum_received.bits_per_second / 1e9')
		record $impl tcp_4 $r "$v"
	fi
	v=$(iperf_json $A 10.9.0.1 $B -u -b 0 -l 64 | jq '(.end.sum.packets - .end.sum.lost_packets) / .end.sum.seconds')
	record $impl udp64 $r "$v"
	if [ -z "$QUICK" ]; then
		v=$(ip netns exec $B ping -c 200 -i 0.01 10.9.0.1 | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | median)
		record $impl rtt $r "$v"
		record $impl rss_a $r "$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' /proc/$PIDA/status)"
		record $impl rss_b $r "$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' /proc/$PIDB/status)"
	fi
}

rss_kb() { awk '/^VmRSS/ { print $2 }' /proc/$1/status; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# peers impl round: PEERS peers on host A alone.
peers() {
	impl=$1; r=$2
	setup_net
	case $impl in
	nbwg)
		netns_on $A "ifconfig wg0 create && wgconfig wg0 set private-key $TMP/a.key && wgconfig wg0 set listen-port 51820 && ifconfig wg0 up"
		pid=$(daemon_pid $A); sleep 0.5; m0=$(rss_kb $pid)
		v=$(WGPEERS_CONNS=4 ip netns exec $A "$TMP/wgpeers" add wg0 "$PEERS") || die "wgpeers add failed"
		record $impl add $r "$v"
		sleep 1; m1=$(rss_kb $pid)
		show="wgconfig wg0"
		;;
	*)
		n=$(wgname $impl A)
		wggo_start $impl $A $n
		ip netns exec $A wg set $n private-key "$TMP/a.key" listen-port 51820
		ip -n $A link set $n mtu 1420 up
		"$TMP/wgpeers" conf "$PEERS" "$TMP/a.key" 51820 > "$TMP/peers.conf"
		pid=$(daemon_pid $A); sleep 0.5; m0=$(rss_kb $pid)
		t0=$(now); ip netns exec $A wg setconf $n "$TMP/peers.conf"; record $impl add $r "$(elapsed $t0)"
		sleep 1; m1=$(rss_kb $pid)
		show="wg show $n"
		;;
	esac
	record $impl peer_kb $r "$(awk -v a=$m0 -v b=$m1 -v n=$PEERS 'BEGIN { printf "%.2f", (b - a) / n }')"
	: > "$TMP/show.times"
	for i in 1 2 3 4 5; do
		t0=$(now)
		netns_on $A "$show" > "$TMP/show.out" || die "$impl: $show failed"
		elapsed $t0 >> "$TMP/show.times"; echo >> "$TMP/show.times"
	done
	lines=$(wc -l < "$TMP/show.out")
	[ "$lines" -gt "$PEERS" ] || die "$impl: $show printed only $lines lines"
	record $impl show $r "$(median < "$TMP/show.times")"
	if [ $impl = nbwg ]; then
		# The same peers on a second interface, one request at a time.
		netns_on $A "ifconfig wg1 create && wgconfig wg1 set private-key $TMP/a.key"
		v=$(WGPEERS_CONNS=1 ip netns exec $A "$TMP/wgpeers" add wg1 "$PEERS") || die "wgpeers add failed"
		record $impl add1 $r "$v"
	fi
}

median() { sort -n | awk 'NF { v[++n] = $1 } END { if (n == 0) print ""; else print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'; }

# Go benchmarks of the crypto that the tunnel's figures rest on.
go_benchmarks() {
	$GO test -run '^$' -bench 'Encrypt1420$|Decrypt1420$|Handshake$' -benchtime 1s ./kernel/wg/noise 2>&1 |
		awk '/^Benchmark/ { printf "| %s | %s %s | %s |\n", $1, $3, $4, ($6 == "MB/s") ? $5 " " $6 : "" }'
}

build_newest
$GO build -o "$TMP/wgpeers" ./bench/wgpeers
make_keys

# The implementations' order rotates each round.
set -- $IMPLS
NIMPL=$#
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $ROUNDS round(s) of $T s per measure" >&2
for r in $(seq "$ROUNDS"); do
	set -- $IMPLS
	k=$(( (r - 1) % NIMPL ))
	while [ $k -gt 0 ]; do x=$1; shift; set -- "$@" "$x"; k=$((k - 1)); done
	for impl; do
		echo "# round $r: $impl" >&2
		setup $impl
		measure $impl $r
		cleanup
		if [ -z "$QUICK" ]; then
			peers $impl $r
			cleanup
		fi
		awk -v i=$impl -v r=$r '$1 == i && $3 == r { printf "#   %s %s\n", $2, $4 }' "$RES" >&2
	done
done

# The table.
med() { awk -v i=$1 -v m=$2 '$1 == i && $2 == m { print $4 }' "$RES" | median; }
fmt() { [ -n "$2" ] && printf "$1" "$2" || printf -- "—"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) printf "—"; else printf "%.2f", a / b }'; }
has() { case " $IMPLS " in *" $1 "*) return 0 ;; esac; return 1; }

row() { # label measure format [scale]
	label=$1; m=$2; f=$3
	n=$(med nbwg $m); w=; d=
	has newest && w=$(med newest $m)
	has debian && d=$(med debian $m)
	[ -z "$n$w$d" ] && return
	printf "| %s | %s | %s | %s | %s | %s |\n" "$label" "$(fmt "$f" "$n")" "$(fmt "$f" "$w")" "$(fmt "$f" "$d")" "$(ratio "$n" "$w")" "$(ratio "$n" "$d")"
}

rssrow() {
	for i in nbwg newest debian; do
		a=$(med $i rss_a); b=$(med $i rss_b)
		eval "rss_$i='$( [ -n "$a" ] && printf "%.0f / %.0f" "$a" "$b" || printf —)'"
		eval "rssa_$i=$a; rssb_$i=$b"
	done
	[ -z "$rssa_nbwg" ] && return
	printf "| peak RSS, A / B (MB) | %s | %s | %s | %s / %s | %s / %s |\n" "$rss_nbwg" "$rss_newest" "$rss_debian" \
		"$(ratio "$rssa_nbwg" "$rssa_newest")" "$(ratio "$rssb_nbwg" "$rssb_newest")" \
		"$(ratio "$rssa_nbwg" "$rssa_debian")" "$(ratio "$rssb_nbwg" "$rssb_debian")"
}

report() {
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo "# nbwg benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`scripts/bench.sh$([ -n "$QUICK" ] && echo " -q")\` (\`make bench$([ -n "$QUICK" ] && echo "-quick")\`)."
	echo
	echo "- machine: $cpu, $(nproc) cores, Linux $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- nbwg: $(git describe --always --dirty 2>/dev/null || echo unknown), $($GO version | cut -d' ' -f3)"
	has newest && echo "- newest wireguard-go: $WGGO_MODULE $WGGO_VERSION${WIREGUARD_GO_NEWEST:+ ($WIREGUARD_GO_NEWEST)}"
	has debian && echo "- Debian's wireguard-go: $(dpkg-query -W -f '${Version}' wireguard-go 2>/dev/null || echo "$DEBIAN")"
	echo "- $(iperf3 --version | head -1 | cut -d' ' -f1-2), $ROUNDS round(s), $T s per traffic measure, medians over the rounds"
	echo
	echo "Two hosts in network namespaces on a veth pair, on this one machine, which other engineers'"
	echo "tests share: the implementations are measured side by side in one run, alternating (the order"
	echo "rotates each round), so that load from elsewhere falls on each alike.  Each runs with its"
	echo "defaults (MTU 1420; offloads: nbwg's TUN and UDP offloads, the newest wireguard-go's, none in"
	echo "Debian's); the iperf3 options are the same for all.  TCP and UDP are the receiver's figures;"
	echo "\"A sends\" runs iperf3 -c on the side with the listen port."
	echo
	echo "| measure | nbwg | newest wireguard-go | Debian's | nbwg / newest | nbwg / Debian's |"
	echo "|---|---|---|---|---|---|"
	row "TCP, 1 stream, A sends (Gbit/s)" tcp_a "%.2f"
	row "TCP, 1 stream, B sends (Gbit/s)" tcp_b "%.2f"
	row "TCP, 4 streams, B sends (Gbit/s)" tcp_4 "%.2f"
	row "UDP, 64-byte payloads, packets/s received" udp64 "%.0f"
	row "RTT, median of 200 pings at 10 ms (ms)" rtt "%.3f"
	rssrow
	row "Gbit per CPU-second of both daemons (TCP 1 stream, B sends)" gbit_cpu "%.2f"
	row "$PEERS peers: show (\`wgconfig wg0\` / \`wg show\`) (s)" show "%.3f"
	row "$PEERS peers: idle memory per peer (KB of RSS)" peer_kb "%.2f"
	row "$PEERS peers: adding them in one process (s)" add "%.3f"
	row "$PEERS peers: adding them in one process, one request at a time (s)" add1 "%.3f"
	echo
	echo "Every run (implementation, measure, round, value):"
	echo
	echo '```'
	sort -k2,2 -k1,1 -k3,3n "$RES"
	echo '```'
	if [ -z "$QUICK" ]; then
		echo
		echo "Go benchmarks (kernel/wg/noise, one core):"
		echo
		echo "| benchmark | time | throughput |"
		echo "|---|---|---|"
		go_benchmarks
	fi
}

report > "$TMP/report.md"
cat "$TMP/report.md"
[ -n "$OUT" ] && cp "$TMP/report.md" "$OUT"
exit 0
