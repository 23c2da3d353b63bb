// SPDX-License-Identifier: GPL-2.0
/*
 * Bios of pfn_vec segments: memory with or without struct page.
 *
 * A bio flagged BIO_PFN_VEC carries struct pfn_vec where other bios carry
 * struct bio_vec, in the same array; see <linux/pfn_vec.h>. A queue that
 * declares BLK_FEAT_PFN_VEC takes such bios as they are. For every other
 * queue, and for a bio that blk-crypto may have to encrypt or whose
 * protection information the block layer would compute on the CPU,
 * __submit_bio() converts the bio before anything else looks at its data:
 * it bounces it through RAM pages with the pfn_vec copy helpers. Either
 * way, a bio the queue cannot take, or of which the CPU cannot reach every
 * byte, is ended before any of it moves, to the device or to memory.
 */
#include <linux/bio.h>
#include <linux/blk-integrity.h>
#include <linux/blkdev.h>
#include <linux/fault-inject.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/mempool.h>
#include <linux/mutex.h>
#include <linux/pfn_vec.h>
#include <linux/workqueue.h>
#include <trace/events/block.h>

#include "blk.h"
#include "blk-cgroup.h"
#include "blk-crypto-internal.h"

/* Largest bounce bio; the page pool holds its pages, one per bio_vec. */
#define PFN_VEC_BOUNCE_MAX	(BLK_PFN_VEC_BOUNCE_PAGES * PAGE_SIZE)
/*
 * Or a bounce bio has folios of the page allocator's, each of at most the
 * order that its per-CPU lists keep, and so at most this many of them.
 */
#define PFN_VEC_RUN_ORDER	PAGE_ALLOC_COSTLY_ORDER
#define PFN_VEC_RUN_MAX		(PAGE_SIZE << PFN_VEC_RUN_ORDER)
#define PFN_VEC_RUNS		DIV_ROUND_UP(PFN_VEC_BOUNCE_MAX, PFN_VEC_RUN_MAX)

/*
 * BIO_PFN_VEC takes one of the 16 bits of bi_flags: 15 are in use with it,
 * and the next flag is the last that fits.
 */
static_assert(BIO_FLAG_LAST <=
	      BITS_PER_BYTE * sizeof_field(struct bio, bi_flags));

/* A bounce bio, and the part of the original bio that it carries. */
struct pfn_vec_bounce {
	struct bio		*orig;
	struct bvec_iter	iter;
	struct work_struct	work;	/* copies a read out */
	bool			runs;	/* folios, not pages of the pool */
	struct bio		bio;	/* last, after the bioset's front_pad */
};

static struct bio_set pfn_vec_bounce_bs;
static mempool_t pfn_vec_page_pool;
/* Held by the one bounce at a time that waits for pages of the pool. */
static DEFINE_MUTEX(pfn_vec_pool_lock);

/*
 * Bios that could not get their bounce bios and pages without waiting,
 * bounced from pfn_vec_bounce_work by a task with nothing else to submit.
 */
static DEFINE_SPINLOCK(pfn_vec_bounce_lock);
static struct bio_list pfn_vec_bounce_list;
static struct workqueue_struct *pfn_vec_bounce_wq;
static struct work_struct pfn_vec_bounce_work;
/* Copies reads out of their bounce pages; never waits for the pool. */
static struct workqueue_struct *pfn_vec_copy_wq;

#ifdef CONFIG_FAIL_PFN_VEC_BOUNCE
static DECLARE_FAULT_ATTR(fail_pfn_vec_bounce);

static int __init fail_pfn_vec_bounce_debugfs(void)
{
	struct dentry *dir = fault_create_debugfs_attr("fail_pfn_vec_bounce",
						       NULL,
						       &fail_pfn_vec_bounce);

	return PTR_ERR_OR_ZERO(dir);
}
late_initcall(fail_pfn_vec_bounce_debugfs);

static bool should_fail_pfn_vec_bounce(gfp_t gfp)
{
	if (gfp & __GFP_NOFAIL)
		return false;
	return should_fail_ex(&fail_pfn_vec_bounce, PAGE_SIZE,
			      gfp & __GFP_NOWARN ? FAULT_NOWARN : 0);
}
#else
static bool should_fail_pfn_vec_bounce(gfp_t gfp)
{
	return false;
}
#endif

/*
 * The page allocator behind the pool, which fail_pfn_vec_bounce fails, in
 * any task, so that bounces take their pages from the pool's reserve.
 */
static void *pfn_vec_pool_alloc(gfp_t gfp, void *order)
{
	if (should_fail_pfn_vec_bounce(gfp))
		return NULL;
	return mempool_alloc_pages(gfp, order);
}

/* How many pfn_vecs the bio_vec array of @bio holds. */
static unsigned int bio_max_pfn_vecs(const struct bio *bio)
{
	return bio->bi_max_vecs * sizeof(struct bio_vec) / sizeof(struct pfn_vec);
}

/**
 * bio_alloc_pfn_vec - allocate a bio for pfn_vec segments
 * @bdev:	block device the bio is for
 * @nr_vecs:	number of pfn_vec segments to make room for
 * @opf:	%REQ_OP_READ or %REQ_OP_WRITE, and request flags
 * @gfp:	allocation flags, as for bio_alloc()
 *
 * The segments live in the bio's bio_vec array, which holds @nr_vecs of
 * them; on 32-bit, where struct pfn_vec is larger than struct bio_vec,
 * that is at most 3/4 of %BIO_MAX_VECS. Add them with bio_add_pfn_vec().
 *
 * Return: the bio, or %NULL if @nr_vecs is more than a bio holds, @opf is
 * not a read or a write, or memory ran out.
 */
struct bio *bio_alloc_pfn_vec(struct block_device *bdev,
			      unsigned short nr_vecs, blk_opf_t opf, gfp_t gfp)
{
	size_t bytes = (size_t)nr_vecs * sizeof(struct pfn_vec);
	enum req_op op = opf & REQ_OP_MASK;
	struct bio *bio;

	if (bytes > BIO_MAX_VECS * sizeof(struct bio_vec) ||
	    (op != REQ_OP_READ && op != REQ_OP_WRITE))
		return NULL;

	bio = bio_alloc(bdev, DIV_ROUND_UP(bytes, sizeof(struct bio_vec)), opf,
			gfp);
	if (bio)
		bio_set_flag(bio, BIO_PFN_VEC);
	return bio;
}
EXPORT_SYMBOL_GPL(bio_alloc_pfn_vec);

/*
 * Can @pv be appended to @last as one segment? Only if it continues it
 * physically, is memory of the same kind, and has the same owner: pages
 * of one dev_pagemap, or memory of one registered region.
 */
static bool pfn_vec_mergeable(const struct pfn_vec *last,
			      const struct pfn_vec *pv)
{
	u64 flags = PFN_FLAGS_MASK;
	phys_addr_t end, start;
	unsigned int next;

	if ((last->pv_pfn.val & flags) != (pv->pv_pfn.val & flags) ||
	    check_add_overflow(last->pv_offset + last->pv_len, pv->pv_len, &next))
		return false;

	end = pfn_vec_phys(last) + last->pv_len;
	start = pfn_vec_phys(pv);
	if (end != start)
		return false;

	if (!pfn_vec_has_page(pv))
		return pfn_vec_same_region(PHYS_PFN(end - 1), PHYS_PFN(start));
	/* As bio_add_page(): pages of two dev_pagemaps never share a segment. */
	return zone_device_pages_have_same_pgmap(pfn_t_to_page(last->pv_pfn),
						 pfn_t_to_page(pv->pv_pfn));
}

/**
 * bio_add_pfn_vec - add a segment to a pfn_vec bio
 * @bio:	a bio from bio_alloc_pfn_vec()
 * @pv:		the segment
 *
 * Like bio_add_page(), the segment is merged into the last one when it
 * continues it physically, and the bio never grows past %UINT_MAX bytes.
 *
 * Return: @pv->pv_len if the segment was added, 0 if it was not: @pv is
 * empty or malformed, the bio is full, would pass %UINT_MAX bytes, is a
 * clone, or is not a pfn_vec bio.
 */
int bio_add_pfn_vec(struct bio *bio, const struct pfn_vec *pv)
{
	if (WARN_ON_ONCE(!bio_is_pfn_vec(bio)) ||
	    WARN_ON_ONCE(bio_flagged(bio, BIO_CLONED)))
		return 0;
	if (!pv->pv_len || !pfn_vec_valid(pv) ||
	    bio->bi_iter.bi_size > UINT_MAX - pv->pv_len)
		return 0;

	if (bio->bi_vcnt &&
	    pfn_vec_mergeable(&bio->bi_pfn_vec[bio->bi_vcnt - 1], pv)) {
		bio->bi_pfn_vec[bio->bi_vcnt - 1].pv_len += pv->pv_len;
	} else {
		if (bio->bi_vcnt >= bio_max_pfn_vecs(bio))
			return 0;
		bio->bi_pfn_vec[bio->bi_vcnt++] = *pv;
	}
	bio->bi_iter.bi_size += pv->pv_len;
	return pv->pv_len;
}
EXPORT_SYMBOL_GPL(bio_add_pfn_vec);

/* bio_advance_iter() for a pfn_vec bio. */
void bio_pfn_vec_advance_iter(const struct bio *bio, struct bvec_iter *iter,
			      unsigned int bytes)
{
	pfn_vec_iter_advance(bio->bi_pfn_vec, iter, bytes);
}
EXPORT_SYMBOL_GPL(bio_pfn_vec_advance_iter);

/**
 * bio_pfn_vec_mappable - can the CPU reach every byte of a pfn_vec bio?
 * @bio: the bio
 *
 * Checks each segment of the bio's data with pfn_vec_check(), before the
 * accessor, which believes a segment's flags, maps any of it: once per
 * segment, and once per region of memory without struct page. A bio that
 * passes may still fail later if a region it uses is unregistered while it
 * is in flight, which the region's owner must not allow.
 *
 * Return: 0 if it can; the error pfn_vec_check() gave for the first
 * segment it cannot reach otherwise: -ENXIO for memory that no region
 * registered for the CPU holds, or device-private or offline pages;
 * -EINVAL for a malformed segment, or one whose flags misname its memory.
 */
int bio_pfn_vec_mappable(const struct bio *bio)
{
	struct bvec_iter iter = bio->bi_iter;
	int ret;

	while (iter.bi_size) {
		struct pfn_vec pv = mp_pfn_vec_iter_pvec(bio->bi_pfn_vec, iter);

		ret = pfn_vec_check(&pv);
		if (ret)
			return ret;
		pfn_vec_iter_advance_single(bio->bi_pfn_vec, &iter, pv.pv_len);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(bio_pfn_vec_mappable);

/**
 * bio_pfn_vec_cur_bytes - bytes in the current segment of a pfn_vec bio
 * @bio: the bio
 *
 * What blk_rq_cur_bytes() gives for a request of @bio: the bytes of its
 * current single-page view, as bio_iovec() gives those of a bio_vec bio.
 *
 * Return: the byte count.
 */
unsigned int bio_pfn_vec_cur_bytes(const struct bio *bio)
{
	return pfn_vec_iter_pvec(bio->bi_pfn_vec, bio->bi_iter).pv_len;
}
EXPORT_SYMBOL_GPL(bio_pfn_vec_cur_bytes);

/* The single-page view of @bio under @iter, as a pfn_vec of either kind. */
static struct pfn_vec bio_iter_pfn_vec(const struct bio *bio,
				       struct bvec_iter iter)
{
	struct pfn_vec pv;

	if (bio_is_pfn_vec(bio))
		return pfn_vec_iter_pvec(bio->bi_pfn_vec, iter);
	pfn_vec_set_page(&pv, bvec_iter_page(bio->bi_io_vec, iter),
			 bvec_iter_len(bio->bi_io_vec, iter),
			 bvec_iter_offset(bio->bi_io_vec, iter));
	return pv;
}

/*
 * bio_copy_data_iter() where either bio carries pfn_vecs. A page the CPU
 * cannot reach stops the copy; as the caller cannot hear of it, both bios
 * get BLK_STS_NOTSUPP.
 */
void bio_pfn_vec_copy_data_iter(struct bio *dst, struct bvec_iter *dst_iter,
				struct bio *src, struct bvec_iter *src_iter)
{
	while (src_iter->bi_size && dst_iter->bi_size) {
		struct pfn_vec dv = bio_iter_pfn_vec(dst, *dst_iter);
		struct pfn_vec sv = bio_iter_pfn_vec(src, *src_iter);
		unsigned int n = min(dv.pv_len, sv.pv_len);
		struct bvec_iter di = { .bi_size = n }, si = { .bi_size = n };

		if (pfn_vec_copy(&dv, &di, &sv, &si, n)) {
			dst->bi_status = BLK_STS_NOTSUPP;
			src->bi_status = BLK_STS_NOTSUPP;
			return;
		}
		bio_advance_iter(src, src_iter, n);
		bio_advance_iter(dst, dst_iter, n);
	}
}

/*
 * zero_fill_bio_iter() for a pfn_vec bio. A page the CPU cannot reach stops
 * it, and gives the bio BLK_STS_NOTSUPP.
 */
void bio_pfn_vec_zero_iter(struct bio *bio, struct bvec_iter iter)
{
	if (pfn_vec_zero(bio->bi_pfn_vec, &iter, iter.bi_size))
		bio->bi_status = BLK_STS_NOTSUPP;
}

/* Each bio_vec of @bounce is a folio if @runs, else a page of the pool. */
static void pfn_vec_bounce_put_pages(struct bio *bounce, bool runs)
{
	struct bio_vec *bv;
	int i;

	bio_for_each_bvec_all(bv, bounce, i) {
		if (runs)
			folio_put(page_folio(bv->bv_page));
		else
			mempool_free(bv->bv_page, &pfn_vec_page_pool);
	}
	bounce->bi_vcnt = 0;
	bounce->bi_iter.bi_size = 0;
}

static void pfn_vec_bounce_free(struct pfn_vec_bounce *pb)
{
	pfn_vec_bounce_put_pages(&pb->bio, pb->runs);
	bio_put(&pb->bio);
}

static void pfn_vec_bounce_put_runs(struct folio **runs, unsigned int nr)
{
	while (nr)
		folio_put(runs[--nr]);
}

/*
 * Folios for a bounce of @bytes, in @runs, if the page allocator has them
 * at once: each of up to PFN_VEC_RUN_MAX bytes, which it serves from its
 * per-CPU lists, so that a bounce bio has a few bio_vecs (four, inline in
 * the bio, for 128 KiB), each copied in one piece. All or none. Never
 * waits, wakes kswapd, warns or dips into the reserves: the pool is the
 * fallback. Return: how many; 0 for none.
 */
static unsigned int pfn_vec_bounce_runs(unsigned int bytes,
					struct folio **runs)
{
	gfp_t gfp = (GFP_NOWAIT | __GFP_NOMEMALLOC) & ~__GFP_KSWAPD_RECLAIM;
	unsigned int nr = 0;

	if (bytes <= PAGE_SIZE || should_fail_pfn_vec_bounce(gfp))
		return 0;
	while (bytes) {
		unsigned int len = min_t(unsigned int, bytes, PFN_VEC_RUN_MAX);
		struct folio *folio = folio_alloc(gfp, get_order(len));

		if (!folio) {
			pfn_vec_bounce_put_runs(runs, nr);
			return 0;
		}
		runs[nr++] = folio;
		bytes -= len;
	}
	return nr;
}

/*
 * Add pages of the pool for @bytes to the empty @bounce, one per bio_vec,
 * all or none. Return: true if it got them, which it always does if @gfp
 * may wait.
 */
static bool pfn_vec_bounce_add_pages(struct bio *bounce, unsigned int bytes,
				     gfp_t gfp)
{
	while (bytes) {
		unsigned int len = min_t(unsigned int, bytes, PAGE_SIZE);
		struct page *page = mempool_alloc(&pfn_vec_page_pool, gfp);

		if (!page) {
			pfn_vec_bounce_put_pages(bounce, false);
			return false;
		}
		__bio_add_page(bounce, page, len, 0);
		bytes -= len;
	}
	return true;
}

/*
 * Give @bounce its pages. Were they taken one at a time from the pool with
 * waiting allowed, bounces running at once could each hold part of the
 * pool and wait for the rest, for ever. So a bounce first takes its pages
 * without waiting, from the page allocator or the pool, and gives them all
 * back if it falls short; then, if @wait, it waits for them, one bounce at
 * a time. The pool holds as many pages as the largest bounce, and those
 * that other bounces hold come back as their I/O ends, so the one that
 * waits gets them. Only pfn_vec_bounce_work waits, and only with nothing
 * of its own left to submit.
 */
static bool pfn_vec_bounce_fill(struct bio *bounce, unsigned int bytes,
				bool wait)
{
	if (pfn_vec_bounce_add_pages(bounce, bytes, GFP_NOWAIT))
		return true;
	if (!wait)
		return false;
	mutex_lock(&pfn_vec_pool_lock);
	pfn_vec_bounce_add_pages(bounce, bytes, GFP_NOIO);
	mutex_unlock(&pfn_vec_pool_lock);
	return true;
}

/*
 * Copy between the pages of @pb's bounce bio and the part of the original
 * bio it carries, in the direction of @to_orig, through one iterator: a
 * region is looked up once per bounce bio, and a run of pages is copied
 * in one call. A bounce's pages are never highmem, so their addresses nest
 * with the iterator's kmap_local_page() mappings in any order. Return: 0,
 * or the copy helpers' error.
 */
static int pfn_vec_bounce_copy(struct pfn_vec_bounce *pb, bool to_orig)
{
	struct bvec_iter iter = pb->iter;
	struct pfn_vec_miter miter;
	struct bio_vec *bv;
	int ret = 0, i;

	pfn_vec_miter_start(&miter, pb->orig->bi_pfn_vec, &iter, iter.bi_size);
	bio_for_each_bvec_all(bv, &pb->bio, i) {
		void *addr = bvec_virt(bv);

		if (to_orig)
			ret = pfn_vec_miter_memcpy_to(&miter, addr, bv->bv_len);
		else
			ret = pfn_vec_miter_memcpy_from(addr, &miter,
							bv->bv_len);
		if (ret)
			break;
	}
	return pfn_vec_miter_stop(&miter) ?: ret;
}

/*
 * The end of one bounce bio. The original bio ends with the last; an error
 * is never cleared, as another piece may have failed and ended first.
 */
static void pfn_vec_bounce_end(struct pfn_vec_bounce *pb, blk_status_t status)
{
	struct bio *orig = pb->orig;

	pfn_vec_bounce_free(pb);
	if (status)
		orig->bi_status = status;
	bio_endio(orig);
}

/* A read writes memory only once all of its piece was read. */
static void pfn_vec_bounce_copy_work(struct work_struct *work)
{
	struct pfn_vec_bounce *pb = container_of(work, struct pfn_vec_bounce,
						 work);

	pfn_vec_bounce_end(pb, pfn_vec_bounce_copy(pb, true) ?
			   BLK_STS_NOTSUPP : BLK_STS_OK);
}

/*
 * A piece is up to 256 KiB of memory to write, I/O memory mostly, which
 * must not hold off interrupts, softirqs or preemption: a read's copy-out
 * runs where the bounce bio ends only if that may be preempted, as when a
 * driver ends bios in its submitter's context (brd), and otherwise from a
 * work item. Without CONFIG_PREEMPT_COUNT that cannot be told, and it is
 * always the work item.
 */
static void pfn_vec_bounce_end_io(struct bio *bounce)
{
	struct pfn_vec_bounce *pb = container_of(bounce, struct pfn_vec_bounce,
						 bio);

	if (bounce->bi_status || bio_data_dir(pb->orig) != READ)
		pfn_vec_bounce_end(pb, bounce->bi_status);
	else if (preemptible())
		pfn_vec_bounce_copy_work(&pb->work);
	else
		queue_work(pfn_vec_copy_wq, &pb->work);
}

/*
 * A bounce bio for the @len bytes of @orig at @iter, its pages, and a
 * write's data copied in. Only if @wait may it wait, for the bioset and the
 * pool. Return: the bounce, or NULL if @wait is false and memory is short;
 * an ERR_PTR() if the data could not be copied.
 */
static struct pfn_vec_bounce *pfn_vec_bounce_alloc(struct bio *orig,
						   struct bvec_iter iter,
						   unsigned int len, bool wait)
{
	unsigned int done = orig->bi_iter.bi_size - iter.bi_size;
	gfp_t gfp = wait ? GFP_NOIO : GFP_NOWAIT;
	struct folio *runs[PFN_VEC_RUNS];
	unsigned int nr_runs = pfn_vec_bounce_runs(len, runs), i;
	struct pfn_vec_bounce *pb;
	struct bio *bounce;

	bounce = bio_alloc_bioset(orig->bi_bdev,
				  nr_runs ?: DIV_ROUND_UP(len, PAGE_SIZE),
				  orig->bi_opf & ~REQ_POLLED, gfp,
				  &pfn_vec_bounce_bs);
	if (!bounce) {
		pfn_vec_bounce_put_runs(runs, nr_runs);
		return NULL;
	}
	pb = container_of(bounce, struct pfn_vec_bounce, bio);
	pb->orig = orig;
	pb->iter = iter;
	pb->iter.bi_size = len;
	INIT_WORK(&pb->work, pfn_vec_bounce_copy_work);
	bounce->bi_iter.bi_sector = iter.bi_sector;
	bounce->bi_ioprio = orig->bi_ioprio;
	bounce->bi_write_hint = orig->bi_write_hint;
	if (bio_flagged(orig, BIO_REMAPPED))
		bio_set_flag(bounce, BIO_REMAPPED);
	/* @orig was throttled and accounted to its cgroup already. */
	if (bio_flagged(orig, BIO_BPS_THROTTLED))
		bio_set_flag(bounce, BIO_BPS_THROTTLED);
	if (bio_flagged(orig, BIO_CGROUP_ACCT))
		bio_set_flag(bounce, BIO_CGROUP_ACCT);
	bio_clone_blkg_association(bounce, orig);
	bounce->bi_end_io = pfn_vec_bounce_end_io;

	pb->runs = nr_runs > 0;
	for (i = 0; i < nr_runs; i++)
		bio_add_folio_nofail(bounce, runs[i],
				     min_t(unsigned int, len - i * PFN_VEC_RUN_MAX,
					   PFN_VEC_RUN_MAX), 0);
	if ((!nr_runs && !pfn_vec_bounce_fill(bounce, len, wait)) ||
	    bio_crypt_clone(bounce, orig, gfp) < 0) {
		pfn_vec_bounce_free(pb);
		return NULL;
	}
	/* Its data unit number is that of its first byte, as for a split. */
	bio_crypt_advance(bounce, done);
	blkcg_bio_issue_init(bounce);
	if (bio_data_dir(orig) == WRITE && pfn_vec_bounce_copy(pb, false)) {
		pfn_vec_bounce_free(pb);
		return ERR_PTR(-ENXIO);
	}
	return pb;
}

/* @orig is to be bounced: trace it, and count its bytes for its queue. */
static void pfn_vec_bounce_account(struct bio *orig)
{
	trace_block_bio_bounce(orig);
	atomic64_add(orig->bi_iter.bi_size,
		     &bdev_get_queue(orig->bi_bdev)->pfn_vec_bounced);
}

/* The bytes of the bounce bio that carries @iter's part of a bio. */
static unsigned int pfn_vec_bounce_len(struct bvec_iter iter)
{
	return min_t(unsigned int, iter.bi_size, PFN_VEC_BOUNCE_MAX);
}

/*
 * Bounce @orig from a task that submits nothing else, one piece at a time:
 * each is submitted, all of it, before the next waits for the pool, so
 * that what it waits for is I/O in flight. Runs where it may wait.
 */
static void pfn_vec_bounce_wait(struct bio *orig)
{
	struct bvec_iter iter = orig->bi_iter;
	struct pfn_vec_bounce *pb;

	do {
		unsigned int len = pfn_vec_bounce_len(iter);

		pb = pfn_vec_bounce_alloc(orig, iter, len, true);
		if (IS_ERR(pb)) {
			/* Only if the owner unregistered memory in use. */
			orig->bi_status = BLK_STS_NOTSUPP;
			break;
		}
		bio_inc_remaining(orig);
		submit_bio_noacct(&pb->bio);
		bio_advance_iter(orig, &iter, len);
	} while (iter.bi_size);
	bio_endio(orig);
}

static void pfn_vec_bounce_workfn(struct work_struct *work)
{
	struct bio *orig;

	for (;;) {
		spin_lock(&pfn_vec_bounce_lock);
		orig = bio_list_pop(&pfn_vec_bounce_list);
		spin_unlock(&pfn_vec_bounce_lock);
		if (!orig)
			return;
		pfn_vec_bounce_wait(orig);
		cond_resched();
	}
}

/*
 * Bounce @orig without waiting for memory: a task in __submit_bio() may
 * hold, on current->bio_list, the very bios whose pages and bioset entries
 * a wait would be for. Every bounce bio of @orig is allocated, and a
 * write's data copied in, before any is submitted; if memory is short for
 * any, those allocated are freed and @orig goes to pfn_vec_bounce_work,
 * which may wait. A REQ_NOWAIT bio is ended with BLK_STS_AGAIN instead.
 * Return: the first bounce bio, to submit in @orig's place; NULL if @orig
 * was ended or handed on.
 */
static struct bio *pfn_vec_bounce(struct bio *orig)
{
	unsigned int nr = DIV_ROUND_UP(orig->bi_iter.bi_size, PFN_VEC_BOUNCE_MAX);
	struct bvec_iter iter = orig->bi_iter;
	struct bio_list bounces = BIO_EMPTY_LIST;
	blk_status_t status = BLK_STS_AGAIN;
	struct pfn_vec_bounce *pb;
	struct bio *bounce;

	if (nr > 1 && (orig->bi_opf & REQ_NOWAIT))
		goto fail;
	/*
	 * The work item bounces in the order bios reach it: a zoned write
	 * goes there, never inline, lest one after it be written first.
	 */
	if (nr > BLK_PFN_VEC_BOUNCE_INLINE ||
	    (op_is_write(bio_op(orig)) && bdev_is_zoned(orig->bi_bdev)))
		goto punt;
	do {
		unsigned int len = pfn_vec_bounce_len(iter);

		pb = pfn_vec_bounce_alloc(orig, iter, len, false);
		if (IS_ERR_OR_NULL(pb))
			break;
		bio_list_add(&bounces, &pb->bio);
		bio_advance_iter(orig, &iter, len);
	} while (iter.bi_size);

	if (IS_ERR_OR_NULL(pb)) {
		while ((bounce = bio_list_pop(&bounces)))
			pfn_vec_bounce_free(container_of(bounce,
							 struct pfn_vec_bounce,
							 bio));
		if (IS_ERR(pb)) {
			status = BLK_STS_NOTSUPP;
			goto fail;
		}
		if (orig->bi_opf & REQ_NOWAIT)
			goto fail;
		goto punt;
	}

	pfn_vec_bounce_account(orig);
	bounce = bio_list_pop(&bounces);
	if (!bio_list_empty(&bounces)) {
		struct bio *more;

		/* @orig ends with its last bounce bio, and not before. */
		bio_list_for_each(more, &bounces)
			bio_inc_remaining(orig);
		while ((more = bio_list_pop(&bounces)))
			submit_bio_noacct(more);
	}
	return bounce;

punt:
	pfn_vec_bounce_account(orig);
	spin_lock(&pfn_vec_bounce_lock);
	bio_list_add(&pfn_vec_bounce_list, orig);
	spin_unlock(&pfn_vec_bounce_lock);
	queue_work(pfn_vec_bounce_wq, &pfn_vec_bounce_work);
	return NULL;

fail:
	orig->bi_status = status;
	bio_endio(orig);
	return NULL;
}

/**
 * blk_pfn_vec_check_rw - what no queue takes of a pfn_vec bio
 * @bio: the bio
 *
 * An operation other than a read or a write, such as a zone append made of
 * a write, which a bounce would turn into several; a size or start that is
 * not a multiple of the logical block size, which a split would take to
 * bio_split()'s BUG_ON.
 *
 * Return: %BLK_STS_NOTSUPP, %BLK_STS_INVAL, or %BLK_STS_OK if neither.
 */
blk_status_t blk_pfn_vec_check_rw(struct bio *bio)
{
	unsigned int mask = bdev_logical_block_size(bio->bi_bdev) - 1;

	if (bio_op(bio) != REQ_OP_READ && bio_op(bio) != REQ_OP_WRITE)
		return BLK_STS_NOTSUPP;
	if (((bio->bi_iter.bi_sector << SECTOR_SHIFT) | bio->bi_iter.bi_size) &
	    mask)
		return BLK_STS_INVAL;
	return BLK_STS_OK;
}

/**
 * blk_pfn_vec_native - may a pfn_vec bio go to its driver as it is?
 * @bio: the bio
 *
 * Only if the queue declares %BLK_FEAT_PFN_VEC and not
 * %BLK_FEAT_BOUNCE_HIGH, blk-crypto will not have to encrypt @bio and the
 * block layer will not compute its protection information: those CPU
 * paths only ever see pages. Read by
 * blk_pfn_vec_prep() before @bio enters its queue, and again, by
 * blk_pfn_vec_resubmit(), once it has.
 *
 * Return: true if it may.
 */
bool blk_pfn_vec_native(struct bio *bio)
{
	struct request_queue *q = bdev_get_queue(bio->bi_bdev);

	return (q->limits.features & BLK_FEAT_PFN_VEC) &&
	       !(q->limits.features & BLK_FEAT_BOUNCE_HIGH) &&
	       !bio_has_crypt_ctx(bio) &&
	       !blk_get_integrity(bio->bi_bdev->bd_disk);
}

/**
 * blk_pfn_vec_prep - make a pfn_vec bio fit for its queue
 * @bio: a pfn_vec bio on its way to its driver, from __submit_bio()
 *
 * First, with nothing moved yet, @bio is ended with %BLK_STS_NOTSUPP if it
 * is neither a read nor a write, with %BLK_STS_INVAL if its start or size
 * is not a multiple of the queue's logical block size, and with
 * %BLK_STS_NOTSUPP if the CPU cannot reach every byte of it: drivers that
 * take pfn_vec bios copy with the CPU too.
 *
 * A queue with %BLK_FEAT_PFN_VEC then gets @bio as it is, marked
 * %REQ_NOMERGE so that its request holds no other bio, unless blk-crypto
 * may have to encrypt it or the block layer compute its protection
 * information on the CPU. Any other bio is bounced through RAM pages, in
 * bounce bios of at most %BLK_PFN_VEC_BOUNCE_PAGES pages: the data of a
 * write is copied in before any is submitted, that of a read is copied out
 * once all of its bounce bio was read without error, where the bounce bio
 * ends if that may be preempted, else from a work item.
 * After a read error the memory of the failed bounce bio is untouched,
 * while those that completed hold their data. Bounce bios and their pages
 * come from reserves that always make room for one. A bio that cannot get
 * them without waiting, one of more than four bounce bios, and a write to
 * a zoned device are bounced from a work item that may wait, in the order
 * they reach it. The queue counts the bytes of the bios it bounces, in
 * pfn_vec_bounced.
 *
 * On the bounce path, a bio that carries an integrity payload is ended
 * with %BLK_STS_NOTSUPP; a %REQ_ATOMIC bio of more than one bounce bio,
 * which would be torn, with %BLK_STS_INVAL; a %REQ_NOWAIT bio of more than
 * one bounce bio, or that would have to wait for memory, with
 * %BLK_STS_AGAIN. A %REQ_POLLED bio is bounced by bounce bios that are not
 * polled, so it completes by interrupt. All of these move nothing.
 *
 * Return: the bio to go on with, or %NULL if @bio was ended or handed on.
 */
struct bio *blk_pfn_vec_prep(struct bio *bio)
{
	blk_status_t status;

	status = blk_pfn_vec_check_rw(bio);
	if (status)
		goto fail;
	/* Drivers that take pfn_vec bios as they are copy with the CPU too. */
	status = BLK_STS_NOTSUPP;
	if (bio_pfn_vec_mappable(bio))
		goto fail;
	if (blk_pfn_vec_native(bio)) {
		/* A request holds one pfn_vec bio, never a mix of kinds. */
		bio->bi_opf |= REQ_NOMERGE;
		return bio;
	}

	status = BLK_STS_NOTSUPP;
	if (bio_integrity(bio))
		goto fail;
	status = BLK_STS_INVAL;
	if ((bio->bi_opf & REQ_ATOMIC) &&
	    bio->bi_iter.bi_size > PFN_VEC_BOUNCE_MAX)
		goto fail;
	return pfn_vec_bounce(bio);

fail:
	bio->bi_status = status;
	bio_endio(bio);
	return NULL;
}

static int __init blk_pfn_vec_init(void)
{
	int ret;

	BUILD_BUG_ON(BLK_PFN_VEC_BOUNCE_PAGES > BIO_MAX_VECS);
	INIT_WORK(&pfn_vec_bounce_work, pfn_vec_bounce_workfn);
	pfn_vec_bounce_wq = alloc_ordered_workqueue("pfn_vec_bounce",
						    WQ_MEM_RECLAIM);
	pfn_vec_copy_wq = alloc_workqueue("pfn_vec_copy", WQ_MEM_RECLAIM, 0);
	if (!pfn_vec_bounce_wq || !pfn_vec_copy_wq)
		goto fail;
	ret = bioset_init(&pfn_vec_bounce_bs, BIO_POOL_SIZE,
			  offsetof(struct pfn_vec_bounce, bio),
			  BIOSET_NEED_BVECS);
	if (ret)
		goto fail;
	ret = mempool_init(&pfn_vec_page_pool, BLK_PFN_VEC_BOUNCE_PAGES,
			   pfn_vec_pool_alloc, mempool_free_pages, (void *)0);
	if (ret)
		goto fail_bs;
	return 0;

fail_bs:
	bioset_exit(&pfn_vec_bounce_bs);
fail:
	if (pfn_vec_copy_wq)
		destroy_workqueue(pfn_vec_copy_wq);
	if (pfn_vec_bounce_wq)
		destroy_workqueue(pfn_vec_bounce_wq);
	return -ENOMEM;
}
subsys_initcall(blk_pfn_vec_init);
