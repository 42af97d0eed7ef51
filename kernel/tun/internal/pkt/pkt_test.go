package pkt

import (
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestChecksumKnownAnswers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want uint16
	}{
		// RFC 1071 section 3: the sum of these bytes is ddf2.
		{"rfc1071", "0001 f203 f4f5 f6f7", ^uint16(0xddf2)},
		// A textbook IPv4 header with its checksum field zeroed.
		{"ipv4 header", "4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7", 0xb861},
		{"odd length", "01", ^uint16(0x0100)},
		{"empty", "", 0xffff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Checksum(unhex(t, tt.in), 0); got != tt.want {
				t.Errorf("Checksum = %#04x, want %#04x", got, tt.want)
			}
		})
	}
}

var (
	v4a = netip.MustParseAddr("192.0.2.1")
	v4b = netip.MustParseAddr("198.51.100.7")
	v6a = netip.MustParseAddr("2001:db8::1")
	v6b = netip.MustParseAddr("fe80::2")
)

func TestBuildParse(t *testing.T) {
	tests := []struct {
		name string
		pkt  []byte
		want Info
	}{
		{
			name: "icmp echo",
			pkt:  Echo(IP{Src: v4a, Dst: v4b, ID: 7}, false, 0x1234, 9, []byte("hi")),
			want: Info{IP: IP{Src: v4a, Dst: v4b, TTL: 64, ID: 7}, Proto: ProtoICMP, ICMPType: 8, ID: 0x1234, Seq: 9, Payload: []byte("hi")},
		},
		{
			name: "icmpv6 echo reply",
			pkt:  Echo(IP{Src: v6a, Dst: v6b, TTL: 1}, true, 1, 2, []byte("abc")),
			want: Info{IP: IP{Src: v6a, Dst: v6b, TTL: 1}, Proto: ProtoICMPv6, ICMPType: 129, ID: 1, Seq: 2, Payload: []byte("abc")},
		},
		{
			name: "udp4",
			pkt:  UDP(IP{Src: v4a, Dst: v4b, DF: true, TOS: 0x10}, 1000, 51820, []byte("odd")),
			want: Info{IP: IP{Src: v4a, Dst: v4b, TTL: 64, DF: true, TOS: 0x10}, Proto: ProtoUDP, SrcPort: 1000, DstPort: 51820, Payload: []byte("odd")},
		},
		{
			name: "udp6",
			pkt:  UDP(IP{Src: v6a, Dst: v6b, TOS: 0xb8}, 1, 2, nil),
			want: Info{IP: IP{Src: v6a, Dst: v6b, TTL: 64, TOS: 0xb8}, Proto: ProtoUDP, SrcPort: 1, DstPort: 2, Payload: []byte{}},
		},
		{
			name: "tcp6 with options",
			pkt: TCP(IP{Src: v6a, Dst: v6b}, TCPHeader{SrcPort: 80, DstPort: 9, Seq: 100, Ack: 5, Flags: TCPAck | TCPPsh,
				Options: []byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}}, []byte("payload")),
			want: Info{IP: IP{Src: v6a, Dst: v6b, TTL: 64}, Proto: ProtoTCP, SrcPort: 80, DstPort: 9, TCPSeq: 100, TCPAck: 5,
				TCPFlags: TCPAck | TCPPsh, TCPOptions: []byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}, Payload: []byte("payload")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.pkt)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			opts := []cmp.Option{cmp.Comparer(func(a, b netip.Addr) bool { return a == b }), cmpopts.EquateEmpty()}
			if diff := cmp.Diff(tt.want, got, opts...); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
			// Any single flipped bit must be caught by a length field or
			// a checksum (TTL and TOS are outside every checksum of IPv6,
			// so flip a byte of the transport part).
			bad := append([]byte(nil), tt.pkt...)
			bad[len(bad)-1] ^= 0x01
			if _, err := Parse(bad); !errors.Is(err, ErrBadPacket) {
				t.Errorf("Parse(corrupted) error = %v, want ErrBadPacket", err)
			}
		})
	}
}

func TestBuildRejects(t *testing.T) {
	if p := Build(IP{Src: v4a, Dst: v6a}, ProtoUDP, nil); p != nil {
		t.Errorf("mixed families: got %d bytes, want nil", len(p))
	}
	if p := TCP(IP{Src: v4a, Dst: v4b}, TCPHeader{Options: []byte{1}}, nil); p != nil {
		t.Errorf("unaligned options: got %d bytes, want nil", len(p))
	}
	if _, err := Parse(nil); !errors.Is(err, ErrBadPacket) {
		t.Errorf("Parse(nil) = %v, want ErrBadPacket", err)
	}
}
