# magnet — two commands for a fresh Debian/Ubuntu machine with Swift installed:
#   make sweep   install missing system packages, build release, run the quick-start job
#   make test    install missing system packages, run the test suite
#
# System packages the project needs (installed with apt when missing).
APT_PACKAGES := libzmq3-dev libsqlite3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: sweep test deps build release clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

release: deps
	swift build -c release

build: deps
	swift build

# Until the design-space sweep lands, the quick start elaborates the example design and maps
# every layer of ResNet-50 onto it.
sweep: release
	.build/release/magnet design show examples/simba-like.yaml
	.build/release/magnet map --design examples/simba-like.yaml --network resnet50

test: deps
	swift test

clean:
	rm -rf .build
