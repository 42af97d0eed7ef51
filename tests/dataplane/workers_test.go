//go:build linux

package dataplane

import (
	"testing"

	"nbwg/internal/hosts"
)

// TestCryptoWorkersTransfer carries 20 MB over TCP each way between two
// kernels that hand every large batch to two crypto workers
// (NBWG_CRYPTO_WORKERS=2; on a machine of two CPUs the default is none,
// so without it this path would go untested here): TCP superpackets cut
// into some forty packets, sealed and opened off the readers, in order.
func TestCryptoWorkersTransfer(t *testing.T) {
	hosts.Skip(t)
	p := setupBasicEnv(t, false, "", "NBWG_CRYPTO_WORKERS=2")
	for _, h := range []*hosts.Host{p.local, p.peer} {
		waitLog(t, h, "NBWG_CRYPTO_WORKERS: 2 crypto workers per interface each way")
	}
	pingable(t, p.local, "10.0.0.2")
	transfer(t, 20000000,
		leg{"L to P", p.local, p.peer, "10.0.0.2"},
		leg{"P to L", p.peer, p.local, "10.0.0.1"})
}
