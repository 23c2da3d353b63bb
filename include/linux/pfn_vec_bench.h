/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pfn_vec benchmarks (mm/pfn_vec_bench.c, block/blk-pfn-vec-bench.c)
 * share: the memory they run on and the way they report. Not an API; for
 * the benchmark kernel only.
 */
#ifndef _LINUX_PFN_VEC_BENCH_H
#define _LINUX_PFN_VEC_BENCH_H

#include <linux/types.h>

struct kunit;
struct pci_dev;

/* Every key is the median of at least this many rounds, and of at most... */
#define PFN_VEC_BENCH_MIN_ROUNDS	5
/* ... this many. */
#define PFN_VEC_BENCH_MAX_ROUNDS	32

/**
 * struct pfn_vec_bench_bar - the BAR the benchmarks run on
 * @pdev:	QEMU's ivshmem-plain device, referenced and enabled
 * @phys:	physical address of its BAR2
 * @size:	size of its BAR2 in bytes
 */
struct pfn_vec_bench_bar {
	struct pci_dev *pdev;
	phys_addr_t phys;
	resource_size_t size;
};

void pfn_vec_bench_find_bar(struct kunit *test, struct pfn_vec_bench_bar *bar,
			    resource_size_t min_size);
void pfn_vec_bench_report(struct kunit *test, const char *key,
			  const u64 *num, const u64 *den, unsigned int rounds);

#endif /* _LINUX_PFN_VEC_BENCH_H */
