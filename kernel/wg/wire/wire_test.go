package wire

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fill sets b[i] = start+i so that every field of a test message is
// distinguishable by value.
func fill(b []byte, start byte) {
	for i := range b {
		b[i] = start + byte(i)
	}
}

func testInitiation() MessageInitiation {
	m := MessageInitiation{Type: TypeInitiation, Sender: 0x04030201}
	fill(m.Ephemeral[:], 0x10)
	fill(m.Static[:], 0x40)
	fill(m.Timestamp[:], 0x80)
	fill(m.MAC1[:], 0xb0)
	fill(m.MAC2[:], 0xd0)
	return m
}

func testResponse() MessageResponse {
	m := MessageResponse{Type: TypeResponse, Sender: 0x04030201, Receiver: 0x08070605}
	fill(m.Ephemeral[:], 0x10)
	fill(m.Empty[:], 0x40)
	fill(m.MAC1[:], 0xb0)
	fill(m.MAC2[:], 0xd0)
	return m
}

func testCookieReply() MessageCookieReply {
	m := MessageCookieReply{Type: TypeCookieReply, Receiver: 0x04030201}
	fill(m.Nonce[:], 0x10)
	fill(m.Cookie[:], 0x40)
	return m
}

// TestLayout pins the offset of every field ([W] 5.4.2, 5.4.3, 5.4.7), so a
// reordering in Marshal cannot pass unnoticed by a round trip alone.
func TestLayout(t *testing.T) {
	ini, resp, cr := testInitiation(), testResponse(), testCookieReply()
	bi := make([]byte, MessageInitiationSize)
	br := make([]byte, MessageResponseSize)
	bc := make([]byte, MessageCookieReplySize)
	if err := ini.Marshal(bi); err != nil {
		t.Fatal(err)
	}
	if err := resp.Marshal(br); err != nil {
		t.Fatal(err)
	}
	if err := cr.Marshal(bc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		buf   []byte
		off   int
		field []byte
	}{
		{"init type", bi, 0, []byte{1, 0, 0, 0}},
		{"init sender", bi, 4, []byte{1, 2, 3, 4}},
		{"init ephemeral", bi, 8, ini.Ephemeral[:]},
		{"init static", bi, 40, ini.Static[:]},
		{"init timestamp", bi, 88, ini.Timestamp[:]},
		{"init mac1", bi, 116, ini.MAC1[:]},
		{"init mac2", bi, 132, ini.MAC2[:]},
		{"resp type", br, 0, []byte{2, 0, 0, 0}},
		{"resp sender", br, 4, []byte{1, 2, 3, 4}},
		{"resp receiver", br, 8, []byte{5, 6, 7, 8}},
		{"resp ephemeral", br, 12, resp.Ephemeral[:]},
		{"resp empty", br, 44, resp.Empty[:]},
		{"resp mac1", br, 60, resp.MAC1[:]},
		{"resp mac2", br, 76, resp.MAC2[:]},
		{"cookie type", bc, 0, []byte{3, 0, 0, 0}},
		{"cookie receiver", bc, 4, []byte{1, 2, 3, 4}},
		{"cookie nonce", bc, 8, cr.Nonce[:]},
		{"cookie cookie", bc, 32, cr.Cookie[:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.buf[tt.off : tt.off+len(tt.field)]
			if diff := cmp.Diff(tt.field, got); diff != "" {
				t.Errorf("bytes at %d (-want +got):\n%s", tt.off, diff)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	t.Run("initiation", func(t *testing.T) {
		want := testInitiation()
		b := make([]byte, MessageInitiationSize)
		if err := want.Marshal(b); err != nil {
			t.Fatal(err)
		}
		var got MessageInitiation
		if err := got.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("response", func(t *testing.T) {
		want := testResponse()
		b := make([]byte, MessageResponseSize)
		if err := want.Marshal(b); err != nil {
			t.Fatal(err)
		}
		var got MessageResponse
		if err := got.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("cookie reply", func(t *testing.T) {
		want := testCookieReply()
		b := make([]byte, MessageCookieReplySize)
		if err := want.Marshal(b); err != nil {
			t.Fatal(err)
		}
		var got MessageCookieReply
		if err := got.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("transport", func(t *testing.T) {
		b := make([]byte, MessageTransportHeaderSize+48)
		fill(b[MessageTransportHeaderSize:], 0x30)
		hdr := MessageTransport{Type: TypeTransport, Receiver: 0xdeadbeef, Counter: 1<<40 + 7}
		if err := hdr.MarshalHeader(b); err != nil {
			t.Fatal(err)
		}
		var got MessageTransport
		if err := got.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		want := hdr
		want.Content = b[MessageTransportHeaderSize:]
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if &got.Content[0] != &b[MessageTransportHeaderSize] {
			t.Error("Content is a copy, want a slice of the input")
		}
		if diff := cmp.Diff([]byte{4, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde, 7, 0, 0, 0, 0, 1, 0, 0}, b[:16]); diff != "" {
			t.Errorf("header bytes (-want +got):\n%s", diff)
		}
	})
}

// unmarshaler is satisfied by the four message types' pointers.
type unmarshaler interface{ Unmarshal([]byte) error }

func TestUnmarshalErrors(t *testing.T) {
	withType := func(n int, word uint32) []byte {
		b := make([]byte, n)
		binary.LittleEndian.PutUint32(b, word)
		return b
	}
	tests := []struct {
		name string
		msg  unmarshaler
		in   []byte
		want error
	}{
		{"init short", new(MessageInitiation), withType(MessageInitiationSize-1, 1), ErrMessageLength},
		{"init long", new(MessageInitiation), withType(MessageInitiationSize+1, 1), ErrMessageLength},
		{"init nil", new(MessageInitiation), nil, ErrMessageLength},
		{"init wrong type", new(MessageInitiation), withType(MessageInitiationSize, 2), ErrMessageType},
		{"init reserved set", new(MessageInitiation), withType(MessageInitiationSize, 1|1<<8), ErrMessageType},
		{"init ok", new(MessageInitiation), withType(MessageInitiationSize, 1), nil},
		{"resp short", new(MessageResponse), withType(MessageResponseSize-1, 2), ErrMessageLength},
		{"resp wrong type", new(MessageResponse), withType(MessageResponseSize, 1), ErrMessageType},
		{"resp reserved set", new(MessageResponse), withType(MessageResponseSize, 2|1<<24), ErrMessageType},
		{"resp ok", new(MessageResponse), withType(MessageResponseSize, 2), nil},
		{"cookie long", new(MessageCookieReply), withType(MessageCookieReplySize+1, 3), ErrMessageLength},
		{"cookie wrong type", new(MessageCookieReply), withType(MessageCookieReplySize, 4), ErrMessageType},
		{"cookie ok", new(MessageCookieReply), withType(MessageCookieReplySize, 3), nil},
		{"transport short", new(MessageTransport), withType(MessageTransportMinSize-1, 4), ErrMessageLength},
		{"transport wrong type", new(MessageTransport), withType(MessageTransportMinSize, 3), ErrMessageType},
		{"transport keepalive", new(MessageTransport), withType(MessageKeepaliveSize, 4), nil},
		{"transport long", new(MessageTransport), withType(1<<16, 4), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.msg.Unmarshal(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("Unmarshal = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	ini, resp, cr := testInitiation(), testResponse(), testCookieReply()
	badIni, badResp, badCR := ini, resp, cr
	badIni.Type, badResp.Type, badCR.Type = 0, TypeInitiation, TypeTransport
	hdr := MessageTransport{Type: TypeTransport}
	badHdr := MessageTransport{}
	tests := []struct {
		name string
		fn   func() error
		want error
	}{
		{"init short", func() error { return ini.Marshal(make([]byte, MessageInitiationSize-1)) }, ErrMessageLength},
		{"init type unset", func() error { return badIni.Marshal(make([]byte, MessageInitiationSize)) }, ErrMessageType},
		{"resp long", func() error { return resp.Marshal(make([]byte, MessageResponseSize+1)) }, ErrMessageLength},
		{"resp wrong type", func() error { return badResp.Marshal(make([]byte, MessageResponseSize)) }, ErrMessageType},
		{"cookie short", func() error { return cr.Marshal(nil) }, ErrMessageLength},
		{"cookie wrong type", func() error { return badCR.Marshal(make([]byte, MessageCookieReplySize)) }, ErrMessageType},
		{"transport short", func() error { return hdr.MarshalHeader(make([]byte, 15)) }, ErrMessageLength},
		{"transport type unset", func() error { return badHdr.MarshalHeader(make([]byte, 16)) }, ErrMessageType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fn(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestPeekType(t *testing.T) {
	tests := []struct {
		in      []byte
		want    Type
		wantErr error
	}{
		{nil, 0, ErrMessageLength},
		{[]byte{1, 0, 0}, 0, ErrMessageLength},
		{[]byte{0, 0, 0, 0}, 0, ErrMessageType},
		{[]byte{1, 0, 0, 0}, TypeInitiation, nil},
		{[]byte{2, 0, 0, 0, 9}, TypeResponse, nil},
		{[]byte{3, 0, 0, 0}, TypeCookieReply, nil},
		{[]byte{4, 0, 0, 0}, TypeTransport, nil},
		{[]byte{5, 0, 0, 0}, 0, ErrMessageType},
		{[]byte{4, 0, 0, 1}, 0, ErrMessageType},
		{[]byte{4, 1, 0, 0}, 0, ErrMessageType},
	}
	for _, tt := range tests {
		got, err := PeekType(tt.in)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("PeekType(%v) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestTypeString(t *testing.T) {
	got := []string{TypeInitiation.String(), TypeResponse.String(), TypeCookieReply.String(), TypeTransport.String(), Type(9).String()}
	want := []string{"initiation", "response", "cookie-reply", "transport", "Type(9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPaddedSize(t *testing.T) {
	tests := []struct{ n, mtu, want int }{
		{0, 1420, 0},
		{1, 1420, 16},
		{16, 1420, 16},
		{17, 1420, 32},
		{1400, 1420, 1408},
		{1409, 1420, 1420}, // rounding up would pass the MTU
		{1420, 1420, 1420},
		{1500, 1420, 1500}, // already past the MTU: untouched
		{17, 0, 32},        // no MTU: plain rounding
	}
	for _, tt := range tests {
		if got := PaddedSize(tt.n, tt.mtu); got != tt.want {
			t.Errorf("PaddedSize(%d, %d) = %d, want %d", tt.n, tt.mtu, got, tt.want)
		}
	}
}

func TestTransportNoAlloc(t *testing.T) {
	b := make([]byte, 1452)
	hdr := MessageTransport{Type: TypeTransport, Receiver: 1, Counter: 2}
	var m MessageTransport
	allocs := testing.AllocsPerRun(100, func() {
		if err := hdr.MarshalHeader(b); err != nil {
			t.Fatal(err)
		}
		if err := m.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		if _, err := PeekType(b[:3]); err == nil {
			t.Fatal("short PeekType succeeded")
		}
	})
	if allocs != 0 {
		t.Errorf("transport header path allocates %v times per run", allocs)
	}
}

func BenchmarkTransportUnmarshal(b *testing.B) {
	buf := make([]byte, MessageTransportHeaderSize+1420+TagSize)
	hdr := MessageTransport{Type: TypeTransport, Receiver: 1, Counter: 2}
	if err := hdr.MarshalHeader(buf); err != nil {
		b.Fatal(err)
	}
	var m MessageTransport
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Unmarshal(buf); err != nil {
			b.Fatal(err)
		}
	}
}
