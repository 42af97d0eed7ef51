package main

import (
	"bytes"
	"strings"
	"testing"

	"nbwg/kernel/klog"
)

// TestCryptoWorkersEnv: NBWG_CRYPTO_WORKERS as nbwgd.8 has it: unset for
// the default (0 to wg.Env), 0 for none (-1), 1 to 1024, anything else
// logged and ignored.
func TestCryptoWorkersEnv(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want int
		log  string
	}{
		{"", 0, ""},
		{"0", -1, "NBWG_CRYPTO_WORKERS: 0 crypto workers"},
		{"2", 2, "NBWG_CRYPTO_WORKERS: 2 crypto workers"},
		{"1024", 1024, "1024 crypto workers"},
		{"1025", 0, "ignored"},
		{"-1", 0, "ignored"},
		{"two", 0, `NBWG_CRYPTO_WORKERS="two" is not a number from 0 to 1024: ignored`},
	} {
		t.Setenv("NBWG_CRYPTO_WORKERS", tc.env)
		var buf bytes.Buffer
		if got := cryptoWorkers(klog.New(&buf, klog.LOG_DEBUG)); got != tc.want {
			t.Errorf("NBWG_CRYPTO_WORKERS=%q: %d, want %d", tc.env, got, tc.want)
		}
		if tc.log == "" && buf.Len() != 0 || !strings.Contains(buf.String(), tc.log) {
			t.Errorf("NBWG_CRYPTO_WORKERS=%q: logged %q, want %q", tc.env, buf.String(), tc.log)
		}
	}
}
