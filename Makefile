# SPDX-License-Identifier: GPL-2.0
#
# pfn_vec: an overlay of the Linux 6.12 tree plus its test harness.
# See README.md. The work happens in tools/testing/pfn_vec/; this file only
# names the entry points.

HARNESS := tools/testing/pfn_vec

# ARCH=<arch> selects one arch; the default is all four, and for the
# debug kernels x86_64 and arm64.
ARCHES := $(if $(ARCH),$(ARCH),x86_64 arm64 riscv i386)
DEBUG_ARCHES := $(if $(ARCH),$(ARCH),x86_64 arm64)

.PHONY: all kunit kunit-debug check cocci bench htmldocs series series-check prepare clean
all: kunit

prepare:
	$(HARNESS)/prepare.sh all

kunit:
	$(HARNESS)/kunit.sh $(ARCHES)

# The same suites on kernels with KASAN, KFENCE, lockdep, DEBUG_VM,
# DEBUG_PAGEALLOC and kmemleak; any report of theirs fails the run.
kunit-debug:
	$(HARNESS)/kunit.sh --debug $(DEBUG_ARCHES)

check:
	$(HARNESS)/check.sh $(ARCHES)

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

clean:
	rm -rf build
