package main

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
)

// keyFile writes a key file with the given mode (os.WriteFile's mode is
// filtered by the umask; Chmod is not).
func keyFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := writeFile(t, "key", content)
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// A key file that group or others may access is used, and wgconfig
// warns once the kernel has the key (an nbwg addition, after wg-quick's
// "Warning: `%s' is world accessible"); exit status 0.
func TestKeyFileWarning(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		warn string // "" or what follows the path
	}{
		{0o600, ""},
		{0o400, ""},
		{0o700, ""},
		{0o644, "' is world accessible"},
		{0o604, "' is world accessible"},
		{0o601, "' is world accessible"},
		{0o640, "' is group accessible"},
		{0o620, "' is group accessible"},
	} {
		path := keyFile(t, privA+"\n", tc.mode)
		want := result{0, "", ""}
		if tc.warn != "" {
			want.Stderr = "wgconfig: warning: `" + path + tc.warn + "\n"
		}
		got, req := runSet(t, "wgconfig", "wg0", "set", "private-key", path)
		diffResult(t, []string{"set private-key", tc.mode.String()}, want, got)
		if req == nil {
			t.Errorf("mode %v: no request", tc.mode)
		}

		psk := keyFile(t, privA+"\n", tc.mode)
		if tc.warn != "" {
			want.Stderr = "wgconfig: warning: `" + psk + tc.warn + "\n"
		}
		for _, opt := range []string{"--preshared-key=", "--preshared-key-file="} {
			got, req = runSet(t, "wgconfig", "wg0", "add", "peer", "B", pubB, opt+psk)
			diffResult(t, []string{opt, tc.mode.String()}, want, got)
			if req == nil {
				t.Errorf("%s mode %v: no request", opt, tc.mode)
			}
		}
	}
}

// The warning is about a key in use: none when the key is refused (by
// wgconfig or by the kernel), none for a file a later option replaced,
// and none for a pipe.
func TestKeyFileWarningOnlyForUsedKeys(t *testing.T) {
	open := keyFile(t, privA+"\n", 0o644)
	closed := keyFile(t, privA+"\n", 0o600)
	short := keyFile(t, "abcd", 0o644)

	got, _ := runSet(t, "wgconfig", "wg0", "set", "private-key", short)
	diffResult(t, nil, result{1, "", "wgconfig: base64 key len is short: 4\n"}, got)

	got = runWith(t, &fakeKernel{t: t, setErr: sys.EPERM}, "wgconfig", "wg0", "set", "private-key", open)
	diffResult(t, nil, result{1, "", "wgconfig: ioctl(SIOCSDRVSPEC): cmd=1: Operation not permitted\n"}, got)
	got = runWith(t, &fakeKernel{t: t, setErr: sys.EEXIST}, "wgconfig", "wg0", "add", "peer", "B", pubB, "--preshared-key="+open)
	diffResult(t, nil, result{1, "", "wgconfig: ioctl(SIOCSDRVSPEC): cmd=4: File exists\n"}, got)

	// The last --preshared-key= wins, and only its file is judged.
	got, _ = runSet(t, "wgconfig", "wg0", "add", "peer", "B", pubB, "--preshared-key="+open, "--preshared-key="+closed)
	diffResult(t, nil, result{0, "", ""}, got)
	got, _ = runSet(t, "wgconfig", "wg0", "add", "peer", "B", pubB, "--preshared-key="+closed, "--preshared-key="+open)
	diffResult(t, nil, result{0, "", "wgconfig: warning: `" + open + "' is world accessible\n"}, got)

	// A pipe: no lasting mode to judge.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() { w.WriteString(privA + "\n"); w.Close() }()
	got, req := runSet(t, "wgconfig", "wg0", "set", "private-key", "/dev/fd/"+itoa(int64(r.Fd())))
	diffResult(t, nil, result{0, "", ""}, got)
	if want := key(t, privA); req == nil || !cmp.Equal(req.Dict.(map[string]any)["private_key"], want) {
		t.Errorf("key from a pipe: request %+v", req)
	}
}
