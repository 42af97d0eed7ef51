// Command wg-keygen generates WireGuard keys as NetBSD's wg-keygen(8) does
// (usr.sbin/wg-keygen/wg-keygen.c): a private key, the public key of a
// private key read from standard input, or a preshared key, each printed
// in base64 on a line of its own.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/crypto/curve25519"

	"nbwg/internal/b64key"
	"nbwg/internal/cli"
	"nbwg/kernel/sys"
)

func main() { os.Exit(run(cli.ProcessEnv())) }

// run is wg-keygen with its world in env.
func run(env *cli.Env) int { return keygen(env, rand.Reader) }

// keygen does run's work, drawing random bytes from random (arc4random(3)
// on NetBSD).
func keygen(env *cli.Env, random io.Reader) int {
	args := env.Args
	if len(args) != 1 && len(args) != 2 {
		return usage(env)
	}
	var key [b64key.KeyLen]byte
	defer clear(key[:])
	switch {
	case len(args) == 1:
		if err := readRandom(env, random, key[:]); err != nil {
			return 1
		}
		clamp(&key)
		return printKey(env, key[:])
	case args[1] == "--psk":
		// A preshared key is any 32 bytes: no clamping.
		if err := readRandom(env, random, key[:]); err != nil {
			return 1
		}
		return printKey(env, key[:])
	case args[1] == "--pub":
		if !readPrivateKey(env, &key) {
			return 1
		}
		pub, err := curve25519.X25519(key[:], curve25519.Basepoint)
		if err != nil {
			// Cannot happen with the base point; NetBSD's
			// crypto_scalarmult has no failure to report.
			env.Warnx("%v", err)
			return 1
		}
		return printKey(env, pub)
	}
	return usage(env)
}

// usage prints wg-keygen's usage to standard error and returns the exit
// status NetBSD's exits with.
func usage(env *cli.Env) int {
	p := env.Progname()
	fmt.Fprintf(env.Stderr, "Usage:\n"+
		"\t%s       : Generate a private key\n"+
		"\t%s --pub : Generate a public key from a private key via stdin\n"+
		"\t%s --psk : Generate a pre-shared key\n", p, p, p)
	return 1
}

// clamp turns 32 random bytes into an X25519 private key the way the
// reference wg(8) does (wg-keygen.c: normalize_key; RFC 7748 §5).
func clamp(key *[b64key.KeyLen]byte) {
	key[0] &= 248
	key[31] &= 127
	key[31] |= 64
}

func readRandom(env *cli.Env, random io.Reader, key []byte) error {
	if _, err := io.ReadFull(random, key); err != nil {
		env.Warnx("random: %v", err)
		return err
	}
	return nil
}

// readPrivateKey reads the private key as NetBSD's does: fgets(3) into a
// buffer of 45 bytes (a line of at most 44 characters, the newline
// included), which must hold exactly 44 characters of base64.
func readPrivateKey(env *cli.Env, key *[b64key.KeyLen]byte) bool {
	var line [b64key.Base64Len]byte
	defer clear(line[:])
	n, err := fgets(bufio.NewReader(env.Stdin), line[:])
	if n == 0 {
		// fgets returns NULL and err(3) prints errno: nothing
		// sets it at end of file, hence strerror(0).
		var e sys.Errno
		if err != nil && !errors.Is(err, io.EOF) {
			e = sys.ErrnoOf(err, sys.EIO)
		}
		env.Warn(e, "fgets")
		return false
	}
	text := line[:n]
	// strlen(3): the text ends at a NUL byte.
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	if len(text) != b64key.Base64Len {
		env.Warnx("Invalid length of a private key")
		return false
	}
	if _, err := b64key.Decode(key[:], text); err != nil {
		env.Warnx("b64_pton failed")
		return false
	}
	return true
}

// fgets reads bytes into buf until it is full or a newline has been
// stored, and reports how many it stored; err is why it stopped short.
func fgets(r io.ByteReader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		c, err := r.ReadByte()
		if err != nil {
			return n, err
		}
		buf[n] = c
		n++
		if c == '\n' {
			break
		}
	}
	return n, nil
}

// printKey prints a key in base64 on a line of its own.
func printKey(env *cli.Env, key []byte) int {
	out := b64key.AppendEncode(make([]byte, 0, b64key.Base64Len+1), key)
	out = append(out, '\n')
	defer clear(out)
	if _, err := env.Stdout.Write(out); err != nil {
		env.Warn(sys.ErrnoOf(err, sys.EIO), "write")
		return 1
	}
	return 0
}
