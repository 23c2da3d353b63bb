// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_core: segments and their validation, the iterators,
 * the accessor, the mapping iterator and the copy helpers, on RAM with and
 * without struct page.
 *
 * Memory without struct page is RAM that the kernel was told not to manage
 * (pfn_vec_kunit_unmanaged()); whatever the tests must not write there is
 * checked through an independent memremap() of the same range. The
 * randomised copy tests print their seed, which pfn_vec_kunit.seed= on
 * the boot line replays.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>

KUNIT_DEFINE_ACTION_WRAPPER(free_page_action, __free_page, struct page *);
KUNIT_DEFINE_ACTION_WRAPPER(folio_put_action, folio_put, struct folio *);

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

/* ---- construction and validation ---- */

static void pfn_vec_test_set_page(struct kunit *test)
{
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_KERNEL);
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

	KUNIT_ASSERT_EQ(test, pfn_vec_set_folio(&pv, folio, 2 * PAGE_SIZE, PAGE_SIZE + 5), 0);
	KUNIT_EXPECT_EQ(test, pfn_t_to_pfn(pv.pv_pfn), folio_pfn(folio) + 1);
	KUNIT_EXPECT_EQ(test, pv.pv_offset, 5U);
	KUNIT_EXPECT_EQ(test, pv.pv_len, (unsigned int)(2 * PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, pfn_vec_has_page(&pv));
}

static void pfn_vec_test_set_phys_ram(struct kunit *test)
{
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_KERNEL);
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
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, 4 * PAGE_SIZE, NULL);
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
	unsigned long pfn = PHYS_PFN(pfn_vec_kunit_unmanaged(test, PAGE_SIZE, NULL));
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
 * A range that starts inside a page and is nearly 4 GiB long ends past what
 * a segment's 32-bit end offset can say: pfn_vec_valid() refuses such a
 * segment, so pfn_vec_set_phys() must not make one. The range is at the top
 * of a 64-bit physical address space, where nothing has struct page; with a
 * 32-bit phys_addr_t no such range fits, and the one tried is refused as
 * mixed or wrapping.
 */
static void pfn_vec_test_set_phys_end_overflow(struct kunit *test)
{
	const bool wide = PHYS_ADDR_MAX > SZ_16G;
	phys_addr_t phys = wide ? (PHYS_ADDR_MAX & PAGE_MASK) - SZ_8G + 1 : 1;
	struct pfn_vec pv = { .pv_len = 77 };

	KUNIT_EXPECT_EQ(test, pfn_vec_set_phys(&pv, phys, UINT_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv.pv_len, 77U);
	if (!wide)
		return;
	/* One byte less ends at exactly UINT_MAX: representable. */
	KUNIT_EXPECT_EQ(test, pfn_vec_set_phys(&pv, phys, UINT_MAX - 1), 0);
	KUNIT_EXPECT_TRUE(test, pfn_vec_valid(&pv));
	KUNIT_EXPECT_FALSE(test, pfn_vec_has_page(&pv));
}

/* A range that is not all inside the folio is refused. */
static void pfn_vec_test_set_folio_bounds(struct kunit *test)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 1);
	struct pfn_vec pv = { .pv_len = 77 };

	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, folio_put_action, folio));

	KUNIT_EXPECT_EQ(test, pfn_vec_set_folio(&pv, folio, PAGE_SIZE + 1, PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pfn_vec_set_folio(&pv, folio, 1, 2 * PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, pfn_vec_set_folio(&pv, folio, SIZE_MAX, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv.pv_len, 77U);
	KUNIT_EXPECT_EQ(test, pfn_vec_set_folio(&pv, folio, PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pv.pv_len, (unsigned int)PAGE_SIZE);
}

/*
 * Stepping past the last frame is refused, and never carries into the
 * pfn_t flags.
 */
static void pfn_vec_test_pfn_add_carry(struct kunit *test)
{
	const pfn_t last = __pfn_to_pfn_t(PFN_VEC_MAX_PFN, PFN_DEV);
	pfn_t pfn = last;

	KUNIT_EXPECT_EQ(test, pfn_vec_pfn_add(&pfn, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pfn.val, last.val);
	pfn = __pfn_to_pfn_t(1, PFN_DEV);
	KUNIT_EXPECT_EQ(test, pfn_vec_pfn_add(&pfn, ULONG_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, pfn_t_to_pfn(pfn), 1UL);

	pfn = __pfn_to_pfn_t(PFN_VEC_MAX_PFN - 1, PFN_DEV);
	KUNIT_EXPECT_EQ(test, pfn_vec_pfn_add(&pfn, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn.val, last.val);
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
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_KERNEL);
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
	KUNIT_EXPECT_FALSE(test, pfn_t_has_page(__pfn_vec_pfn_add(pv.pv_pfn, 3)));
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
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_KERNEL);
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
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_HIGHUSER);
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

/*
 * Memory without struct page that no region holds: the checked way in, a
 * mapping iterator, refuses it; so does pfn_vec_kmap_local() where the arch
 * has no I/O linear map. Elsewhere the local mapping trusts its caller, and
 * pfn_vec_debug checks what CONFIG_DEBUG_PFN_VEC makes of it.
 */
static void pfn_vec_test_kmap_unmanaged(struct kunit *test)
{
	void *va;
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, PAGE_SIZE, &va);
	struct pfn_vec_map m = { .map = IOSYS_MAP_INIT_VADDR(test) };
	struct pfn_vec pv;

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_kunit_reach(&pv), -ENXIO);
	if (IS_ENABLED(CONFIG_ARCH_HAS_IO_LINEAR_MAP))
		return;
	KUNIT_EXPECT_EQ(test, pfn_vec_kmap_local(&pv, &m), -ENXIO);
	KUNIT_EXPECT_PTR_EQ(test, m.map.vaddr, (void *)test);
}

/* ---- copy helpers on fixed layouts ---- */

static void pfn_vec_test_copy_one_byte(struct kunit *test)
{
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_HIGHUSER);
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
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_KERNEL);
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
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, PAGE_SIZE, &va);

	f->unmanaged_va = va;
	f->first = pfn_vec_kunit_alloc_page(test, GFP_HIGHUSER);
	f->last = pfn_vec_kunit_alloc_page(test, GFP_HIGHUSER);
	fill_page(f->first, PFN_VEC_KUNIT_SENTINEL);
	fill_page(f->last, PFN_VEC_KUNIT_SENTINEL);
	memset(f->unmanaged_va, PFN_VEC_KUNIT_SENTINEL, PAGE_SIZE);

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
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(f->unmanaged_va, PFN_VEC_KUNIT_SENTINEL, PAGE_SIZE),
			      "RAM without struct page was written");
	KUNIT_EXPECT_TRUE_MSG(test, page_is_all(f->last, PFN_VEC_KUNIT_SENTINEL),
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
	KUNIT_EXPECT_NULL(test, memchr_inv(p, PFN_VEC_KUNIT_SENTINEL, 100));
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
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, PFN_VEC_KUNIT_SENTINEL, STOP_LEN));
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
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_KERNEL);
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

/*
 * The iterator maps a segment of RAM as one piece where RAM lies in the
 * linear map, page by page with highmem; skips empty segments; and stops.
 */
static void pfn_vec_test_miter_pieces(struct kunit *test)
{
	struct page *pages = alloc_pages(GFP_KERNEL, 1);
	static const unsigned int linear[] = { 30, 5 }, paged[] = { 10, 20, 5 };
	const unsigned int *want = pfn_vec_ram_linear() ? linear : paged;
	unsigned int nr = pfn_vec_ram_linear() ? ARRAY_SIZE(linear) :
			  ARRAY_SIZE(paged);
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
		KUNIT_ASSERT_LT(test, n, nr);
		KUNIT_EXPECT_EQ(test, miter.length, want[n]);
		KUNIT_EXPECT_FALSE(test, miter.map.is_iomem);
		iosys_map_memset(&miter.map, 0, n + 1, miter.length);
		n++;
	}
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), 0);
	KUNIT_EXPECT_EQ(test, n, nr);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 0U);
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(pages) + PAGE_SIZE - 10, 1, 10));
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(pages + 1), nr - 1, 20));
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(pages + 1) + 100, nr, 5));

	/* Stopping early consumes the current piece and no more. */
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);
	pfn_vec_miter_start(&miter, pvec, &iter, 35);
	KUNIT_EXPECT_TRUE(test, pfn_vec_miter_next(&miter));
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), 0);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 35U - want[0]);

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
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_KERNEL);
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
		pool->page[a] = pfn_vec_kunit_alloc_page(test, GFP_HIGHUSER);
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
	unsigned int seed = pfn_vec_kunit_seed();

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

static struct kunit_case pfn_vec_core_cases[] = {
	KUNIT_CASE(pfn_vec_test_set_page),
	KUNIT_CASE(pfn_vec_test_set_folio),
	KUNIT_CASE(pfn_vec_test_set_phys_ram),
	KUNIT_CASE(pfn_vec_test_set_phys_unmanaged),
	KUNIT_CASE(pfn_vec_test_set_phys_mixed),
	KUNIT_CASE(pfn_vec_test_set_phys_wrap),
	KUNIT_CASE(pfn_vec_test_set_phys_end_overflow),
	KUNIT_CASE(pfn_vec_test_set_folio_bounds),
	KUNIT_CASE(pfn_vec_test_pfn_add_carry),
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
	.test_cases = pfn_vec_core_cases,
};

kunit_test_suite(pfn_vec_core_suite);

MODULE_DESCRIPTION("KUnit tests for pfn_vec segments, iterators and accessor");
MODULE_LICENSE("GPL");
