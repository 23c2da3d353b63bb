#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make series: export the project as the patch series that goes upstream,
# with git format-patch and a cover letter, into build/series/. What goes
# in which patch is patches/export.txt; series.py does the cutting.
#
# The cover letter carries the benchmark of make bench on x86_64, arm64
# and riscv, measured on the tree being exported. make series never runs
# a benchmark on its own: if the results in build/bench/ of an arch are
# missing or from another tree, it names them and stops. BENCH=1 runs
# make bench for those arches first; BENCH=0 leaves the table out, and the
# cover letter then says the benchmark was not measured.
#
# Usage: series.sh [OUTDIR]   (default: build/series)

. "$(dirname "$0")/lib.sh"

out=${1:-$BUILD/series}
"$HARNESS/prepare.sh" tree
id=$(tree_id)

# The tree a make bench result was measured on, or why there is none.
bench_tree() {
	[ -f "$1" ] || { echo "none"; return; }
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("tree", "unknown"))' \
		"$1" 2>/dev/null || echo "unreadable"
}

bench=${BENCH:-}
case "$bench" in
''|0|1) ;;
*) die "BENCH=$bench: say BENCH=1 (run make bench first) or BENCH=0 (no table)" ;;
esac
if [ "$bench" != 0 ]; then
	stale=$(python3 "$HARNESS/series.py" --stale "$BUILD/bench" "$id")
	if [ -n "$stale" ] && [ "$bench" != 1 ]; then
		for arch in $stale; do
			json=$BUILD/bench/$arch.json
			tree=$(bench_tree "$json")
			if [ "$tree" = none ]; then
				note "$arch: no benchmark: $json is missing"
			else
				note "$arch: stale benchmark: $json is of tree $tree, not $id"
			fi
		done
		die "no benchmark of tree $id for: $stale. Run make bench ARCH=<arch> for each, or make series BENCH=1 to run them first, or BENCH=0 to leave the table out"
	fi
	for arch in $stale; do
		note "$arch: make bench ARCH=$arch (BENCH=1)"
		"$HARNESS/bench.sh" "$arch" >/dev/null ||
			die "make bench ARCH=$arch failed (log: $BUILD/bench/$arch.log)"
	done
fi

mapfile -t new_files < <(overlay_files)
note "exporting the series of tree $id to $out"
python3 "$HARNESS/series.py" "$TOP" "$BASE" "$BUILD/series-git" "$out" \
	"$id" "$BUILD/bench" "${new_files[@]}"
