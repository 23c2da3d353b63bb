#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the KUnit kernel of each arch and run the pfn_vec suites in QEMU,
# through the kernel's own tools/testing/kunit/kunit.py, then print one
# summary table. Exits non-zero if any arch fails, crashes or runs no
# pfn_vec case.
#
# Usage: kunit.sh [ARCH...]   (default: x86_64 arm64 riscv i386)
# Extra kunit.py arguments may be given in $KUNIT_ARGS.

. "$(dirname "$0")/lib.sh"

arches=${*:-$ALL_ARCHES}
"$HARNESS/prepare.sh" all

results=$BUILD/results
mkdir -p "$results" "$BUILD/kunit"

for arch in $arches; do
	rm -f "$results/$arch.json" "$results/$arch.time"
	note "$arch: building and running KUnit (log: $results/$arch.log)"
	start=$(date +%s)
	rc=0
	run_kunit "$arch" "$BUILD/kunit/$arch" \
		"$HARNESS/qemu_configs/$arch.py" \
		"$HARNESS/configs/pfn_vec.kunitconfig" \
		--timeout=600 --json="$results/$arch.json" 2>&1 |
		tee "$results/$arch.log" || rc=$?
	echo "$rc $(( $(date +%s) - start ))" > "$results/$arch.time"
done

exec python3 "$HARNESS/summary.py" "$results" $arches
