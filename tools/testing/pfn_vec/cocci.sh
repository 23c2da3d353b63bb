#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make cocci: Coccinelle on the series, in the assembled work tree.
#
#  1. scripts/coccinelle/api/pfn_vec.cocci in each mode (report, org,
#     context, patch) over the planted misuses in cocci/, compared with
#     cocci/*.<mode>.expected;
#  2. make coccicheck with pfn_vec.cocci (MODE=report) over the directories
#     that hold the series' C files: no report may point into them. The
#     plants are checked the same way, as a canary that coccicheck scanned;
#  3. every in-tree scripts/coccinelle/api/ semantic patch, in report mode,
#     over the series' new sources and headers: any report fails.
#
# Every step runs even when an earlier one failed; the exit status is
# non-zero if any failed.
#
# Usage: cocci.sh   (no kernel build; spatch only)

. "$(dirname "$0")/lib.sh"

COCCI=scripts/coccinelle/api/pfn_vec.cocci
PLANTS=$HARNESS/cocci
MODES="report org context patch"
# spatch's --dir prefilter asks git for the files of a git tree. $WORK
# lies in the repository's ignored build/ directory, where git would
# answer "none" and every file would be skipped unread: stop git at $BUILD.
export GIT_CEILING_DIRECTORIES=$BUILD

command -v spatch >/dev/null || die "spatch missing (prepare.sh deps installs coccinelle)"
"$HARNESS/prepare.sh" tree

failed=()
step() { echo; echo "=== $*"; }
out=$BUILD/cocci
rm -rf "$out"
mkdir -p "$out"

# spatch ARG...: as coccicheck runs it, with the options the script names.
run_spatch() {
	local cocci=$1 opts
	shift
	opts=$(sed -n 's|^//[[:space:]]*Options:||p' "$cocci")
	# shellcheck disable=SC2086
	spatch --very-quiet --cocci-file "$cocci" $opts "$@"
}

# The diff headers of context and patch output name a temporary file.
normalise() {
	sed -e 's|^+++ /tmp/cocci-output-[^ ]*|+++ b|'
}

step "pfn_vec.cocci on the plants"
for mode in $MODES; do
	for c in "$PLANTS"/*.c; do
		name=$(basename "$c" .c)
		extra=()
		case $mode in report|org) extra=(--no-show-diff) ;; esac
		(cd "$PLANTS" && run_spatch "$TOP/$COCCI" -D "$mode" \
			"${extra[@]}" "$name.c") 2>&1 | normalise > "$out/$name.$mode"
		# Rules report in rule order: compare report and org sorted.
		case $mode in
		report|org) sort -o "$out/$name.$mode" "$out/$name.$mode" ;;
		esac
		if ! diff -u "$PLANTS/$name.$mode.expected" "$out/$name.$mode"; then
			failed+=("plants $name $mode")
		fi
	done
done
[[ " ${failed[*]} " == *" plants "* ]] || echo "as expected"

# The directories that hold the series' C files, and the files themselves.
mapfile -t series_files < <({
	overlay_files
	for p in $(series_patches); do patch_files "$p"; done
} | grep -E '\.[ch]$' | sort -u)
mapfile -t series_dirs < <(printf '%s\n' "${series_files[@]}" |
	grep '\.c$' | xargs -n1 dirname | sort -u)

# coccicheck DIR: make coccicheck with pfn_vec.cocci in report mode on DIR;
# its reports, one a line, on stdout.
coccicheck() {
	make -s -C "$WORK" coccicheck COCCI="$WORK/$COCCI" MODE=report \
		M="$1" 2>&1 | grep -E '^[^ ]+:[0-9]+:[0-9]+-[0-9]+: ' || true
}

step "make coccicheck COCCI=$COCCI on ${series_dirs[*]}"
ours=$out/series-files
printf '%s:\n' "${series_files[@]}" > "$ours"
: > "$out/coccicheck"
for d in "${series_dirs[@]}"; do
	# --dir is recursive: a directory whose parent is listed is covered.
	case " ${series_dirs[*]} " in *" ${d%/*} "*) continue ;; esac
	coccicheck "$d" >> "$out/coccicheck"
done
if grep -F -f "$ours" "$out/coccicheck"; then
	failed+=(coccicheck)
else
	echo "clean"
fi

# The same run on a copy of the plants, where git does not answer for
# them either: as many reports as step 1 expects.
mkdir -p "$out/plants"
cp "$PLANTS"/*.c "$out/plants/"
want=$(cat "$PLANTS"/*.report.expected | wc -l)
got=$(coccicheck "$out/plants" | grep -c -F "$out/plants/" || true)
if [ "$got" -ne "$want" ]; then
	echo "coccicheck found $got of the $want planted misuses"
	failed+=("coccicheck plants")
fi

# The series' new sources and headers, as in-tree scripts see them.
mapfile -t new_files < <(overlay_files | grep -E '\.[ch]$' || true)

step "scripts/coccinelle/api/ on ${#new_files[@]} new files"
: > "$out/api"
while read -r cocci; do
	name=${cocci#"$WORK"/}
	# spatch compiles OCaml script rules at run time.
	if grep -q '^@script:ocaml' "$cocci" &&
	   ! command -v ocamlopt >/dev/null && ! command -v ocamlopt.opt >/dev/null; then
		note "skipping $name: its OCaml rules need ocamlopt"
		continue
	fi
	# Reports on stdout; spatch's warnings about the script on stderr.
	(cd "$WORK" && run_spatch "$cocci" -D report --no-show-diff \
		"${new_files[@]}") >> "$out/api" 2> "$out/api.err" || {
		cat "$out/api.err"
		echo "spatch failed on $name" >> "$out/api"
	}
done < <(find "$WORK/scripts/coccinelle/api" -name '*.cocci' \
	! -name "$(basename "$COCCI")" | sort)
if [ -s "$out/api" ]; then
	cat "$out/api"
	failed+=("in-tree api scripts")
else
	echo "clean"
fi

if [ ${#failed[@]} -gt 0 ]; then
	printf 'make cocci: FAILED: %s\n' "${failed[*]}"
	exit 1
fi
echo "make cocci: all checks passed"
