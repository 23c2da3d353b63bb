// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pfn_vec.
 *
 * Memory without struct page comes from RAM that the kernel was told not to
 * manage (pfn_vec_kunit_unmanaged()). Whatever the tests must not write
 * there is checked through an independent memremap() of the same range.
 * A range that the arch's linear map cannot hold, such as a PCI window
 * below the RAM base, is named by
 *
 *	pfn_vec_kunit.unmappable_base=<phys> pfn_vec_kunit.unmappable_size=<bytes>
 *
 * and defaults to the last GiB that phys_addr_t can name.
 *
 * The randomised copy tests print their seed; boot with
 * pfn_vec_kunit.seed=<seed> to run the same layouts again.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kasan.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

static unsigned long long unmappable_base;
module_param(unmappable_base, ullong, 0444);
MODULE_PARM_DESC(unmappable_base, "start of a range the linear map cannot hold");

static unsigned long long unmappable_size;
module_param(unmappable_size, ullong, 0444);
MODULE_PARM_DESC(unmappable_size, "size of a range the linear map cannot hold");

static unsigned int seed;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "seed of the randomised layouts (0: pick one)");

#define SENTINEL	0xa5

/* ---- helpers ---- */

KUNIT_DEFINE_ACTION_WRAPPER(free_page_action, __free_page, struct page *);
KUNIT_DEFINE_ACTION_WRAPPER(folio_put_action, folio_put, struct folio *);
KUNIT_DEFINE_ACTION_WRAPPER(memunmap_action, memunmap, void *);

static struct page *alloc_test_page(struct kunit *test, gfp_t gfp)
{
	struct page *page = alloc_page(gfp);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, free_page_action, page));
	return page;
}

static void fill_page(struct page *page, u8 c)
{
	memset_page(page, 0, c, PAGE_SIZE);
}

static bool page_is_all(struct page *page, u8 c)
{
	u8 *p = kmap_local_page(page);
	bool ok = !memchr_inv(p, c, PAGE_SIZE);

	kunmap_local(p);
	return ok;
}

/*
 * The first @pages pages of the RAM without struct page, as a physical
 * address, with an independent write-back mapping of them in *@va.
 */
static phys_addr_t unmanaged_ram(struct kunit *test, unsigned int pages,
				 void **va)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, (u64)pages * PAGE_SIZE);

	if (va) {
		*va = memremap(base, pages * PAGE_SIZE, MEMREMAP_WB);
		KUNIT_ASSERT_NOT_NULL(test, *va);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, memunmap_action,
							  *va));
	}
	return base;
}

/* ---- construction and validation ---- */

static void pfn_vec_test_set_page(struct kunit *test)
{
	struct page *page = alloc_test_page(test, GFP_KERNEL);
	struct pfn_vec pv;

	pfn_vec_set_page(&pv, page, 100, 7);
	KUNIT_EXPECT_EQ(test, pfn_t_to_pfn(pv.pv_pfn), page_to_pfn(page));
	KUNIT_EXPECT_PTR_EQ(test, pfn_t_to_page(pv.pv_pfn), page);
	KUNIT_EXPECT_TRUE(test, pfn_vec_has_page(&pv));
	KUNIT_EXPECT_EQ(test, pv.pv_len, 100U);
	KUNIT_EXPECT_EQ(test, pv.pv_offset, 7U);
	KUNIT_EXPECT_TRUE(test, pfn_vec_valid(&pv));
	KUNIT_EXPECT_EQ(test, sizeof(struct pfn_vec),
			IS_ENABLED(CONFIG_64BIT) ? sizeof(struct bio_vec) :
						   sizeof(struct bio_vec) + 4);
}

static void pfn_vec_test_set_folio(struct kunit *test)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 2);
	struct pfn_vec pv;

	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, folio_put_action, folio));

	pfn_vec_set_folio(&pv, folio, 2 * PAGE_SIZE, PAGE_SIZE + 5);
	KUNIT_EXPECT_EQ(test, pfn_t_to_pfn(pv.pv_pfn), folio_pfn(folio) + 1);
	KUNIT_EXPECT_EQ(test, pv.pv_offset, 5U);
	KUNIT_EXPECT_EQ(test, pv.pv_len, (unsigned int)(2 * PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, pfn_vec_has_page(&pv));
}

static void pfn_vec_test_set_phys_ram(struct kunit *test)
{
	struct page *page = alloc_test_page(test, GFP_KERNEL);
	phys_addr_t phys = page_to_phys(page) + 33;
	struct pfn_vec pv;

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys, 64), 0);
	KUNIT_EXPECT_TRUE(test, pfn_vec_has_page(&pv));
	KUNIT_EXPECT_PTR_EQ(test, pfn_t_to_page(pv.pv_pfn), page);
	KUNIT_EXPECT_EQ(test, pv.pv_offset, 33U);
	KUNIT_EXPECT_EQ(test, pv.pv_len, 64U);
}

static void pfn_vec_test_set_phys_unmanaged(struct kunit *test)
{
	phys_addr_t base = unmanaged_ram(test, 4, NULL);
	struct pfn_vec pv;

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + 10, 3 * PAGE_SIZE), 0);
	KUNIT_EXPECT_FALSE(test, pfn_vec_has_page(&pv));
	KUNIT_EXPECT_TRUE(test, pv.pv_pfn.val & PFN_DEV);
	KUNIT_EXPECT_EQ(test, pfn_t_to_phys(pv.pv_pfn), base);
	KUNIT_EXPECT_EQ(test, pv.pv_offset, 10U);
	KUNIT_EXPECT_NULL(test, pfn_t_to_page(pv.pv_pfn));
}

static void pfn_vec_test_set_phys_mixed(struct kunit *test)
{
	unsigned long pfn = PHYS_PFN(unmanaged_ram(test, 1, NULL));
	struct pfn_vec pv = { .pv_len = 1234 };
	unsigned long limit = pfn > SZ_4G / PAGE_SIZE ? pfn - SZ_4G / PAGE_SIZE : 0;
	phys_addr_t boundary;

	/* The last frame with struct page below the unmanaged range. */
	while (pfn > limit && !pfn_valid(pfn - 1))
		pfn--;
	KUNIT_ASSERT_TRUE_MSG(test, pfn > limit,
			      "no RAM with struct page below unmanaged_base");
	boundary = PFN_PHYS(pfn);

	KUNIT_EXPECT_EQ(test, pfn_vec_set_phys(&pv, boundary - 8, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv.pv_len, 1234U);
	/* Either side alone is fine. */
	KUNIT_EXPECT_EQ(test, pfn_vec_set_phys(&pv, boundary - 8, 8), 0);
	KUNIT_EXPECT_TRUE(test, pfn_vec_has_page(&pv));
	KUNIT_EXPECT_EQ(test, pfn_vec_set_phys(&pv, boundary, 8), 0);
	KUNIT_EXPECT_FALSE(test, pfn_vec_has_page(&pv));
}

static void pfn_vec_test_set_phys_wrap(struct kunit *test)
{
	struct pfn_vec pv = { .pv_len = 77 };

	KUNIT_EXPECT_EQ(test, pfn_vec_set_phys(&pv, PHYS_ADDR_MAX - 10, 100),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv.pv_len, 77U);
}

/*
 * Segments of nearly 4 GiB start at frame 0, the only place where they fit
 * a 32-bit phys_addr_t.
 */
static void set_dev(struct pfn_vec *pv, unsigned int len, unsigned int offset)
{
	*pv = (struct pfn_vec) { __pfn_to_pfn_t(0, PFN_DEV), len, offset };
}

static void pfn_vec_test_valid_u32_overflow(struct kunit *test)
{
	struct pfn_vec pvec[2];
	struct bvec_iter iter = { .bi_size = 42 };

	set_dev(&pvec[0], 16, 0);
	set_dev(&pvec[1], UINT_MAX - 100, 101);
	KUNIT_EXPECT_FALSE(test, pfn_vec_valid(&pvec[1]));
	KUNIT_EXPECT_EQ(test, pfn_vec_iter_init(&iter, pvec, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 42U);

	/* Exactly UINT_MAX is representable. */
	set_dev(&pvec[1], UINT_MAX - 100, 100);
	KUNIT_EXPECT_TRUE(test, pfn_vec_valid(&pvec[1]));
}

static void pfn_vec_test_valid_pfn_overflow(struct kunit *test)
{
	struct pfn_vec pv = {
		.pv_pfn = __pfn_to_pfn_t(PHYS_PFN(PHYS_ADDR_MAX), PFN_DEV),
		.pv_len = PAGE_SIZE,
	};

	KUNIT_EXPECT_TRUE(test, pfn_vec_valid(&pv));
	/* One byte into the next frame is past what phys_addr_t can name. */
	pv.pv_offset = 1;
	KUNIT_EXPECT_FALSE(test, pfn_vec_valid(&pv));
	pv.pv_offset = PAGE_SIZE;
	pv.pv_len = 0;
	KUNIT_EXPECT_FALSE(test, pfn_vec_valid(&pv));
}

static void pfn_vec_test_iter_init_total_overflow(struct kunit *test)
{
	struct bvec_iter iter = { .bi_size = 42 };
	struct pfn_vec pvec[3];

	set_dev(&pvec[0], SZ_2G, 0);
	set_dev(&pvec[1], SZ_2G - 1, 0);
	set_dev(&pvec[2], 1, 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_iter_init(&iter, pvec, 2), 0);
	KUNIT_EXPECT_EQ(test, iter.bi_size, UINT_MAX);
	iter.bi_size = 42;
	KUNIT_EXPECT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 42U);
}

static void pfn_vec_test_iter_init_empty(struct kunit *test)
{
	struct page *page = alloc_test_page(test, GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec pvec[3];

	KUNIT_EXPECT_EQ(test, pfn_vec_iter_init(&iter, pvec, 0), 0);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 0U);

	pfn_vec_set_page(&pvec[0], page, 0, 0);
	pfn_vec_set_page(&pvec[1], page, 1, PAGE_SIZE - 1);
	pfn_vec_set_page(&pvec[2], page, 0, 9);
	KUNIT_EXPECT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 1U);
	KUNIT_EXPECT_EQ(test, iter.bi_idx, 0U);
	KUNIT_EXPECT_EQ(test, iter.bi_bvec_done, 0U);
}

/* ---- iteration ---- */

struct view {
	unsigned long pfn;
	unsigned int offset, len;
};

/*
 * Run for_each_pfn_vec() over @pvec and check it yields exactly @want, in
 * order, zero-length views included.
 */
static void expect_views(struct kunit *test, const struct pfn_vec *pvec,
			 unsigned int nr, const struct view *want,
			 unsigned int nr_want)
{
	struct bvec_iter iter, start;
	struct pfn_vec pv;
	unsigned int i = 0;

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&start, pvec, nr), 0);
	for_each_pfn_vec(pv, pvec, iter, start) {
		KUNIT_ASSERT_LT(test, i, nr_want);
		KUNIT_EXPECT_EQ_MSG(test, pfn_t_to_pfn(pv.pv_pfn), want[i].pfn,
				    "view %u", i);
		KUNIT_EXPECT_EQ_MSG(test, pv.pv_offset, want[i].offset,
				    "view %u", i);
		KUNIT_EXPECT_EQ_MSG(test, pv.pv_len, want[i].len, "view %u", i);
		KUNIT_EXPECT_LE(test, pv.pv_offset + pv.pv_len, PAGE_SIZE);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, nr_want);
}

static void pfn_vec_test_view_crosses_pages(struct kunit *test)
{
	struct pfn_vec pv = {
		.pv_pfn = __pfn_to_pfn_t(1000, PFN_DEV),
		.pv_offset = 100,
		.pv_len = 3 * PAGE_SIZE,
	};
	const struct view want[] = {
		{ 1000, 100, PAGE_SIZE - 100 },
		{ 1001, 0, PAGE_SIZE },
		{ 1002, 0, PAGE_SIZE },
		{ 1003, 0, 100 },
	};

	expect_views(test, &pv, 1, want, ARRAY_SIZE(want));
}

static void pfn_vec_test_view_offset_page_size(struct kunit *test)
{
	struct pfn_vec pv = {
		.pv_pfn = __pfn_to_pfn_t(2000, PFN_DEV),
		.pv_offset = PAGE_SIZE,
		.pv_len = 10,
	};
	const struct view want[] = { { 2001, 0, 10 } };

	expect_views(test, &pv, 1, want, ARRAY_SIZE(want));
}

static void pfn_vec_test_view_offset_past_page(struct kunit *test)
{
	struct pfn_vec pv = {
		.pv_pfn = __pfn_to_pfn_t(3000, PFN_DEV),
		.pv_offset = 3 * PAGE_SIZE + 7,
		.pv_len = PAGE_SIZE,
	};
	const struct view want[] = {
		{ 3003, 7, PAGE_SIZE - 7 },
		{ 3004, 0, 7 },
	};

	expect_views(test, &pv, 1, want, ARRAY_SIZE(want));
	/* The flags travel with the frame. */
	KUNIT_EXPECT_FALSE(test, pfn_t_has_page(pfn_vec_pfn_add(pv.pv_pfn, 3)));
}

#define ONE_BYTE_SEGS	64

static void pfn_vec_test_view_one_byte_segments(struct kunit *test)
{
	struct pfn_vec *pvec = kunit_kmalloc_array(test, ONE_BYTE_SEGS,
						   sizeof(*pvec), GFP_KERNEL);
	struct view *want = kunit_kmalloc_array(test, ONE_BYTE_SEGS,
						sizeof(*want), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, pvec);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < ONE_BYTE_SEGS; i++) {
		pvec[i] = (struct pfn_vec) {
			.pv_pfn = __pfn_to_pfn_t(4000 + i, PFN_DEV),
			.pv_offset = (i * 67) % PAGE_SIZE + (i % 3) * PAGE_SIZE,
			.pv_len = 1,
		};
		want[i] = (struct view) {
			4000 + i + (i % 3), (i * 67) % PAGE_SIZE, 1
		};
	}
	expect_views(test, pvec, ONE_BYTE_SEGS, want, ONE_BYTE_SEGS);
}

/*
 * An empty segment inside the array is one zero-length view, as
 * for_each_bvec() yields an empty bio_vec, and the walk goes on past it to
 * the next segment with nothing lost or repeated. Empty segments at the
 * end are never reached: the cursor's size is spent before them.
 */
static void pfn_vec_test_view_empty_segments(struct kunit *test)
{
	struct pfn_vec pvec[] = {
		{ __pfn_to_pfn_t(5000, PFN_DEV), 10, 0 },
		{ __pfn_to_pfn_t(6000, PFN_DEV), 0, 0 },
		{ __pfn_to_pfn_t(7000, PFN_DEV), 0, 5 },
		{ __pfn_to_pfn_t(8000, PFN_DEV), 10, PAGE_SIZE - 4 },
		{ __pfn_to_pfn_t(9000, PFN_DEV), 0, 0 },
	};
	const struct view want[] = {
		{ 5000, 0, 10 },
		{ 6000, 0, 0 },
		{ 7000, 5, 0 },
		{ 8000, PAGE_SIZE - 4, 4 },
		{ 8001, 0, 6 },
	};

	expect_views(test, pvec, ARRAY_SIZE(pvec), want, ARRAY_SIZE(want));
}

static void pfn_vec_test_mp_view(struct kunit *test)
{
	struct pfn_vec pvec[] = {
		{ __pfn_to_pfn_t(100, PFN_DEV), 3 * PAGE_SIZE, 50 },
		{ __pfn_to_pfn_t(200, PFN_DEV), PAGE_SIZE, 0 },
	};
	struct bvec_iter iter;
	struct pfn_vec mp;

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 2), 0);
	KUNIT_ASSERT_TRUE(test, pfn_vec_iter_advance(pvec, &iter, PAGE_SIZE + 5));
	mp = mp_pfn_vec_iter_pvec(pvec, iter);
	KUNIT_EXPECT_EQ(test, pfn_t_to_pfn(mp.pv_pfn), 100UL);
	KUNIT_EXPECT_EQ(test, mp.pv_offset, (unsigned int)PAGE_SIZE + 55);
	KUNIT_EXPECT_EQ(test, mp.pv_len, (unsigned int)(2 * PAGE_SIZE - 5));
	KUNIT_EXPECT_EQ(test, pfn_t_to_pfn(pfn_vec_iter_pfn(pvec, iter)), 101UL);
	KUNIT_EXPECT_EQ(test, pfn_vec_iter_offset(pvec, iter), 55U);
	KUNIT_EXPECT_EQ(test, pfn_vec_iter_len(pvec, iter),
			(unsigned int)PAGE_SIZE - 55);
}

static void pfn_vec_test_advance_to_end(struct kunit *test)
{
	struct pfn_vec pvec[] = {
		{ __pfn_to_pfn_t(100, PFN_DEV), 100, 0 },
		{ __pfn_to_pfn_t(200, PFN_DEV), 2 * PAGE_SIZE, 10 },
	};
	struct bvec_iter iter;

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 2), 0);
	KUNIT_EXPECT_TRUE(test, pfn_vec_iter_advance(pvec, &iter, 0));
	KUNIT_EXPECT_EQ(test, iter.bi_idx, 0U);
	KUNIT_EXPECT_TRUE(test, pfn_vec_iter_advance(pvec, &iter, 150));
	KUNIT_EXPECT_EQ(test, iter.bi_idx, 1U);
	KUNIT_EXPECT_EQ(test, iter.bi_bvec_done, 50U);
	KUNIT_EXPECT_TRUE(test, pfn_vec_iter_advance(pvec, &iter,
						     2 * PAGE_SIZE + 100 - 150));
	KUNIT_EXPECT_EQ(test, iter.bi_size, 0U);
	KUNIT_EXPECT_EQ(test, iter.bi_idx, 2U);
	KUNIT_EXPECT_EQ(test, iter.bi_bvec_done, 0U);
}

static void pfn_vec_test_advance_past_end(struct kunit *test)
{
	struct pfn_vec pvec[] = {
		{ __pfn_to_pfn_t(100, PFN_DEV), 100, 0 },
	};
	struct bvec_iter iter;

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 1), 0);
	KUNIT_EXPECT_TRUE(test, pfn_vec_iter_advance(pvec, &iter, 60));
	/* Refused, with a one-time warning, and the cursor left at its end. */
	KUNIT_EXPECT_FALSE(test, pfn_vec_iter_advance(pvec, &iter, 41));
	KUNIT_EXPECT_EQ(test, iter.bi_size, 0U);
	KUNIT_EXPECT_EQ(test, iter.bi_idx, 0U);
	KUNIT_EXPECT_FALSE(test, pfn_vec_iter_advance(pvec, &iter, 1));
}

/* ---- the accessor ---- */

static void pfn_vec_test_kmap_ram(struct kunit *test)
{
	struct page *page = alloc_test_page(test, GFP_KERNEL);
	struct pfn_vec_map m;
	struct pfn_vec pv;
	u8 *p;

	fill_page(page, 0);
	pfn_vec_set_page(&pv, page, 8, 4000);
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	KUNIT_EXPECT_FALSE(test, m.map.is_iomem);
	iosys_map_memset(&m.map, 0, 0x5a, 8);
	pfn_vec_kunmap_local(&m);

	p = kmap_local_page(page);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 4000));
	KUNIT_EXPECT_NULL(test, memchr_inv(p + 4000, 0x5a, 8));
	KUNIT_EXPECT_NULL(test, memchr_inv(p + 4008, 0, PAGE_SIZE - 4008));
	kunmap_local(p);
}

static void pfn_vec_test_kmap_highmem(struct kunit *test)
{
	struct page *page = alloc_test_page(test, GFP_HIGHUSER);
	struct pfn_vec_map m;
	struct pfn_vec pv;

	/* On a HIGHMEM kernel with highmem present, this is a highmem page. */
	if (IS_ENABLED(CONFIG_HIGHMEM))
		KUNIT_EXPECT_TRUE_MSG(test, PageHighMem(page),
				      "GFP_HIGHUSER gave a lowmem page");

	fill_page(page, 0x11);
	pfn_vec_set_page(&pv, page, PAGE_SIZE, 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	KUNIT_EXPECT_EQ(test, *(u8 *)m.map.vaddr, 0x11);
	iosys_map_memset(&m.map, 0, 0x22, PAGE_SIZE);
	pfn_vec_kunmap_local(&m);
	KUNIT_EXPECT_TRUE(test, page_is_all(page, 0x22));
}

static void pfn_vec_test_kmap_unmanaged(struct kunit *test)
{
	void *va;
	phys_addr_t base = unmanaged_ram(test, 1, &va);
	struct pfn_vec_map m = { .map = IOSYS_MAP_INIT_VADDR(test) };
	struct pfn_vec pv;

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_kmap_local(&pv, &m), -ENXIO);
	KUNIT_EXPECT_PTR_EQ(test, m.map.vaddr, (void *)test);
}

static void pfn_vec_test_kmap_bogus_page(struct kunit *test)
{
	phys_addr_t base = unmanaged_ram(test, 1, NULL);
	/* Claims a struct page that the frame does not have. */
	struct pfn_vec pv = {
		.pv_pfn = pfn_to_pfn_t(PHYS_PFN(base)),
		.pv_len = 1,
	};
	struct pfn_vec_map m;

	KUNIT_EXPECT_EQ(test, pfn_vec_kmap_local(&pv, &m), -EINVAL);
}

/* ---- copy helpers on fixed layouts ---- */

static void pfn_vec_test_copy_one_byte(struct kunit *test)
{
	struct page *page = alloc_test_page(test, GFP_HIGHUSER);
	struct bvec_iter iter;
	struct pfn_vec pv;
	u8 in = 0x3c, out = 0;
	u8 *p;

	fill_page(page, 0);
	pfn_vec_set_page(&pv, page, 1, PAGE_SIZE - 1);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(&pv, &iter, &in, 1), 0);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 0U);

	p = kmap_local_page(page);
	KUNIT_EXPECT_EQ(test, p[PAGE_SIZE - 1], 0x3c);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, PAGE_SIZE - 1));
	kunmap_local(p);

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(&out, &pv, &iter, 1), 0);
	KUNIT_EXPECT_EQ(test, out, 0x3c);
}

static void pfn_vec_test_copy_too_long(struct kunit *test)
{
	struct page *page = alloc_test_page(test, GFP_KERNEL);
	struct pfn_vec dst, src;
	struct bvec_iter iter, dst_iter, src_iter;
	u8 buf[32];

	fill_page(page, 0);
	memset(buf, 0x77, sizeof(buf));
	pfn_vec_set_page(&dst, page, 16, 0);
	pfn_vec_set_page(&src, page, 32, 64);

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &dst, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(&dst, &iter, buf, 17), -EINVAL);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 16U);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(buf, &dst, &iter, 17), -EINVAL);
	KUNIT_EXPECT_EQ(test, pfn_vec_zero(&dst, &iter, 17), -EINVAL);
	KUNIT_EXPECT_TRUE(test, page_is_all(page, 0));
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0x77, sizeof(buf)));

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&dst_iter, &dst, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&src_iter, &src, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_copy(&dst, &dst_iter, &src, &src_iter, 17),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dst_iter.bi_size, 16U);
	KUNIT_EXPECT_EQ(test, src_iter.bi_size, 32U);
}

/*
 * A vector of [RAM page, RAM without struct page, RAM page]: every helper
 * must copy the first segment, stop before the second with -ENXIO, leave its
 * cursor there, and write nothing to the second or third segment.
 */
struct stop_fixture {
	struct pfn_vec pvec[3];
	struct page *first, *last;
	u8 *unmanaged_va;
	struct bvec_iter iter;
};

#define STOP_LEN	300

static void stop_fixture_init(struct kunit *test, struct stop_fixture *f)
{
	void *va;
	phys_addr_t base = unmanaged_ram(test, 1, &va);

	f->unmanaged_va = va;
	f->first = alloc_test_page(test, GFP_HIGHUSER);
	f->last = alloc_test_page(test, GFP_HIGHUSER);
	fill_page(f->first, SENTINEL);
	fill_page(f->last, SENTINEL);
	memset(f->unmanaged_va, SENTINEL, PAGE_SIZE);

	pfn_vec_set_page(&f->pvec[0], f->first, STOP_LEN, 100);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&f->pvec[1], base + 8, STOP_LEN), 0);
	pfn_vec_set_page(&f->pvec[2], f->last, STOP_LEN, 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&f->iter, f->pvec, 3), 0);
}

static void stop_fixture_check(struct kunit *test, struct stop_fixture *f,
			       int ret)
{
	KUNIT_EXPECT_EQ(test, ret, -ENXIO);
	KUNIT_EXPECT_EQ(test, f->iter.bi_idx, 1U);
	KUNIT_EXPECT_EQ(test, f->iter.bi_bvec_done, 0U);
	KUNIT_EXPECT_EQ(test, f->iter.bi_size, 2U * STOP_LEN);
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(f->unmanaged_va, SENTINEL, PAGE_SIZE),
			      "RAM without struct page was written");
	KUNIT_EXPECT_TRUE_MSG(test, page_is_all(f->last, SENTINEL),
			      "segment after the unmappable one was written");
}

static void pfn_vec_test_copy_to_stops(struct kunit *test)
{
	struct stop_fixture f;
	u8 *buf = kunit_kmalloc(test, 3 * STOP_LEN, GFP_KERNEL);
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0x42, 3 * STOP_LEN);
	stop_fixture_init(test, &f);
	stop_fixture_check(test, &f,
			   pfn_vec_memcpy_to(f.pvec, &f.iter, buf, 3 * STOP_LEN));

	p = kmap_local_page(f.first);
	KUNIT_EXPECT_NULL(test, memchr_inv(p + 100, 0x42, STOP_LEN));
	KUNIT_EXPECT_NULL(test, memchr_inv(p, SENTINEL, 100));
	kunmap_local(p);
}

static void pfn_vec_test_copy_from_stops(struct kunit *test)
{
	struct stop_fixture f;
	u8 *buf = kunit_kmalloc(test, 3 * STOP_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0, 3 * STOP_LEN);
	stop_fixture_init(test, &f);
	stop_fixture_check(test, &f,
			   pfn_vec_memcpy_from(buf, f.pvec, &f.iter, 3 * STOP_LEN));
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, SENTINEL, STOP_LEN));
	KUNIT_EXPECT_NULL(test, memchr_inv(buf + STOP_LEN, 0, 2 * STOP_LEN));
}

static void pfn_vec_test_zero_stops(struct kunit *test)
{
	struct stop_fixture f;
	u8 *p;

	stop_fixture_init(test, &f);
	stop_fixture_check(test, &f, pfn_vec_zero(f.pvec, &f.iter, 3 * STOP_LEN));

	p = kmap_local_page(f.first);
	KUNIT_EXPECT_NULL(test, memchr_inv(p + 100, 0, STOP_LEN));
	kunmap_local(p);
}

static void pfn_vec_test_copy_vec_stops(struct kunit *test)
{
	struct page *page = alloc_test_page(test, GFP_KERNEL);
	struct bvec_iter ram_iter;
	struct stop_fixture f;
	struct pfn_vec ram;
	u8 *p;

	/* Copying into the fixture stops at the destination's hole... */
	fill_page(page, 0x42);
	pfn_vec_set_page(&ram, page, 3 * STOP_LEN, 0);
	stop_fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&ram_iter, &ram, 1), 0);
	stop_fixture_check(test, &f,
			   pfn_vec_copy(f.pvec, &f.iter, &ram, &ram_iter,
					3 * STOP_LEN));
	KUNIT_EXPECT_EQ(test, ram_iter.bi_size, 2U * STOP_LEN);

	/* ...and copying out of it, now 0x42 in front, at the source's. */
	fill_page(page, 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&ram_iter, &ram, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&f.iter, f.pvec, 3), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_copy(&ram, &ram_iter, f.pvec, &f.iter,
					   3 * STOP_LEN), -ENXIO);
	KUNIT_EXPECT_EQ(test, ram_iter.bi_size, 2U * STOP_LEN);
	KUNIT_EXPECT_EQ(test, f.iter.bi_idx, 1U);
	p = kmap_local_page(page);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x42, STOP_LEN));
	KUNIT_EXPECT_NULL(test, memchr_inv(p + STOP_LEN, 0, PAGE_SIZE - STOP_LEN));
	kunmap_local(p);
}

/* The iterator maps page by page, skips empty segments, and stops. */
static void pfn_vec_test_miter_pieces(struct kunit *test)
{
	struct page *pages = alloc_pages(GFP_KERNEL, 1);
	static const unsigned int want[] = { 10, 20, 5 };
	struct pfn_vec_miter miter;
	struct pfn_vec pvec[3];
	struct bvec_iter iter;
	unsigned int n = 0;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	/* Two pages in a row, each freed on its own. */
	split_page(pages, 1);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_page_action,
							   pages));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_page_action,
							   pages + 1));
	fill_page(pages, 0);
	fill_page(pages + 1, 0);

	pfn_vec_set_page(&pvec[0], pages, 30, PAGE_SIZE - 10);
	pfn_vec_set_page(&pvec[1], pages, 0, 0);
	pfn_vec_set_page(&pvec[2], pages + 1, 5, 100);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);

	pfn_vec_miter_start(&miter, pvec, &iter, 35);
	while (pfn_vec_miter_next(&miter)) {
		KUNIT_ASSERT_LT(test, n, ARRAY_SIZE(want));
		KUNIT_EXPECT_EQ(test, miter.length, want[n]);
		KUNIT_EXPECT_FALSE(test, miter.map.is_iomem);
		iosys_map_memset(&miter.map, 0, n + 1, miter.length);
		n++;
	}
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), 0);
	KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(want));
	KUNIT_EXPECT_EQ(test, iter.bi_size, 0U);
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(pages) + PAGE_SIZE - 10, 1, 10));
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(pages + 1), 2, 20));
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(pages + 1) + 100, 3, 5));

	/* Stopping early consumes the current piece and no more. */
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);
	pfn_vec_miter_start(&miter, pvec, &iter, 35);
	KUNIT_EXPECT_TRUE(test, pfn_vec_miter_next(&miter));
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), 0);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 25U);

	/* A range longer than the cursor maps nothing and moves nothing. */
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);
	pfn_vec_miter_start(&miter, pvec, &iter, 36);
	KUNIT_EXPECT_FALSE(test, pfn_vec_miter_next(&miter));
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), -EINVAL);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 35U);
}

/* The iterator stops before memory that nothing maps, as the helpers do. */
static void pfn_vec_test_miter_stops(struct kunit *test)
{
	struct pfn_vec_miter miter;
	struct stop_fixture f;

	stop_fixture_init(test, &f);
	pfn_vec_miter_start(&miter, f.pvec, &f.iter, 3 * STOP_LEN);
	KUNIT_EXPECT_TRUE(test, pfn_vec_miter_next(&miter));
	KUNIT_EXPECT_EQ(test, miter.length, STOP_LEN);
	KUNIT_EXPECT_FALSE(test, pfn_vec_miter_next(&miter));
	KUNIT_EXPECT_FALSE_MSG(test, pfn_vec_miter_next(&miter),
			       "an iterator that failed mapped again");
	stop_fixture_check(test, &f, pfn_vec_miter_stop(&miter));
}

static void pfn_vec_test_copy_malformed_stops(struct kunit *test)
{
	struct page *page = alloc_test_page(test, GFP_KERNEL);
	struct bvec_iter iter = { .bi_size = 2 * 64 };
	struct pfn_vec pvec[2];
	u8 buf[128];

	fill_page(page, 0);
	memset(buf, 0x66, sizeof(buf));
	pfn_vec_set_page(&pvec[0], page, 64, 0);
	/* Hand-built past pfn_vec_iter_init(): its end overflows 32 bits. */
	pfn_vec_set_page(&pvec[1], page, 64, UINT_MAX - 10);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(pvec, &iter, buf, 128), -EINVAL);
	KUNIT_EXPECT_EQ(test, iter.bi_idx, 1U);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 64U);
}

/* ---- copy helpers on randomised layouts, against memcpy() ---- */

#define POOL_PAGES	8
#define POOL_FOLIO_ORDER 2
#define POOL_AREAS	(POOL_PAGES + 1)
#define MAX_SEGS	(POOL_AREAS * 3)

/*
 * RAM to lay random vectors over: single highmem-capable pages and one
 * multi-page folio, each with a shadow copy that memcpy() keeps in step.
 */
struct pool {
	struct page *page[POOL_AREAS];	/* the folio's head last */
	size_t size[POOL_AREAS];
	u8 *shadow[POOL_AREAS];
	struct pfn_vec pvec[MAX_SEGS];
	unsigned int area[MAX_SEGS];	/* which area each segment is in */
	unsigned int nr;
	unsigned int total;
};

static u32 rnd_below(struct rnd_state *rnd, u32 n)
{
	return n ? prandom_u32_state(rnd) % n : 0;
}

static void pool_init(struct kunit *test, struct pool *pool,
		      struct rnd_state *rnd)
{
	struct folio *folio;
	unsigned int a, i;

	for (a = 0; a < POOL_PAGES; a++) {
		pool->page[a] = alloc_test_page(test, GFP_HIGHUSER);
		pool->size[a] = PAGE_SIZE;
	}
	folio = folio_alloc(GFP_KERNEL, POOL_FOLIO_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, folio_put_action, folio));
	pool->page[a] = folio_page(folio, 0);
	pool->size[a] = folio_size(folio);

	for (a = 0; a < POOL_AREAS; a++) {
		pool->shadow[a] = kunit_kmalloc(test, pool->size[a], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pool->shadow[a]);
		prandom_bytes_state(rnd, pool->shadow[a], pool->size[a]);
		for (i = 0; i < pool->size[a] / PAGE_SIZE; i++)
			memcpy_to_page(pool->page[a] + i, 0,
				       pool->shadow[a] + i * PAGE_SIZE, PAGE_SIZE);
	}

	/*
	 * Up to three disjoint extents per area, zero-length ones included,
	 * then shuffled so that areas and kinds interleave.
	 */
	pool->nr = 0;
	pool->total = 0;
	for (a = 0; a < POOL_AREAS; a++) {
		unsigned int n = rnd_below(rnd, 4), pos = 0;

		for (i = 0; i < n; i++) {
			unsigned int gap = rnd_below(rnd, (pool->size[a] - pos) / 4 + 1);
			unsigned int len = rnd_below(rnd, pool->size[a] - pos - gap + 1);
			struct pfn_vec *pv = &pool->pvec[pool->nr];

			if (i == n - 1 && rnd_below(rnd, 2))
				len = pool->size[a] - pos - gap;
			/* Name the folio by its head page: offsets run past PAGE_SIZE. */
			pfn_vec_set_page(pv, pool->page[a], len, pos + gap);
			pool->area[pool->nr++] = a;
			pool->total += len;
			pos += gap + len;
		}
	}
	for (i = pool->nr; i > 1; i--) {
		unsigned int j = rnd_below(rnd, i);

		swap(pool->pvec[i - 1], pool->pvec[j]);
		swap(pool->area[i - 1], pool->area[j]);
	}
}

/* Check every page of the pool against its shadow, through kmap_local_page(). */
static void pool_check(struct kunit *test, struct pool *pool)
{
	unsigned int a, i;

	for (a = 0; a < POOL_AREAS; a++) {
		for (i = 0; i < pool->size[a] / PAGE_SIZE; i++) {
			u8 *p = kmap_local_page(pool->page[a] + i);
			bool same = !memcmp(p, pool->shadow[a] + i * PAGE_SIZE,
					    PAGE_SIZE);

			kunmap_local(p);
			KUNIT_EXPECT_TRUE_MSG(test, same,
					      "area %u page %u differs from memcpy()",
					      a, i);
		}
	}
}

/* The shadow bytes of segment @s. */
static u8 *pool_seg_shadow(struct pool *pool, unsigned int s)
{
	return pool->shadow[pool->area[s]] + pool->pvec[s].pv_offset;
}

static const unsigned int random_rounds[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

static void random_round_desc(const unsigned int *round, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "layout %u", *round);
}

KUNIT_ARRAY_PARAM(random_round, random_rounds, random_round_desc);

static void random_start(struct kunit *test, struct rnd_state *rnd)
{
	unsigned int round = *(const unsigned int *)test->param_value;

	kunit_info(test, "seed %u (reproduce with pfn_vec_kunit.seed=%u)\n",
		   seed, seed);
	prandom_seed_state(rnd, (u64)seed << 8 | round);
}

static void pfn_vec_test_random_to_from(struct kunit *test)
{
	struct rnd_state rnd;
	struct pool *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct bvec_iter start, iter;
	unsigned int s, pos = 0, split;
	u8 *in, *out;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	random_start(test, &rnd);
	pool_init(test, pool, &rnd);
	in = kunit_kmalloc(test, pool->total + 1, GFP_KERNEL);
	out = kunit_kzalloc(test, pool->total + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	prandom_bytes_state(&rnd, in, pool->total);

	/* Two calls on one cursor, split at a random byte. */
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&start, pool->pvec, pool->nr), 0);
	KUNIT_ASSERT_EQ(test, start.bi_size, pool->total);
	split = rnd_below(&rnd, pool->total + 1);
	iter = start;
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(pool->pvec, &iter, in, split), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(pool->pvec, &iter, in + split,
						pool->total - split), 0);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 0U);

	for (s = 0; s < pool->nr; s++) {
		memcpy(pool_seg_shadow(pool, s), in + pos, pool->pvec[s].pv_len);
		pos += pool->pvec[s].pv_len;
	}
	pool_check(test, pool);

	iter = start;
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(out, pool->pvec, &iter, split), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(out + split, pool->pvec, &iter,
						  pool->total - split), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, pool->total), 0);
}

static void pfn_vec_test_random_vec_copy(struct kunit *test)
{
	struct rnd_state rnd;
	struct pool *dst = kunit_kzalloc(test, sizeof(*dst), GFP_KERNEL);
	struct pool *src = kunit_kzalloc(test, sizeof(*src), GFP_KERNEL);
	struct bvec_iter dst_iter, src_iter;
	unsigned int len, s;
	u8 *flat;

	KUNIT_ASSERT_NOT_NULL(test, dst);
	KUNIT_ASSERT_NOT_NULL(test, src);
	random_start(test, &rnd);
	pool_init(test, dst, &rnd);
	pool_init(test, src, &rnd);
	len = min(dst->total, src->total);

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&dst_iter, dst->pvec, dst->nr), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&src_iter, src->pvec, src->nr), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_copy(dst->pvec, &dst_iter, src->pvec,
					   &src_iter, len), 0);
	KUNIT_EXPECT_EQ(test, dst_iter.bi_size, dst->total - len);
	KUNIT_EXPECT_EQ(test, src_iter.bi_size, src->total - len);

	/* memcpy() the same bytes between the shadows, through a flat buffer. */
	flat = kunit_kmalloc(test, len + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, flat);
	for (s = 0, len = 0; s < src->nr && len < dst->total; s++) {
		unsigned int n = min(src->pvec[s].pv_len, dst->total - len);

		memcpy(flat + len, pool_seg_shadow(src, s), n);
		len += n;
	}
	for (s = 0, len = 0; s < dst->nr && len < src->total; s++) {
		unsigned int n = min(dst->pvec[s].pv_len, src->total - len);

		memcpy(pool_seg_shadow(dst, s), flat + len, n);
		len += n;
	}
	pool_check(test, dst);
	pool_check(test, src);
}

static void pfn_vec_test_random_zero(struct kunit *test)
{
	struct rnd_state rnd;
	struct pool *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct bvec_iter iter;
	unsigned int s;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	random_start(test, &rnd);
	pool_init(test, pool, &rnd);

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pool->pvec, pool->nr), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_zero(pool->pvec, &iter, pool->total), 0);
	for (s = 0; s < pool->nr; s++)
		memset(pool_seg_shadow(pool, s), 0, pool->pvec[s].pv_len);
	pool_check(test, pool);
}

static int pfn_vec_core_suite_init(struct kunit_suite *suite)
{
	if (!seed)
		seed = get_random_u32_inclusive(1, U32_MAX);
	return 0;
}

/* ---- the region registry: suite pfn_vec_region ---- */

static bool have_hook(void)
{
	return IS_ENABLED(CONFIG_ARCH_HAS_IO_LINEAR_MAP);
}

/*
 * Where the arch has no hook, registration refuses every region with
 * -EOPNOTSUPP before it looks at it, and no region makes memory reachable:
 * pfn_vec_bar checks those refusals on a real BAR, and the cases that need
 * a registered region skip.
 */
#define NO_HOOK	"no I/O linear map hook on this arch"

static void require_hook(struct kunit *test)
{
	if (!have_hook())
		kunit_skip(test, NO_HOOK);
}

#define REGION_SIZE	(2 * PMD_SIZE)

static void unregister_action(void *data)
{
	struct pfn_vec *pv = data;

	pfn_vec_region_unregister(pfn_t_to_phys(pv->pv_pfn), pv->pv_len);
}

/*
 * Register REGION_SIZE of RAM without struct page, PMD aligned, with
 * @type, until the case ends. Skips the case where the arch has no hook.
 */
static phys_addr_t register_region(struct kunit *test, enum io_linear_type type)
{
	phys_addr_t base = unmanaged_ram(test, REGION_SIZE / PAGE_SIZE, NULL);
	struct pfn_vec *pv = kunit_kzalloc(test, sizeof(*pv), GFP_KERNEL);

	require_hook(test);
	KUNIT_ASSERT_NOT_NULL(test, pv);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(base, PMD_SIZE));
	KUNIT_ASSERT_EQ(test, pfn_vec_region_register(base, REGION_SIZE, type), 0);
	pv->pv_pfn = phys_to_pfn_t(base, PFN_DEV);
	pv->pv_len = REGION_SIZE;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, unregister_action, pv));
	return base;
}

static void iounmap_action(void *io)
{
	iounmap((void __force __iomem *)io);
}

/* An independent mapping of @phys, to check what the accessor did. */
static void __iomem *ioremap_wc_test(struct kunit *test, phys_addr_t phys,
				     size_t size)
{
	void __iomem *io = ioremap_wc(phys, size);
	void *cookie = (__force void *)io;

	KUNIT_ASSERT_NOT_NULL(test, cookie);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, iounmap_action, cookie));
	return io;
}

static void pfn_vec_region_test_map_query(struct kunit *test)
{
	static const enum io_linear_type types[] = { IO_LINEAR_WC, IO_LINEAR_UC };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		phys_addr_t base = register_region(test, types[i]);
		enum io_linear_type type;
		size_t page_size;

		KUNIT_ASSERT_EQ(test, arch_io_linear_query(base + PAGE_SIZE,
							   &page_size, &type), 0);
		KUNIT_EXPECT_EQ_MSG(test, page_size, PMD_SIZE,
				    "a PMD-aligned region is mapped with PMD pages");
		KUNIT_EXPECT_EQ(test, type, types[i]);
		KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
		KUNIT_EXPECT_EQ_MSG(test, arch_io_linear_query(base, &page_size, &type),
				    -ENOENT, "still mapped after unregister");
	}
}

struct refusal {
	const char *what;
	unsigned int kind;
	u64 offset, size;
	int type, err;
};

enum { REF_UNMANAGED, REF_RAM, REF_TOP };

static const struct refusal refusals[] = {
	{ "zero size",		REF_UNMANAGED, 0, 0, IO_LINEAR_WC, -EINVAL },
	{ "unaligned start",	REF_UNMANAGED, 64, PAGE_SIZE, IO_LINEAR_WC, -EINVAL },
	{ "unaligned size",	REF_UNMANAGED, 0, PAGE_SIZE + 1, IO_LINEAR_WC, -EINVAL },
	{ "unknown type",	REF_UNMANAGED, 0, PAGE_SIZE, 42, -EINVAL },
	{ "wraps",		REF_TOP, 0, 2 * PAGE_SIZE, IO_LINEAR_WC, -EINVAL },
	{ "System RAM",		REF_RAM, 0, PAGE_SIZE, IO_LINEAR_WC, -EEXIST },
	{ "past the window",	REF_TOP, SZ_1G, PAGE_SIZE, IO_LINEAR_WC, -ERANGE },
};

static void refusal_desc(const struct refusal *r, char *desc)
{
	strscpy(desc, r->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refusal, refusals, refusal_desc);

static void pfn_vec_region_test_refusals(struct kunit *test)
{
	const struct refusal *r = test->param_value;
	phys_addr_t phys;

	require_hook(test);
	switch (r->kind) {
	case REF_RAM:
		phys = page_to_phys(alloc_test_page(test, GFP_KERNEL));
		break;
	case REF_TOP:
		/* The last page, or the first page of the last GiB. */
		phys = (PHYS_ADDR_MAX & PAGE_MASK) - (r->offset ? r->offset - PAGE_SIZE : 0);
		break;
	default:
		phys = unmanaged_ram(test, 2, NULL) + r->offset;
	}
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register(phys, r->size, r->type),
			r->err);
	/* Nothing was registered: there is nothing to unregister. */
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(phys, r->size), -ENOENT);
}

static void pfn_vec_region_test_overlap(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);

	KUNIT_EXPECT_EQ(test, pfn_vec_region_register(base, REGION_SIZE,
						      IO_LINEAR_WC), -EBUSY);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register(base + REGION_SIZE - PAGE_SIZE,
						      REGION_SIZE, IO_LINEAR_WC),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register(base - PAGE_SIZE, 2 * PAGE_SIZE,
						      IO_LINEAR_UC), -EBUSY);
	/* The refusals left the region as it was. */
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
}

static void pfn_vec_region_test_double_unregister(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);

	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, PAGE_SIZE), -ENOENT);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), -ENOENT);
}

/*
 * Where the arch tracks memory types (x86 PAT), a region is refused with
 * -EBUSY while another mapping holds part of it with another type, and
 * accepted with that mapping's type, which both then share. Elsewhere no
 * type is tracked, and either type is accepted.
 */
static void pfn_vec_region_test_type_conflict(struct kunit *test)
{
	phys_addr_t base = unmanaged_ram(test, REGION_SIZE / PAGE_SIZE, NULL);
	void __iomem *io = ioremap_wc_test(test, base + PAGE_SIZE, PAGE_SIZE);
	bool tracked = IS_ENABLED(CONFIG_X86_PAT);
	struct bvec_iter iter;
	struct pfn_vec pv;
	u8 byte = 0;
	int ret;

	require_hook(test);
	ret = pfn_vec_region_register(base, REGION_SIZE, IO_LINEAR_UC);
	KUNIT_EXPECT_EQ_MSG(test, ret, tracked ? -EBUSY : 0,
			    "uncached region over a write-combining ioremap");
	if (!ret)
		KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);

	KUNIT_ASSERT_EQ(test, pfn_vec_region_register(base, REGION_SIZE,
						      IO_LINEAR_WC), 0);
	writeb(0x3c, io + 5);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + PAGE_SIZE + 5, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(&byte, &pv, &iter, 1), 0);
	KUNIT_EXPECT_EQ(test, byte, 0x3c);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
}

/*
 * A range that the linear map cannot hold: registering it is refused with
 * -ERANGE, and the accessor, the iterator and the copy helpers refuse it
 * with -ENXIO before they touch a byte of it or of the buffer.
 */
static void pfn_vec_region_test_unmappable(struct kunit *test)
{
	phys_addr_t base = unmappable_size ? unmappable_base :
			   (PHYS_ADDR_MAX & PAGE_MASK) - SZ_1G + PAGE_SIZE;
	size_t size = unmappable_size ? unmappable_size : 2 * PAGE_SIZE;
	struct pfn_vec_miter miter;
	struct bvec_iter iter;
	struct pfn_vec_map m;
	struct pfn_vec pv;
	u8 buf[64];

	require_hook(test);
	KUNIT_ASSERT_GE(test, size, 2 * PAGE_SIZE);
	KUNIT_EXPECT_FALSE(test, arch_io_linear_mappable(base, size));
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register(base, size, IO_LINEAR_WC),
			-ERANGE);

	/* A segment across the first page boundary of the range. */
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + PAGE_SIZE - 32,
					       sizeof(buf)), 0);
	KUNIT_EXPECT_FALSE(test, pfn_vec_has_page(&pv));
	KUNIT_EXPECT_EQ(test, pfn_vec_kmap_local(&pv, &m), -ENXIO);

	memset(buf, 0x5a, sizeof(buf));
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(&pv, &iter, buf, sizeof(buf)),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, sizeof(buf)),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, pfn_vec_zero(&pv, &iter, sizeof(buf)), -ENXIO);
	KUNIT_EXPECT_EQ(test, iter.bi_size, (unsigned int)sizeof(buf));
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0x5a, sizeof(buf)));

	pfn_vec_miter_start(&miter, &pv, &iter, sizeof(buf));
	KUNIT_EXPECT_FALSE(test, pfn_vec_miter_next(&miter));
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), -ENXIO);
	KUNIT_EXPECT_EQ(test, iter.bi_size, (unsigned int)sizeof(buf));
}

/*
 * Through the accessor and back through an independent ioremap_wc(), both
 * ways.
 */
static void pfn_vec_region_test_accessor(struct kunit *test)
{
	phys_addr_t phys = register_region(test, IO_LINEAR_WC);
	void __iomem *io = ioremap_wc_test(test, phys, 2 * PAGE_SIZE);
	u8 *buf = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	struct pfn_vec_map m;
	struct bvec_iter iter;
	struct pfn_vec pv;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset_io(io, SENTINEL, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys + 100, PAGE_SIZE), 0);

	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	KUNIT_EXPECT_TRUE(test, m.map.is_iomem);
	iosys_map_memset(&m.map, 0, 0x3c, 8);
	pfn_vec_kunmap_local(&m);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, readb(io + 100 + i), 0x3c);
	KUNIT_EXPECT_EQ(test, readb(io + 99), SENTINEL);
	KUNIT_EXPECT_EQ(test, readb(io + 108), SENTINEL);

	/* A copy that crosses into the second page, and back. */
	for (i = 0; i < PAGE_SIZE; i++)
		buf[i] = i * 7;
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(&pv, &iter, buf, PAGE_SIZE), 0);
	memcpy_fromio(buf + PAGE_SIZE, io + 100, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memcmp(buf, buf + PAGE_SIZE, PAGE_SIZE), 0);

	memset_io(io + 100, 0x77, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, PAGE_SIZE), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0x77, PAGE_SIZE));
}

/* After unregister, the accessor and helpers refuse and write nothing. */
static void pfn_vec_region_test_after_unregister(struct kunit *test)
{
	phys_addr_t phys = register_region(test, IO_LINEAR_UC);
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec_map m;
	struct pfn_vec pv;
	void __iomem *io;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, pfn_vec_region_unregister(phys, REGION_SIZE), 0);
	io = ioremap_wc_test(test, phys, PAGE_SIZE);
	memset_io(io, SENTINEL, PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_kmap_local(&pv, &m), -ENXIO);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_zero(&pv, &iter, PAGE_SIZE), -ENXIO);
	KUNIT_EXPECT_EQ(test, iter.bi_size, (unsigned int)PAGE_SIZE);
	memcpy_fromio(buf, io, PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, SENTINEL, PAGE_SIZE));
}

/*
 * Three one-page regions side by side. With KASAN, one shadow page covers
 * all three (it covers 8 pages with 4 KiB pages), which registration adds
 * with the first of them and unregistration removes with the last.
 * Whatever the order, each region stays reachable until it is unregistered
 * itself; with KASAN, the shadow is mapped, with the early shadow's value,
 * while any of them is registered, and once none is, it is as it was
 * before.
 */
#define NEIGHBOURS	3

static bool have_shadow(void)
{
	return IS_ENABLED(CONFIG_KASAN_GENERIC) ||
	       IS_ENABLED(CONFIG_KASAN_SW_TAGS);
}

/*
 * The KASAN shadow of @phys's linear-map address: 0 if it is mapped with
 * the early shadow's value, -EFAULT if it is unmapped, -EINVAL otherwise.
 */
static int neighbour_shadow(phys_addr_t phys)
{
#if defined(CONFIG_KASAN_GENERIC) || defined(CONFIG_KASAN_SW_TAGS)
	void *va = (__force void *)arch_io_linear_addr(phys);
	u8 shadow;

	/* Not through KASAN's checks: the shadow may be unmapped. */
	if (copy_from_kernel_nofault(&shadow, kasan_mem_to_shadow(va), 1))
		return -EFAULT;
	return shadow == KASAN_SHADOW_INIT ? 0 : -EINVAL;
#else
	return -EOPNOTSUPP;
#endif
}

/* Region @i of the neighbours at @base: reachable if @registered. */
static void neighbour_check(struct kunit *test, phys_addr_t base,
			    void __iomem *io, unsigned int i, bool registered)
{
	struct pfn_vec_map m;
	struct pfn_vec pv;
	int ret;

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + i * PAGE_SIZE,
					       PAGE_SIZE), 0);
	ret = pfn_vec_kmap_local(&pv, &m);
	KUNIT_EXPECT_EQ_MSG(test, ret, registered ? 0 : -ENXIO, "region %u", i);
	if (ret)
		return;
	iosys_map_memset(&m.map, 0, 0x40 + i, PAGE_SIZE);
	pfn_vec_kunmap_local(&m);
	KUNIT_EXPECT_EQ_MSG(test, readb(io + i * PAGE_SIZE + PAGE_SIZE - 1),
			    0x40 + i, "region %u", i);
}

static void pfn_vec_region_test_neighbours(struct kunit *test)
{
	/* Registered in this order, unregistered middle first. */
	static const unsigned int unregister_order[NEIGHBOURS] = { 1, 0, 2 };
	phys_addr_t base = unmanaged_ram(test, NEIGHBOURS, NULL);
	void __iomem *io = ioremap_wc_test(test, base, NEIGHBOURS * PAGE_SIZE);
	bool registered[NEIGHBOURS] = {};
	unsigned int i, j, left;
	int baseline, ret;

	require_hook(test);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(base, PMD_SIZE));
#if defined(CONFIG_KASAN_GENERIC) || defined(CONFIG_KASAN_SW_TAGS)
	KUNIT_ASSERT_LE(test, NEIGHBOURS * PAGE_SIZE,
			PAGE_SIZE << KASAN_SHADOW_SCALE_SHIFT);
#endif
	baseline = neighbour_shadow(base);
	if (have_shadow()) {
		KUNIT_EXPECT_NE(test, baseline, -EINVAL);
		kunit_info(test, "shadow before: %s\n",
			   baseline ? "unmapped" : "mapped");
	}

	for (i = 0; i < NEIGHBOURS; i++) {
		ret = pfn_vec_region_register(base + i * PAGE_SIZE, PAGE_SIZE,
					      IO_LINEAR_WC);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "region %u", i);
		registered[i] = true;
		if (have_shadow())
			KUNIT_EXPECT_EQ_MSG(test, neighbour_shadow(base), 0,
					    "%u registered", i + 1);
	}
	for (i = 0; i < NEIGHBOURS; i++)
		neighbour_check(test, base, io, i, registered[i]);

	for (left = NEIGHBOURS; left; left--) {
		i = unregister_order[NEIGHBOURS - left];
		KUNIT_EXPECT_EQ_MSG(test,
				    pfn_vec_region_unregister(base + i * PAGE_SIZE,
							      PAGE_SIZE),
				    0, "region %u", i);
		registered[i] = false;
		for (j = 0; j < NEIGHBOURS; j++)
			neighbour_check(test, base, io, j, registered[j]);
		if (have_shadow())
			KUNIT_EXPECT_EQ_MSG(test, neighbour_shadow(base),
					    left > 1 ? 0 : baseline,
					    "%u left registered", left - 1);
	}
}

/* A vector of RAM, region and RAM is copied whole once the region is in. */
static void pfn_vec_region_test_mixed_copy(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);
	struct stop_fixture f;
	u8 *in = kunit_kmalloc(test, 3 * STOP_LEN, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, 3 * STOP_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	memset(in, 0x42, 3 * STOP_LEN);
	in[STOP_LEN] = 0x01;
	in[2 * STOP_LEN - 1] = 0x02;

	stop_fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, pfn_t_to_phys(f.pvec[1].pv_pfn), base);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(f.pvec, &f.iter, in, 3 * STOP_LEN), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&f.iter, f.pvec, 3), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(out, f.pvec, &f.iter, 3 * STOP_LEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, 3 * STOP_LEN), 0);
}

/* A device-managed region goes away when its device does. */
static void pfn_vec_region_test_devm(struct kunit *test)
{
	phys_addr_t base = unmanaged_ram(test, REGION_SIZE / PAGE_SIZE, NULL);
	struct device *dev = kunit_device_register(test, "pfn_vec_test");
	struct pfn_vec_map m;
	struct pfn_vec pv;
	int ret;

	require_hook(test);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, PAGE_SIZE), 0);
	ret = devm_pfn_vec_region_register(dev, base, REGION_SIZE, IO_LINEAR_WC);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	pfn_vec_kunmap_local(&m);

	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_EQ(test, pfn_vec_kmap_local(&pv, &m), -ENXIO);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_region_unregister(base, REGION_SIZE),
			    -ENOENT, "the region outlived its device");
}

/*
 * The PMD and PTE tables of the kernel page table under the addresses
 * [start, end): generic walk, folded levels included.
 */
static unsigned int kernel_tables(unsigned long start, unsigned long end)
{
	unsigned long addr, a;
	unsigned int n = 0;

	for (addr = ALIGN_DOWN(start, PUD_SIZE); addr < end; addr += PUD_SIZE) {
		pgd_t *pgd = pgd_offset_k(addr);
		p4d_t *p4d;
		pud_t *pud;

		if (pgd_none(*pgd))
			continue;
		p4d = p4d_offset(pgd, addr);
		if (p4d_none(*p4d) || p4d_leaf(*p4d))
			continue;
		pud = pud_offset(p4d, addr);
		if (pud_none(*pud) || pud_leaf(*pud))
			continue;
		n++;
		for (a = max(addr, ALIGN_DOWN(start, PMD_SIZE));
		     a < min(addr + PUD_SIZE, end); a += PMD_SIZE) {
			pmd_t *pmd = pmd_offset(pud, a);

			if (pmd_present(*pmd) && !pmd_leaf(*pmd))
				n++;
		}
	}
	return n;
}

/*
 * The page tables that mapping [phys, phys + size) may add: those under its
 * linear-map addresses and, with KASAN, under their shadow, which
 * registration maps too.
 */
static unsigned int linear_map_tables(phys_addr_t phys, size_t size)
{
	unsigned long start = (unsigned long)(__force void *)arch_io_linear_addr(phys);
	unsigned int n = kernel_tables(start, start + size);

#if defined(CONFIG_KASAN_GENERIC) || defined(CONFIG_KASAN_SW_TAGS)
	n += kernel_tables((unsigned long)kasan_mem_to_shadow((void *)start),
			   (unsigned long)kasan_mem_to_shadow((void *)(start + size)));
#endif
	return n;
}

/*
 * Mapping a region adds page tables under its addresses, and unregister
 * frees them all: the count is back to where it was.
 */
static void pfn_vec_region_test_page_tables(struct kunit *test)
{
	phys_addr_t base = unmanaged_ram(test, REGION_SIZE / PAGE_SIZE, NULL);
	/* PMD mappings, then two pages off alignment, mapped with PTEs. */
	const struct { phys_addr_t phys; size_t size; } cases[] = {
		{ base, REGION_SIZE },
		{ base + PAGE_SIZE, 2 * PAGE_SIZE },
	};
	unsigned int i, before, during;

	require_hook(test);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		before = linear_map_tables(cases[i].phys, cases[i].size);
		KUNIT_ASSERT_EQ(test, pfn_vec_region_register(cases[i].phys,
							      cases[i].size,
							      IO_LINEAR_WC), 0);
		during = linear_map_tables(cases[i].phys, cases[i].size);
		KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(cases[i].phys,
								cases[i].size), 0);
		KUNIT_EXPECT_EQ_MSG(test, linear_map_tables(cases[i].phys,
							    cases[i].size), before,
				    "case %u: %u tables before, %u while mapped",
				    i, before, during);
		KUNIT_EXPECT_GT_MSG(test, during, before,
				    "case %u: mapping used no new page table", i);
	}
}

/*
 * Registration under allocation failure. current->fail_nth fails the 1st,
 * 2nd, 3rd, ... allocation that registration makes (the region, its
 * reference, the registry's tree, the KASAN shadow, the arch's page tables
 * and memory type), until one registration makes no more than it was
 * allowed. Every failure is -ENOMEM and leaves nothing behind: the region
 * is freed, its pages are unreachable (-ENXIO), unmapped, unregistered,
 * and the page tables are those of before. Registration then succeeds, with the other memory
 * type too: on x86 a leaked memory type reservation would make it -EBUSY.
 */
#define FAULT_MAX_NTH	1000

/* Check that [phys, phys + size) is not registered or mapped. */
static void region_gone(struct kunit *test, phys_addr_t phys, size_t size,
			unsigned int tables, unsigned int nth)
{
	enum io_linear_type type;
	struct pfn_vec_map map;
	struct pfn_vec pv;
	size_t page_size;

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys + size - PAGE_SIZE,
					       PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kmap_local(&pv, &map), -ENXIO,
			    "allocation %u failed, region reachable", nth);
	KUNIT_EXPECT_EQ_MSG(test, arch_io_linear_query(phys, &page_size, &type),
			    -ENOENT, "allocation %u failed, region mapped", nth);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_region_unregister(phys, size), -ENOENT,
			    "allocation %u failed, region registered", nth);
	KUNIT_EXPECT_EQ_MSG(test, linear_map_tables(phys, size), tables,
			    "allocation %u failed, page tables left", nth);
}

static void pfn_vec_region_test_fault_register(struct kunit *test)
{
	phys_addr_t base = unmanaged_ram(test, REGION_SIZE / PAGE_SIZE, NULL);
	/* PMD mappings, then two pages off alignment, mapped with PTEs. */
	const struct { phys_addr_t phys; size_t size; } cases[] = {
		{ base, REGION_SIZE },
		{ base + PAGE_SIZE, 2 * PAGE_SIZE },
	};
	unsigned int i, nth, tables, failures;
	struct pfn_vec_map map;
	struct pfn_vec pv;
	bool consumed;
	long live;
	int ret;

	require_hook(test);
	pfn_vec_kunit_fault_setup(test);
	live = pfn_vec_regions_live();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		phys_addr_t phys = cases[i].phys;
		size_t size = cases[i].size;

		tables = linear_map_tables(phys, size);
		failures = 0;
		for (nth = 1;; nth++) {
			KUNIT_ASSERT_LE_MSG(test, nth, FAULT_MAX_NTH,
					    "registration never ran out of allocations");
			pfn_vec_kunit_fail_nth(nth);
			ret = pfn_vec_region_register(phys, size, IO_LINEAR_WC);
			consumed = pfn_vec_kunit_fail_consumed();
			if (ret) {
				KUNIT_EXPECT_TRUE(test, consumed);
				KUNIT_ASSERT_EQ_MSG(test, ret, -ENOMEM,
						    "allocation %u failed", nth);
				KUNIT_EXPECT_EQ_MSG(test, pfn_vec_regions_live(),
						    live, "allocation %u failed, region kept",
						    nth);
				region_gone(test, phys, size, tables, nth);
				failures++;
				continue;
			}
			/* A failure it recovered from, or none: usable. */
			KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys, PAGE_SIZE), 0);
			ret = pfn_vec_kmap_local(&pv, &map);
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "allocation %u", nth);
			if (!ret)
				pfn_vec_kunmap_local(&map);
			KUNIT_ASSERT_EQ(test, pfn_vec_region_unregister(phys, size), 0);
			if (!consumed)
				break;
		}
		KUNIT_EXPECT_GT_MSG(test, failures, 0U,
				    "case %u: no failure made registration fail", i);
		kunit_info(test, "case %u: %u allocations, %u failures -ENOMEM\n",
			   i, nth - 1, failures);
		region_gone(test, phys, size, tables, nth);
		KUNIT_EXPECT_EQ(test, pfn_vec_region_register(phys, size, IO_LINEAR_UC), 0);
		KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(phys, size), 0);
	}
}

/*
 * Register and unregister a region a thousand times, with PMD and with PTE
 * mappings: every region and every page table must come back. Regions,
 * with their percpu data, are counted exactly: one more while registered,
 * and back to the count of before after every unregister (a registration
 * refused is checked the same way by pfn_vec_region_test_fault_register).
 * Page tables are counted in the page allocator, where per-cpu lists may
 * hold back LEAK_SLACK pages; a leak of one page table a cycle is a
 * thousand. A percpu_ref that was never exited is kmemleak's to find, in
 * the debug kernels.
 */
#define CYCLES		1000
#define LEAK_SLACK	64	/* pages that per-cpu lists may hold back */

/*
 * Pages back in the page allocator. With KASAN, freed objects wait in its
 * quarantine (up to 1/32 of memory) before slab gets them back, so slab
 * pages count as free: what a region allocates from slab is counted by
 * pfn_vec_regions_live() instead.
 */
static unsigned long free_pages_now(void)
{
	unsigned long pages;

	drain_all_pages(NULL);
	pages = global_zone_page_state(NR_FREE_PAGES);
	if (IS_ENABLED(CONFIG_KASAN_GENERIC) || IS_ENABLED(CONFIG_KASAN_SW_TAGS))
		pages += global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) +
			 global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
	return pages;
}

static void pfn_vec_region_test_cycles(struct kunit *test)
{
	phys_addr_t base = unmanaged_ram(test, REGION_SIZE / PAGE_SIZE, NULL);
	unsigned long before, after;
	unsigned int i;
	long live;

	require_hook(test);
	live = pfn_vec_regions_live();
	before = free_pages_now();
	for (i = 0; i < CYCLES; i++) {
		/* Odd cycles: two pages off PMD alignment, mapped with PTEs. */
		phys_addr_t phys = base + (i & 1) * PAGE_SIZE;
		size_t size = i & 1 ? 2 * PAGE_SIZE : REGION_SIZE;

		KUNIT_ASSERT_EQ_MSG(test, pfn_vec_region_register(phys, size,
								  IO_LINEAR_WC),
				    0, "cycle %u", i);
		KUNIT_ASSERT_EQ_MSG(test, pfn_vec_regions_live(), live + 1,
				    "cycle %u: regions allocated", i);
		KUNIT_ASSERT_EQ_MSG(test, pfn_vec_region_unregister(phys, size), 0,
				    "cycle %u", i);
		KUNIT_ASSERT_EQ_MSG(test, pfn_vec_regions_live(), live,
				    "cycle %u: region not freed", i);
	}
	after = free_pages_now();
	KUNIT_EXPECT_LE_MSG(test, before, after + LEAK_SLACK,
			    "%lu pages lost over %u cycles", before - after, CYCLES);
}

/*
 * Unregister while four threads, one per CPU where there are enough, copy
 * through the region, each over pages of its own, from 64 bytes before a
 * page boundary. Every copy, in the race window too, keeps the helpers'
 * contract: it returns 0 having written all its bytes, or -ENXIO having
 * written exactly the bytes its cursor was advanced over, a prefix that
 * ends at a page boundary, and nothing after them. Each copy writes a
 * value of its own, and its thread reads the bytes back through an
 * independent mapping. Copies begun after unregister returned are all
 * refused, and nothing faults on a torn-down mapping.
 */
#define COPIERS		4
#define COPY_PAGES	8
#define COPY_LEN	(COPY_PAGES * PAGE_SIZE)

enum { RUNNING, UNREGISTERING, UNREGISTERED };

struct copier {
	struct pfn_vec pv;
	void __iomem *io;	/* an independent mapping of pv */
	u8 *buf, *back;		/* COPY_LEN each: what is copied, read back */
	const atomic_t *phase;
	unsigned long ok, torn, refused_before, refused_after, ok_after;
	unsigned long partial;	/* -ENXIO after the first page */
};

struct copiers {
	atomic_t phase;
	struct copier c[COPIERS];
};

/* Bytes [0, @done) hold @now and [@done, COPY_LEN) hold @was. */
static bool copier_holds(const struct copier *c, unsigned int done, u8 now,
			 u8 was)
{
	memcpy_fromio(c->back, c->io, COPY_LEN);
	return !memchr_inv(c->back, now, done) &&
	       !memchr_inv(c->back + done, was, COPY_LEN - done);
}

static int copier_fn(void *data)
{
	struct copier *c = data;
	/* The bytes of the first page: a refused copy stops at a page after. */
	unsigned int first = PAGE_SIZE - c->pv.pv_offset % PAGE_SIZE;
	u8 was = 0, now = 0;

	while (!kthread_should_stop()) {
		int phase = atomic_read(c->phase);
		struct bvec_iter iter;
		unsigned int done;
		int ret;

		memset(c->buf, ++now, COPY_LEN);
		ret = pfn_vec_iter_init(&iter, &c->pv, 1);
		if (!ret)
			ret = pfn_vec_memcpy_to(&c->pv, &iter, c->buf, COPY_LEN);
		/* Out of the write-combining buffers, before the reads. */
		wmb();
		done = COPY_LEN - iter.bi_size;
		if ((ret && ret != -ENXIO) || (!ret && done != COPY_LEN) ||
		    (ret && done && (done - first) % PAGE_SIZE) ||
		    !copier_holds(c, done, now, was))
			WRITE_ONCE(c->torn, c->torn + 1);
		else if (!ret && phase == UNREGISTERED)
			WRITE_ONCE(c->ok_after, c->ok_after + 1);
		else if (!ret)
			WRITE_ONCE(c->ok, c->ok + 1);
		else if (phase == UNREGISTERED)
			WRITE_ONCE(c->refused_after, c->refused_after + 1);
		else
			WRITE_ONCE(c->refused_before, c->refused_before + 1);
		if (ret && done)
			WRITE_ONCE(c->partial, c->partial + 1);
		/* What the next copy must overwrite, or leave alone. */
		memset_io(c->io, now, COPY_LEN);
		was = now;
		cond_resched();
	}
	return 0;
}

/*
 * Wait up to five seconds until every copier has copied (or, @after the
 * region went, been refused) at least once.
 */
static bool copiers_reached(const struct copiers *cs, bool after)
{
	unsigned int i = 0, waited;

	for (waited = 0; i < COPIERS && waited < 5000; waited += 20) {
		const struct copier *c = &cs->c[i];

		if (after ? READ_ONCE(c->refused_after) : READ_ONCE(c->ok))
			i++;
		else
			msleep(20);
	}
	return i == COPIERS;
}

static void pfn_vec_region_test_unregister_busy(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);
	struct copiers *cs = kunit_kzalloc(test, sizeof(*cs), GFP_KERNEL);
	unsigned long torn = 0, ok_after = 0, partial = 0, during = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, cs);
	atomic_set(&cs->phase, RUNNING);
	for (i = 0; i < COPIERS; i++) {
		/* Each thread copies over pages of its own. */
		phys_addr_t phys = base + (i * (COPY_PAGES + 1) + 1) * PAGE_SIZE - 64;
		struct copier *c = &cs->c[i];

		KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&c->pv, phys, COPY_LEN), 0);
		c->io = ioremap_wc_test(test, phys, COPY_LEN);
		c->buf = kunit_kmalloc(test, COPY_LEN, GFP_KERNEL);
		c->back = kunit_kmalloc(test, COPY_LEN, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->buf);
		KUNIT_ASSERT_NOT_NULL(test, c->back);
		c->phase = &cs->phase;
		memset_io(c->io, 0, COPY_LEN);
	}
	for (i = 0; i < COPIERS; i++) {
		struct task_struct *t;

		t = pfn_vec_kunit_thread_run(test, copier_fn, &cs->c[i], i,
					     "pfn_vec_copier");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	KUNIT_ASSERT_TRUE_MSG(test, copiers_reached(cs, false),
			      "copiers did not get going");

	atomic_set(&cs->phase, UNREGISTERING);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
	atomic_set(&cs->phase, UNREGISTERED);
	KUNIT_EXPECT_TRUE_MSG(test, copiers_reached(cs, true),
			      "copiers were not refused after unregister");

	/* The threads are still copying: read what they counted so far. */
	for (i = 0; i < COPIERS; i++) {
		torn += READ_ONCE(cs->c[i].torn);
		ok_after += READ_ONCE(cs->c[i].ok_after);
		partial += READ_ONCE(cs->c[i].partial);
		during += READ_ONCE(cs->c[i].refused_before);
	}
	KUNIT_EXPECT_EQ_MSG(test, torn, 0UL,
			    "copies that broke the contract of pfn_vec_memcpy_to()");
	KUNIT_EXPECT_EQ_MSG(test, ok_after, 0UL, "copies after unregister");
	kunit_info(test, "%lu copies refused while unregister ran, %lu of them part way\n",
		   during, partial);
}

/*
 * An iterator that runs off the end of its region maps the next page in
 * the region that holds it, or stops with -ENXIO before a page that no
 * region holds, having touched nothing there.
 */
static void pfn_vec_region_test_miter_region_end(struct kunit *test)
{
	phys_addr_t base = unmanaged_ram(test, 2 * PMD_SIZE / PAGE_SIZE, NULL);
	void __iomem *io = ioremap_wc_test(test, base + PMD_SIZE - PAGE_SIZE,
					   2 * PAGE_SIZE);
	struct pfn_vec_miter miter;
	struct bvec_iter iter;
	struct pfn_vec pv;
	unsigned int n;
	int ret;

	require_hook(test);
	ret = pfn_vec_region_register(base, PMD_SIZE, IO_LINEAR_WC);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = pfn_vec_region_register(base + PMD_SIZE, PMD_SIZE, IO_LINEAR_WC);
	KUNIT_EXPECT_EQ(test, ret, 0);
	memset_io(io, SENTINEL, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + PMD_SIZE - PAGE_SIZE,
					       2 * PAGE_SIZE), 0);

	/* Across the boundary of two regions, one after the other. */
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	pfn_vec_miter_start(&miter, &pv, &iter, 2 * PAGE_SIZE);
	for (n = 0; pfn_vec_miter_next(&miter); n++)
		iosys_map_memset(&miter.map, 0, n + 1, miter.length);
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), 0);
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, readb(io + PAGE_SIZE - 1), 1);
	KUNIT_EXPECT_EQ(test, readb(io + PAGE_SIZE), 2);

	/* Into a page that no region holds any longer. */
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base + PMD_SIZE, PMD_SIZE), 0);
	memset_io(io, SENTINEL, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	pfn_vec_miter_start(&miter, &pv, &iter, 2 * PAGE_SIZE);
	for (n = 0; pfn_vec_miter_next(&miter); n++)
		iosys_map_memset(&miter.map, 0, n + 1, miter.length);
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), -ENXIO);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, iter.bi_size, (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, readb(io + PAGE_SIZE - 1), 1);
	KUNIT_EXPECT_EQ(test, readb(io + PAGE_SIZE), SENTINEL);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, PMD_SIZE), 0);
}

struct unregister_work {
	phys_addr_t phys;
	size_t size;
	int ret;
	struct completion done;
};

static int unregister_fn(void *data)
{
	struct unregister_work *w = data;

	w->ret = pfn_vec_region_unregister(w->phys, w->size);
	complete(&w->done);
	return 0;
}

KUNIT_DEFINE_ACTION_WRAPPER(miter_stop_action, pfn_vec_miter_stop,
			    struct pfn_vec_miter *);

/*
 * An iterator holds its region once for all the pages it maps of it:
 * unregistering, on another CPU, waits for the iterator, and revokes it at
 * its next page.
 */
static void pfn_vec_region_test_miter_revoked(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);
	struct unregister_work *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct pfn_vec_miter *miter = kunit_kzalloc(test, sizeof(*miter),
						    GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec pv, probe;
	struct task_struct *t;
	struct pfn_vec_map m;
	unsigned int waited;
	bool waits;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, miter);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&probe, base + 8 * PAGE_SIZE, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	w->phys = base;
	w->size = REGION_SIZE;
	init_completion(&w->done);

	pfn_vec_miter_start(miter, &pv, &iter, 4 * PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, pfn_vec_miter_next(miter));
	KUNIT_EXPECT_TRUE(test, miter->map.is_iomem);
	KUNIT_EXPECT_TRUE(test, pfn_vec_miter_next(miter));
	/*
	 * Whatever ends the case, the iterator lets its region go before the
	 * unregistering thread is stopped (actions run last added first).
	 * It is stopped here too; a second stop finds nothing to release.
	 */
	t = pfn_vec_kunit_thread_run(test, unregister_fn, w, 1,
				     "pfn_vec_unregister");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, miter_stop_action, miter));

	/* New mappings fail as soon as the region has left the registry. */
	for (waited = 0; waited < 5000; waited += 20) {
		if (pfn_vec_kmap_local(&probe, &m))
			break;
		pfn_vec_kunmap_local(&m);
		msleep(20);
	}
	msleep(50);
	waits = !completion_done(&w->done);

	/* The held region is revoked at the next page, not used any longer. */
	KUNIT_EXPECT_FALSE(test, pfn_vec_miter_next(miter));
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(miter), -ENXIO);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 2U * PAGE_SIZE);

	KUNIT_EXPECT_TRUE_MSG(test, waits, "unregister did not wait for the iterator");
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&w->done, 10 * HZ),
			      "unregister still waits after the iterator stopped");
	KUNIT_EXPECT_EQ(test, w->ret, 0);
}

static struct kunit_case pfn_vec_region_cases[] = {
	KUNIT_CASE(pfn_vec_region_test_map_query),
	KUNIT_CASE_PARAM(pfn_vec_region_test_refusals, refusal_gen_params),
	KUNIT_CASE(pfn_vec_region_test_overlap),
	KUNIT_CASE(pfn_vec_region_test_double_unregister),
	KUNIT_CASE(pfn_vec_region_test_unmappable),
	KUNIT_CASE(pfn_vec_region_test_type_conflict),
	KUNIT_CASE(pfn_vec_region_test_accessor),
	KUNIT_CASE(pfn_vec_region_test_after_unregister),
	KUNIT_CASE(pfn_vec_region_test_neighbours),
	KUNIT_CASE(pfn_vec_region_test_mixed_copy),
	KUNIT_CASE(pfn_vec_region_test_devm),
	KUNIT_CASE(pfn_vec_region_test_page_tables),
	KUNIT_CASE(pfn_vec_region_test_fault_register),
	KUNIT_CASE_SLOW(pfn_vec_region_test_cycles),
	KUNIT_CASE(pfn_vec_region_test_unregister_busy),
	KUNIT_CASE(pfn_vec_region_test_miter_revoked),
	KUNIT_CASE(pfn_vec_region_test_miter_region_end),
	{}
};

static struct kunit_suite pfn_vec_region_suite = {
	.name = "pfn_vec_region",
	.test_cases = pfn_vec_region_cases,
};

/* ---- a real PCI BAR: suite pfn_vec_bar ---- */

/* QEMU's ivshmem-plain: BAR2 is its shared memory, 64-bit prefetchable. */
#define IVSHMEM_DEVICE_ID	0x1110
#define IVSHMEM_BAR		2

struct bar {
	struct pci_dev *pdev;
	phys_addr_t phys;
	size_t size;
	void __iomem *io;	/* an independent ioremap_wc() of it */
};

static void pci_dev_put_action(void *pdev)
{
	pci_dev_put(pdev);
}

static void find_bar(struct kunit *test, struct bar *bar)
{
	struct resource *res;

	bar->pdev = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET,
				   IVSHMEM_DEVICE_ID, NULL);
	if (!bar->pdev)
		kunit_skip(test, "no ivshmem-plain device (see the project's qemu configs)");
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pci_dev_put_action,
						  bar->pdev));
	KUNIT_ASSERT_EQ(test, pci_enable_device_mem(bar->pdev), 0);

	res = &bar->pdev->resource[IVSHMEM_BAR];
	KUNIT_ASSERT_TRUE_MSG(test, res->flags & IORESOURCE_MEM_64,
			      "BAR%d is not a 64-bit BAR", IVSHMEM_BAR);
	KUNIT_ASSERT_TRUE_MSG(test, res->flags & IORESOURCE_PREFETCH,
			      "BAR%d is not prefetchable", IVSHMEM_BAR);
	bar->phys = res->start;
	bar->size = resource_size(res);
	KUNIT_ASSERT_GE(test, bar->size, (size_t)SZ_4M);
	bar->io = ioremap_wc_test(test, bar->phys, SZ_4M);
}

/*
 * Register the BAR until the case ends. Where there is no hook, check the
 * refusal of registration, which this is the case of, and return false.
 */
static bool register_bar(struct kunit *test, struct bar *bar)
{
	struct pfn_vec *pv = kunit_kzalloc(test, sizeof(*pv), GFP_KERNEL);
	int ret = pfn_vec_region_register(bar->phys, bar->size, IO_LINEAR_WC);

	KUNIT_ASSERT_NOT_NULL(test, pv);
	if (!have_hook()) {
		KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
		return false;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	pv->pv_pfn = phys_to_pfn_t(bar->phys, PFN_DEV);
	pv->pv_len = bar->size;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, unregister_action, pv));
	return true;
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
	struct page *ram = alloc_test_page(test, GFP_HIGHUSER);
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
	memset_io(bar.io, SENTINEL, SZ_4M);
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
		KUNIT_EXPECT_NULL(test, memchr_inv(out, SENTINEL, 2 * len));
		return;
	}

	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(pvec, &iter, in, 300 + len), 0);
	memcpy_fromio(out, bar.io + SZ_1M - 61, len);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(out, in + 100, len), 0,
			    "the BAR does not hold what the accessor wrote");
	KUNIT_EXPECT_EQ(test, readb(bar.io + SZ_1M - 62), SENTINEL);
	KUNIT_EXPECT_EQ(test, readb(bar.io + SZ_1M - 61 + len), SENTINEL);

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
	require_hook(test);
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

static struct kunit_case pfn_vec_core_cases[] = {
	KUNIT_CASE(pfn_vec_test_set_page),
	KUNIT_CASE(pfn_vec_test_set_folio),
	KUNIT_CASE(pfn_vec_test_set_phys_ram),
	KUNIT_CASE(pfn_vec_test_set_phys_unmanaged),
	KUNIT_CASE(pfn_vec_test_set_phys_mixed),
	KUNIT_CASE(pfn_vec_test_set_phys_wrap),
	KUNIT_CASE(pfn_vec_test_valid_u32_overflow),
	KUNIT_CASE(pfn_vec_test_valid_pfn_overflow),
	KUNIT_CASE(pfn_vec_test_iter_init_total_overflow),
	KUNIT_CASE(pfn_vec_test_iter_init_empty),
	KUNIT_CASE(pfn_vec_test_view_crosses_pages),
	KUNIT_CASE(pfn_vec_test_view_offset_page_size),
	KUNIT_CASE(pfn_vec_test_view_offset_past_page),
	KUNIT_CASE(pfn_vec_test_view_one_byte_segments),
	KUNIT_CASE(pfn_vec_test_view_empty_segments),
	KUNIT_CASE(pfn_vec_test_mp_view),
	KUNIT_CASE(pfn_vec_test_advance_to_end),
	KUNIT_CASE(pfn_vec_test_advance_past_end),
	KUNIT_CASE(pfn_vec_test_kmap_ram),
	KUNIT_CASE(pfn_vec_test_kmap_highmem),
	KUNIT_CASE(pfn_vec_test_kmap_unmanaged),
	KUNIT_CASE(pfn_vec_test_kmap_bogus_page),
	KUNIT_CASE(pfn_vec_test_copy_one_byte),
	KUNIT_CASE(pfn_vec_test_copy_too_long),
	KUNIT_CASE(pfn_vec_test_copy_to_stops),
	KUNIT_CASE(pfn_vec_test_copy_from_stops),
	KUNIT_CASE(pfn_vec_test_zero_stops),
	KUNIT_CASE(pfn_vec_test_copy_vec_stops),
	KUNIT_CASE(pfn_vec_test_copy_malformed_stops),
	KUNIT_CASE(pfn_vec_test_miter_pieces),
	KUNIT_CASE(pfn_vec_test_miter_stops),
	KUNIT_CASE_PARAM(pfn_vec_test_random_to_from, random_round_gen_params),
	KUNIT_CASE_PARAM(pfn_vec_test_random_vec_copy, random_round_gen_params),
	KUNIT_CASE_PARAM(pfn_vec_test_random_zero, random_round_gen_params),
	{}
};

static struct kunit_suite pfn_vec_core_suite = {
	.name = "pfn_vec_core",
	.suite_init = pfn_vec_core_suite_init,
	.test_cases = pfn_vec_core_cases,
};

kunit_test_suites(&pfn_vec_core_suite, &pfn_vec_region_suite,
		  &pfn_vec_bar_suite);

MODULE_DESCRIPTION("KUnit tests for pfn_vec");
MODULE_LICENSE("GPL");
