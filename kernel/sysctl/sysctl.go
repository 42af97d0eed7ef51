// Package sysctl is the emulated kernel's sysctl tree: named nodes with a
// type, a description, a getter and a setter, served to the sysctl
// command through the ioctl carrier (sys.NBWG_SYSCTL).  It holds only
// what nbwg's kernel has (net.wg.*); the sysctl command hands every other
// name to the host's own sysctl.
package sysctl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"nbwg/kernel/sys"
)

// Node is one leaf of the tree.
type Node struct {
	Name string // full dotted name, e.g. "net.wg.rekey_timeout"
	Type sys.CtlType
	Desc string
	// Get returns the value; a quad's is the bits of its unsigned
	// value.
	Get func() int64
	// Set stores a value already checked against Type; it may refuse
	// it with an error (sys.EINVAL for out of bounds).
	Set func(v int64) error
	// Default is the value a fresh kernel has.
	Default int64
}

// Tree is a set of nodes.
type Tree struct {
	mu    sync.Mutex
	nodes map[string]*Node
}

// Add registers nodes.
func (t *Tree) Add(nodes ...Node) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.nodes == nil {
		t.nodes = make(map[string]*Node)
	}
	for i := range nodes {
		t.nodes[nodes[i].Name] = &nodes[i]
	}
}

// AllDefault reports whether every node holds its default value.
func (t *Tree) AllDefault() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, n := range t.nodes {
		if n.Get() != n.Default {
			return false
		}
	}
	return true
}

// Format renders a node's value as sysctl(8) prints it.
func (n *Node) Format() string { return n.Type.Format(n.Get()) }

// parse reads a new value as sysctl(8) would send it.
func (n *Node) parse(s string) (int64, error) {
	s = strings.TrimSpace(s)
	switch n.Type {
	case sys.CTLTYPE_INT:
		v, err := strconv.ParseInt(s, 0, 32)
		if err != nil {
			return 0, sys.EINVAL
		}
		return v, nil
	case sys.CTLTYPE_QUAD:
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return 0, sys.EINVAL
		}
		return int64(v), nil
	case sys.CTLTYPE_BOOL:
		switch s {
		case "0":
			return 0, nil
		case "1":
			return 1, nil
		}
		return 0, sys.EINVAL
	}
	return 0, sys.EINVAL
}

// below returns the leaves named name or under name, in name order.
func (t *Tree) below(name string) []*Node {
	var out []*Node
	for full, n := range t.nodes {
		if full == name || strings.HasPrefix(full, name+".") {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Ioctl serves sys.NBWG_SYSCTL.  A read of a leaf copies out its value;
// a read of an interior node copies out "name=value" lines for its
// leaves; a write (superuser only, as NetBSD's sysctl requires) sets a
// leaf and copies out the old value.  An unknown name is ENOENT, as
// sysctl(3) reports it.
func (t *Tree) Ioctl(cred sys.Cred, cmd uint32, arg []byte, in []byte) ([]byte, error) {
	if cmd != sys.NBWG_SYSCTL {
		return nil, sys.ENOTTY
	}
	req, err := sys.UnmarshalSysctlReq(arg)
	if err != nil {
		return nil, sys.EINVAL
	}
	if uint64(req.NameLen)+uint64(req.NewLen) > uint64(len(in)) {
		return nil, sys.EFAULT
	}
	name := string(in[:req.NameLen])
	t.mu.Lock()
	defer t.mu.Unlock()
	var out string
	if req.Flags&sys.SYSCTL_WRITE != 0 {
		n, ok := t.nodes[name]
		if !ok {
			return nil, sys.ENOENT
		}
		if !cred.Privileged() {
			return nil, sys.EPERM
		}
		v, err := n.parse(string(in[req.NameLen : req.NameLen+req.NewLen]))
		if err != nil {
			return nil, err
		}
		out = n.Format()
		if err := n.Set(v); err != nil {
			return nil, err
		}
	} else {
		nodes := t.below(name)
		describe := req.Flags&sys.SYSCTL_DESCRIBE != 0
		switch {
		case len(nodes) == 0:
			return nil, sys.ENOENT
		case describe:
			var b strings.Builder
			for _, n := range nodes {
				fmt.Fprintf(&b, "%s=%s\n", n.Name, n.Desc)
			}
			out = b.String()
		case len(nodes) == 1 && nodes[0].Name == name:
			out = nodes[0].Format()
		default:
			var b strings.Builder
			for _, n := range nodes {
				fmt.Fprintf(&b, "%s=%s\n", n.Name, n.Format())
			}
			out = b.String()
		}
	}
	need := len(out)
	req.OldLen, need = uint32(need), min(need, int(req.OldLen))
	copy(arg, req.Marshal())
	return []byte(out[:need]), nil
}
