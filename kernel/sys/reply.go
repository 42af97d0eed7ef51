package sys

import "sync"

// Reply buffers.  A handler whose answer is large (a show of thousands of
// peers: megabytes) takes its buffer from ReplyBuffer, and the carrier,
// once the reply is written, hands it to ReleaseReply, which wipes it and
// keeps it for the next: a fresh buffer of that size cost the kernel a
// zeroing, page faults and garbage to collect each time.  Smaller
// replies are not worth keeping.  What is kept goes at the second
// collection after it was released (sync.Pool), at most some minutes
// in an idle kernel (the runtime collects every two).

// minPooledReply is the smallest buffer ReleaseReply keeps.
const minPooledReply = 1 << 20

var replyPool sync.Pool // of *[]byte, wiped, len 0

// ReplyBuffer returns an empty buffer with room for at least n bytes.
func ReplyBuffer(n int) []byte {
	if n >= minPooledReply {
		if p, ok := replyPool.Get().(*[]byte); ok {
			if cap(*p) >= n {
				return (*p)[:0]
			}
			replyPool.Put(p)
		}
	}
	return make([]byte, 0, n)
}

// ReleaseReply wipes out (a reply may hold keys) and keeps its storage
// for ReplyBuffer when it is large.  out must be the carrier's to give
// away: the handler returned it and nothing else refers to it.  Bytes
// past len(out) are not wiped: whoever wrote out appended to it, so they
// were never written.
func ReleaseReply(out []byte) {
	clear(out)
	if cap(out) >= minPooledReply {
		b := out[:0]
		replyPool.Put(&b)
	}
}
