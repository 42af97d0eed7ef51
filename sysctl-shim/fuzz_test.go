package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nbwg/internal/cli"
	"nbwg/kernel/kern"
	"nbwg/kernel/sys"
)

// FuzzArgs runs sysctl with any command line ('\x00' separates the
// arguments) and any contents of the file "conf" in the working
// directory (for -f conf), against an emulated kernel's sysctl tree in
// memory, running or not (the selector's second bit), as root or as
// nobody (its low bit).  The host's sysctl, for names not under net.wg,
// is /bin/true, and never replaces the test.  Whatever the input:
//   - the exit status is 0 or 1 (sysctl(8), EXIT STATUS; the host's
//     sysctl, here, exits 0);
//   - a failure of ours says why on standard error (standard output
//     with -A; -q hides a read's unknown name, as NetBSD's does);
//   - only a write starts a kernel (a value after '=', on the command
//     line or in the file), and only root's does;
//   - nobody's command line leaves the kernel's variables as they were.
func FuzzArgs(f *testing.F) {
	for _, s := range []struct {
		line, file string
	}{
		{"net.wg", ""},
		{"net.wg.debug", ""},
		{"-a", ""},
		{"-A", ""},
		{"-d\x00net.wg", ""},
		{"-M", ""},
		{"-x\x00net.wg.rekey_timeout", ""},
		{"-xx\x00net.wg.force_underload", ""},
		{"-r\x00net.wg.debug", ""},
		{"-n\x00-e\x00-q\x00net.wg.debug", ""},
		{"-w\x00net.wg.rekey_after_time=3", ""},
		{"-w\x00net.wg.debug=0x10\x00net.wg.debug\x00net.wg.debug?=3", ""},
		{"-w\x00net.wg.rekey_after_messages=18446744073709551616", ""},
		{"-w\x00net.wg.rekey_timeout=0", ""},
		{"-w\x00net/wg/debug=2", ""},
		{"-w\x00net.wg=1", ""},
		{"net.wg.nope", ""},
		{"net.wg.debug.more", ""},
		{"kernel.hostname", ""},
		{"net.wg.debug\x00kernel.hostname", ""},
		{"-p", ""},
		{"--system", ""},
		{"-f\x00conf", "net.wg.debug=1\n# comment\nnet.wg.keepalive_timeout = 25\nkernel.hostname=x\n"},
		{"-f\x00conf", "net.wg.debug=\\\n1\nnet.wg.debug\\#x=2\n"},
		{"-f\x00conf", "kernel.hostname=x\n"},
		{"-f\x00missing", ""},
		{"-f", ""},
		{"-x\x00-r\x00net.wg.debug", ""},
		{"-a\x00-q", ""},
	} {
		for sel := range uint8(4) {
			f.Add(s.line, []byte(s.file), sel)
		}
	}
	hostSysctl, err := exec.LookPath("true")
	if err != nil {
		f.Skip("no true(1) to stand in for the host's sysctl")
	}
	old := hostSysctlPath
	hostSysctlPath = hostSysctl
	f.Cleanup(func() { hostSysctlPath = old })
	dir := f.TempDir()
	f.Chdir(dir)
	conf := filepath.Join(dir, "conf")
	f.Fuzz(func(t *testing.T, line string, file []byte, sel uint8) {
		if specialPath(line) {
			return
		}
		if err := os.WriteFile(conf, file, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"sysctl"}
		if line != "" {
			args = append(args, strings.Split(line, "\x00")...)
		}
		cred := sys.Cred{}
		if sel&1 != 0 {
			cred = nobody
		}
		running := sel&2 != 0
		k := kern.New(kern.Parts{})
		before := k.Sysctl.AllDefault()
		starts := 0
		var stdout, stderr bytes.Buffer
		env := &cli.Env{
			Args:   args,
			Stdin:  strings.NewReader(""),
			Stdout: &stdout,
			Stderr: &stderr,
			Kernel: func(start bool) (cli.Kernel, error) {
				if start {
					starts++
					if cred.Privileged() {
						running = true
					}
				}
				if !running {
					return noKernel{}, nil
				}
				return cli.Local(k.Sysctl, cred), nil
			},
		}
		p := newProg(env)
		p.execHost = func(path string, argv []string, stdin io.Reader) (int, error) {
			return 0, nil // the host's sysctl would take over here
		}
		code := p.main()
		p.flush()

		write := strings.Contains(line, "=") || bytes.Contains(file, []byte("="))
		// -q hides a read's unknown name, -A sends diagnostics to
		// standard output.
		quiet := false
		for _, a := range args[1:] {
			if a == "--" || !strings.HasPrefix(a, "-") {
				break
			}
			quiet = quiet || strings.ContainsAny(a, "qA")
		}
		switch {
		case code != 0 && code != 1:
			t.Errorf("%q: exit status %d", args, code)
		case code == 1 && stderr.Len() == 0 && !quiet:
			t.Errorf("%q: exit status 1 and nothing on standard error", args)
		case starts > 0 && !write:
			t.Errorf("%q: a kernel was started without a write", args)
		case !cred.Privileged() && !k.Sysctl.AllDefault() && before:
			t.Errorf("%q as nobody changed a variable", args)
		}
	})
}

// specialPath reports whether a command line names a file under /dev,
// /proc, /sys or /run, which could block a read for ever (a FIFO, a
// terminal) or never end (/dev/zero): the fuzzer is kept to the files
// of its working directory and ordinary ones.
func specialPath(line string) bool {
	for _, dir := range []string{"/dev", "/proc", "/sys", "/run"} {
		if strings.Contains(line, dir) {
			return true
		}
	}
	return false
}
