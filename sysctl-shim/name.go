package main

import (
	"strings"

	"nbwg/kernel/sys/wgsysctl"
)

// operand is one name argument, from the command line or a -f file:
// name, name=value, or name?=value (set if the name exists and the
// caller may; say nothing otherwise), split as sysctl.c's parse() does.
type operand struct {
	key      string // the name, without "?" and "=value"
	value    string
	hasValue bool
	optional bool
}

func splitOperand(l string) operand {
	i := strings.IndexByte(l, '=')
	if i < 0 {
		return operand{key: l}
	}
	o := operand{key: l[:i], value: l[i+1:], hasValue: true}
	if i > 0 && l[i-1] == '?' {
		o.key, o.optional = l[:i-1], true
	}
	return o
}

// mibName is a name split into components as sysctlgetmibinfo(3) splits
// it: the separator is the first '.' or '/' in the name ('.' if none), a
// leading separator is allowed and kept, and a trailing one ends the
// name ("net.wg." is net.wg).  An empty component elsewhere stays, and
// matches no node.
type mibName struct {
	sep   string
	lead  bool
	parts []string
}

func parseName(key string) mibName {
	m := mibName{sep: "."}
	if i := strings.IndexAny(key, "./"); i >= 0 {
		m.sep = key[i : i+1]
	}
	if strings.HasPrefix(key, m.sep) {
		m.lead = true
		key = key[1:]
	}
	if key == "" {
		return m
	}
	m.parts = strings.Split(key, m.sep)
	if m.parts[len(m.parts)-1] == "" {
		m.parts = m.parts[:len(m.parts)-1]
	}
	return m
}

// ours reports whether the name is net.wg or lies below it: the names
// nbwg's kernel serves.  Every other name belongs to the host's own
// sysctl.
func (m mibName) ours() bool {
	return len(m.parts) >= 2 && m.parts[0] == wgsysctl.Top && m.parts[1] == wgsysctl.Node
}

// isOurs reports whether a command-line or file operand names net.wg or
// something below it.
func isOurs(l string) bool {
	return parseName(splitOperand(l).key).ours()
}

// levelNames are sysctl.c's lname[]: the ordinal of a name's component
// in its diagnostics.
var levelNames = []string{
	"top", "second", "third", "fourth", "fifth", "sixth",
	"seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
}

// target is a name resolved against net.wg's nodes.
type target struct {
	// display is the name as sysctl prints it: the components joined
	// by the separator the caller used, with a leading separator if
	// the caller gave one (sysctlgetmibinfo's canonical name).
	display string
	sep     string
	// leaf is the variable named, or nil for net.wg itself.
	leaf *wgsysctl.Var
}

// nameError is sysctlgetmibinfo(3)'s failure: the component at level
// (0 for the top) matched nothing.  Below a leaf, the next component
// fails as ENOTDIR does, with the same message.
type nameError struct {
	level int
	token string
}

// resolve finds the node a name of ours (m.ours()) stands for among
// nodes.  nbwg matches components by name only: NetBSD also takes a
// node's number, which nbwg's nodes do not have.
func resolve(m mibName, nodes []*wgsysctl.Var) (target, *nameError) {
	t := target{sep: m.sep}
	if m.lead {
		t.display = m.sep
	}
	t.display += wgsysctl.Top + m.sep + wgsysctl.Node
	if len(m.parts) == 2 {
		return t, nil
	}
	name := m.parts[2]
	for _, v := range nodes {
		if v.Name == name {
			t.leaf = v
			break
		}
	}
	if t.leaf == nil {
		return t, &nameError{level: 2, token: name}
	}
	if len(m.parts) > 3 {
		return t, &nameError{level: 3, token: m.parts[3]}
	}
	t.display += m.sep + name
	return t, nil
}
