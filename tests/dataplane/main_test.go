//go:build linux

// Package dataplane holds the data plane's integration tests: wg(4)'s
// EXAMPLES with traffic, interoperation with wireguard-go, and NetBSD's
// timer tests (tests/net/if_wg/t_misc.sh) rewritten for network
// namespaces.  They need root and skip without it.
package dataplane

import (
	"testing"

	"nbwg/internal/hosts"
)

func TestMain(m *testing.M) { hosts.Main(m) }
