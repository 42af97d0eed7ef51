#!/bin/sh
# The whole nbwg test suite, as CI runs it: setup, build, static checks,
# unit tests, and (as root) the integration tests in network namespaces.
set -eu
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

./scripts/setup.sh
make build

echo "== gofmt"
make fmt-check
echo "== go vet (linux, netbsd)"
make vet
echo "== GOOS=netbsd go build"
GOOS=netbsd go build ./...
echo "== go test"
NBWG_BIN="$PWD/bin" go test -count=1 -timeout 60m ./...
# The race detector over the packages with concurrency (the kernel's and
# what they share), their unit tests: the integration tests run the
# built commands, which carry no race detector.
echo "== go test -race (unit tests of kernel/ and internal/)"
go test -race -short -count=1 -timeout 20m ./kernel/... ./internal/...
echo "== all tests passed"
