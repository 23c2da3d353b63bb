#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build the benchmark kernel of one arch (configs/
# pfn_vec_bench.kunitconfig, bench_configs/<arch>.py), boot it through
# kunit.py, and write the ratios that mm/pfn_vec_bench.c and
# block/blk-pfn-vec-bench.c log to build/bench/<arch>.json. A benchmark, not a test: nothing here passes or
# fails on a number.
#
# Usage: bench.sh ARCH

. "$(dirname "$0")/lib.sh"

arch=${1:-x86_64}
[ -f "$HARNESS/bench_configs/$arch.py" ] ||
	die "no benchmark for $arch: its I/O linear map backend has not landed"
"$HARNESS/prepare.sh" tree
mkdir -p "$BUILD/bench" "$BUILD/bench-kunit"
# In memory where the host has a tmpfs, so that the host's disk does not
# add its noise to the nvme benchmark.
shm=
[ -d /dev/shm ] && [ -w /dev/shm ] && shm=/dev/shm/pfn_vec-$(id -u)
nvme_image "bench-$arch" $shm

run_kunit "$arch" "$BUILD/bench-kunit/$arch" \
	"$HARNESS/bench_configs/$arch.py" \
	--kunitconfig="$HARNESS/configs/pfn_vec_bench.kunitconfig" \
	--timeout=1800 2>&1 | tee "$BUILD/bench/$arch.log"

exec python3 "$HARNESS/bench_report.py" "$BUILD/bench-kunit/$arch/test.log" \
	"$arch" "$BUILD/bench/$arch.json" "$(tree_id)"
