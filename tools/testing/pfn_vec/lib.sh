# SPDX-License-Identifier: GPL-2.0
# Common settings for the pfn_vec harness; sourced, never run.
#
# Layout under $BUILD (git-ignored, kept between runs):
#   base/linux      the pristine 6.12.y tree (Debian's linux-source-6.12, or
#                   a copy of $KERNEL_SRC); never modified after unpacking
#   linux           the work tree: base + overlay + patches/series
#   kunit/<arch>    kunit.py build directories (O=), one per arch
#   results/<arch>.json   kunit.py --json output

set -euo pipefail

# The harness names arches itself; a stray ARCH= from make must not reach
# the kernel Makefiles that it runs without one.
unset ARCH

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HARNESS/../../.." && pwd)
BUILD=${BUILD:-$TOP/build}
BASE=$BUILD/base/linux
WORK=$BUILD/linux
# The arches of make kunit and of the debug kernels (kunit.sh --debug),
# from the manifest.
manifest_list() {
	sed -n -e "s/#.*//" -e "s/^$1[[:space:]]\+//p" "$HARNESS/manifest"
}
ALL_ARCHES=$(manifest_list arches)
DEBUG_ARCHES=$(manifest_list debug-arches)
HOOK_ARCHES=$(manifest_list hook-arches)

# machines ARCH...: the names of the manifest's machines that boot the
# kernel of one of these arches.
machines() {
	local name arch rest
	while read -r name arch rest; do
		case " $* " in
		*" $arch "*)	echo "$name" ;;
		esac
	done < <(manifest_list machine)
}

# kunitconfigs ARCH [debug]: the --kunitconfig arguments of ARCH's KUnit
# kernel, or of its debug kernel: pfn_vec.kunitconfig, merged with
# pfn_vec_hook.kunitconfig on the hook arches and with
# pfn_vec_debug.kunitconfig for the debug kernel.
kunitconfigs() {
	local configs=$HARNESS/configs
	echo "--kunitconfig=$configs/pfn_vec.kunitconfig"
	case " $HOOK_ARCHES " in
	*" $1 "*)	echo "--kunitconfig=$configs/pfn_vec_hook.kunitconfig" ;;
	esac
	[ -z "${2:-}" ] || echo "--kunitconfig=$configs/pfn_vec_debug.kunitconfig"
}

# checkpatch messages the series does not act on, for new files, the quilt
# fragments (check.sh) and the exported patches (series-check.sh):
#  - MACRO_ARG_REUSE: for_each_pfn_vec() and the bio iterators name their
#    view, array and cursor more than once, as every for_each_ iterator
#    must (for_each_bvec() in <linux/bvec.h> is the same); every other
#    helper is a static inline.
CHECKPATCH_IGNORE=MACRO_ARG_REUSE

# ccache hits must not depend on where the repository was cloned: rewrite
# absolute paths under $BUILD as relative ones before hashing.
export CCACHE_BASEDIR=$BUILD
export CCACHE_NOHASHDIR=1
# Six kernels' objects, and the benchmark kernels', must stay in the cache
# from one run to the next: more than ccache's default 5 GB.
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}

# Kernel paths the overlay may populate: everything else in the repo is
# harness, documentation of the project itself, or the patch series.
OVERLAY_DIRS="arch block drivers include lib mm scripts Documentation"

die() { echo "pfn_vec: $*" >&2; exit 1; }
note() { echo "pfn_vec: $*" >&2; }

# Per-arch toolchain: <cross prefix> (empty for the host compiler).
cross_compile() {
	case "$1" in
	x86_64|i386)	echo "" ;;
	arm64)		echo "aarch64-linux-gnu-" ;;
	riscv)		echo "riscv64-linux-gnu-" ;;
	*)		die "unknown arch '$1' (one of: $ALL_ARCHES)" ;;
	esac
}

jobs() { nproc; }

# kmake TREE OUT ARCH [MAKE_ARG...]: make in the kernel TREE, into OUT, for
# ARCH with its toolchain, through ccache.
kmake() {
	local tree=$1 out=$2 arch=$3 cross
	shift 3
	cross=$(cross_compile "$arch")
	make -C "$tree" O="$out" ARCH="$arch" -j"$(jobs)" \
		${cross:+CROSS_COMPILE="$cross"} CC="ccache ${cross}gcc" \
		HOSTCC="ccache gcc" "$@"
}

# warnings_in LOG FILE...: print the warnings and errors of the build LOG
# that are about one of FILEs (relative to the kernel tree): compiler,
# objtool, linker and modpost (reports.py); true if there is one. A build
# also compiles files the series does not touch (kbuild's prepare step
# rebuilds the vDSO, for one), whose warnings are not ours.
warnings_in() {
	python3 "$HARNESS/reports.py" build-warnings "$@"
}

# kunit_py TREE COMMAND ARCH BUILD_DIR QEMU_CONFIG [ARG...]: the kernel's
# kunit.py COMMAND (run, config, ...) in TREE, for one arch, through ccache;
# the arguments name the --kunitconfig files.
kunit_py() {
	local tree=$1 command=$2 arch=$3 build_dir=$4 qemu_config=$5 cross
	shift 5
	cross=$(cross_compile "$arch")
	(cd "$tree" && python3 tools/testing/kunit/kunit.py "$command" \
		--build_dir="$build_dir" \
		--qemu_config="$qemu_config" \
		${cross:+--cross_compile="$cross"} \
		--make_options="CC=ccache ${cross}gcc" \
		--make_options="HOSTCC=ccache gcc" "$@")
}

# run_kunit ARCH BUILD_DIR QEMU_CONFIG [KUNIT.PY ARG...]: kunit.py run in
# the work tree.
run_kunit() {
	# shellcheck disable=SC2086
	kunit_py "$WORK" run "$@" --jobs="$(jobs)" ${KUNIT_ARGS:-}
}

# The new files of the overlay, relative to the repo top.
overlay_files() {
	cd "$TOP"
	if git rev-parse --git-dir >/dev/null 2>&1; then
		# shellcheck disable=SC2086
		git ls-files --cached --others --exclude-standard -- $OVERLAY_DIRS |
			while read -r f; do [ -f "$f" ] && echo "$f"; done
	else
		# shellcheck disable=SC2086
		find $OVERLAY_DIRS -type f 2>/dev/null || true
	fi
}

# The patches of patches/series, in order, as paths relative to the repo top.
series_patches() {
	[ -f "$TOP/patches/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series" |
		while read -r p _; do echo "patches/$p"; done
}

# The kernel files a patch touches (new side of each hunk header).
patch_files() {
	sed -n -e 's|^+++ [^/]*/\([^[:space:]]*\).*|\1|p' "$TOP/$1"
}

# Every kernel file the series adds or changes, relative to the tree.
series_files() {
	{
		overlay_files
		for p in $(series_patches); do patch_files "$p"; done
	} | sort -u
}

# A name for what the harness builds a kernel from: the overlay, the series
# and the benchmark kernel's configs, hashed. make bench records it, and make
# series puts a benchmark in the cover letter only if it was measured on
# the tree being exported.
tree_id() {
	(cd "$TOP" && {
		overlay_files
		series_patches
		find tools/testing/pfn_vec/configs/pfn_vec_bench.kunitconfig \
			tools/testing/pfn_vec/bench_configs -type f
	} | LC_ALL=C sort | xargs sha1sum | sha1sum | cut -c1-12)
}

# nvme_image NAME [DIR]: the nvme drive of a guest
# (qemu_configs/pci_devices.py), DIR/NAME.img (DIR: build/nvme), new and
# zeroed, in $PFN_VEC_NVME_IMG.
nvme_image() {
	local dir=${2:-$BUILD/nvme}

	mkdir -p "$dir"
	export PFN_VEC_NVME_IMG=$dir/$1.img
	rm -f "$PFN_VEC_NVME_IMG"
	truncate -s 64M "$PFN_VEC_NVME_IMG"
}
