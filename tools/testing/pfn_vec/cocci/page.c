// SPDX-License-Identifier: GPL-2.0
/*
 * Plants for pfn_vec.cocci, rule 1: the struct page of a pfn_vec segment
 * taken without asking whether it has one. Not built; spatch only. Every
 * function named bad_* holds exactly the misuses that page.*.expected
 * lists; every ok_* function must produce nothing.
 */
#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/pfn_vec.h>

/* kmap of a segment through a pfn_vec pointer. */
static void bad_kmap_pointer(const struct pfn_vec *pv, const void *buf)
{
	void *p = kmap_local_page(pfn_t_to_page(pv->pv_pfn));

	memcpy(p + pv->pv_offset, buf, pv->pv_len);
	kunmap_local(p);
}

/* page_address() of a segment held by value. */
static void *bad_page_address(struct pfn_vec pv)
{
	return page_address(pfn_t_to_page(pv.pv_pfn)) + pv.pv_offset;
}

/* The loop variable of bio_for_each_pfn_vec(), through a local page. */
static void bad_bio_loop(struct bio *bio)
{
	struct bvec_iter iter;
	struct pfn_vec pv;

	bio_for_each_pfn_vec(pv, bio, iter) {
		struct page *page = pfn_t_to_page(pv.pv_pfn);
		u8 *p = kmap_atomic(page);

		p[pv.pv_offset] ^= 1;
		kunmap_atomic(p);
	}
}

/* A page taken, then stored and used without a NULL check. */
static void bad_stored(struct bio *bio, struct page **pages, int i)
{
	struct page *page;

	page = pfn_t_to_page(bio->bi_pfn_vec[i].pv_pfn);
	get_page(page);
	pages[i] = page;
}

/* The raw frame number turned into a page: never NULL, just wrong. */
static void bad_pfn_to_page(const struct pfn_vec *pv)
{
	void *p = kmap(pfn_to_page(pfn_t_to_pfn(pv->pv_pfn)));

	clear_page(p);
	kunmap(pfn_to_page(pfn_t_to_pfn(pv->pv_pfn)));
}

/* The same through a local frame number. */
static void bad_pfn_local(const struct pfn_vec *pv)
{
	unsigned long pfn = pfn_t_to_pfn(pv->pv_pfn) + pv->pv_offset / PAGE_SIZE;
	void *p = kmap_local_page(pfn_to_page(pfn));

	clear_page(p);
	kunmap_local(p);
}

/* The linear map address of a frame that may not be in it. */
static void bad_va(const struct pfn_vec *pv)
{
	memset(__va(pfn_t_to_phys(pv->pv_pfn)) + pv->pv_offset, 0, pv->pv_len);
}

/* A check that comes too late does not guard the first iteration. */
static void bad_check_after(const struct pfn_vec *pvec, int nr)
{
	int i;

	for (i = 0; i < nr; i++) {
		flush_dcache_page(pfn_t_to_page(pvec[i].pv_pfn));
		if (!pfn_vec_has_page(&pvec[i]))
			break;
	}
}

/* The single-page view's frame under a cursor. */
static void bad_iter_pfn(const struct pfn_vec *pvec, struct bvec_iter iter)
{
	void *p = kmap_local_page(pfn_t_to_page(pfn_vec_iter_pfn(pvec, iter)));

	kunmap_local(p);
}

/* Guarded by an early return. */
static int ok_early_return(const struct pfn_vec *pv, const void *buf)
{
	void *p;

	if (!pfn_vec_has_page(pv))
		return -EOPNOTSUPP;
	p = kmap_local_page(pfn_t_to_page(pv->pv_pfn));
	memcpy(p + pv->pv_offset, buf, pv->pv_len);
	kunmap_local(p);
	return 0;
}

/* Guarded inside the expression, as blk-pfn-vec.c merges segments. */
static bool ok_same_expression(const struct pfn_vec *last,
			       const struct pfn_vec *pv)
{
	return !pfn_vec_has_page(pv) ||
	       zone_device_pages_have_same_pgmap(pfn_t_to_page(last->pv_pfn),
						 pfn_t_to_page(pv->pv_pfn));
}

/* Guarded by pfn_t_has_page() and by a conditional expression. */
static struct page *ok_conditional(struct pfn_vec pv)
{
	return pfn_t_has_page(pv.pv_pfn) ? pfn_t_to_page(pv.pv_pfn) : NULL;
}

/* Guarded in the loop, before the use. */
static void ok_loop(struct bio *bio)
{
	struct bvec_iter iter;
	struct pfn_vec pv;

	bio_for_each_pfn_vec(pv, bio, iter) {
		if (!pfn_vec_has_page(&pv))
			continue;
		flush_dcache_page(pfn_t_to_page(pv.pv_pfn));
	}
}

/* pfn_t_to_page() is NULL for a frame without struct page: test it. */
static void *ok_null_checked(const struct pfn_vec *pv)
{
	struct page *page = pfn_t_to_page(pv->pv_pfn);

	if (!page)
		return NULL;
	return kmap_local_page(page) + pv->pv_offset;
}

/* Comparing the result, as the KUnit tests do, touches no memory. */
static bool ok_compare(const struct pfn_vec *pv, struct page *page)
{
	return pfn_t_to_page(pv->pv_pfn) == page;
}

static void ok_kunit(struct kunit *test, struct pfn_vec pv, struct page *page)
{
	KUNIT_EXPECT_PTR_EQ(test, pfn_t_to_page(pv.pv_pfn), page);
	KUNIT_EXPECT_NULL(test, pfn_t_to_page(pv.pv_pfn));
}

/* Guarded frame number, as mm/pfn_vec.c maps a page. */
static void *ok_pfn_local(const struct pfn_vec *pv)
{
	unsigned long pfn = pfn_t_to_pfn(pv->pv_pfn) + pv->pv_offset / PAGE_SIZE;

	if (pfn_vec_has_page(pv))
		return kmap_local_page(pfn_to_page(pfn));
	return NULL;
}

/* The accessor is the right tool: it maps either kind. */
static int ok_accessor(const struct pfn_vec *pv, const void *buf)
{
	struct pfn_vec_map m;
	int ret;

	ret = pfn_vec_kmap_local(pv, &m);
	if (ret)
		return ret;
	iosys_map_memcpy_to(&m.map, 0, buf, pv->pv_len);
	pfn_vec_kunmap_local(&m);
	return 0;
}

/* A bio_vec is not a pfn_vec: its page is always there. */
static void ok_bio_vec(struct bio_vec *bv)
{
	void *p = kmap_local_page(bv->bv_page);

	kunmap_local(p);
}
