package main

import (
	"bytes"
	"encoding/base64"
	"testing"

	"golang.org/x/crypto/curve25519"

	"nbwg/internal/b64key"
)

// FuzzPub feeds anything to wg-keygen --pub as the private key on
// standard input.  As NetBSD's reads it (fgets(3) of at most 44 bytes,
// cut at a NUL, exactly 44 characters of base64), a key that reads
// gives its public key on standard output and status 0; anything else
// a diagnostic and status 1, and nothing on standard output.
func FuzzPub(f *testing.F) {
	for _, s := range []string{
		"uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ=\n",
		"uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ=",
		"uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ=garbage after the key\n",
		"uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ\n",
		"uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgH=\n",
		"uGXXwmh7Zz6QW3h6\x00axZEGsmVmrwOyfB9VStCnpewgHQ=\n",
		" GXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ=\n",
		"\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, stdin []byte) {
		// The model: the line fgets stores, cut at a NUL.
		line := stdin[:min(len(stdin), b64key.Base64Len)]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		if i := bytes.IndexByte(line, 0); i >= 0 {
			line = line[:i]
		}
		var key [b64key.KeyLen]byte
		ok := len(line) == b64key.Base64Len
		if ok {
			_, err := b64key.Decode(key[:], line)
			ok = err == nil
		}
		r := runWith([]string{"wg-keygen", "--pub"}, bytes.NewReader(stdin), nil)
		if !ok {
			if r.Status != 1 || r.Stdout != "" || r.Stderr == "" {
				t.Fatalf("%q: %+v, want a diagnostic and status 1", stdin, r)
			}
			return
		}
		pub, err := curve25519.X25519(key[:], curve25519.Basepoint)
		if err != nil {
			t.Fatal(err)
		}
		want := base64.StdEncoding.EncodeToString(pub) + "\n"
		if r.Status != 0 || r.Stdout != want || r.Stderr != "" {
			t.Fatalf("%q: %+v, want %q", stdin, r, want)
		}
	})
}
