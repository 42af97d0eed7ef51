//go:build linux

// Package uapi holds the integration tests of WireGuard's userspace API
// on nbwg: wg(8) and wg-quick(8) driving the interfaces of nbwg's kernel
// (nbwgd) and of nbwg-go, the wireguard-go-compatible command, in
// network namespaces; the topology of the WireGuard project's own
// userspace test (wireguard-go's tests/netns.sh) with nbwg-go; and
// nbwg-go with wireguard-go.  They need root and skip without it.
package uapi

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/crypto/curve25519"

	"nbwg/internal/hosts"
)

func TestMain(m *testing.M) { hosts.Main(m) }

// keyPair is a Curve25519 key pair in base64, as wg genkey and wg pubkey
// print them.
type keyPair struct{ priv, pub string }

func newKeyPair(t testing.TB) keyPair {
	t.Helper()
	var priv [32]byte
	rand.Read(priv[:])
	priv[0] &= 248
	priv[31] = priv[31]&127 | 64
	pub, err := curve25519.X25519(priv[:], curve25519.Basepoint)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{base64.StdEncoding.EncodeToString(priv[:]), base64.StdEncoding.EncodeToString(pub)}
}

func newPSK() string {
	var k [32]byte
	rand.Read(k[:])
	return base64.StdEncoding.EncodeToString(k[:])
}

// needWG ends t unless wg(8) is installed.
func needWG(t testing.TB) {
	t.Helper()
	hosts.LookPath(t, "wg", "wireguard-tools")
}

// lines splits a command's output into its lines, without the last
// newline.
func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
