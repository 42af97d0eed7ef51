# nbwg: NetBSD's WireGuard stack (wg(4), wgconfig(8), wg-keygen(8),
# ifconfig(8), sysctl(8) and route(8) for wg interfaces, rc.d) in Go.

GO      ?= go
PREFIX  ?= /usr/local
DESTDIR ?=
SBINDIR  = $(DESTDIR)$(PREFIX)/sbin
MANDIR   = $(DESTDIR)$(PREFIX)/share/man
ETCDIR   = $(DESTDIR)/etc
UNITDIR  = $(DESTDIR)/lib/systemd/system
LIBEXECDIR = $(DESTDIR)$(PREFIX)/libexec/nbwg

# Command name and the package that builds it.
COMMANDS = wg-keygen:./wg-keygen wgconfig:./wgconfig ifconfig:./ifconfig-shim \
           nbwgd:./kernel/cmd/nbwgd sysctl:./sysctl-shim route:./route-shim \
           nbwg-go:./kernel/cmd/nbwg-go

.PHONY: all build test test-unit bench bench-quick bench-go vet fmt-check fuzz install uninstall clean demo

all: build

build:
	@mkdir -p bin
	@set -e; for c in $(COMMANDS); do \
		name=$${c%%:*}; pkg=$${c#*:}; \
		if [ -d "$$pkg" ]; then \
			echo "go build -o bin/$$name $$pkg"; \
			$(GO) build -o bin/$$name $$pkg; \
		fi; \
	done

# The whole suite: unit tests everywhere, integration tests when root.
test: build
	NBWG_BIN=$(CURDIR)/bin $(GO) test -count=1 ./...

# Unit tests only (-short); as root, scripts/test-unit.sh also makes sure
# that none of them makes a network namespace.
test-unit:
	GO=$(GO) ./scripts/test-unit.sh

# The benchmark (root): nbwg side by side with the newest wireguard-go
# (built into a temporary directory) and Debian's, every figure of
# bench/RESULTS.md, which it rewrites (scripts/bench.sh says how).
# bench-quick: one round of TCP and UDP, printed only.  bench-go: the Go
# benchmarks of every package.
bench: build
	GO=$(GO) ./scripts/bench.sh -o bench/RESULTS.md

bench-quick: build
	GO=$(GO) ./scripts/bench.sh -q

bench-go:
	NBWG_BIN=$(CURDIR)/bin $(GO) test -run '^$$' -bench . -benchtime 2s ./...

# Every fuzz target, as package:Function (fuzztargets_test.go checks
# that this list holds every func Fuzz of the tree).  `go test ./...`
# runs their seed corpora; `make fuzz` fuzzes each in turn for FUZZTIME.
# The minimization time is short: at Go's default (60 s) a run spends
# most of its time minimizing what it finds interesting.
FUZZTIME         ?= 60s
FUZZMINIMIZETIME ?= 2s
FUZZ_TARGETS = \
	./kernel/ioctl:FuzzServeConn \
	./kernel/uapi:FuzzServeConn \
	./kernel/prop:FuzzInternalize \
	./kernel/prop:FuzzInternalizeMatchesReference \
	./kernel/wg:FuzzReceive \
	./kernel/tun:FuzzSegmenter \
	./kernel/tun:FuzzGRO \
	./internal/addrinfo:FuzzInetPton \
	./internal/addrinfo:FuzzGetaddrinfo \
	./internal/b64key:FuzzDecode \
	./internal/b64key:FuzzEncodeDecode \
	./wgconfig:FuzzAllowedIPs \
	./wgconfig:FuzzEndpoint \
	./wgconfig:FuzzReadKey \
	./wgconfig:FuzzArgs \
	./ifconfig-shim:FuzzArgs \
	./sysctl-shim:FuzzArgs \
	./wg-keygen:FuzzPub \
	./rc.d:FuzzIfconfigReader

# One target at a time (a target uses every CPU); all run even if one
# fails, and the status says whether any did.  What a failing target
# found is in its package's testdata/fuzz.  A run that ends in "context
# deadline exceeded" without a failing input is Go's own race at the
# end of -fuzztime (go.dev/issue/75804, fixed in Go 1.27), not a
# finding: it is reported and not counted.
fuzz:
	@failed=; raced=; out=$$(mktemp); \
	for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "== $$pkg $$name ($(FUZZTIME))"; \
		{ $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) \
			-fuzzminimizetime $(FUZZMINIMIZETIME) $$pkg; echo "== status $$?"; } 2>&1 | tee $$out; \
		grep -q '^== status 0$$' $$out && continue; \
		if grep -q 'context deadline exceeded' $$out && ! grep -q 'Failing input written' $$out; then \
			raced="$$raced $$t"; else failed="$$failed $$t"; fi; \
	done; rm -f $$out; \
	if [ -n "$$raced" ]; then echo "fuzz: ended by Go's -fuzztime race (go.dev/issue/75804), nothing found:$$raced" >&2; fi; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed" >&2; exit 1; fi

vet:
	$(GO) vet ./...
	GOOS=netbsd $(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt -l:"; echo "$$out"; exit 1; fi

# ifconfig, sysctl and route must not replace the host's own (nbwg's
# handle wg interfaces only, or hand other names to the host's): refuse
# to overwrite a file that is not nbwg's, in the installation and, when
# DESTDIR stages one, where it would land on this host.  Every command
# is checked before any is installed.
install: build
	install -d $(SBINDIR)
	@set -e; for c in $(COMMANDS); do \
		name=$${c%%:*}; \
		[ -f bin/$$name ] || continue; \
		for f in $(SBINDIR)/$$name $(if $(DESTDIR),$(PREFIX)/sbin/$$name); do \
			if [ -e $$f ] && ! grep -q nbwg $$f 2>/dev/null; then \
				echo "install: $$f is not nbwg's; refusing to replace it (use PREFIX=/usr/local)" >&2; \
				exit 1; \
			fi; \
		done; \
	done
	@set -e; for c in $(COMMANDS); do \
		name=$${c%%:*}; \
		[ -f bin/$$name ] || continue; \
		install -m 0755 bin/$$name $(SBINDIR)/$$name; \
	done
	@set -e; if [ -d man ]; then for page in $$(cd man && find . -name '*.[0-9]'); do \
		install -d $(MANDIR)/$$(dirname $$page); \
		install -m 0644 man/$$page $(MANDIR)/$$page; \
	done; fi
	@if [ -f rc.d/network ]; then \
		install -d $(ETCDIR)/rc.d $(LIBEXECDIR); \
		sed 's|^_nbwg_libexec=.*|_nbwg_libexec=$(PREFIX)/libexec/nbwg|' rc.d/network > $(ETCDIR)/rc.d/nbwg; \
		chmod 0755 $(ETCDIR)/rc.d/nbwg; \
		install -m 0644 rc.d/rc.subr $(LIBEXECDIR)/rc.subr; \
		install -m 0644 rc.d/ifconfig.subr $(LIBEXECDIR)/ifconfig.subr; \
		install -m 0644 rc.d/reload.subr $(LIBEXECDIR)/reload.subr; \
	fi
	@if [ -f rc.d/nbwg@.service ]; then \
		install -d $(UNITDIR); \
		install -m 0644 rc.d/nbwg@.service $(UNITDIR)/nbwg@.service; \
		sed 's|/usr/local/sbin/nbwgd|$(PREFIX)/sbin/nbwgd|' rc.d/nbwgd.service > $(UNITDIR)/nbwgd.service; \
		chmod 0644 $(UNITDIR)/nbwgd.service; \
	fi

uninstall:
	@for c in $(COMMANDS); do name=$${c%%:*}; \
		if grep -q nbwg $(SBINDIR)/$$name 2>/dev/null; then rm -f $(SBINDIR)/$$name; fi; done
	@if [ -d man ]; then for page in $$(cd man && find . -name '*.[0-9]'); do rm -f $(MANDIR)/$$page; done; fi
	rm -f $(ETCDIR)/rc.d/nbwg $(LIBEXECDIR)/rc.subr $(LIBEXECDIR)/ifconfig.subr $(LIBEXECDIR)/reload.subr $(UNITDIR)/nbwg@.service $(UNITDIR)/nbwgd.service
	-rmdir $(LIBEXECDIR) 2>/dev/null

clean:
	rm -rf bin
	$(GO) clean -testcache

demo: build
	./scripts/demo.sh
