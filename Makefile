# magnet — two commands for a fresh Debian/Ubuntu machine with Swift installed:
#   make sweep   install missing system packages, build release, run the quick-start job
#   make test    install missing system packages, run the test suite
#   make rtl     Verilog for the Simba-like design, a ResNet-50-shaped layer simulated bit-exact
#   make rtl-resnet   a full-size ResNet-50 layer on the Simba-like design under Verilator (about a minute)
#   make rtl-bottleneck  ResNet-50's first bottleneck, three layers one after another, under Verilator
#   make rtl-table    every unique ResNet-50 layer under Verilator (8–11 minutes), its table into docs/rtl.md
#
# System packages the project needs (installed with apt when missing).
APT_PACKAGES := libzmq3-dev libsqlite3-dev yosys verilator iverilog slurm-wlm munge chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: sweep test rtl rtl-resnet rtl-bottleneck rtl-table deps venv build release relocatable clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# A Python environment with onnx (the ONNX import's tests read the real models its wheel ships
# and check them against onnx's own shape inference, scripts/onnx-reference.py) and
# scikit-learn (the accuracy example's evaluator, examples/accuracy/evaluate.py).
venv:
	@.venv/bin/python -c 'import onnx, sklearn' 2>/dev/null || { python3 -m venv .venv && \
	  .venv/bin/pip install -q onnx==1.23.2 scikit-learn==1.9.1; }

release: deps
	swift build -c release

build: deps
	swift build

# The quick start: ResNet-50 in 16 nm over a Simba-like design space (docs/sweeps.md), into
# quickstart.db; run again to resume or extend. Then the study's best designs and Pareto front.
sweep: release
	.build/release/magnet sweep examples/quickstart.yaml --db quickstart.db
	.build/release/magnet status quickstart.db
	.build/release/magnet pareto quickstart.db --svg quickstart-front.svg
	.build/release/magnet export quickstart.db --objective energy_per_inference_uJ --best-per "area_mm2<=0.5,1,2" -o quickstart-best
	.build/release/magnet report quickstart.db -o quickstart.html

test: deps venv
	swift test

# The Simba-like design's Verilog in rtl/, a scaled-down ResNet-50 3×3 layer run under Icarus
# Verilog and Verilator (PASS and cycles against the cost model's), and yosys's cell counts.
rtl: release
	.build/release/magnet elaborate examples/simba-like.yaml -o rtl --testbench examples/rtl-layers.yaml:conv3x3 --synth-report
	rtl/run_iverilog.sh
	rtl/run_verilator.sh

# ResNet-50's layer1.0.conv2 (64 → 64, 3×3, 56×56 outputs) at full size on the Simba-like design,
# in tiles of output rows and columns, bit-exact under Verilator (docs/rtl.md).
rtl-resnet: release
	.build/release/magnet elaborate examples/simba-like.yaml -o rtl-resnet --testbench resnet50:layer1.0.conv2
	rtl-resnet/run_verilator.sh

# ResNet-50's first bottleneck block on the Simba-like design: layer1.0.conv1 → conv2 → conv3, each
# reading the requantized outputs the one before wrote into DRAM, bit-exact under Verilator in
# the predicted cycles (docs/rtl.md, "Chained layers"; about half a minute).
rtl-bottleneck: release
	.build/release/magnet elaborate examples/simba-like.yaml -o rtl-bottleneck \
	  --testbench resnet50:layer1.0.conv1,layer1.0.conv2,layer1.0.conv3
	rtl-bottleneck/run_verilator.sh

# All 24 unique ResNet-50 layers at full size on the Simba-like design under Verilator, each
# bit-exact in the predicted cycles, the cycles-against-the-model table written into docs/rtl.md
# ("Full-size layers"); docs/rtl.md is left alone unless every layer that runs passed.
rtl-table: release
	.build/release/magnet bench rtl --design examples/simba-like.yaml --network resnet50 --simulate verilator \
	  | tee rtl-table.txt
	python3 scripts/rtl-table.py rtl-table.txt docs/rtl.md '<!-- make rtl-table: begin -->' \
	  '<!-- make rtl-table: end -->'

# A magnet that runs where Swift is not installed (compute nodes): the Swift runtime linked in
# (--static-swift-stdlib), the resource bundle beside it, in $(PREFIX)/bin. Checked: no Swift
# library among its dependencies, and it runs from there.
PREFIX ?= dist/magnet
relocatable: deps
	swift build -c release --static-swift-stdlib --product magnet --scratch-path .build-static
	mkdir -p $(PREFIX)/bin
	cp .build-static/release/magnet $(PREFIX)/bin/
	rm -rf $(PREFIX)/bin/magnet_MagnetDesigner.resources
	cp -R .build-static/release/magnet_MagnetDesigner.resources $(PREFIX)/bin/
	@if ldd $(PREFIX)/bin/magnet | grep -E 'libswift|libFoundation|libdispatch'; then \
	  echo "error: $(PREFIX)/bin/magnet still links the Swift runtime above"; exit 1; fi
	$(PREFIX)/bin/magnet design show examples/simba-like.yaml > /dev/null
	@echo "relocatable magnet in $(PREFIX)/bin (needs libzmq5, libsqlite3-0, libstdc++6 on the nodes)"

clean:
	rm -rf .build
