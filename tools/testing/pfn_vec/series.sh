#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make series: export the project as the patch series that goes upstream,
# with git format-patch and a cover letter, into build/series/. What goes
# in which patch is patches/export.txt; series.py does the cutting.
#
# The cover letter carries the benchmark of make bench on x86_64, arm64
# and riscv, measured on the tree being exported: results in build/bench/
# from another tree are measured again first. BENCH=0 skips that, and the
# cover letter then says the benchmark was not measured.
#
# Usage: series.sh [OUTDIR]   (default: build/series)

. "$(dirname "$0")/lib.sh"

out=${1:-$BUILD/series}
"$HARNESS/prepare.sh" tree
id=$(tree_id)

if [ "${BENCH:-1}" != 0 ]; then
	for arch in $(python3 "$HARNESS/series.py" --stale "$BUILD/bench" "$id"); do
		note "$arch: no benchmark of tree $id yet: make bench ARCH=$arch"
		"$HARNESS/bench.sh" "$arch" >/dev/null ||
			die "make bench ARCH=$arch failed (log: $BUILD/bench/$arch.log)"
	done
fi

mapfile -t new_files < <(overlay_files)
note "exporting the series of tree $id to $out"
python3 "$HARNESS/series.py" "$TOP" "$BASE" "$BUILD/series-git" "$out" \
	"$id" "$BUILD/bench" "${new_files[@]}"
