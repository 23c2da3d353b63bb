# SPDX-License-Identifier: GPL-2.0
#
# pfn_vec: an overlay of the Linux 6.12 tree plus its test harness.
# See README.md. The work happens in tools/testing/pfn_vec/; this file only
# names the entry points.

HARNESS := tools/testing/pfn_vec

# ARCH=<arch> selects one arch; the default is every arch of the
# manifest (tools/testing/pfn_vec/manifest), and its debug-arches for
# the debug kernels.

.PHONY: all deps kunit kunit-debug check selftest cocci bench htmldocs series series-check prepare clean
all: kunit

# The packages the harness needs, with apt-get: the one step that needs
# root. Nothing else installs anything.
deps:
	$(HARNESS)/prepare.sh deps

prepare:
	$(HARNESS)/prepare.sh tree

kunit:
	$(HARNESS)/kunit.sh $(ARCH)

# The same suites on kernels with KASAN, KFENCE, lockdep, DEBUG_VM,
# DEBUG_PAGEALLOC and kmemleak; any report of theirs fails the run.
kunit-debug:
	$(HARNESS)/kunit.sh --debug $(ARCH)

check:
	$(HARNESS)/check.sh $(ARCH)

# The harness's own test, on canned console and build logs: no kernel.
selftest:
	python3 $(HARNESS)/selftest.py

# Coccinelle only: no kernel build.
cocci:
	$(HARNESS)/cocci.sh

# One arch at a time: make bench ARCH=x86_64 (the default).
bench:
	$(HARNESS)/bench.sh $(if $(ARCH),$(ARCH),x86_64)

# Documentation/core-api rendered with the kernel's make htmldocs, in
# build/docs/Documentation/output/core-api/ (pfn_vec.html).
htmldocs:
	$(HARNESS)/docs.sh

# The patch series that goes upstream, in build/series/ (patches/export.txt).
series:
	$(HARNESS)/series.sh

# git am, checkpatch, get_maintainer and a build after every patch.
series-check:
	$(HARNESS)/series-check.sh

# Trees unpacked by older versions of the harness were made read-only.
clean:
	if [ -d build ]; then chmod -R u+w build; fi
	rm -rf build
