#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make htmldocs: render the core-api book, which holds
# Documentation/core-api/pfn_vec.rst and the kernel-doc of the series, with
# the kernel's own `make htmldocs SPHINXDIRS=core-api` and Debian's sphinx,
# into build/docs/. Fails if sphinx warns about anything of the series
# (a file it adds, or any mention of pfn_vec or io_linear, which also
# catches a toctree entry or a reference of the series in a file it
# changes), or if the page lacks the API reference. Warnings about the rest
# of the book are the base's own (index.rst's toctree names books outside
# SPHINXDIRS, for one) and are listed, not counted.
#
# Usage: docs.sh

. "$(dirname "$0")/lib.sh"

"$HARNESS/prepare.sh" tree
out=$BUILD/docs
log=$out/htmldocs.log
mkdir -p "$out"

# Every kernel file the series adds, as sphinx names them.
mapfile -t series_files < <(overlay_files)

note "make htmldocs SPHINXDIRS=core-api (log: $log)"
# Debian's sphinx-build runs Debian's python3, whichever python3 is first
# in PATH; SPHINXBUILD= names another.
if ! make -C "$WORK" O="$out" SPHINXDIRS=core-api \
	SPHINXBUILD="${SPHINXBUILD:-/usr/bin/sphinx-build}" htmldocs > "$log" 2>&1; then
	tail -30 "$log"
	die "make htmldocs failed"
fi

grep -E 'WARNING|ERROR' "$log" | sed "s|$WORK/||" > "$out/warnings" || true
printf '%s\n' "${series_files[@]}" pfn_vec io_linear > "$out/ours"
page=$out/Documentation/output/core-api/pfn_vec.html
rc=0
if grep -F -f "$out/ours" "$out/warnings"; then
	echo "pfn_vec: sphinx warns about the series (above)" >&2
	rc=1
fi
if [ -s "$out/warnings" ]; then
	note "warnings about the base's own files, not counted:"
	grep -v -F -f "$out/ours" "$out/warnings" | sed 's/^/  /' >&2 || true
fi
# The API reference must have been rendered from the kernel-doc.
for sym in pfn_vec_region_register pfn_vec_kmap_local bio_alloc_pfn_vec \
	   arch_io_linear_map for_each_pfn_vec; do
	grep -q "id=\"c\.$sym\"" "$page" 2>/dev/null ||
		{ echo "pfn_vec: $page has no entry for $sym" >&2; rc=1; }
done
[ $rc = 0 ] && echo "htmldocs: no warning about the series; rendered page: $page"
exit $rc
