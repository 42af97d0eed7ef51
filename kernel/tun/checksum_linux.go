//go:build linux

package tun

// The offload code's names for the Internet checksum of internal/checksum.

import ck "nbwg/internal/checksum"

func sum(b []byte, initial uint64) uint64 { return ck.Sum(b, initial) }

func fold(s uint64) uint16 { return ck.Fold(s) }

func checksum(b []byte, initial uint64) uint16 { return ck.Checksum(b, initial) }

func pseudoHeaderSum(proto uint8, src, dst []byte, length int) uint64 {
	return ck.PseudoHeaderSum(proto, src, dst, length)
}
