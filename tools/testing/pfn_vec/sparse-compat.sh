#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# sparse, as make C=2 calls it (CHECK=), for Debian 12's sparse 0.6.4.
#
# With GCC 12, arch/riscv/Makefile writes the Zicsr and Zifencei extensions
# into -march (rv64imac_zicsr_zifencei); sparse 0.6.4 stops with "invalid
# argument to '-march'" on them. They change nothing that sparse checks, so
# they are dropped; every other argument is passed through unchanged.

args=()
for arg in "$@"; do
	[[ "$arg" == -march=* ]] && arg=${arg//_zicsr_zifencei/}
	args+=("$arg")
done
exec sparse "${args[@]}"
