#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: the checks a maintainer runs on the series, then make kunit.
#
#  1. scripts/checkpatch.pl --strict on every new file and every patch;
#  2. scripts/kernel-doc -none -Wall on every new header and source;
#  3. make htmldocs SPHINXDIRS=core-api, as docs.sh runs it: no sphinx
#     warning about the series, and the API reference rendered;
#  4. Coccinelle, as cocci.sh runs it: pfn_vec.cocci on its plants and,
#     with make coccicheck, on the series, and the in-tree api/ scripts
#     on the new files;
#  5. the series as exported for upstream (series-check.sh --no-build):
#     git am onto the pristine base, checkpatch --strict per patch,
#     get_maintainer.pl for every file, and the same tree as make kunit's;
#  6. the KUnit run of kunit.sh for each arch, then that of kunit.sh --debug
#     for each arch of the debug kernels (x86_64, arm64) among them;
#  7. per arch, in the KUnit build tree and in that of the debug kernel:
#     sparse (make C=2, through sparse-compat.sh) and W=1 on every object
#     the series adds or changes, objtool included where the arch runs it
#     (the next make kunit rebuilds those objects without W=1).
#
# Before them, selftest.py proves the console and build-log patterns that
# make kunit and steps 5 and 7 rely on.
#
# Every step runs even when an earlier one failed; the exit status is
# non-zero if any failed.
#
# Usage: check.sh [ARCH...]

. "$(dirname "$0")/lib.sh"

arches=${*:-$ALL_ARCHES}

# checkpatch messages we do not act on in patches/, on top of lib.sh's
# CHECKPATCH_IGNORE, each with its reason:
#  - MISSING_SIGN_OFF / NO_AUTHOR_SIGN_OFF: patches/ holds the edits as a
#    quilt series without mail headers; sign-offs belong to the exported
#    series, not to these fragments.
#  - FILE_PATH_CHANGES: MAINTAINERS is updated in the series that adds the
#    files, not in each fragment that touches a Makefile.
FRAGMENT_IGNORE=$CHECKPATCH_IGNORE,MISSING_SIGN_OFF,NO_AUTHOR_SIGN_OFF,FILE_PATH_CHANGES

"$HARNESS/prepare.sh" tree

failed=()
step() { echo; echo "=== $*"; }


mapfile -t new_files < <(overlay_files)
mapfile -t patches < <(series_patches)
mapfile -t src_files < <(printf '%s\n' "${new_files[@]}" | grep -E '\.[ch]$' || true)
mapfile -t series_files < <(series_files)

checkpatch() {
	(cd "$WORK" && scripts/checkpatch.pl --strict --terse --no-summary \
		--ignore "$FRAGMENT_IGNORE" "$@") >> "$cp_out" 2>&1 || true
}

step "the harness's self-test (selftest.py)"
python3 "$HARNESS/selftest.py" || failed+=(selftest)

step "checkpatch.pl --strict (${#new_files[@]} files, ${#patches[@]} patches)"
cp_out=$BUILD/checkpatch.log
: > "$cp_out"
for f in "${new_files[@]}"; do
	checkpatch -f "$f"
done
for p in "${patches[@]}"; do
	checkpatch "$TOP/$p"
done
if [ -s "$cp_out" ]; then
	cat "$cp_out"
	failed+=(checkpatch)
else
	echo "clean"
fi

step "kernel-doc -none -Wall"
kd_out=$BUILD/kernel-doc.log
(cd "$WORK" && scripts/kernel-doc -none -Wall "${src_files[@]}") > "$kd_out" 2>&1 || true
if [ -s "$kd_out" ]; then
	cat "$kd_out"
	failed+=(kernel-doc)
else
	echo "clean"
fi

step "make htmldocs SPHINXDIRS=core-api"
"$HARNESS/docs.sh" || failed+=(htmldocs)

step "coccinelle"
"$HARNESS/cocci.sh" || failed+=(coccinelle)

step "the exported series (make series-check, without the builds)"
"$HARNESS/series-check.sh" --no-build || failed+=(series)

step "make kunit"
"$HARNESS/kunit.sh" $arches || failed+=(kunit)

debug_arches=()
for arch in $arches; do
	[[ " $DEBUG_ARCHES " == *" $arch "* ]] && debug_arches+=("$arch")
done
if [ ${#debug_arches[@]} -gt 0 ]; then
	step "make kunit-debug"
	"$HARNESS/kunit.sh" --debug "${debug_arches[@]}" || failed+=(kunit-debug)
fi

# The objects the series adds or changes that a KUnit kernel builds: C
# files of the series whose object is in its build tree, build/kunit/TREE
# (an x86_64-only backend is not part of the i386 kernel, for one, and the
# kmemleak suite and the KASAN shadow code are only in the debug kernels).
series_objects() {
	local tree=$1 f

	for f in "${series_files[@]}"; do
		if [[ "$f" == *.c && -f "$BUILD/kunit/$tree/${f%.c}.o" ]]; then
			echo "${f%.c}"
		fi
	done
}

# compile_check TREE NAME TARGET... -- MAKE_ARG...: build TARGETs in the
# KUnit tree build/kunit/TREE (<arch> or <arch>-debug) with MAKE_ARGs; a
# warning or error in the series' files, or a failed build, fails NAME.
compile_check() {
	local tree=$1 name=$2 targets=() log
	shift 2
	while [ "$1" != -- ]; do targets+=("$1"); shift; done
	shift
	log=$BUILD/check-$tree-${name//[^a-zA-Z0-9]/}.log
	step "$tree: $name on ${targets[*]}"
	if ! kmake "$WORK" "$BUILD/kunit/$tree" "${tree%-debug}" "$@" \
		"${targets[@]}" > "$log" 2>&1; then
		cat "$log"
		failed+=("$name $tree")
	elif warnings_in "$log" "${series_files[@]}"; then
		failed+=("$name $tree")
	else
		echo "clean"
	fi
}

for tree in $arches "${debug_arches[@]/%/-debug}"; do
	out=$BUILD/kunit/$tree
	[ -f "$out/.config" ] || { failed+=("sparse/W=1 $tree: no build"); continue; }
	mapfile -t objs < <(series_objects "$tree")
	[ ${#objs[@]} -gt 0 ] || continue
	compile_check "$tree" sparse "${objs[@]/%/.o}" -- C=2 \
		CHECK="$HARNESS/sparse-compat.sh"
	compile_check "$tree" W=1 "${objs[@]/%/.o}" -- W=1
done

step "summary"
python3 "$HARNESS/summary.py" --series-files "$BUILD/series-files" \
	"$BUILD/results" $arches $(machines $arches) \
	"${debug_arches[@]/%/-debug}" || true
if [ ${#failed[@]} -gt 0 ]; then
	printf 'make check: FAILED: %s\n' "${failed[*]}"
	exit 1
fi
echo "make check: all checks passed"
