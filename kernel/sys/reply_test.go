package sys

import (
	"runtime/debug"
	"testing"
	"unsafe"
)

func TestReleaseReplyWipes(t *testing.T) {
	for _, n := range []int{16, minPooledReply} {
		b := append(ReplyBuffer(n), "secret key material"...)
		ReleaseReply(b)
		for i, c := range b {
			if c != 0 {
				t.Fatalf("%d-byte buffer: byte %d is %#x after ReleaseReply", n, i, c)
			}
		}
	}
}

// TestReplyBufferReused: a large buffer given back is handed out again,
// empty; a small one is not kept.
func TestReplyBufferReused(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // a collection empties the pool
	reused := false
	// The race detector's sync.Pool drops some of what it is given.
	for range 20 {
		b := append(ReplyBuffer(minPooledReply), 1, 2, 3)
		ReleaseReply(b)
		c := ReplyBuffer(minPooledReply)
		if len(c) != 0 || cap(c) < minPooledReply {
			t.Fatalf("ReplyBuffer gave len %d cap %d", len(c), cap(c))
		}
		if unsafe.SliceData(c) == unsafe.SliceData(b) {
			reused = true
			if c[:3][0] != 0 {
				t.Fatal("a reused buffer was not wiped")
			}
			break
		}
	}
	if !reused {
		t.Error("a released buffer of 1 MiB was never handed out again")
	}
	if b := ReplyBuffer(minPooledReply + 1); cap(b) < minPooledReply+1 {
		t.Errorf("ReplyBuffer(%d): cap %d", minPooledReply+1, cap(b))
	}
	s := ReplyBuffer(64)
	ReleaseReply(s)
	if c := ReplyBuffer(64); cap(c) != 64 {
		t.Errorf("ReplyBuffer(64) after releasing a small one: cap %d", cap(c))
	}
}
