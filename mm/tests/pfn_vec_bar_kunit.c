// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_bar: a real PCI BAR without struct page, BAR2 of
 * QEMU's ivshmem-plain (pfn_vec_kunit_ivshmem()), registered with pfn_vec
 * and cross-checked through an independent ioremap_wc(). Where the arch has
 * no hook, it checks the refusals on that BAR: registration is -EOPNOTSUPP,
 * the accessor and the copy helpers -ENXIO, with nothing written.
 */
#include <kunit/test.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

struct bar {
	phys_addr_t phys;
	size_t size;
	void __iomem *io;	/* an independent ioremap_wc() of it */
};

static void find_bar(struct kunit *test, struct bar *bar)
{
	struct pci_dev *pdev;
	struct resource *res = pfn_vec_kunit_ivshmem(test, &pdev);

	if (!res)
		kunit_skip(test, "no ivshmem-plain device (see the project's qemu configs)");
	bar->phys = res->start;
	bar->size = resource_size(res);
	bar->io = pfn_vec_kunit_ioremap_wc(test, bar->phys, SZ_4M);
}

/*
 * Register the BAR until the case ends. Where there is no hook, check the
 * refusal of registration, which this is the case of, and return false.
 */
static bool register_bar(struct kunit *test, struct bar *bar)
{
	return !pfn_vec_kunit_register(test, bar->phys, bar->size, IO_LINEAR_WC);
}

static void pfn_vec_bar_test_register(struct kunit *test)
{
	enum io_linear_type type;
	size_t page_size, want;
	struct bar bar;
	struct pfn_vec pv;

	find_bar(test, &bar);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, bar.phys, PAGE_SIZE), 0);
	KUNIT_EXPECT_FALSE_MSG(test, pfn_vec_has_page(&pv), "the BAR has struct page");
	if (!register_bar(test, &bar))
		return;

	KUNIT_ASSERT_EQ(test, arch_io_linear_query(bar.phys, &page_size, &type), 0);
	KUNIT_EXPECT_EQ(test, type, IO_LINEAR_WC);
	/*
	 * A BAR is naturally aligned, so it gets the largest page the arch
	 * allows for I/O mappings.
	 */
	want = bar.size >= PUD_SIZE && arch_vmap_pud_supported(PAGE_KERNEL) ?
	       PUD_SIZE : PMD_SIZE;
	KUNIT_EXPECT_EQ_MSG(test, page_size, want, "BAR of %zu bytes at %pa",
			    bar.size, &bar.phys);
	kunit_info(test, "BAR of %zu MiB at %pa mapped with %zu KiB pages\n",
		   bar.size >> 20, &bar.phys, page_size >> 10);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(bar.phys, bar.size), 0);
	KUNIT_EXPECT_EQ(test, arch_io_linear_query(bar.phys, &page_size, &type),
			-ENOENT);
}

/*
 * The accessor and the copy helpers against the independent mapping, both
 * ways, over a vector of RAM, BAR and RAM. Where there is no hook, these
 * are the accessor's and the copy helpers' refusals: the accessor refuses
 * the BAR with -ENXIO, a copy stops before it, and the BAR is unchanged.
 */
static void pfn_vec_bar_test_copy(struct kunit *test)
{
	const unsigned int len = 3 * PAGE_SIZE + 123;
	struct page *ram = pfn_vec_kunit_alloc_page(test, GFP_HIGHUSER);
	u8 *in = kunit_kmalloc(test, 2 * len, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, 2 * len, GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec pvec[3];
	struct bar bar;
	unsigned int i;
	bool hook;

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	find_bar(test, &bar);
	hook = register_bar(test, &bar);

	for (i = 0; i < 2 * len; i++)
		in[i] = i * 13 + 1;
	memset_io(bar.io, PFN_VEC_KUNIT_SENTINEL, SZ_4M);
	pfn_vec_set_page(&pvec[0], ram, 100, 7);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pvec[1], bar.phys + SZ_1M - 61, len), 0);
	pfn_vec_set_page(&pvec[2], ram, 200, 1000);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);

	if (!hook) {
		struct pfn_vec_map m;

		KUNIT_EXPECT_EQ(test, pfn_vec_kmap_local(&pvec[1], &m), -ENXIO);
		KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(pvec, &iter, in, iter.bi_size),
				-ENXIO);
		KUNIT_EXPECT_EQ(test, iter.bi_idx, 1U);
		memcpy_fromio(out, bar.io + SZ_1M - PAGE_SIZE, 2 * len);
		KUNIT_EXPECT_NULL(test, memchr_inv(out, PFN_VEC_KUNIT_SENTINEL, 2 * len));
		return;
	}

	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(pvec, &iter, in, 300 + len), 0);
	memcpy_fromio(out, bar.io + SZ_1M - 61, len);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(out, in + 100, len), 0,
			    "the BAR does not hold what the accessor wrote");
	KUNIT_EXPECT_EQ(test, readb(bar.io + SZ_1M - 62), PFN_VEC_KUNIT_SENTINEL);
	KUNIT_EXPECT_EQ(test, readb(bar.io + SZ_1M - 61 + len), PFN_VEC_KUNIT_SENTINEL);

	/* The reverse: written through the independent mapping, read by us. */
	memcpy_toio(bar.io + SZ_1M - 61, in + len, len);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(out, pvec, &iter, 300 + len), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, in, 100), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out + 100, in + len, len), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out + 100 + len, in + 100 + len, 200), 0);
}

/* BAR to BAR and zeroing: both sides I/O memory. */
static void pfn_vec_bar_test_bar_to_bar(struct kunit *test)
{
	const unsigned int len = 2 * PAGE_SIZE + 77;
	u8 *in = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, len, GFP_KERNEL);
	struct bvec_iter dst_iter, src_iter;
	struct pfn_vec dst, src;
	struct bar bar;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	pfn_vec_kunit_require_hook(test);
	find_bar(test, &bar);
	KUNIT_ASSERT_TRUE(test, register_bar(test, &bar));

	for (i = 0; i < len; i++)
		in[i] = i ^ 0x5c;
	memcpy_toio(bar.io + 3, in, len);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&src, bar.phys + 3, len), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&dst, bar.phys + SZ_2M + 11, len), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&src_iter, &src, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&dst_iter, &dst, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_copy(&dst, &dst_iter, &src, &src_iter, len), 0);
	memcpy_fromio(out, bar.io + SZ_2M + 11, len);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, len), 0);

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&dst_iter, &dst, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_zero(&dst, &dst_iter, len), 0);
	memcpy_fromio(out, bar.io + SZ_2M + 11, len);
	KUNIT_EXPECT_NULL(test, memchr_inv(out, 0, len));
}

static struct kunit_case pfn_vec_bar_cases[] = {
	KUNIT_CASE(pfn_vec_bar_test_register),
	KUNIT_CASE(pfn_vec_bar_test_copy),
	KUNIT_CASE(pfn_vec_bar_test_bar_to_bar),
	{}
};

static struct kunit_suite pfn_vec_bar_suite = {
	.name = "pfn_vec_bar",
	.test_cases = pfn_vec_bar_cases,
};

kunit_test_suite(pfn_vec_bar_suite);

MODULE_DESCRIPTION("KUnit tests for pfn_vec on a PCI BAR");
MODULE_LICENSE("GPL");
