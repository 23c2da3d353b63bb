#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# sparse, as make C=2 calls it (CHECK=), for Debian 12's sparse 0.6.4.
#
# With GCC 12, arch/riscv/Makefile writes the Zicsr and Zifencei extensions
# into -march (rv64imac_zicsr_zifencei); sparse 0.6.4 stops with "invalid
# argument to '-march'" on them. They change nothing that sparse checks, so
# they are dropped.
#
# GCC predefines __riscv_cmodel_<model> for -mcmodel=<model>; sparse 0.6.4
# does not, and arch/riscv/mm/init.c stops with its own #error without
# __riscv_cmodel_medany. It is defined as GCC would. Every other argument
# is passed through unchanged.

args=()
for arg in "$@"; do
	[[ "$arg" == -march=* ]] && arg=${arg//_zicsr_zifencei/}
	[[ "$arg" == -mcmodel=med* ]] && args+=("-D__riscv_cmodel_${arg#-mcmodel=}")
	args+=("$arg")
done
exec sparse "${args[@]}"
