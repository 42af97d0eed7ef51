package getopt

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParser(t *testing.T) {
	type flag struct {
		Opt byte
		Arg string
	}
	type result struct {
		Flags  []flag
		Err    string // "" when the flags ended normally
		Optind int    // checked only without an error
	}
	const optstring = "abf:x"
	tests := []struct {
		name string
		argv string // words separated by single spaces; "_" is the empty word
		want result
	}{
		{"no arguments", "prog", result{Optind: 1}},
		{"operands only", "prog wg0 up", result{Optind: 1}},
		{"flags then operand", "prog -a -b wg0", result{Flags: []flag{{'a', ""}, {'b', ""}}, Optind: 3}},
		{"cluster", "prog -ab wg0", result{Flags: []flag{{'a', ""}, {'b', ""}}, Optind: 2}},
		{"no permutation", "prog -a wg0 -b", result{Flags: []flag{{'a', ""}}, Optind: 2}},
		{"double dash ends and is consumed", "prog -a -- -b", result{Flags: []flag{{'a', ""}}, Optind: 3}},
		{"double dash alone", "prog --", result{Optind: 2}},
		{"lone dash is an operand", "prog -a - -b", result{Flags: []flag{{'a', ""}}, Optind: 2}},
		{"empty word is an operand", "prog -a _ -b", result{Flags: []flag{{'a', ""}}, Optind: 2}},
		{"attached argument", "prog -ffile x", result{Flags: []flag{{'f', "file"}}, Optind: 2}},
		{"separate argument", "prog -f file x", result{Flags: []flag{{'f', "file"}}, Optind: 3}},
		{"argument after a cluster", "prog -abf file", result{Flags: []flag{{'a', ""}, {'b', ""}, {'f', "file"}}, Optind: 3}},
		{"argument ends the cluster", "prog -fab -x", result{Flags: []flag{{'f', "ab"}, {'x', ""}}, Optind: 3}},
		{"argument may look like a flag", "prog -f -a", result{Flags: []flag{{'f', "-a"}}, Optind: 3}},
		{"argument may be --", "prog -f -- -a", result{Flags: []flag{{'f', "--"}, {'a', ""}}, Optind: 4}},
		{"empty argument word", "prog -f _ x", result{Flags: []flag{{'f', ""}}, Optind: 3}},
		{"same flag twice", "prog -aa -a", result{Flags: []flag{{'a', ""}, {'a', ""}, {'a', ""}}, Optind: 3}},
		{"unknown flag", "prog -a -q -b", result{Flags: []flag{{'a', ""}}, Err: "unknown option -- q"}},
		{"unknown in a cluster", "prog -aqb", result{Flags: []flag{{'a', ""}}, Err: "unknown option -- q"}},
		{"colon is no flag", "prog -:", result{Err: "unknown option -- :"}},
		{"long option", "prog --all", result{Err: "unknown option -- -"}},
		{"missing argument", "prog -a -f", result{Flags: []flag{{'a', ""}}, Err: "option requires an argument -- f"}},
		{"missing argument in a cluster", "prog -af", result{Flags: []flag{{'a', ""}}, Err: "option requires an argument -- f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv := strings.Split(tt.argv, " ")
			for i, w := range argv {
				if w == "_" {
					argv[i] = ""
				}
			}
			p := New(argv, optstring)
			var got result
			for p.Next() {
				got.Flags = append(got.Flags, flag{p.Opt(), p.Arg()})
			}
			if err := p.Err(); err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Errorf("Err() = %T, want *Error", err)
				}
				got.Err = err.Error()
			} else {
				got.Optind = p.Optind()
			}
			if p.Next() {
				t.Errorf("Next after the end returned true")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.argv, diff)
			}
		})
	}
}

func TestError(t *testing.T) {
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{Opt: 'c'}, "unknown option -- c"},
		{Error{Opt: 'W', Missing: true}, "option requires an argument -- W"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
	}
}
