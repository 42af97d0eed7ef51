package tai64n

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStamp(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want Timestamp
	}{
		{
			name: "epoch",
			in:   time.Unix(0, 0),
			want: Timestamp{0x40, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0},
		},
		{
			// 1e9-1 ns = 0x3b9ac9ff; whitened: 0x3b000000.
			name: "whitened nanoseconds",
			in:   time.Unix(1, 999_999_999),
			want: Timestamp{0x40, 0, 0, 0, 0, 0, 0, 0x0b, 0x3b, 0, 0, 0},
		},
		{
			name: "just below one step",
			in:   time.Unix(1, 1<<24-1),
			want: Timestamp{0x40, 0, 0, 0, 0, 0, 0, 0x0b, 0, 0, 0, 0},
		},
		{
			name: "exactly one step",
			in:   time.Unix(1, 1<<24),
			want: Timestamp{0x40, 0, 0, 0, 0, 0, 0, 0x0b, 1, 0, 0, 0},
		},
		{
			// 2020-01-01T00:00:00Z is Unix 0x5e0be100.
			name: "2020",
			in:   time.Date(2020, 1, 1, 0, 0, 0, 3<<24+5, time.UTC),
			want: Timestamp{0x40, 0, 0, 0, 0x5e, 0x0b, 0xe1, 0x0a, 3, 0, 0, 0},
		},
		{
			name: "time zone does not matter",
			in:   time.Date(2020, 1, 1, 1, 0, 0, 3<<24+5, time.FixedZone("X", 3600)),
			want: Timestamp{0x40, 0, 0, 0, 0x5e, 0x0b, 0xe1, 0x0a, 3, 0, 0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Stamp(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Stamp(%v) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestAfter(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b Timestamp
		want bool
	}{
		{"later second", Stamp(t0.Add(time.Second)), Stamp(t0), true},
		{"earlier second", Stamp(t0), Stamp(t0.Add(time.Second)), false},
		{"equal", Stamp(t0), Stamp(t0), false},
		{"one whitening step later", Stamp(t0.Add(1 << 24)), Stamp(t0), true},
		{"inside one whitening step", Stamp(t0.Add(1<<24 - 1)), Stamp(t0), false},
		{"nanoseconds versus seconds", Stamp(t0.Add(time.Second)), Stamp(t0.Add(999 * time.Millisecond)), true},
		{"anything after zero", Stamp(time.Unix(0, 0)), Timestamp{}, true},
		{"zero after nothing", Timestamp{}, Timestamp{}, false},
	}
	for _, tt := range tests {
		if got := tt.a.After(tt.b); got != tt.want {
			t.Errorf("%s: %v.After(%v) = %v, want %v", tt.name, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	// A whitened time survives Stamp → Time → Stamp unchanged; the noise
	// golden-vector tests rely on this to replay a recorded timestamp.
	in := Stamp(time.Date(2025, 11, 25, 15, 3, 7, 123456789, time.UTC))
	got := Stamp(in.Time())
	if diff := cmp.Diff(in, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if s, want := in.String(), "2025-11-25T15:03:07.117440512Z"; s != want {
		t.Errorf("String() = %q, want %q", s, want)
	}
}
