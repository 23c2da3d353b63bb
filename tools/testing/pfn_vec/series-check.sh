#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make series-check: check the exported series as a maintainer would.
#
#  1. git am, one patch at a time, onto a git repository of the pristine
#     base (build/series-check/linux), refusing whitespace errors;
#  2. scripts/checkpatch.pl --strict on every patch;
#  3. scripts/get_maintainer.pl names a maintainer (or supporter) for
#     every file the series touches, but for a file of the base that only
#     THE REST covers, which has none to name;
#  4. the tree after the last patch is the work tree make kunit builds;
#  5. bisection: after every patch, the x86_64 KUnit kernel builds; after
#     a patch that touches arch/arm64/ or arch/riscv/, that arch's KUnit
#     kernel builds too. No warning or error may point into a file of the
#     series. The .config of each arch is the one kunit.py makes of the
#     whole series, run through olddefconfig at each patch, so an option
#     is on from the patch that adds it.
#
# The series checked is build/series/ if make series exported it from this
# tree, otherwise a fresh export (without the benchmark) in
# build/series-check/series/.
#
# Every step runs even when an earlier one failed; the exit status is
# non-zero if any failed.
#
# Usage: series-check.sh [--no-build]   (--no-build: steps 1-4 only)

. "$(dirname "$0")/lib.sh"

build=1
[ "${1:-}" = --no-build ] && build=0

"$HARNESS/prepare.sh" tree
id=$(tree_id)
sc=$BUILD/series-check
mkdir -p "$sc"
failed=()
step() { echo; echo "=== $*"; }

series=$BUILD/series
if [ "$(cat "$series/tree" 2>/dev/null)" != "$id" ]; then
	series=$sc/series
	BENCH=0 "$HARNESS/series.sh" "$series" >/dev/null
fi
mapfile -t patches < <(ls "$series"/[0-9]*.patch | grep -v '/0000-cover-letter')
step "series of tree $id: ${#patches[@]} patches in $series"

# A git repository of the pristine base, made once per base.
repo=$sc/linux
if [ "$(cat "$sc/base-origin" 2>/dev/null)" != "$(cat "$BUILD/base/origin")" ] ||
   ! git -C "$repo" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	note "making a git repository of the pristine base (about a minute)"
	rm -rf "$repo" "$sc/base-origin"
	cp -a "$BASE" "$repo.tmp"
	chmod -R u+w "$repo.tmp"
	# Debian's linux-source ignores everything at the top level: -f.
	git -C "$repo.tmp" init -q
	git -C "$repo.tmp" add -f -A
	git -C "$repo.tmp" -c user.name=base -c user.email=base@localhost \
		commit -q -m "Linux $(kernel_version "$BASE" 2>/dev/null || true)"
	git -C "$repo.tmp" tag base
	mv "$repo.tmp" "$repo"
	cp "$BUILD/base/origin" "$sc/base-origin"
fi
git -C "$repo" am --abort >/dev/null 2>&1 || true
git -C "$repo" checkout -q --detach base
git -C "$repo" reset -q --hard base
git -C "$repo" clean -q -f -d -x

step "git am onto $(cd "$repo" && make -s kernelversion)"
commits=()
for p in "${patches[@]}"; do
	if ! git -C "$repo" -c user.name=check -c user.email=check@localhost \
		am -q --whitespace=error "$p" > "$sc/am.log" 2>&1; then
		cat "$sc/am.log"
		failed+=("git am $(basename "$p")")
		git -C "$repo" am --abort >/dev/null 2>&1 || true
		break
	fi
	commits+=("$(git -C "$repo" rev-parse HEAD)")
done
[ ${#commits[@]} -eq ${#patches[@]} ] && echo "all ${#patches[@]} applied"

step "checkpatch.pl --strict on each patch"
cp_out=$sc/checkpatch.log
# In a git tree checkpatch.pl runs scripts/spdxcheck.py, which needs
# Debian's python3-ply and python3-git: Debian's python3 first.
(cd "$repo" && export PATH=/usr/bin:$PATH && for p in "${patches[@]}"; do
	scripts/checkpatch.pl --strict --terse --no-summary \
		--ignore "$CHECKPATCH_IGNORE" "$p" || true
done) > "$cp_out" 2>&1
if [ -s "$cp_out" ]; then
	cat "$cp_out"
	failed+=(checkpatch)
else
	echo "clean"
fi

step "get_maintainer.pl on every file the series touches"
mapfile -t touched < <(git -C "$repo" diff --name-only base HEAD | sort -u)
gm_bad=0
# names_maintainer FILE|PATCH: get_maintainer.pl names a maintainer or a
# supporter. MAINTAINERS itself has no entry: for it, the question is who
# maintains the sections the series changes, which get_maintainer.pl
# answers for a patch of that file.
names_maintainer() {
	(cd "$repo" && scripts/get_maintainer.pl --no-git --no-git-fallback "$@") \
		2>/dev/null | grep -qE '\((maintainer|supporter):'
}
for f in "${touched[@]}"; do
	if [ "$f" = MAINTAINERS ]; then
		git -C "$repo" diff base HEAD -- MAINTAINERS > "$sc/maintainers.patch"
		names_maintainer "$sc/maintainers.patch" && continue
	else
		names_maintainer -f "$f" && continue
		# A file of the base that only THE REST covers (include/linux/
		# ioport.h): the base's state, not the series'; its patch goes
		# to the lists get_maintainer.pl names and the tree that takes
		# the series.
		sections=$(cd "$repo" && scripts/get_maintainer.pl --no-git \
			   --no-git-fallback --sections -f "$f" 2>/dev/null |
			   grep -E '^[^[:space:]][^:]*$' | sort -u)
		if git -C "$repo" cat-file -e "base:$f" 2>/dev/null &&
		   [ "$sections" = "THE REST" ]; then
			echo "only THE REST covers $f, a file of the base: no maintainer to name"
			continue
		fi
	fi
	echo "no maintainer for $f"
	gm_bad=1
done
if [ $gm_bad = 0 ]; then
	echo "${#touched[@]} files, each with a maintainer"
else
	failed+=(get_maintainer)
fi

step "the series' last tree is the work tree"
diff_out=$sc/tree.diff
: > "$diff_out"
for f in "${touched[@]}"; do
	if [ -f "$repo/$f" ]; then
		diff -u "$WORK/$f" "$repo/$f" >> "$diff_out" 2>&1 || true
	else
		[ ! -f "$WORK/$f" ] || echo "missing: $f" >> "$diff_out"
	fi
done
if [ -s "$diff_out" ]; then
	head -50 "$diff_out"
	failed+=("tree differs")
else
	echo "same"
fi

finish() {
	if [ ${#failed[@]} -gt 0 ]; then
		printf 'make series-check: FAILED: %s\n' "${failed[*]}"
		exit 1
	fi
	echo "make series-check: all checks passed"
	exit 0
}

[ $build = 1 ] || finish
if [ ${#commits[@]} -ne ${#patches[@]} ]; then
	failed+=("bisection: not every patch applied")
	finish
fi

# The .config of each arch for the whole series, from kunit.py.
kconfig_of() {
	local arch=$1 out=$sc/kunit/$1 configs
	mkdir -p "$out"
	mapfile -t configs < <(kunitconfigs "$arch")
	kunit_py "$repo" config "$arch" "$out" "$HARNESS/qemu_configs/$arch.py" \
		"${configs[@]}" \
		> "$sc/config-$arch.log" 2>&1 ||
		{ cat "$sc/config-$arch.log"; return 1; }
	cp "$out/.config" "$sc/$arch.config"
}

# build_at ARCH N: build ARCH's KUnit kernel at patch N.
build_at() {
	local arch=$1 n=$2 out=$sc/kunit/$1 log
	log=$sc/build-$arch-$n.log
	cp "$sc/$arch.config" "$out/.config"
	if ! kmake "$repo" "$out" "$arch" olddefconfig all > "$log" 2>&1; then
		tail -30 "$log"
		failed+=("$arch build at patch $n")
		return
	fi
	if warnings_in "$log" "${touched[@]}"; then
		failed+=("$arch warnings at patch $n")
		return
	fi
	echo "patch $n: $arch builds"
}

step "bisection: KUnit kernels after each patch"
git -C "$repo" checkout -q "${commits[-1]}"
for arch in $HOOK_ARCHES; do
	kconfig_of "$arch" || failed+=("kunit.py config $arch")
done
for i in "${!commits[@]}"; do
	n=$((i + 1))
	git -C "$repo" checkout -q "${commits[$i]}"
	start=$(date +%s)
	build_at x86_64 "$n"
	for arch in arm64 riscv; do
		if git -C "$repo" diff --name-only "${commits[$i]}~1" "${commits[$i]}" |
			grep -q "^arch/$arch/"; then
			build_at "$arch" "$n"
		fi
	done
	note "patch $n: $(( $(date +%s) - start )) s"
done

finish
