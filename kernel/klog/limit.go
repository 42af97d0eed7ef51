package klog

import (
	"sync"
	"time"
)

// Messages that input from the network can cause (a packet that fails
// a check, a handshake refused) must not let a flood of packets become
// a flood of log lines, as the kernels' net_ratelimit() and the Linux
// WireGuard driver's net_dbg_ratelimited() see to.  A Limit lets Burst
// messages of each kind through per Interval and counts the rest; the
// first message of a kind let through after some were held back carries
// their number, so nothing disappears without a trace.

// The Linux kernel's default: 10 messages every 5 seconds.
const (
	DefaultBurst    = 10
	DefaultInterval = 5 * time.Second
)

// Limit rate-limits messages by kind.  A kind is a fixed string chosen by
// the caller, such as the format of one call site, never text from the
// input: the kinds are kept for good.  The zero value is not ready; use
// NewLimit.  A Limit is safe for concurrent use.
type Limit struct {
	burst    int
	interval time.Duration
	now      func() time.Time

	mu    sync.Mutex
	kinds map[string]*window
}

// window is one kind's current interval.
type window struct {
	start      time.Time
	written    int // in this interval
	suppressed int // since the last message written
}

// NewLimit returns a Limit of burst messages per interval and kind
// (DefaultBurst and DefaultInterval where they are not positive), timed by
// now (the system clock when nil).
func NewLimit(burst int, interval time.Duration, now func() time.Time) *Limit {
	if burst <= 0 {
		burst = DefaultBurst
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	if now == nil {
		now = time.Now
	}
	return &Limit{burst: burst, interval: interval, now: now, kinds: make(map[string]*window)}
}

// Allow reports whether a message of kind may be written now.  When it
// may, suppressed is how many of that kind were held back since the last
// one written, which the caller should say first.
func (l *Limit) Allow(kind string) (ok bool, suppressed int) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.kinds[kind]
	if w == nil {
		w = &window{start: now}
		l.kinds[kind] = w
	}
	if now.Sub(w.start) >= l.interval || now.Before(w.start) {
		w.start, w.written = now, 0
	}
	if w.written >= l.burst {
		w.suppressed++
		return false, 0
	}
	w.written++
	suppressed, w.suppressed = w.suppressed, 0
	return true, suppressed
}

// LogLimited is Log through lim, for messages that input can cause: the
// kind is format, so each call site is limited on its own.  prefix (an
// interface name and colon, say) starts the line.  Past lim's burst,
// messages are counted instead of formatted; the next one written is
// preceded by their number.  A count still pending when the messages stop
// is not reported.
func (l *Logger) LogLimited(lim *Limit, pri int, prefix, format string, args ...any) {
	if !l.Enabled(pri) {
		return
	}
	ok, suppressed := lim.Allow(format)
	if !ok {
		return
	}
	if suppressed > 0 {
		l.Log(pri, "%s%d messages like the next one suppressed", prefix, suppressed)
	}
	l.Log(pri, prefix+format, args...)
}
