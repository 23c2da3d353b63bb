// SPDX-License-Identifier: GPL-2.0
/*
 * pfn_vec against the kernel's own alternatives, on the same memory in the
 * same boot. Not a test: make bench boots it, reads the "bench <key>
 * <value>" lines it logs and writes them out. Every key is a ratio of two
 * measurements taken back to back here, because absolute times under
 * emulation mean nothing.
 *
 * The memory is BAR2 of QEMU's ivshmem-plain, as large as the machine
 * allows (64 GiB on x86_64, backed lazily by the host).
 */
#include <kunit/test.h>
#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/io-mapping.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/slab.h>
#include <linux/vmstat.h>

#define IVSHMEM_DEVICE_ID	0x1110
#define IVSHMEM_BAR		2
#define MAP_LOOPS		200000
#define COPY_BYTES		SZ_16M

struct bench_bar {
	struct pci_dev *pdev;
	phys_addr_t phys;
	size_t size;
};

static void bench_put_pdev(void *pdev)
{
	pci_dev_put(pdev);
}

static void bench_find_bar(struct kunit *test, struct bench_bar *bar)
{
	bar->pdev = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET,
				   IVSHMEM_DEVICE_ID, NULL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, bar->pdev, "no ivshmem-plain device");
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_put_pdev,
							   bar->pdev));
	KUNIT_ASSERT_EQ(test, pci_enable_device_mem(bar->pdev), 0);
	bar->phys = pci_resource_start(bar->pdev, IVSHMEM_BAR);
	bar->size = pci_resource_len(bar->pdev, IVSHMEM_BAR);
	KUNIT_ASSERT_GE(test, bar->size, (size_t)SZ_16M);
}

/* Log one result, as a ratio in thousandths so that no floats are needed. */
static void bench_report(struct kunit *test, const char *key, u64 num, u64 den)
{
	u64 milli = div64_u64(num * 1000, max_t(u64, den, 1));

	kunit_info(test, "bench %s %llu.%03llu\n", key, milli / 1000, milli % 1000);
}

static unsigned long bench_free_bytes(void)
{
	drain_all_pages(NULL);
	return global_zone_page_state(NR_FREE_PAGES) << PAGE_SHIFT;
}

/*
 * Setup time and metadata: memremap_pages() of the whole BAR, as P2PDMA
 * does it, against registering it with pfn_vec.
 */
static void pfn_vec_bench_setup(struct kunit *test)
{
	struct dev_pagemap *pgmap = kunit_kzalloc(test, sizeof(*pgmap), GFP_KERNEL);
	unsigned long before, zone_bytes, reg_bytes;
	struct bench_bar bar;
	u64 t0, zone_ns, reg_ns;
	void *addr;

	KUNIT_ASSERT_NOT_NULL(test, pgmap);
	bench_find_bar(test, &bar);

	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap->range.start = bar.phys;
	pgmap->range.end = bar.phys + bar.size - 1;
	pgmap->nr_range = 1;
	before = bench_free_bytes();
	t0 = ktime_get_ns();
	addr = memremap_pages(pgmap, NUMA_NO_NODE);
	zone_ns = ktime_get_ns() - t0;
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(addr), "memremap_pages: %ld",
			       PTR_ERR(addr));
	zone_bytes = before - bench_free_bytes();
	memunmap_pages(pgmap);

	before = bench_free_bytes();
	t0 = ktime_get_ns();
	KUNIT_ASSERT_EQ(test, pfn_vec_region_register(bar.phys, bar.size,
						      IO_LINEAR_WC), 0);
	reg_ns = ktime_get_ns() - t0;
	reg_bytes = before - min(before, bench_free_bytes());
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(bar.phys, bar.size), 0);

	kunit_info(test, "BAR of %zu MiB: memremap_pages %llu us, %lu KiB; register %llu us, %lu KiB\n",
		   bar.size >> 20, zone_ns / 1000, zone_bytes >> 10,
		   reg_ns / 1000, reg_bytes >> 10);
	bench_report(test, "setup_speedup", zone_ns, reg_ns);
	/* What registration used is below what free pages can resolve: a page. */
	bench_report(test, "metadata_ratio", zone_bytes, max(reg_bytes, PAGE_SIZE));
}

/*
 * One map, one byte read through the mapping, and unmap, for every page of
 * a 1 MiB segment, as a block layer walk does: the pfn_vec iterator over the
 * BAR, for_each_bvec() with bvec_kmap_local() over RAM, and
 * io_mapping_map_local_wc() page after page of the BAR. Then the same for a
 * lone page mapped again and again, where pfn_vec_kmap_local() looks its
 * region up every time. The read keeps the compiler from folding the loops
 * of the alternatives, which on 64-bit are address arithmetic, into nothing.
 */
#define MAP_SEG		SZ_1M
#define MAP_SEG_PAGES	(MAP_SEG / PAGE_SIZE)

static void pfn_vec_bench_accessor(struct kunit *test)
{
	struct page *pages = alloc_pages(GFP_KERNEL, get_order(MAP_SEG));
	u64 t0, t_kmap, t_pfn_vec, t_iomap;
	struct bio_vec bvec, bv;
	struct pfn_vec_miter miter;
	struct bvec_iter iter;
	struct io_mapping *iomap;
	struct pfn_vec_map m;
	struct bench_bar bar;
	struct pfn_vec pv;
	unsigned int i, j, sum = 0, mapped = 0;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	bench_find_bar(test, &bar);
	KUNIT_ASSERT_EQ(test, pfn_vec_region_register(bar.phys, bar.size,
						      IO_LINEAR_WC), 0);
	iomap = io_mapping_create_wc(bar.phys, bar.size);
	KUNIT_ASSERT_NOT_NULL(test, iomap);
	bvec_set_page(&bvec, pages, MAP_SEG, 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, bar.phys + MAP_SEG, MAP_SEG), 0);

	t0 = ktime_get_ns();
	for (i = 0; i < MAP_LOOPS / MAP_SEG_PAGES; i++) {
		struct bvec_iter start = { .bi_size = MAP_SEG };

		for_each_bvec(bv, &bvec, iter, start) {
			u8 *p = bvec_kmap_local(&bv);

			sum += READ_ONCE(*p);
			kunmap_local(p);
		}
	}
	t_kmap = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	for (i = 0; i < MAP_LOOPS / MAP_SEG_PAGES; i++) {
		KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
		pfn_vec_miter_start(&miter, &pv, &iter, MAP_SEG);
		while (pfn_vec_miter_next(&miter)) {
			sum += readb(miter.map.vaddr_iomem);
			mapped++;
		}
		KUNIT_ASSERT_EQ(test, pfn_vec_miter_stop(&miter), 0);
	}
	t_pfn_vec = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, mapped, MAP_LOOPS / MAP_SEG_PAGES * MAP_SEG_PAGES);

	t0 = ktime_get_ns();
	for (i = 0; i < MAP_LOOPS / MAP_SEG_PAGES; i++) {
		for (j = 0; j < MAP_SEG_PAGES; j++) {
			void __iomem *p;

			p = io_mapping_map_local_wc(iomap, MAP_SEG + j * PAGE_SIZE);
			sum += readb(p);
			io_mapping_unmap_local(p);
		}
	}
	t_iomap = ktime_get_ns() - t0;

	kunit_info(test, "%u pages, 1 MiB at a time: bvec_kmap_local %llu us, pfn_vec_miter %llu us, io_mapping %llu us\n",
		   mapped, t_kmap / 1000, t_pfn_vec / 1000, t_iomap / 1000);
	bench_report(test, "accessor_ratio", t_pfn_vec, t_kmap);
	bench_report(test, "io_mapping_ratio", t_pfn_vec, t_iomap);

	t0 = ktime_get_ns();
	for (i = 0; i < MAP_LOOPS; i++) {
		u8 *p = kmap_local_page(pages);

		sum += READ_ONCE(*p);
		kunmap_local(p);
	}
	t_kmap = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	for (i = 0; i < MAP_LOOPS; i++) {
		if (pfn_vec_kmap_local(&pv, &m))
			break;
		sum += readb(m.map.vaddr_iomem);
		pfn_vec_kunmap_local(&m);
	}
	t_pfn_vec = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, i, MAP_LOOPS);

	t0 = ktime_get_ns();
	for (i = 0; i < MAP_LOOPS; i++) {
		void __iomem *p = io_mapping_map_local_wc(iomap, MAP_SEG);

		sum += readb(p);
		io_mapping_unmap_local(p);
	}
	t_iomap = ktime_get_ns() - t0;

	io_mapping_free(iomap);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(bar.phys, bar.size), 0);
	__free_pages(pages, get_order(MAP_SEG));

	kunit_info(test, "%u times one page: kmap_local_page %llu us, pfn_vec_kmap_local %llu us, io_mapping %llu us (%u)\n",
		   MAP_LOOPS, t_kmap / 1000, t_pfn_vec / 1000, t_iomap / 1000,
		   sum);
	bench_report(test, "accessor_single_ratio", t_pfn_vec, t_kmap);
	bench_report(test, "io_mapping_single_ratio", t_pfn_vec, t_iomap);
}

/*
 * Copy throughput of the pfn_vec helpers over memcpy_fromio()/memcpy_toio()
 * on an ioremap_wc() of the same BAR, for one transfer size.
 */
static void pfn_vec_bench_copy_size(struct kunit *test, struct bench_bar *bar,
				    void __iomem *io, u8 *buf, size_t len)
{
	unsigned int i, loops = COPY_BYTES / len;
	void __iomem *lin = arch_io_linear_addr(bar->phys);
	u64 t0, t_from_io, t_from_pv, t_to_io, t_to_pv, t_from_lin, t_to_lin;
	struct bvec_iter iter;
	struct pfn_vec pv;
	char key[48];

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, bar->phys, len), 0);

	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++)
		memcpy_fromio(buf, io, len);
	t_from_io = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++) {
		KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
		KUNIT_ASSERT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, len), 0);
	}
	t_from_pv = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++)
		memcpy_fromio(buf, lin, len);
	t_from_lin = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++)
		memcpy_toio(io, buf, len);
	t_to_io = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++) {
		KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
		KUNIT_ASSERT_EQ(test, pfn_vec_memcpy_to(&pv, &iter, buf, len), 0);
	}
	t_to_pv = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++)
		memcpy_toio(lin, buf, len);
	t_to_lin = ktime_get_ns() - t0;

	kunit_info(test, "%zu KiB x %u: from ioremap_wc %llu us, pfn_vec %llu us, linear map %llu us; to ioremap_wc %llu us, pfn_vec %llu us, linear map %llu us\n",
		   len >> 10, loops, t_from_io / 1000, t_from_pv / 1000,
		   t_from_lin / 1000, t_to_io / 1000, t_to_pv / 1000,
		   t_to_lin / 1000);
	/* Throughput ratio: the same bytes, so the inverse of the time ratio. */
	snprintf(key, sizeof(key), "copy_from_ratio_%zuk", len >> 10);
	bench_report(test, key, t_from_io, t_from_pv);
	snprintf(key, sizeof(key), "copy_to_ratio_%zuk", len >> 10);
	bench_report(test, key, t_to_io, t_to_pv);
	/*
	 * The helpers against memcpy_{from,to}io() on the very mapping they
	 * use, the region's linear map: what the helpers themselves cost,
	 * apart from the mapping that the ratios above compare too.
	 */
	snprintf(key, sizeof(key), "copy_from_linear_ratio_%zuk", len >> 10);
	bench_report(test, key, t_from_lin, t_from_pv);
	snprintf(key, sizeof(key), "copy_to_linear_ratio_%zuk", len >> 10);
	bench_report(test, key, t_to_lin, t_to_pv);
}

static void pfn_vec_bench_copy(struct kunit *test)
{
	static const size_t sizes[] = { SZ_4K, SZ_64K, SZ_1M };
	struct bench_bar bar;
	void __iomem *io;
	unsigned int i;
	u8 *buf;

	bench_find_bar(test, &bar);
	buf = kunit_kmalloc(test, SZ_1M, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0x5a, SZ_1M);
	KUNIT_ASSERT_EQ(test, pfn_vec_region_register(bar.phys, bar.size,
						      IO_LINEAR_WC), 0);
	io = ioremap_wc(bar.phys, SZ_1M);
	KUNIT_ASSERT_NOT_NULL(test, (__force void *)io);

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		pfn_vec_bench_copy_size(test, &bar, io, buf, sizes[i]);

	iounmap(io);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(bar.phys, bar.size), 0);
}

static struct kunit_case pfn_vec_bench_cases[] = {
	KUNIT_CASE_SLOW(pfn_vec_bench_setup),
	KUNIT_CASE_SLOW(pfn_vec_bench_accessor),
	KUNIT_CASE_SLOW(pfn_vec_bench_copy),
	{}
};

static struct kunit_suite pfn_vec_bench_suite = {
	.name = "pfn_vec_bench",
	.test_cases = pfn_vec_bench_cases,
};

kunit_test_suite(pfn_vec_bench_suite);

MODULE_DESCRIPTION("pfn_vec benchmarks");
MODULE_LICENSE("GPL");
