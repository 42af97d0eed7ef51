package man

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
	"nbwg/kernel/wg"
)

// sysctlVar is one variable as wg(4) documents it or the kernel has it.
type sysctlVar struct {
	Name, Type, Default string
}

// TestSysctlVariables compares wg(4)'s SYSCTL VARIABLES list with the
// emulated kernel's net.wg nodes (kernel/wg/params.go): the same names in
// the same order (sysctl lists them so), each with its type and the
// value a fresh kernel starts with.
func TestSysctlVariables(t *testing.T) {
	typeName := map[sys.CtlType]string{sys.CTLTYPE_INT: "int", sys.CTLTYPE_QUAD: "quad", sys.CTLTYPE_BOOL: "bool"}
	var kernel []sysctlVar
	for _, n := range wg.NewParams().Sysctl() {
		v := sysctlVar{Name: n.Name, Type: typeName[n.Type], Default: strconv.FormatInt(n.Default, 10)}
		if n.Type == sys.CTLTYPE_QUAD {
			v.Default = strconv.FormatUint(uint64(n.Default), 10)
		}
		if v.Type == "" {
			t.Fatalf("%s: a node type this test does not know (%d)", n.Name, n.Type)
		}
		kernel = append(kernel, v)
	}

	p := loadPage(t, "man4/wg.4")
	def := regexp.MustCompile(`\bDefault ([0-9]+)\b`)
	var page []sysctlVar
	for _, it := range items(p.section("SYSCTL VARIABLES")) {
		var v sysctlVar
		w := macroWords(it.line)
		for i := 0; i+1 < len(w); i++ {
			switch w[i] {
			case "Va":
				v.Name = w[i+1]
			case "Vt":
				v.Type = w[i+1]
			}
		}
		if m := def.FindStringSubmatch(unescape(strings.Join(it.body, " "))); m != nil {
			v.Default = m[1]
		}
		page = append(page, v)
	}
	if diff := cmp.Diff(kernel, page); diff != "" {
		t.Errorf("wg(4) SYSCTL VARIABLES (-kernel/wg/params.go +page):\n%s", diff)
	}
}
