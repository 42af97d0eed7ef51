package prop

import (
	"encoding/binary"
	"testing"
)

// bigGet builds a SIOCGDRVSPEC answer with n peers, each with two
// allowed-ips, the way wg_ioctl_get fills it.
func bigGet(n int) *Dictionary {
	d := NewDictionary()
	d.SetData("private_key", testPriv)
	d.SetUint16("listen_port", 51820)
	peers := NewArray()
	for i := range n {
		p := NewDictionary()
		key := make([]byte, 32)
		binary.BigEndian.PutUint32(key, uint32(i))
		p.SetString("name", "peer"+string(rune('a'+i%26)))
		p.SetData("public_key", key)
		p.SetData("preshared_key", testPSK)
		p.SetData("endpoint", sockaddrIn(uint16(i), 192, 0, byte(i>>8), byte(i)))
		p.SetUint64("last_handshake_time_sec", testSec+uint64(i))
		p.SetUint32("last_handshake_time_nsec", testNsec)
		ips := NewArray()
		for _, cidr := range []uint8{32, 24} {
			a := NewDictionary()
			a.SetInt("family", 2)
			a.SetUint8("cidr", cidr)
			a.SetData("ip", []byte{10, byte(i >> 8), byte(i), 1})
			ips.Add(a)
		}
		p.Set("allowedips", ips)
		peers.Add(p)
	}
	d.Set("peers", peers)
	return d
}

func BenchmarkExternalize1000Peers(b *testing.B) {
	d := bigGet(1000)
	out, err := Externalize(d)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Externalize(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInternalize1000Peers(b *testing.B) {
	in, err := Externalize(bigGet(1000))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Internalize(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInternalizeAddPeer(b *testing.B) {
	in := []byte(wgconfigAddPeer)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Internalize(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWipe1000Peers(b *testing.B) {
	d := bigGet(1000)
	b.ReportAllocs()
	for b.Loop() {
		Wipe(d)
	}
}
