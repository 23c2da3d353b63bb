// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_block_disk: pfn_vec bios bounced to a disk of the
 * test's own (struct tdisk): a read that fails half way, an atomic write,
 * a driver that stops taking pfn_vec bios while one waits for its queue,
 * a bio-based driver that declares BLK_FEAT_PFN_VEC_DMA, a disk removed
 * while bios wait to be bounced to it,
 * and, with BLK_DEV_INTEGRITY and BLK_INLINE_ENCRYPTION_FALLBACK, the
 * protection information and the ciphertext of BAR data, which must equal
 * those of the same bytes written from RAM.
 */
#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blk-crypto.h>
#include <linux/blk-integrity.h>
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/slab.h>
#include <linux/t10-pi.h>

#include "../blk.h"
#include "pfn_vec_block_kunit.h"

/*
 * A bounced read is copied out piece by piece, each piece once all of it
 * was read without error: a read that fails half way ends with the
 * device's error, the pieces before the failing one hold their data and
 * the memory of the failing one is untouched. A bio of memory out of the
 * CPU's reach fails as ever, with -EOPNOTSUPP and nothing moved.
 */
static void pfn_vec_block_test_read_error(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	u8 *buf = kunit_kmalloc(test, 2 * PIECE, GFP_KERNEL);
	struct tdisk *td = pvb_tdisk_create(test, false);
	enum mem_kind kind;
	struct pfn_vec pv;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_LE_MSG(test, 2 * PIECE, (size_t)MEM_SIZE, "pages too large");
	for (i = 0; i < 2 * PIECE; i++)
		buf[i] = pvb_pattern(31, i);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, 2 * PIECE), 0);
	td->bad = PIECE_SECTORS + PIECE_SECTORS / 2;

	for (kind = 0; kind < MEM_KINDS; kind++) {
		struct test_mem *m = &ctx->mem[kind];
		int err = -EIO;

		pvb_mem_init(test, m, kind);
		if (!m->mapped)
			err = -EOPNOTSUPP;

		/* Two pieces, the second failing. */
		pvb_mem_set(m, 0, 2 * PIECE, SENTINEL);
		pvb_mem_pv(test, m, 0, 2 * PIECE, &pv);
		KUNIT_EXPECT_EQ_MSG(test, pvb_pv_rw(test, REQ_OP_READ, 0, &pv), err,
				    "%s", pvb_mem_names[kind]);
		KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check(m, 0, PIECE, 31),
				    err == -EIO ? (size_t)PIECE : 0,
				    "%s: first piece", pvb_mem_names[kind]);
		KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(m, err == -EIO ? PIECE : 0,
						       err == -EIO ? PIECE : 2 * PIECE,
						       SENTINEL),
				      "%s: a failed piece wrote memory", pvb_mem_names[kind]);

		/*
		 * Two pieces, the first failing: the bio fails, whatever
		 * the second piece, which completes after it, ends with.
		 */
		td->bad = PIECE_SECTORS / 2;
		pvb_mem_set(m, 0, 2 * PIECE, SENTINEL);
		pvb_mem_pv(test, m, 0, 2 * PIECE, &pv);
		KUNIT_EXPECT_EQ_MSG(test, pvb_pv_rw(test, REQ_OP_READ, 0, &pv), err,
				    "%s: first piece failing", pvb_mem_names[kind]);
		KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(m, 0, PIECE, SENTINEL),
				      "%s: a failed piece wrote memory", pvb_mem_names[kind]);
		td->bad = PIECE_SECTORS + PIECE_SECTORS / 2;

		/* One piece, failing half way: nothing of it is copied out. */
		pvb_mem_set(m, 0, PIECE, SENTINEL);
		pvb_mem_pv(test, m, 0, PIECE, &pv);
		KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, PIECE_SECTORS, &pv), err);
		KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(m, 0, PIECE, SENTINEL),
				      "%s: a failed read wrote memory", pvb_mem_names[kind]);
	}
}

/*
 * Every page of a bounce bio can be referenced, as drivers that send pages
 * without copying them (iSCSI, NFS under loop) reference each: tdisk
 * counts those for which sendpage_ok() fails. Whether a bounce bio has
 * folios of the page allocator or, with fail_pfn_vec_bounce, pages of the
 * pool's reserve; and its data makes the round trip through it.
 */
static void pfn_vec_block_test_bounce_pages(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct tdisk *td = pvb_tdisk_create(test, false);
	unsigned int pass, passes = 1;
	enum mem_kind kind;
	struct pfn_vec pv;

	KUNIT_ASSERT_LE_MSG(test, 2 * PIECE, (size_t)MEM_SIZE, "pages too large");
	if (IS_ENABLED(CONFIG_FAIL_PFN_VEC_BOUNCE))
		passes = 2;
	for (kind = 0; kind < MEM_KINDS; kind++)
		pvb_mem_init(test, &ctx->mem[kind], kind);
	for (pass = 0; pass < passes; pass++) {
		if (pass)
			pvb_fail_pool(test);
		for (kind = 0; kind < MEM_KINDS; kind++) {
			struct test_mem *m = &ctx->mem[kind];

			if (!m->mapped)
				continue;
			pvb_mem_fill(m, 0, 2 * PIECE, 41 + pass);
			pvb_mem_pv(test, m, 0, 2 * PIECE, &pv);
			KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, 0, &pv), 0);
			pvb_mem_set(m, 0, 2 * PIECE, SENTINEL);
			pvb_mem_pv(test, m, 0, 2 * PIECE, &pv);
			KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, 0, &pv), 0);
			KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check(m, 0, 2 * PIECE, 41 + pass),
					    (size_t)2 * PIECE, "%s, pass %u",
					    pvb_mem_names[kind], pass);
		}
	}
	KUNIT_EXPECT_GT(test, atomic_read(&td->bios), 0);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&td->unref), 0,
			    "bounce pages that cannot be referenced");
	if (passes == 2)
		KUNIT_EXPECT_GT(test, pvb_pool_fails(test), 0L);
}

#ifdef CONFIG_BLK_DEV_INTEGRITY
#define PI_LEN		(SZ_64K + 5 * SECTOR_SIZE)
#define PI_SECTOR	40
#define PI_OFF		(PAGE_SIZE + 300)	/* unaligned in memory */

/*
 * The protection information that the block layer generates for a pfn_vec
 * write equals that of the same bytes written from RAM pages, whatever the
 * memory: the bio is bounced, and the CPU computes it over the pages. A
 * read verifies it, and a read that fails verification leaves memory
 * untouched. Memory out of the CPU's reach gives -EOPNOTSUPP before any
 * protection information is computed or stored.
 */
static void pfn_vec_block_test_integrity(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct tdisk *td = pvb_tdisk_create(test, true);
	struct blk_integrity *bi = blk_get_integrity(td->disk);
	unsigned int pi_len = bio_integrity_bytes(bi, PI_LEN >> SECTOR_SHIFT);
	u8 *buf = kunit_kmalloc(test, PI_LEN, GFP_KERNEL);
	u8 *ref = kunit_kmalloc(test, pi_len, GFP_KERNEL);
	u8 *pi = pvb_tdisk_pi(td, PI_SECTOR);
	enum mem_kind kind;
	struct pfn_vec pv;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	KUNIT_ASSERT_NOT_NULL(test, bi);

	/* The reference: the same bytes, written from RAM pages. */
	for (i = 0; i < PI_LEN; i++)
		buf[i] = pvb_pattern(41, i);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, PI_SECTOR, buf, PI_LEN), 0);
	memcpy(ref, pi, pi_len);
	KUNIT_ASSERT_NOT_NULL_MSG(test, memchr_inv(ref, 0, pi_len),
				  "no protection information was generated");

	for (kind = 0; kind < MEM_KINDS; kind++) {
		struct test_mem *m = &ctx->mem[kind];

		pvb_mem_init(test, m, kind);
		pvb_mem_fill(m, PI_OFF, PI_LEN, 41);
		pvb_mem_pv(test, m, PI_OFF, PI_LEN, &pv);
		memset(pi, 0, pi_len);
		memset(td->data + (PI_SECTOR << SECTOR_SHIFT), SENTINEL, PI_LEN);

		if (!m->mapped) {
			KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, PI_SECTOR, &pv),
					-EOPNOTSUPP);
			KUNIT_EXPECT_NULL(test, memchr_inv(pi, 0, pi_len));
			KUNIT_EXPECT_NULL(test, memchr_inv(td->data + (PI_SECTOR << SECTOR_SHIFT),
							   SENTINEL, PI_LEN));
			continue;
		}
		KUNIT_ASSERT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, PI_SECTOR, &pv), 0);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(pi, ref, pi_len), 0,
				    "protection information over %s differs from RAM's",
				    pvb_mem_names[kind]);
		KUNIT_EXPECT_EQ(test, memcmp(td->data + (PI_SECTOR << SECTOR_SHIFT),
					     buf, PI_LEN), 0);

		/* Read back, verified. */
		pvb_mem_set(m, PI_OFF, PI_LEN, SENTINEL);
		KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, PI_SECTOR, &pv), 0);
		KUNIT_EXPECT_EQ(test, pvb_mem_check(m, PI_OFF, PI_LEN, 41), (size_t)PI_LEN);

		/* A guard tag that does not match: the read fails, memory stays. */
		pi[5 * sizeof(struct t10_pi_tuple)] ^= 0xff;
		pvb_mem_set(m, PI_OFF, PI_LEN, SENTINEL);
		KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, PI_SECTOR, &pv), -EILSEQ);
		KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(m, PI_OFF, PI_LEN, SENTINEL),
				      "%s: a read that failed verification wrote memory",
				      pvb_mem_names[kind]);
	}
}
#endif /* CONFIG_BLK_DEV_INTEGRITY */

/* ---- blk-crypto ---- */

#ifdef CONFIG_BLK_INLINE_ENCRYPTION_FALLBACK
struct crypto_ctx {
	struct block_device *bdev;
	struct blk_crypto_key key;
};

static void evict_key_action(void *data)
{
	struct crypto_ctx *c = data;

	blk_crypto_evict_key(c->bdev, &c->key);
}

/* One pfn_vec bio of @pv under @key and DUN 42, as blk-crypto users do. */
static int crypt_rw(struct kunit *test, struct blk_crypto_key *key,
		    blk_opf_t op, sector_t sector, const struct pfn_vec *pv)
{
	static const u64 dun[BLK_CRYPTO_DUN_ARRAY_SIZE] = { 42 };
	struct bio *bio = pvb_pv_bio(test, op, sector, pv);
	int ret;

	bio_crypt_set_ctx(bio, key, dun, GFP_KERNEL);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

/* As crypt_rw(), for a bio_vec bio of @len bytes of @pages. */
static int crypt_page_rw(struct kunit *test, struct blk_crypto_key *key,
			 blk_opf_t op, sector_t sector, struct page *pages,
			 unsigned int len)
{
	static const u64 dun[BLK_CRYPTO_DUN_ARRAY_SIZE] = { 42 };
	struct test_ctx *ctx = test->priv;
	unsigned int i, nr = DIV_ROUND_UP(len, PAGE_SIZE);
	struct bio *bio = bio_alloc(ctx->bdev, nr, op, GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, bio);
	bio->bi_iter.bi_sector = sector;
	for (i = 0; i < nr; i++)
		__bio_add_page(bio, pages + i, min_t(unsigned int, PAGE_SIZE,
						     len - i * PAGE_SIZE), 0);
	bio_crypt_set_ctx(bio, key, dun, GFP_KERNEL);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

/* More than a bounce bio: the data unit numbers go on across them. */
#define CRYPT_LEN	(PIECE + SZ_16K)
#define CRYPT_SECTOR	(CRYPT_LEN >> SECTOR_SHIFT)

/*
 * blk-crypto's fallback encrypts a pfn_vec bio as it encrypts pages, since
 * a crypt context makes even a native queue bounce the bio: the ciphertext
 * of BAR data equals that of the same bytes in RAM pages, written by a
 * bio_vec bio under the same key and DUN, and reading it back decrypts
 * into the BAR. The bio is larger than a bounce bio, so that the bounce
 * bios after the first must carry the data unit numbers that follow. Where
 * the CPU cannot reach the BAR, the bio fails before anything is
 * encrypted.
 */
static void pfn_vec_block_test_crypto(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM], *bar = &ctx->mem[MEM_BAR];
	struct crypto_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	u8 *a = pvb_kvzalloc(test, CRYPT_LEN);
	u8 *b = pvb_kvzalloc(test, CRYPT_LEN);
	u8 raw[BLK_CRYPTO_MAX_KEY_SIZE];
	struct pfn_vec bpv;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pvb_mem_init(test, ram, MEM_RAM);
	pvb_mem_init(test, bar, MEM_BAR);
	pvb_use_dev(test, DEV_BRD, true);

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = i * 13 + 1;
	KUNIT_ASSERT_EQ(test, blk_crypto_init_key(&c->key, raw,
						  BLK_ENCRYPTION_MODE_AES_256_XTS,
						  8, SZ_4K), 0);
	c->bdev = ctx->bdev;
	KUNIT_ASSERT_EQ(test, blk_crypto_start_using_key(c->bdev, &c->key), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, evict_key_action, c));

	pvb_mem_fill(ram, 0, CRYPT_LEN, 21);
	pvb_mem_fill(bar, 0, CRYPT_LEN, 21);
	pvb_mem_pv(test, bar, 0, CRYPT_LEN, &bpv);
	memset(b, SENTINEL, CRYPT_LEN);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, CRYPT_SECTOR, b, CRYPT_LEN), 0);

	KUNIT_ASSERT_EQ(test, crypt_page_rw(test, &c->key, REQ_OP_WRITE, 0,
					    ram->pages, CRYPT_LEN), 0);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, a, CRYPT_LEN), 0);
	for (i = 0; i < CRYPT_LEN && a[i] == pvb_pattern(21, i); i++)
		;
	KUNIT_ASSERT_LT_MSG(test, i, CRYPT_LEN, "RAM was written in the clear");

	if (!bar->mapped) {
		KUNIT_EXPECT_EQ(test, crypt_rw(test, &c->key, REQ_OP_WRITE,
					       CRYPT_SECTOR, &bpv), -EOPNOTSUPP);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, CRYPT_SECTOR, b,
						 CRYPT_LEN), 0);
		KUNIT_EXPECT_NULL(test, memchr_inv(b, SENTINEL, CRYPT_LEN));
		return;
	}

	KUNIT_ASSERT_EQ(test, crypt_rw(test, &c->key, REQ_OP_WRITE, CRYPT_SECTOR,
				       &bpv), 0);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, CRYPT_SECTOR, b, CRYPT_LEN), 0);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(a, b, CRYPT_LEN), 0,
			    "ciphertext of BAR data differs from that of RAM");

	pvb_mem_set(bar, 0, CRYPT_LEN, 0);
	KUNIT_EXPECT_EQ(test, crypt_rw(test, &c->key, REQ_OP_READ, CRYPT_SECTOR,
				       &bpv), 0);
	KUNIT_EXPECT_EQ(test, pvb_mem_check(bar, 0, CRYPT_LEN, 21), (size_t)CRYPT_LEN);
}
#endif /* CONFIG_BLK_INLINE_ENCRYPTION_FALLBACK */

/*
 * REQ_ATOMIC on the bounce path: a tdisk that takes atomic writes of up to
 * ATOMIC_MAX gets a bounced atomic write of one piece as one bio, and one
 * of more than a piece, which the bounce path would have to tear into
 * pieces, is refused with -EINVAL before anything moves.
 */
#define ATOMIC_MAX	(2 * PIECE)

static void pfn_vec_block_test_atomic(struct kunit *test)
{
	static const unsigned int lens[] = { PIECE, 2 * PIECE };
	struct test_ctx *ctx = test->priv;
	struct test_mem *m = &ctx->mem[MEM_RAM];
	struct tdisk *td = pvb_tdisk_create(test, false);
	struct request_queue *q = td->disk->queue;
	struct queue_limits lim = queue_limits_start_update(q);
	unsigned int i;

	lim.max_hw_sectors = ATOMIC_MAX >> SECTOR_SHIFT;
	lim.max_segments = BIO_MAX_VECS;
	lim.atomic_write_hw_max = ATOMIC_MAX;
	lim.atomic_write_hw_unit_min = SECTOR_SIZE;
	lim.atomic_write_hw_unit_max = ATOMIC_MAX;
	KUNIT_ASSERT_EQ(test, queue_limits_commit_update_frozen(q, &lim), 0);
	KUNIT_ASSERT_EQ(test, queue_atomic_write_unit_max_bytes(q), ATOMIC_MAX);
	pvb_mem_init(test, m, MEM_RAM);

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		bool whole = lens[i] <= PIECE;
		struct pfn_vec pv;
		int bios;

		memset(td->data, SENTINEL, ATOMIC_MAX);
		pvb_mem_fill(m, 0, lens[i], i);
		pvb_mem_pv(test, m, 0, lens[i], &pv);
		bios = atomic_read(&td->bios);
		KUNIT_EXPECT_EQ_MSG(test, pvb_pv_rw(test, REQ_OP_WRITE | REQ_ATOMIC, 0,
						    &pv), whole ? 0 : -EINVAL,
				    "atomic write of %u bytes", lens[i]);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&td->bios) - bios, whole ? 1 : 0,
				    "atomic write of %u bytes: bios the disk got",
				    lens[i]);
		if (whole) {
			KUNIT_EXPECT_TRUE_MSG(test, READ_ONCE(td->last_opf) & REQ_ATOMIC,
					      "the bounce bio is not REQ_ATOMIC");
			continue;
		}
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(td->data, SENTINEL, ATOMIC_MAX),
				      "atomic write of %u bytes: the device was written",
				      lens[i]);
	}
}

/*
 * The feature cleared between blk_pfn_vec_prep() and the bio's entry into
 * the queue: the native path was chosen, and the driver no longer takes
 * pfn_vec bios when the bio reaches it. Here a tdisk declares
 * BLK_FEAT_PFN_VEC, its queue is frozen, and a thread submits a pfn_vec
 * bio, which blk_pfn_vec_prep() sends on natively and which then waits to
 * enter the queue; the case clears the feature, as a limits update does,
 * and unfreezes. The bio must go round again and be bounced: a tdisk ends
 * a pfn_vec bio it is given with BLK_STS_NOTSUPP, and warns.
 */
#define RACE_WAIT_MS	200	/* for the thread's bio to wait at the queue */
#define RACE_LEN	SZ_16K

struct race_run {
	struct block_device *bdev;
	struct pfn_vec pv;
	int ret;
	struct completion done;
};

static int race_fn(void *data)
{
	struct race_run *run = data;
	struct bio *bio = bio_alloc_pfn_vec(run->bdev, 1, REQ_OP_WRITE, GFP_KERNEL);

	run->ret = -ENOMEM;
	if (bio) {
		if (bio_add_pfn_vec(bio, &run->pv) == run->pv.pv_len)
			run->ret = submit_bio_wait(bio);
		else
			run->ret = -EINVAL;
		bio_put(bio);
	}
	complete(&run->done);
	return 0;
}

static void pfn_vec_block_test_feature_cleared(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *m = &ctx->mem[MEM_RAM];
	struct tdisk *td = pvb_tdisk_create(test, false);
	struct request_queue *q = td->disk->queue;
	struct task_struct *k;
	struct race_run *run;
	bool early;

	run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run);
	pvb_mem_init(test, m, MEM_RAM);
	pvb_mem_fill(m, 0, RACE_LEN, 5);
	pvb_mem_pv(test, m, 0, RACE_LEN, &run->pv);
	run->bdev = td->bdev;
	init_completion(&run->done);
	memset(td->data, SENTINEL, RACE_LEN);
	pvb_set_native(test, td->bdev, true);

	blk_mq_freeze_queue(q);
	k = kthread_run(race_fn, run, "pfn_vec_race");
	if (IS_ERR(k)) {
		blk_mq_unfreeze_queue(q);
		KUNIT_FAIL_AND_ABORT(test, "kthread_run(): %pe", k);
	}
	early = wait_for_completion_timeout(&run->done,
					    msecs_to_jiffies(RACE_WAIT_MS));
	pvb_set_native(test, td->bdev, false);
	blk_mq_unfreeze_queue(q);
	wait_for_completion(&run->done);

	KUNIT_ASSERT_FALSE_MSG(test, early,
			       "the bio ended with the queue frozen: %d", run->ret);
	KUNIT_EXPECT_EQ(test, run->ret, 0);
	KUNIT_EXPECT_EQ(test, pvb_mem_check(m, 0, RACE_LEN, 5), (size_t)RACE_LEN);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(td->data, m->va, RACE_LEN), 0,
			    "the device differs");
}

/*
 * A bio-based queue that declares %BLK_FEAT_PFN_VEC_DMA: no request is made
 * for it, so no blk_rq_pfn_vec_dma_map() either, and the feature means
 * nothing there. A pfn_vec bio to it is bounced, as to any queue without
 * %BLK_FEAT_PFN_VEC: its driver gets pages, and the data arrives.
 */
static void pfn_vec_block_test_dma_bio_based(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *m = &ctx->mem[MEM_RAM];
	struct tdisk *td = pvb_tdisk_create(test, false);
	struct request_queue *q = td->disk->queue;
	struct queue_limits lim = queue_limits_start_update(q);
	struct pfn_vec pv;

	lim.features |= BLK_FEAT_PFN_VEC_DMA;
	lim.pfn_vec_dma_dev = disk_to_dev(td->disk);
	KUNIT_ASSERT_EQ(test, queue_limits_commit_update_frozen(q, &lim), 0);
	pvb_mem_init(test, m, MEM_RAM);
	pvb_mem_fill(m, 0, PIECE, 9);
	pvb_mem_pv(test, m, 0, PIECE, &pv);
	memset(td->data, SENTINEL, PIECE);

	KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, 0, &pv), 0);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(td->data, m->va, PIECE), 0,
			    "the device differs");
}

/*
 * A disk removed, as on hot-unplug, while pfn_vec bios wait to be bounced
 * to it. On the bounce pool's reserve alone (fail_pfn_vec_bounce): bio A
 * takes all of the pool, and the tdisk holds A's bounce bio; bio B then
 * waits for the pool in the bounce work item, C waits on its list behind
 * B, both for the tdisk, and D, for brd, behind them. The tdisk is removed
 * and then lets A go. A must end as written, B and C with -EIO, having
 * reached no driver, D with its data on brd; and the pool must be whole
 * again: bio E, as large as the pool, is bounced inline, so that it has
 * ended, on brd, by the time submit_bio() returns.
 *
 * However the case ends, its cleanup lets A go and waits for every bio,
 * after the fault injection has ended, so that none outlives the memory.
 */
#define REMOVED_TIMEOUT	30	/* seconds, for every bio to end */

enum { REMOVED_A, REMOVED_B, REMOVED_C, REMOVED_D, REMOVED_E, REMOVED_NR };

struct removed_run {
	struct tdisk *td;
	unsigned int submitted;
	struct removed_bio {
		struct completion done;	/* completed for all */
		int err;
	} rb[REMOVED_NR];
};

static void removed_end_io(struct bio *bio)
{
	struct removed_bio *rb = bio->bi_private;

	rb->err = blk_status_to_errno(bio->bi_status);
	bio_put(bio);
	complete_all(&rb->done);
}

static void removed_drain(void *data)
{
	struct removed_run *run = data;
	unsigned int i;

	pvb_tdisk_release(run->td);
	for (i = 0; i < run->submitted; i++)
		wait_for_completion(&run->rb[i].done);
}

/* Submit bio @i, of the piece @i of @m, to the same place on @bdev. */
static void removed_submit(struct kunit *test, struct removed_run *run,
			   unsigned int i, struct block_device *bdev,
			   struct test_mem *m)
{
	struct test_ctx *ctx = test->priv;
	struct pfn_vec pv;
	struct bio *bio;

	pvb_mem_pv(test, m, i * PIECE, PIECE, &pv);
	ctx->bdev = bdev;		/* where pvb_pv_bio() sends it */
	bio = pvb_pv_bio(test, REQ_OP_WRITE, i * PIECE_SECTORS, &pv);
	bio->bi_private = &run->rb[i];
	bio->bi_end_io = removed_end_io;
	run->submitted = i + 1;
	submit_bio(bio);
}

static void pfn_vec_block_test_removed(struct kunit *test)
{
	static const char * const names[REMOVED_NR] = { "A", "B", "C", "D", "E" };
	struct test_ctx *ctx = test->priv;
	struct test_mem *m = &ctx->mem[MEM_RAM];
	struct block_device *brd = ctx->devs[DEV_BRD];
	struct removed_run *run;
	struct tdisk *td;
	unsigned int i;
	int before;
	u8 *buf;

	KUNIT_ASSERT_LE(test, (size_t)REMOVED_NR * PIECE, (size_t)MEM_SIZE);
	KUNIT_ASSERT_LE(test, (size_t)REMOVED_NR * PIECE, (size_t)TDISK_SIZE);
	run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run);
	for (i = 0; i < REMOVED_NR; i++)
		init_completion(&run->rb[i].done);
	buf = kunit_kzalloc(test, PIECE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	pvb_mem_init(test, m, MEM_RAM);
	for (i = 0; i < REMOVED_NR; i++)
		pvb_mem_fill(m, i * PIECE, PIECE, 40 + i);
	pvb_set_native(test, brd, false);
	/* Zeroes where D and E go, so that one that writes nothing shows. */
	ctx->bdev = brd;
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE,
					 REMOVED_D * PIECE_SECTORS, buf, PIECE), 0);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE,
					 REMOVED_E * PIECE_SECTORS, buf, PIECE), 0);
	td = pvb_tdisk_create(test, false);
	run->td = td;
	WRITE_ONCE(td->hold, true);
	/* Before the fault injection, so that it runs after it has ended. */
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, removed_drain, run));
	pvb_fail_pool(test);

	/* add_disk() read the partition table. */
	before = atomic_read(&td->bios);
	removed_submit(test, run, REMOVED_A, td->bdev, m);
	/* Inline, unless pages of an earlier case were still on their way back. */
	for (i = 0; i < 100 && atomic_read(&td->bios) == before; i++)
		msleep(50);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&td->bios), before + 1,
			    "A's bounce bio did not reach the tdisk");
	removed_submit(test, run, REMOVED_B, td->bdev, m);
	removed_submit(test, run, REMOVED_C, td->bdev, m);
	removed_submit(test, run, REMOVED_D, brd, m);

	pvb_tdisk_remove(td);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&run->rb[REMOVED_A].done),
			       "A ended while the tdisk held it");
	pvb_tdisk_release(td);
	for (i = REMOVED_A; i <= REMOVED_D; i++) {
		if (!wait_for_completion_timeout(&run->rb[i].done,
						 REMOVED_TIMEOUT * HZ)) {
			KUNIT_FAIL(test, "bio %s still waiting after %u s",
				   names[i], REMOVED_TIMEOUT);
			return;
		}
	}

	KUNIT_EXPECT_EQ(test, run->rb[REMOVED_A].err, 0);
	KUNIT_EXPECT_EQ(test, memcmp(td->data + REMOVED_A * PIECE,
				     m->va + REMOVED_A * PIECE, PIECE), 0);
	KUNIT_EXPECT_EQ(test, run->rb[REMOVED_B].err, -EIO);
	KUNIT_EXPECT_EQ(test, run->rb[REMOVED_C].err, -EIO);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&td->bios), before + 1,
			    "bios reached the removed tdisk");
	KUNIT_EXPECT_EQ(test, run->rb[REMOVED_D].err, 0);

	removed_submit(test, run, REMOVED_E, brd, m);
	KUNIT_EXPECT_TRUE_MSG(test, completion_done(&run->rb[REMOVED_E].done),
			      "E was not bounced inline: the pool lost pages");
	KUNIT_ASSERT_TRUE_MSG(test,
			      wait_for_completion_timeout(&run->rb[REMOVED_E].done,
							  REMOVED_TIMEOUT * HZ),
			      "E still waiting after %u s", REMOVED_TIMEOUT);
	KUNIT_EXPECT_EQ(test, run->rb[REMOVED_E].err, 0);

	for (i = REMOVED_D; i <= REMOVED_E; i++) {
		ctx->bdev = brd;
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, i * PIECE_SECTORS,
						 buf, PIECE), 0);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(buf, m->va + i * PIECE, PIECE), 0,
				    "brd differs from %s", names[i]);
	}
	KUNIT_EXPECT_GT(test, pvb_pool_fails(test), 0L);
}

static struct kunit_case pfn_vec_block_disk_cases[] = {
	KUNIT_CASE(pfn_vec_block_test_read_error),
	KUNIT_CASE(pfn_vec_block_test_bounce_pages),
	KUNIT_CASE(pfn_vec_block_test_atomic),
	KUNIT_CASE(pfn_vec_block_test_feature_cleared),
	KUNIT_CASE(pfn_vec_block_test_dma_bio_based),
	KUNIT_CASE(pfn_vec_block_test_removed),
#ifdef CONFIG_BLK_DEV_INTEGRITY
	KUNIT_CASE(pfn_vec_block_test_integrity),
#endif
#ifdef CONFIG_BLK_INLINE_ENCRYPTION_FALLBACK
	KUNIT_CASE(pfn_vec_block_test_crypto),
#endif
	{}
};

static struct kunit_suite pfn_vec_block_disk_suite = {
	.name = "pfn_vec_block_disk",
	.init = pvb_init,
	.exit = pvb_exit,
	.test_cases = pfn_vec_block_disk_cases,
};

kunit_test_suite(pfn_vec_block_disk_suite);

MODULE_DESCRIPTION("KUnit tests for pfn_vec bios to a disk that fails and checks");
MODULE_LICENSE("GPL");
