//go:build linux

package dataplane

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	src := filepath.Join(dir, "src")
	p.local.MustRun(t, "head -c 20000000 /dev/urandom > "+src)
	want := strings.Fields(p.local.MustRun(t, "sha256sum "+src))[0]
	for _, d := range []struct {
		name     string
		from, to *hosts.Host
		dst      string
	}{{"L to P", p.local, p.peer, "10.0.0.2"}, {"P to L", p.peer, p.local, "10.0.0.1"}} {
		t.Run(d.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(d.name, " ", "-"))
			d.to.MustRun(t, fmt.Sprintf("setsid sh -c 'nc -l 5001 > %s' >/dev/null 2>&1 < /dev/null &", out))
			if err := hosts.Poll(10e9, func() error {
				if r := d.from.Run(t, fmt.Sprintf("nc -N -w 30 %s 5001 < %s", d.dst, src)); r.Code != 0 {
					return fmt.Errorf("nc: %s", r.Stderr)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := hosts.Poll(30e9, func() error {
				got := strings.Fields(d.to.MustRun(t, "sha256sum "+out+" 2>/dev/null || echo none"))[0]
				if got != want {
					return fmt.Errorf("received file's sha256 %s, sent %s", got, want)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
