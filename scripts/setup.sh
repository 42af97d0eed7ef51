#!/bin/sh
# Installs what nbwg needs on a Debian machine (as root) and fetches the Go
# modules.  Safe to run again.  Go itself must be there already (a Go
# 1.26 toolchain at /usr/local/go or on PATH): Debian's golang package is
# too old for this module.
set -eu
cd "$(dirname "$0")/.."

export PATH="/usr/local/go/bin:$PATH"
if ! command -v go >/dev/null 2>&1; then
	echo "setup: no Go toolchain found (expected /usr/local/go/bin/go or go on PATH)" >&2
	exit 1
fi

# What the tests use: as root or in CI a test fails, rather than skips,
# when one of these is missing (internal/hosts, tier.go).  systemd is for
# systemd-analyze (rc.d's TestUnitVerify); nothing here starts it.
pkgs="iproute2 iputils-ping netcat-openbsd util-linux procps kmod mandoc man-db \
	wireguard-go wireguard-tools iperf3 jq tcpdump busybox ca-certificates systemd nftables"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing
fi

# The TUN device node, in case the machine has none yet.
if [ ! -c /dev/net/tun ]; then
	modprobe tun 2>/dev/null || true
	mkdir -p /dev/net
	[ -c /dev/net/tun ] || mknod /dev/net/tun c 10 200
fi

# The commands the tests look for, each from the packages above (or
# Essential ones: dash, bash, coreutils).
missing=""
for c in ip ping nc setpriv prlimit unshare sysctl tcpdump busybox man mandoc \
	wireguard-go wg systemd-analyze dpkg-query dash bash; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ -n "$missing" ]; then
	echo "setup: still missing after the install:$missing" >&2
	exit 1
fi

go mod download
