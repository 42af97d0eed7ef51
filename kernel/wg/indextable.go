package wg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"nbwg/kernel/wg/noise"
)

// indexTable maps the 32-bit indices we hand out as Sender to the peers
// they belong to ([W] 5.4.2: "I_i is a randomly generated ... index").
// A response, cookie reply or transport message finds its peer by the
// Receiver field through it.  It is the noise package's Upcall.
type indexTable struct {
	dev *Device

	mu      sync.RWMutex
	indices map[uint32]*Peer
}

var errIndexSpace = errors.New("wg: no free index")

// LookupRemote finds a peer by static public key, for an initiation.
func (t *indexTable) LookupRemote(pub noise.PublicKey) *noise.Remote {
	if p := t.dev.peerByKey(pub); p != nil {
		return p.remote
	}
	return nil
}

// NewIndex reserves a random unused index for r's peer, drawn from the
// device's random source (Env.Rand), as every random choice of the
// protocol is.
func (t *indexTable) NewIndex(r *noise.Remote) (uint32, error) {
	p := t.dev.peerByKey(r.PublicKey())
	if p == nil {
		return 0, noise.ErrUnknownPeer
	}
	var b [4]byte
	t.mu.Lock()
	defer t.mu.Unlock()
	for range 64 {
		if _, err := io.ReadFull(t.dev.rand, b[:]); err != nil {
			return 0, fmt.Errorf("wg: index: %w", err)
		}
		idx := binary.LittleEndian.Uint32(b[:])
		if _, used := t.indices[idx]; !used {
			t.indices[idx] = p
			return idx, nil
		}
	}
	return 0, errIndexSpace
}

// DropIndex releases an index.
func (t *indexTable) DropIndex(idx uint32) {
	t.mu.Lock()
	delete(t.indices, idx)
	t.mu.Unlock()
}

// lookup returns the peer an index belongs to.
func (t *indexTable) lookup(idx uint32) *Peer {
	t.mu.RLock()
	p := t.indices[idx]
	t.mu.RUnlock()
	return p
}
