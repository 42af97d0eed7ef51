package main

import (
	"fmt"
	"io"
	"os"

	"nbwg/internal/b64key"
	"nbwg/internal/cnum"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// setPrivateKey sets the interface's private key from a file
// (wgconfig.c: cmd_set_private_key).
func (c *wgconfig) setPrivateKey(args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	var key [b64key.KeyLen]byte
	defer clear(key[:])
	warning, err := readKey(args[0], &key)
	if err != nil {
		return err
	}
	d := prop.NewDictionary()
	defer prop.Wipe(d)
	d.SetData(sys.WGKeyPrivateKey, key[:])
	if err := c.ioctlSet(sys.WG_IOCTL_SET_PRIVATE_KEY, d); err != nil {
		return err
	}
	if warning != "" {
		c.warnx("%s", warning)
	}
	return nil
}

// readKey reads a key file as wgconfig.c's read_key does: its first 44
// bytes are the key's base64 text, and whatever follows (a newline) is
// ignored.  Along with the key it returns keyFileWarning's warning, for
// the caller to give once the kernel has taken the key.
func readKey(path string, key *[b64key.KeyLen]byte) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		// NetBSD's err(1, "fopen") does not say which file; the
		// name goes between the call and the error (wgconfig.8
		// CAVEATS).
		return "", errc(err, "fopen: %s", path)
	}
	defer f.Close()
	var text [b64key.Base64Len]byte
	defer clear(text[:])
	// fread(3): as many bytes as there are, up to 44; a read error
	// (a directory, say) just ends the count.
	n, _ := io.ReadFull(f, text[:])
	if n != len(text) {
		return "", errx("base64 key len is short: %d", n)
	}
	if _, err := b64key.Decode(key[:], text[:]); err != nil {
		return "", errx("b64_pton failed")
	}
	return keyFileWarning(f, path), nil
}

// keyFileWarning is an nbwg addition: a key file that users other than
// its owner may read gives the key away, so wgconfig says so, as
// wg-quick(8) says of a world-accessible configuration ("Warning: `%s'
// is world accessible"), and goes on.  Only regular files are judged (a
// pipe such as /dev/stdin has no lasting mode).  NetBSD's wgconfig says
// nothing.
func keyFileWarning(f *os.File, path string) string {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	switch perm := fi.Mode().Perm(); {
	case perm&0o007 != 0:
		return fmt.Sprintf("warning: `%s' is world accessible", path)
	case perm&0o070 != 0:
		return fmt.Sprintf("warning: `%s' is group accessible", path)
	}
	return ""
}

// setListenPort sets the interface's UDP port (wgconfig.c:
// cmd_set_listen_port).
func (c *wgconfig) setListenPort(args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	port, err := strtouint16(args[0])
	if err != nil {
		return err
	}
	if port == 0 {
		return errx("port 0 is not allowed")
	}
	d := prop.NewDictionary()
	d.SetUint16(sys.WGKeyListenPort, port)
	return c.ioctlSet(sys.WG_IOCTL_SET_LISTEN_PORT, d)
}

// strtouint16 parses a port or a prefix length as wgconfig.c's does:
// strtol(3) in base 10 over the whole argument, then a range check.
func strtouint16(s string) (uint16, error) {
	v, end, erange := cnum.Strtoll(s, 10, cnum.Libc)
	switch {
	case end == 0:
		return 0, errx("strtol: not a number")
	case end != len(s):
		return 0, errx("strtol: trailing garbage")
	case erange:
		return 0, errc(sys.ERANGE, "strtol")
	case v < 0, v > 65535:
		return 0, errx("out of range")
	}
	return uint16(v), nil
}
