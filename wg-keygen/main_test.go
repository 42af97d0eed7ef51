package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/cli"
)

// result is what a run leaves behind.
type result struct {
	Status int
	Stdout string
	Stderr string
}

func runWith(args []string, stdin io.Reader, random io.Reader) result {
	var out, errb bytes.Buffer
	env := &cli.Env{Args: args, Stdin: stdin, Stdout: &out, Stderr: &errb}
	status := keygen(env, random)
	return result{status, out.String(), errb.String()}
}

func b64(t *testing.T, hexKey string) string {
	t.Helper()
	b, err := hex.DecodeString(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

const usageText = "Usage:\n" +
	"\twg-keygen       : Generate a private key\n" +
	"\twg-keygen --pub : Generate a public key from a private key via stdin\n" +
	"\twg-keygen --psk : Generate a pre-shared key\n"

func TestPub(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		want  result
	}{
		{
			// RFC 7748 §6.1: Alice's key pair.
			name:  "RFC 7748 Alice",
			stdin: b64(t, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a") + "\n",
			want:  result{0, b64(t, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a") + "\n", ""},
		},
		{
			// RFC 7748 §6.1: Bob's key pair.
			name:  "RFC 7748 Bob",
			stdin: b64(t, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"),
			want:  result{0, b64(t, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f") + "\n", ""},
		},
		// Fixed key pairs of NetBSD's tests/net/if_wg (common.sh,
		// t_interoperability.sh).
		{"netbsd fixed 1", "uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ=\n", result{0, "fdkPmFWHfpIwRavRLWuyzmBOOrKxT6KKLgqVb1g5LhY=\n", ""}},
		{"netbsd fixed 2", "aB2LjrvY4AnimcBR2mLCVeeHx3bUfX7dCWKOkSHU7lE=\n", result{0, "0qqR7Z9K5SABuENaSd7MIBb+y6BReMJUE9L2qBz2rWk=\n", ""}},
		{"netbsd interop 1", "aK3TbzUNDO4aeDRX54x8bOG+NaKuqXKt7Hwq0Uz69Wo=\n", result{0, "2iWFzywbDvYu2gQW5Q7/z/g5/Cv4bDDd6L3OKXLOwxs=\n", ""}},
		{"netbsd interop 2", "EF9D8AOkmxjlkiRFqBnfJS+RJJHbUy02u+VkGlBr9Eo=\n", result{0, "2ZM9RvDmMZS/Nuh8OaVaJrwFbO57/WJgeU+JoQ//nko=\n", ""}},
		{"netbsd interop 3", "6B0dualfIAiEG7/jFGOIHrJMhuypq87xCER/0ieIpE4=\n", result{0, "6mQ4lUO3oq5O8FfGW52CFXNbmh5iFT1XMqPzpdrc0nE=\n", ""}},
		{
			// Only the first line, of at most 44 characters, is read.
			name:  "trailing text ignored",
			stdin: "uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ=garbage\nmore\n",
			want:  result{0, "fdkPmFWHfpIwRavRLWuyzmBOOrKxT6KKLgqVb1g5LhY=\n", ""},
		},
		{"empty input", "", result{1, "", "wg-keygen: fgets: Undefined error: 0\n"}},
		{"short line", "uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgH\n", result{1, "", "wg-keygen: Invalid length of a private key\n"}},
		{"short input", "abc", result{1, "", "wg-keygen: Invalid length of a private key\n"}},
		{"NUL inside", "uGXXwmh7Zz6QW3h6axZEG\x00mVmrwOyfB9VStCnpewgHQ=\n", result{1, "", "wg-keygen: Invalid length of a private key\n"}},
		// fgets keeps the newline: 43 characters and the newline
		// make strlen 44, and b64_pton skips the newline but then
		// ends inside a quantum.
		{"43 characters and newline", "uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ\n", result{1, "", "wg-keygen: b64_pton failed\n"}},
		{"not base64", "uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewg*Q=\n", result{1, "", "wg-keygen: b64_pton failed\n"}},
		{"no padding", "uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQA\n", result{1, "", "wg-keygen: b64_pton failed\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runWith([]string{"wg-keygen", "--pub"}, strings.NewReader(tt.stdin), nil)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("wg-keygen --pub < %q: -want +got:\n%s", tt.stdin, diff)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestGenerate(t *testing.T) {
	ones := bytes.Repeat([]byte{0xff}, 32)
	tests := []struct {
		name string
		args []string
		want []byte // the key before base64
	}{
		// Clamping: byte 0 &= 248, byte 31 &= 127, byte 31 |= 64.
		{"private key is clamped", []string{"wg-keygen"}, append(append([]byte{0xf8}, bytes.Repeat([]byte{0xff}, 30)...), 0x7f)},
		{"preshared key is not", []string{"wg-keygen", "--psk"}, ones},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runWith(tt.args, strings.NewReader(""), bytes.NewReader(ones))
			want := result{0, base64.StdEncoding.EncodeToString(tt.want) + "\n", ""}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("-want +got:\n%s", diff)
			}
		})
	}
	zeros := make([]byte, 32)
	got := runWith([]string{"wg-keygen"}, nil, bytes.NewReader(zeros))
	want := result{0, base64.StdEncoding.EncodeToString(append(make([]byte, 31), 0x40)) + "\n", ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("zero bytes clamped: -want +got:\n%s", diff)
	}
}

func TestGeneratedKeysAreClampedAndDistinct(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 64; i++ {
		var out bytes.Buffer
		env := &cli.Env{Args: []string{"wg-keygen"}, Stdout: &out, Stderr: io.Discard}
		if st := run(env); st != 0 {
			t.Fatalf("run = %d", st)
		}
		line := out.String()
		if len(line) != 45 || line[44] != '\n' {
			t.Fatalf("output %q is not 44 characters and a newline", line)
		}
		key, err := base64.StdEncoding.DecodeString(line[:44])
		if err != nil {
			t.Fatal(err)
		}
		if key[0]&7 != 0 || key[31]&0x80 != 0 || key[31]&0x40 == 0 {
			t.Errorf("key %x is not clamped", key)
		}
		if seen[line] {
			t.Errorf("key %q generated twice", line)
		}
		seen[line] = true
	}
}

func TestRandomFailure(t *testing.T) {
	got := runWith([]string{"wg-keygen", "--psk"}, nil, failingReader{})
	want := result{1, "", "wg-keygen: random: boom\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"wg-keygen", "--help"},
		{"wg-keygen", "--pubx"},
		{"wg-keygen", "-pub"},
		{"wg-keygen", ""},
		{"wg-keygen", "--pub", "--psk"},
		{"/usr/sbin/wg-keygen", "x"},
	} {
		got := runWith(args, strings.NewReader(""), nil)
		want := result{1, "", usageText}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q: -want +got:\n%s", args, diff)
		}
	}
}
