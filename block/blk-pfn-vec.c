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
 * it bounces it through RAM pages with the pfn_vec copy helpers when the
 * CPU can reach every byte of it, and otherwise ends it with
 * BLK_STS_NOTSUPP, with nothing written to the device or to memory.
 */
#include <linux/bio.h>
#include <linux/blk-integrity.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/mempool.h>
#include <linux/mutex.h>
#include <linux/pfn_vec.h>

#include "blk.h"

/* Largest bounce bio, one page per bio_vec; the page pool holds one. */
#define PFN_VEC_BOUNCE_MAX	(BLK_PFN_VEC_BOUNCE_PAGES * PAGE_SIZE)

static struct bio_set pfn_vec_bounce_bs;
static mempool_t pfn_vec_page_pool;
/* Held by the one bounce at a time that waits for pages of the pool. */
static DEFINE_MUTEX(pfn_vec_pool_lock);

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

/* Can @pv be appended to @last as one segment? */
static bool pfn_vec_mergeable(const struct pfn_vec *last,
			      const struct pfn_vec *pv)
{
	u64 flags = PFN_FLAGS_MASK;
	phys_addr_t end, start;
	unsigned int next;

	if ((last->pv_pfn.val & flags) != (pv->pv_pfn.val & flags) ||
	    check_add_overflow(last->pv_offset + last->pv_len, pv->pv_len, &next))
		return false;

	end = pfn_t_to_phys(last->pv_pfn) + last->pv_offset + last->pv_len;
	start = pfn_t_to_phys(pv->pv_pfn) + pv->pv_offset;
	if (end != start)
		return false;

	/* As bio_add_page(): pages of two dev_pagemaps never share a segment. */
	return !pfn_vec_has_page(pv) ||
	       zone_device_pages_have_same_pgmap(pfn_t_to_page(last->pv_pfn),
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
 * Maps each page of the bio's data in turn, without touching it. A bio that
 * passes may still fail later if a region it uses is unregistered while it
 * is in flight, which the region's owner must not allow.
 *
 * Return: 0 if it can; the error pfn_vec_miter_stop() gave for the first
 * page it cannot map otherwise: -ENXIO for memory without struct page that
 * no registered region holds, -EINVAL for a malformed segment.
 */
int bio_pfn_vec_mappable(const struct bio *bio)
{
	struct bvec_iter iter = bio->bi_iter;
	struct pfn_vec_miter miter;

	pfn_vec_miter_start(&miter, bio->bi_pfn_vec, &iter, iter.bi_size);
	while (pfn_vec_miter_next(&miter))
		;
	return pfn_vec_miter_stop(&miter);
}
EXPORT_SYMBOL_GPL(bio_pfn_vec_mappable);

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
 * bio_copy_data_iter() where either bio carries pfn_vecs. The CPU must be
 * able to reach both: a page it cannot map stops the copy, loudly, as the
 * caller has no way to hear of it.
 */
void bio_pfn_vec_copy_data_iter(struct bio *dst, struct bvec_iter *dst_iter,
				struct bio *src, struct bvec_iter *src_iter)
{
	while (src_iter->bi_size && dst_iter->bi_size) {
		struct pfn_vec dv = bio_iter_pfn_vec(dst, *dst_iter);
		struct pfn_vec sv = bio_iter_pfn_vec(src, *src_iter);
		unsigned int n = min(dv.pv_len, sv.pv_len);
		struct bvec_iter di = { .bi_size = n }, si = { .bi_size = n };

		if (WARN_ON_ONCE(pfn_vec_copy(&dv, &di, &sv, &si, n)))
			return;
		bio_advance_iter(src, src_iter, n);
		bio_advance_iter(dst, dst_iter, n);
	}
}

/* zero_fill_bio_iter() for a pfn_vec bio; as above, it must be reachable. */
void bio_pfn_vec_zero_iter(struct bio *bio, struct bvec_iter iter)
{
	WARN_ON_ONCE(pfn_vec_zero(bio->bi_pfn_vec, &iter, iter.bi_size));
}

static void pfn_vec_bounce_put_pages(struct bio *bounce)
{
	struct bvec_iter_all iter_all;
	struct bio_vec *bv;

	bio_for_each_segment_all(bv, bounce, iter_all)
		mempool_free(bv->bv_page, &pfn_vec_page_pool);
	bounce->bi_vcnt = 0;
	bounce->bi_iter.bi_size = 0;
}

static void pfn_vec_bounce_free(struct bio *bounce)
{
	pfn_vec_bounce_put_pages(bounce);
	bio_put(bounce);
}

/*
 * Add pages for @bytes to the empty @bounce, one per bio_vec, all or none.
 * Return: true if it got them, which it always does if @gfp may wait.
 */
static bool pfn_vec_bounce_add_pages(struct bio *bounce, unsigned int bytes,
				     gfp_t gfp)
{
	while (bytes) {
		unsigned int len = min_t(unsigned int, bytes, PAGE_SIZE);
		struct page *page = mempool_alloc(&pfn_vec_page_pool, gfp);

		if (!page) {
			pfn_vec_bounce_put_pages(bounce);
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
 * back if it falls short; then it waits for them, one bounce at a time.
 * The pool holds as many pages as the largest bounce, and those that other
 * bounces hold come back as their I/O ends, so the one that waits gets
 * them.
 */
static void pfn_vec_bounce_fill(struct bio *bounce, unsigned int bytes)
{
	if (pfn_vec_bounce_add_pages(bounce, bytes, GFP_NOWAIT))
		return;
	mutex_lock(&pfn_vec_pool_lock);
	pfn_vec_bounce_add_pages(bounce, bytes, GFP_NOIO);
	mutex_unlock(&pfn_vec_pool_lock);
}

/*
 * Copy between the pages of @bounce and the data of @orig, whole, in the
 * direction of @to_orig. Return: 0, or the copy helpers' error.
 */
static int pfn_vec_bounce_copy(struct bio *bounce, struct bio *orig,
			       bool to_orig)
{
	struct bvec_iter iter = orig->bi_iter;
	struct bvec_iter_all iter_all;
	struct bio_vec *bv;
	int ret = 0;

	bio_for_each_segment_all(bv, bounce, iter_all) {
		void *addr = bvec_kmap_local(bv);

		if (to_orig)
			ret = pfn_vec_memcpy_to(orig->bi_pfn_vec, &iter, addr,
						bv->bv_len);
		else
			ret = pfn_vec_memcpy_from(addr, orig->bi_pfn_vec, &iter,
						  bv->bv_len);
		kunmap_local(addr);
		if (ret)
			break;
	}
	return ret;
}

static void pfn_vec_bounce_end_io(struct bio *bounce)
{
	struct bio *orig = bounce->bi_private;
	blk_status_t status = bounce->bi_status;

	/* A read writes memory only once all of it was read. */
	if (!status && bio_data_dir(orig) == READ &&
	    pfn_vec_bounce_copy(bounce, orig, true))
		status = BLK_STS_NOTSUPP;

	pfn_vec_bounce_free(bounce);
	/*
	 * Never clear an error: a piece split off before this one, and chained
	 * to @orig, may have failed and completed first.
	 */
	if (status)
		orig->bi_status = status;
	bio_endio(orig);
}

/* A bounce bio for @orig, which is at most PFN_VEC_BOUNCE_MAX bytes. */
static struct bio *pfn_vec_bounce_alloc(struct bio *orig)
{
	unsigned int size = orig->bi_iter.bi_size;
	struct bio *bounce;

	bounce = bio_alloc_bioset(orig->bi_bdev, DIV_ROUND_UP(size, PAGE_SIZE),
				  orig->bi_opf, GFP_NOIO, &pfn_vec_bounce_bs);
	bounce->bi_iter.bi_sector = orig->bi_iter.bi_sector;
	bounce->bi_ioprio = orig->bi_ioprio;
	bounce->bi_write_hint = orig->bi_write_hint;
	if (bio_flagged(orig, BIO_REMAPPED))
		bio_set_flag(bounce, BIO_REMAPPED);
	bio_clone_blkg_association(bounce, orig);
	pfn_vec_bounce_fill(bounce, size);
	bounce->bi_private = orig;
	bounce->bi_end_io = pfn_vec_bounce_end_io;
	return bounce;
}

/*
 * Bounce @bio, at most PFN_VEC_BOUNCE_MAX bytes of it, through RAM pages.
 * Return: the bounce bio to submit in its place, or NULL if @bio was ended.
 */
static struct bio *pfn_vec_bounce(struct bio *bio)
{
	struct bio *bounce;
	int ret;

	/* Nothing is bounced that could not be copied back. */
	ret = bio_data_dir(bio) == READ ? bio_pfn_vec_mappable(bio) : 0;
	if (ret || bio_integrity(bio))
		goto fail;

	bounce = pfn_vec_bounce_alloc(bio);
	if (bio_crypt_clone(bounce, bio, GFP_NOIO) < 0)
		goto fail_free;
	if (bio_data_dir(bio) == WRITE && pfn_vec_bounce_copy(bounce, bio, false))
		goto fail_free;
	return bounce;

fail_free:
	pfn_vec_bounce_free(bounce);
fail:
	bio->bi_status = BLK_STS_NOTSUPP;
	bio_endio(bio);
	return NULL;
}

/**
 * blk_pfn_vec_prep - make a pfn_vec bio fit for its queue
 * @bio: a pfn_vec bio on its way to its driver, from __submit_bio()
 *
 * A queue with %BLK_FEAT_PFN_VEC gets @bio as it is, marked %REQ_NOMERGE so
 * that its request holds no other bio, unless blk-crypto may have to
 * encrypt it or the block layer compute its protection information on the
 * CPU. Any other bio is bounced through RAM pages, in pieces of at most
 * %BLK_PFN_VEC_BOUNCE_PAGES pages: the data of a write is copied in now,
 * that of a read piece is copied out when all of the piece was read
 * without error. After a read error the memory of the failed piece is
 * untouched, while pieces that completed hold their data. The bounce bio
 * and its pages come from reserves that always make room for one piece,
 * so under memory pressure a piece waits for them rather than fails.
 *
 * Either way, a bio of which the CPU cannot reach every byte, or that
 * carries an integrity payload, is ended with %BLK_STS_NOTSUPP before any
 * of it moves: drivers that take pfn_vec bios copy with the CPU too.
 *
 * Return: the bio to go on with, or %NULL if @bio was ended.
 */
struct bio *blk_pfn_vec_prep(struct bio *bio)
{
	struct request_queue *q = bdev_get_queue(bio->bi_bdev);
	struct bio *split;

	if ((q->limits.features & BLK_FEAT_PFN_VEC) && !bio_has_crypt_ctx(bio) &&
	    !blk_get_integrity(bio->bi_bdev->bd_disk)) {
		/*
		 * The driver reaches the memory with the CPU. Check all of it
		 * now, before a split can send part of the bio on its way.
		 */
		if (bio_pfn_vec_mappable(bio))
			goto fail;
		/* A request holds one pfn_vec bio, never a mix of kinds. */
		bio->bi_opf |= REQ_NOMERGE;
		return bio;
	}

	if (bio->bi_iter.bi_size > PFN_VEC_BOUNCE_MAX) {
		split = bio_split(bio, PFN_VEC_BOUNCE_MAX >> SECTOR_SHIFT,
				  GFP_NOIO, &bio->bi_bdev->bd_disk->bio_split);
		if (!split)
			goto fail;
		bio_chain(split, bio);
		/* Queued on current->bio_list, and bounced in its turn. */
		submit_bio_noacct(bio);
		bio = split;
	}
	return pfn_vec_bounce(bio);

fail:
	bio->bi_status = BLK_STS_NOTSUPP;
	bio_endio(bio);
	return NULL;
}

static int __init blk_pfn_vec_init(void)
{
	int ret;

	ret = bioset_init(&pfn_vec_bounce_bs, BIO_POOL_SIZE, 0,
			  BIOSET_NEED_BVECS);
	if (ret)
		return ret;
	BUILD_BUG_ON(BLK_PFN_VEC_BOUNCE_PAGES > BIO_MAX_VECS);
	ret = mempool_init_page_pool(&pfn_vec_page_pool,
				     BLK_PFN_VEC_BOUNCE_PAGES, 0);
	if (ret)
		bioset_exit(&pfn_vec_bounce_bs);
	return ret;
}
subsys_initcall(blk_pfn_vec_init);
