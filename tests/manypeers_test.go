//go:build linux

package tests

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// TestThousandPeers: an interface with 1,000 peers shows every one of
// them in full.  NetBSD's wgconfig offers the kernel a fixed 4096-byte
// buffer and could not; nbwg's grows it until the reply fits.
func TestThousandPeers(t *testing.T) {
	hosts.Integration(t)
	const n = 1000
	h := hosts.New(t, "A")
	key := newKeyPair(t)
	psk := newPSK()
	h.WriteFile(t, "wg/wg0", []byte(key.priv+"\n"), 0o600)
	h.WriteFile(t, "wg/psk", []byte(psk+"\n"), 0o600)
	quiet(t, h, "ifconfig wg0 create && ifconfig wg0 inet 10.3.0.1/16 && ifconfig wg0 inet6 fd00:3::1/64 && "+
		"wgconfig wg0 set private-key /etc/wg/wg0 && wgconfig wg0 set listen-port 1234 && ifconfig wg0 up")

	// One wgconfig per peer, as an administrator would add them, all in
	// one script on the host.
	var list strings.Builder
	peers := make([]peer, n)
	for i := range peers {
		p := peer{
			name:     fmt.Sprintf("p%d", i),
			pub:      newKeyPair(t).pub,
			endpoint: fmt.Sprintf("198.51.100.%d:%d", i%250+1, 10000+i),
			allowed:  fmt.Sprintf("10.3.%d.%d/32,fd00:3::%x/128", (i+2)/256, (i+2)%256, i+2),
		}
		peers[i] = p
		fmt.Fprintf(&list, "%s %s %s %s\n", p.name, p.pub, p.allowed, p.endpoint)
	}
	h.WriteFile(t, "wg/peers", []byte(list.String()), 0o600)
	quiet(t, h, `while read name pub ips ep; do
		wgconfig wg0 add peer "$name" "$pub" --preshared-key=/etc/wg/psk --allowed-ips="$ips" --endpoint="$ep" || exit
	done < /etc/wg/peers`)

	got := h.MustRun(t, "wgconfig wg0")
	if c := strings.Count(got, "\n\tpeer: "); c != n {
		t.Errorf("wgconfig wg0 shows %d peers, want %d", c, n)
	}
	// Newest first, as if_wg inserts at the head of its list.
	shown := slices.Clone(peers)
	slices.Reverse(shown)
	if diff := cmp.Diff(showAll("wg0", "1234", shown...), got); diff != "" {
		t.Errorf("wgconfig wg0 (-want +got):\n%s", truncate(diff, 8000))
	}
	for _, i := range []int{0, 1, 499, 998, 999} {
		check(t, h, "wgconfig wg0 show peer "+peers[i].name+" --show-preshared-key", out(showPeer(peers[i], psk)))
	}
	// Unprivileged readers get the whole list too.
	if diff := cmp.Diff(out(got), h.RunAs(t, nobody, "wgconfig wg0")); diff != "" {
		t.Errorf("wgconfig wg0 as nobody (-root +nobody):\n%s", truncate(diff, 8000))
	}

	// And every one of them can go.
	quiet(t, h, `while read name rest; do wgconfig wg0 delete peer "$name" || exit; done < /etc/wg/peers`)
	check(t, h, "wgconfig wg0", out(showAll("wg0", "1234")))
}

// truncate keeps a long diff readable.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("\n... (%d more bytes)", len(s)-n)
}
