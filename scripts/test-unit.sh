#!/bin/sh
# make test-unit: the unit tests, go test -short ./... (arguments are
# passed on to go test).  -short means unit tests only: no test may make a
# network namespace (internal/hosts decides that for every package).
#
# As root that is enforced rather than trusted: the tests run in a mount
# namespace of their own in which /run/netns is an empty read-only
# directory, so any `ip netns add` fails there, and a test that tries
# fails (as root, hosts and nstest fail a test whose namespace cannot be
# made).  Namespaces that other test runs on the machine make meanwhile
# are outside it and do not count.  Without root no namespace can be made
# anyway, and the tests run as they are.
set -eu
GO=${GO:-go}
export GO

if [ "$(id -u)" != 0 ]; then
	exec "$GO" test -short "$@" ./...
fi

command -v unshare >/dev/null 2>&1 || {
	echo "test-unit: unshare(1) (util-linux) is needed to check that no test makes a network namespace" >&2
	exit 1
}
mkdir -p /run/netns
# shellcheck disable=SC2016 # $GO and $@ are expanded by the inner shell
exec unshare --mount --propagation private sh -euc '
	mount -t tmpfs -o ro,mode=0755 nbwg-test-unit-no-netns /run/netns
	"$GO" test -short "$@" ./...
	if [ -n "$(ip netns list)" ]; then
		echo "test-unit: a unit test made a network namespace:" >&2
		ip netns list >&2
		exit 1
	fi
' test-unit "$@"
