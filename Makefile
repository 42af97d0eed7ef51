# nbwg: NetBSD's WireGuard stack (wg(4), wgconfig(8), wg-keygen(8),
# ifconfig(8) for wg interfaces, rc.d) in Go.

GO      ?= go
PREFIX  ?= /usr/local
DESTDIR ?=
SBINDIR  = $(DESTDIR)$(PREFIX)/sbin
MANDIR   = $(DESTDIR)$(PREFIX)/share/man
ETCDIR   = $(DESTDIR)/etc
UNITDIR  = $(DESTDIR)/lib/systemd/system

# Command name and the package that builds it.
COMMANDS = wg-keygen:./wg-keygen wgconfig:./wgconfig ifconfig:./ifconfig-shim \
           nbwgd:./kernel/cmd/nbwgd sysctl:./sysctl-shim

.PHONY: all build test test-unit bench vet fmt-check install uninstall clean demo

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

test-unit:
	$(GO) test -short ./...

# Go benchmarks, then the tunnel's throughput against wireguard-go's,
# side by side (root; WIREGUARD_GO=path picks another wireguard-go).
bench: build
	NBWG_BIN=$(CURDIR)/bin $(GO) test -run '^$$' -bench . -benchtime 2s ./...
	./scripts/bench-tunnel.sh

vet:
	$(GO) vet ./...
	GOOS=netbsd $(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt -l:"; echo "$$out"; exit 1; fi

install: build
	install -d $(SBINDIR)
	@set -e; for c in $(COMMANDS); do \
		name=$${c%%:*}; \
		if [ -f bin/$$name ]; then install -m 0755 bin/$$name $(SBINDIR)/$$name; fi; \
	done
	@set -e; for page in $$(cd man && find . -name '*.[0-9]' 2>/dev/null); do \
		install -d $(MANDIR)/$$(dirname $$page); \
		install -m 0644 man/$$page $(MANDIR)/$$page; \
	done
	@if [ -f rc.d/network ]; then \
		install -d $(ETCDIR)/rc.d; \
		install -m 0755 rc.d/network $(ETCDIR)/rc.d/nbwg-network; \
		install -m 0644 rc.d/rc.subr $(ETCDIR)/rc.d/nbwg-rc.subr; \
	fi
	@if [ -f rc.d/nbwg@.service ]; then \
		install -d $(UNITDIR); \
		install -m 0644 rc.d/nbwg@.service $(UNITDIR)/nbwg@.service; \
	fi

clean:
	rm -rf bin
	$(GO) clean -testcache

demo: build
	./scripts/demo.sh
