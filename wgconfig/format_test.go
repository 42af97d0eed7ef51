package main

import (
	"testing"
	"time"
)

func TestCtime(t *testing.T) {
	for sec, want := range map[int64]string{
		1:                 "Thu Jan  1 00:00:01 1970\n",
		1795617440:        "Wed Nov 25 14:37:20 2026\n",
		951782400 + 86399: "Tue Feb 29 23:59:59 2000\n",
	} {
		if got := ctime(sec); got != want {
			t.Errorf("ctime(%d) = %q, want %q", sec, got, want)
		}
	}
	if got := time.Unix(1795617440, 0).UTC().Format(time.RFC3339); got != "2026-11-25T14:37:20Z" {
		t.Errorf("test vector is %s", got)
	}
}
