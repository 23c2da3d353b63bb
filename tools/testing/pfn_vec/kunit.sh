#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the KUnit kernel of each arch and run the pfn_vec suites in QEMU,
# through the kernel's own tools/testing/kunit/kunit.py, then print one
# summary table (summary.py). Exits non-zero if any arch fails, crashes,
# misses a suite or cases of the manifest, skips what the manifest does
# not allow, runs on one CPU, has a report in its console log or a
# warning in a file of the series in its build.
#
# The kernels are built from configs/pfn_vec.kunitconfig, merged with
# configs/pfn_vec_hook.kunitconfig on the hook arches (lib.sh: kunitconfigs).
# With --debug, they are the debug kernels: merged with
# configs/pfn_vec_debug.kunitconfig too (KASAN, KFENCE, lockdep,
# DEBUG_VM, DEBUG_PAGEALLOC, kmemleak), in build/kunit/<arch>-debug, with
# results as build/results/<arch>-debug.*; by default on x86_64 and arm64.
#
# Usage: kunit.sh [--debug] [ARCH...]   (default: x86_64 arm64 riscv i386)
# Extra kunit.py arguments may be given in $KUNIT_ARGS.

. "$(dirname "$0")/lib.sh"

variant=
if [ "${1:-}" = --debug ]; then
	variant=-debug
	shift
fi
if [ -n "$variant" ]; then
	arches=${*:-$DEBUG_ARCHES}
else
	arches=${*:-$ALL_ARCHES}
fi
"$HARNESS/prepare.sh" tree

results=$BUILD/results
mkdir -p "$results" "$BUILD/kunit"

# run NAME ARCH BUILD_DIR [KUNIT.PY ARG...]: build ARCH's kernel in
# BUILD_DIR and run it as NAME, with results as $results/NAME.*.
names=()
run() {
	local name=$1 arch=$2 dir=$3 start rc=0 configs
	shift 3
	names+=("$name")
	mapfile -t configs < <(kunitconfigs "$arch" ${variant:+debug})
	rm -f "$results/$name".{json,time,console}
	nvme_image "$name"
	note "$name: building and running KUnit (log: $results/$name.log)"
	start=$(date +%s)
	run_kunit "$arch" "$dir" "$HARNESS/qemu_configs/$arch.py" \
		"${configs[@]}" --timeout=600 --json="$results/$name.json" \
		"$@" 2>&1 | tee "$results/$name.log" || rc=$?
	echo "$rc $(( $(date +%s) - start ))" > "$results/$name.time"
	# The whole console of the guest, which kunit.py keeps beside the
	# kernel; summary.py looks there for reports of the debug options.
	if [ -f "$dir/test.log" ]; then
		cp "$dir/test.log" "$results/$name.console"
	fi
}

for arch in $arches; do
	run "$arch$variant" "$arch" "$BUILD/kunit/$arch$variant"
done
# The manifest's machines: an arch's kernel again, on another machine. Its
# build is the arch's, and kunit.py finds nothing to rebuild.
if [ -z "$variant" ]; then
	while read -r name arch args; do
		case " $arches " in
		*" $arch "*) ;;
		*) continue ;;
		esac
		# QEMU_ARGS [-- KERNEL_ARGS]
		args=" $args "
		kargs=()
		if [[ "$args" == *" -- "* ]]; then
			read -ra kargs <<< "${args#* -- }"
			args=${args%% -- *}
		fi
		qemu=()
		[ -z "${args// }" ] || qemu=(--qemu_args="$args")
		run "$name" "$arch" "$BUILD/kunit/$arch" "${qemu[@]}" \
			"${kargs[@]/#/--kernel_args=}"
	done < <(manifest_list machine)
fi

series_files > "$BUILD/series-files"
# A positional word in KUNIT_ARGS is a filter glob: then not every suite of
# the manifest runs.
filtered=
read -ra words <<< "${KUNIT_ARGS:-}"
for a in "${words[@]}"; do
	[[ "$a" == -* ]] || filtered=--filtered
done
exec python3 "$HARNESS/summary.py" $filtered \
	--series-files "$BUILD/series-files" "$results" "${names[@]}"
