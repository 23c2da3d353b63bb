#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the harness needs (deps: Debian's packages, as root), or
# check that it is there and unpack the 6.12 base and lay the overlay and
# patches/series over a work copy of it (tree: no root, no dpkg).
#
# Idempotent: files are staged first and copied into the work tree only when
# their content differs, so an edit to one overlay file rebuilds only what
# depends on it. Files that the overlay or a patch stopped touching are
# restored from the pristine base. A patch that does not apply stops the run
# and is named.
#
# Usage: prepare.sh deps|tree

. "$(dirname "$0")/lib.sh"

PACKAGES="linux-source-6.12 qemu-system-x86 qemu-system-arm qemu-system-misc
	  gcc gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu make bc bison flex
	  libelf-dev libssl-dev dwarves python3 perl xz-utils rsync cpio kmod
	  sparse coccinelle ccache git patch
	  python3-ply python3-git python3-sphinx python3-sphinx-rtd-theme"

install_deps() {
	local missing=() p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "make deps installs packages and needs root; as root, run: apt-get update && apt-get install -y ${missing[*]}"
	note "installing: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# The commands and headers that building and booting the kernels needs,
# wherever they come from; make deps installs them on Debian.
COMMANDS="make gcc bc bison flex perl python3 rsync cpio xz patch ccache
	  aarch64-linux-gnu-gcc riscv64-linux-gnu-gcc qemu-system-x86_64
	  qemu-system-i386 qemu-system-aarch64 qemu-system-riscv64"
HEADERS="libelf.h openssl/ssl.h"

check_tools() {
	local missing=() c
	for c in $COMMANDS; do
		command -v "$c" >/dev/null || missing+=("$c")
	done
	for c in $HEADERS; do
		echo "#include <$c>" | gcc -E -x c - >/dev/null 2>&1 || missing+=("<$c>")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "missing: ${missing[*]} (on Debian, make deps installs them, as root)"
}

# Where the base comes from: $KERNEL_SRC, or Debian's linux-source-6.12.
base_origin() {
	if [ -n "${KERNEL_SRC:-}" ]; then
		local src
		src=$(cd "$KERNEL_SRC" && pwd) || die "KERNEL_SRC=$KERNEL_SRC: no such directory"
		echo "dir $src"
	else
		local tarball
		tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null) ||
			die "/usr/src/linux-source-6.12.tar.xz missing (apt-get install linux-source-6.12)"
		echo "tar $tarball $(stat -c '%s %Y' "$tarball")"
	fi
}

kernel_version() {
	make -s -C "$1" kernelversion 2>/dev/null
}

prepare_base() {
	local origin stamp=$BUILD/base/origin
	origin=$(base_origin)
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$origin" ] && [ -d "$BASE" ]; then
		return 0
	fi
	note "unpacking base ($origin)"
	rm -rf "$BUILD/base" "$WORK" "$BUILD/applied"
	mkdir -p "$BUILD/base"
	case "$origin" in
	dir\ *)
		rsync -a --exclude=.git "${origin#dir }/" "$BASE/"
		make -s -C "$BASE" mrproper
		;;
	tar\ *)
		local tarball=${origin#tar }
		tarball=${tarball%% *}
		mkdir -p "$BASE"
		tar -xf "$tarball" -C "$BASE" --strip-components=1
		;;
	esac
	case "$(kernel_version "$BASE")" in
	6.12|6.12.*) ;;
	*) die "base is $(kernel_version "$BASE"), not a 6.12.y tree" ;;
	esac
	echo "$origin" > "$stamp"
}

# Restore one kernel file of the work tree to its pristine state.
restore_file() {
	if [ -f "$BASE/$1" ]; then
		cmp -s "$BASE/$1" "$WORK/$1" || install -m 644 "$BASE/$1" "$WORK/$1"
	else
		rm -f "$WORK/$1"
	fi
}

apply_overlay() {
	local stage=$BUILD/stage manifest=$BUILD/applied f p
	if [ ! -d "$WORK" ]; then
		note "creating work tree $WORK"
		cp -a "$BASE" "$WORK.tmp"
		chmod -R u+w "$WORK.tmp"
		mv "$WORK.tmp" "$WORK"
		rm -f "$manifest"
	fi

	rm -rf "$stage"
	mkdir -p "$stage"
	overlay_files | while read -r f; do
		install -D -m 644 "$TOP/$f" "$stage/$f"
	done
	for p in $(series_patches); do
		[ -f "$TOP/$p" ] || die "patches/series names $p, which does not exist"
		for f in $(patch_files "$p"); do
			[ -e "$stage/$f" ] || [ ! -f "$BASE/$f" ] ||
				install -D -m 644 "$BASE/$f" "$stage/$f"
		done
		patch -p1 -s -d "$stage" --fuzz=0 --no-backup-if-mismatch \
			-r - < "$TOP/$p" >"$BUILD/patch.log" 2>&1 || {
			cat "$BUILD/patch.log" >&2
			die "patch $p does not apply to $(kernel_version "$BASE")"
		}
	done

	(cd "$stage" && find . -type f | sed 's|^\./||' | sort) > "$manifest.new"
	while read -r f; do
		if ! cmp -s "$stage/$f" "$WORK/$f"; then
			install -D -m 644 "$stage/$f" "$WORK/$f"
		fi
	done < "$manifest.new"
	if [ -f "$manifest" ]; then
		comm -23 "$manifest" "$manifest.new" | while read -r f; do
			restore_file "$f"
		done
	fi
	mv "$manifest.new" "$manifest"
	rm -rf "$stage"
}

case "${1:-}" in
deps)	install_deps ;;
tree)	check_tools; prepare_base; apply_overlay ;;
*)	die "usage: prepare.sh deps|tree" ;;
esac
