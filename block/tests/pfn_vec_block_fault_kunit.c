// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_block_fault: the bounce path when allocations fail,
 * one after another (current->fail_nth) or all of them from several CPUs
 * at once (make-it-fail), and bio_alloc_pfn_vec() when its allocation
 * fails.
 */
#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/slab.h>

#include "../blk.h"
#include "pfn_vec_block_kunit.h"

/* ---- allocation failures ---- */

/*
 * The bounce path under allocation failure: current->fail_nth fails the
 * 1st, 2nd, 3rd, ... allocation that submitting a bounced bio makes, until
 * a bio makes no more. The bio is larger than a piece, so that it is split
 * and bounced in two pieces. The bounce bios and their pages come from a
 * bioset and a mempool with GFP_NOIO, and the split from the disk's
 * bioset, so every bio must still complete, with the right data and
 * nothing written around it, from their reserves; and a bounced bio
 * allocates, so some allocation must have failed in each direction. The
 * sectors were written beforehand, so that brd and null_blk allocate none
 * of their own. Where the CPU cannot reach the memory (no hook), every bio
 * ends with BLK_STS_NOTSUPP, with nothing written to the device or to
 * memory, however the allocations it made before it found out went.
 */
struct fault_case {
	enum test_dev dev;
	enum mem_kind kind;
};

static const struct fault_case fault_cases[] = {
	{ DEV_BRD, MEM_RAM }, { DEV_BRD, MEM_UNMANAGED },
	{ DEV_NULLB, MEM_RAM }, { DEV_NULLB, MEM_UNMANAGED },
};

static void fault_case_desc(const struct fault_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, %s", pvb_dev_names[c->dev],
		 pvb_mem_names[c->kind]);
}

KUNIT_ARRAY_PARAM(fault_case, fault_cases, fault_case_desc);

#define FAULT_LEN	(PIECE + 2 * PAGE_SIZE + 3 * SECTOR_SIZE)
#define FAULT_OFF	(PAGE_SIZE + 100)
#define FAULT_GUARD	100		/* bytes of memory around the bio's */
#define FAULT_SECTOR	512
#define FAULT_MAX_NTH	1000

/*
 * Submit a bio of @pv with the @nth allocation failing; its errno. *@more:
 * the failure happened, so the next allocation may fail too.
 */
static int fault_rw(struct kunit *test, blk_opf_t op, const struct pfn_vec *pv,
		    unsigned int nth, bool *more)
{
	struct bio *bio = pvb_pv_bio(test, op, FAULT_SECTOR, pv);
	int ret;

	pfn_vec_kunit_fail_nth(nth);
	ret = submit_bio_wait(bio);
	*more = pfn_vec_kunit_fail_consumed();
	bio_put(bio);
	return ret;
}

/*
 * Where the device, from FAULT_SECTOR, first differs from pattern @seed over
 * FAULT_LEN bytes (from @c if @seed is 0), and then from @c over a sector:
 * FAULT_LEN + SECTOR_SIZE if nowhere.
 */
static size_t fault_dev_check(struct test_ctx *ctx, u8 *buf, unsigned int seed,
			      u8 c)
{
	size_t i;

	if (pvb_dev_rw(ctx, REQ_OP_READ, FAULT_SECTOR, buf, FAULT_LEN + SECTOR_SIZE))
		return 0;
	for (i = 0; i < FAULT_LEN + SECTOR_SIZE; i++)
		if (buf[i] != (seed && i < FAULT_LEN ? pvb_pattern(seed, i) : c))
			break;
	return i;
}

static bool fault_guards_are(struct test_mem *m, u8 c)
{
	return pvb_mem_is(m, FAULT_OFF - FAULT_GUARD, FAULT_GUARD, c) &&
	       pvb_mem_is(m, FAULT_OFF + FAULT_LEN, FAULT_GUARD, c);
}

static void pfn_vec_block_test_fault_bounce(struct kunit *test)
{
	const struct fault_case *c = test->param_value;
	struct test_ctx *ctx = test->priv;
	struct test_mem *m = &ctx->mem[c->kind];
	u8 *buf = kunit_kmalloc(test, FAULT_LEN + SECTOR_SIZE, GFP_KERNEL);
	unsigned int nth, failures;
	struct pfn_vec pv;
	bool more;
	size_t i;
	int want;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	pvb_mem_init(test, m, c->kind);
	pvb_use_dev(test, c->dev, false);
	pvb_mem_pv(test, m, FAULT_OFF, FAULT_LEN, &pv);
	want = m->mapped ? 0 : -EOPNOTSUPP;
	memset(buf, SENTINEL, FAULT_LEN + SECTOR_SIZE);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, FAULT_SECTOR, buf,
					 FAULT_LEN + SECTOR_SIZE), 0);
	pvb_mem_set(m, FAULT_OFF - FAULT_GUARD, FAULT_LEN + 2 * FAULT_GUARD,
		    SENTINEL);
	pfn_vec_kunit_fault_setup(test);

	/* Writes: the device gets the data, and memory stays as it was. */
	for (nth = 1, more = true; more; nth++) {
		KUNIT_ASSERT_LE(test, nth, FAULT_MAX_NTH);
		pvb_mem_fill(m, FAULT_OFF, FAULT_LEN, nth);
		KUNIT_ASSERT_EQ_MSG(test, fault_rw(test, REQ_OP_WRITE, &pv, nth,
						   &more), want,
				    "write, allocation %u failing", nth);
		KUNIT_ASSERT_EQ_MSG(test, fault_dev_check(ctx, buf,
							  want ? 0 : nth,
							  SENTINEL),
				    (size_t)FAULT_LEN + SECTOR_SIZE,
				    "write, allocation %u failing: device %s",
				    nth, want ? "written" : "differs");
		KUNIT_ASSERT_EQ_MSG(test, pvb_mem_check(m, FAULT_OFF, FAULT_LEN,
							nth),
				    (size_t)FAULT_LEN,
				    "write, allocation %u failing: memory written",
				    nth);
		KUNIT_ASSERT_TRUE_MSG(test, fault_guards_are(m, SENTINEL),
				      "write, allocation %u failing: memory written around the bio",
				      nth);
	}
	failures = nth - 2;
	kunit_info(test, "write: %u allocations failed in turn\n", failures);
	if (!want)
		KUNIT_EXPECT_GT_MSG(test, failures, 0U,
				    "a bounced write allocated nothing");

	/* Reads: memory gets the data, and nothing around it. */
	for (nth = 1, more = true; more; nth++) {
		KUNIT_ASSERT_LE(test, nth, FAULT_MAX_NTH);
		for (i = 0; i < FAULT_LEN; i++)
			buf[i] = pvb_pattern(nth + 1, i);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, FAULT_SECTOR, buf,
						 FAULT_LEN), 0);
		pvb_mem_set(m, FAULT_OFF, FAULT_LEN, SENTINEL);
		KUNIT_ASSERT_EQ_MSG(test, fault_rw(test, REQ_OP_READ, &pv, nth,
						   &more), want,
				    "read, allocation %u failing", nth);
		if (want)
			KUNIT_ASSERT_TRUE_MSG(test, pvb_mem_is(m, FAULT_OFF,
							       FAULT_LEN,
							       SENTINEL),
					      "read, allocation %u failing: memory written",
					      nth);
		else
			KUNIT_ASSERT_EQ_MSG(test, pvb_mem_check(m, FAULT_OFF,
								FAULT_LEN,
								nth + 1),
					    (size_t)FAULT_LEN,
					    "read, allocation %u failing: memory differs",
					    nth);
		KUNIT_ASSERT_TRUE_MSG(test, fault_guards_are(m, SENTINEL),
				      "read, allocation %u failing: memory written around the bio",
				      nth);
		if (want)
			KUNIT_ASSERT_EQ_MSG(test, fault_dev_check(ctx, buf, nth + 1,
								  SENTINEL),
					    (size_t)FAULT_LEN + SECTOR_SIZE,
					    "read, allocation %u failing: device written",
					    nth);
	}
	failures = nth - 2;
	kunit_info(test, "read: %u allocations failed in turn\n", failures);
	if (!want)
		KUNIT_EXPECT_GT_MSG(test, failures, 0U,
				    "a bounced read allocated nothing");
}

/*
 * bio_alloc_pfn_vec() under allocation failure, as its kernel-doc has it:
 * its gfp flags are bio_alloc()'s, so with flags that may wait it always
 * returns a bio, from the bioset's reserves if need be, and with flags that
 * cannot wait it returns NULL when memory runs out; a bio it returns holds
 * as many segments as it was asked for. current->fail_nth fails each
 * allocation in turn that allocating, filling and submitting a bio makes,
 * until one makes no more; every bio must complete with the right data, on
 * the native path of brd (the bounce path is fault_bounce's), for a bio
 * whose segments fit in the bio itself, in a bio_vec array from a slab
 * cache, and in the largest bio_vec array, which only the reserves hold.
 * Allocations that are not its own, kmemleak's metadata and the stack
 * depot's pool of the debug kernels, come and go from one call to the
 * next, so a sweep can step over that of the bio_vec array; the sweeps
 * without waiting are repeated until one has seen NULL.
 */
#define FAULT_VECS	64	/* past the bio's inline bio_vecs */
#define FAULT_SWEEPS	3
#define FAULT_SEG	SECTOR_SIZE	/* each segment a sector apart in RAM */
#define FAULT_MAX_VECS	(BIO_MAX_VECS * sizeof(struct bio_vec) / \
			 sizeof(struct pfn_vec))
#define FAULT_ALLOC_SECTOR	2048

struct fault_alloc {
	struct pfn_vec pv[FAULT_MAX_VECS];	/* RAM, none contiguous */
	u8 buf[FAULT_MAX_VECS * FAULT_SEG];	/* the device, read back */
};

/*
 * One sweep of bios of @nr segments with @gfp: the number of NULLs. *@allocs:
 * the number of allocations that could fail.
 */
static unsigned int fault_alloc_sweep(struct kunit *test, struct fault_alloc *fa,
				      gfp_t gfp, unsigned short nr,
				      unsigned int *allocs)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	unsigned int nth, i, added, nulls = 0;
	struct bio *bio;
	size_t j;
	bool more;
	int ret;

	for (nth = 1;; nth++) {
		KUNIT_ASSERT_LE(test, nth, FAULT_MAX_NTH);
		pvb_mem_fill(ram, 0, 2 * nr * FAULT_SEG, nth);

		/* Nothing but the bio's own allocations, until it ended. */
		pfn_vec_kunit_fail_nth(nth);
		bio = bio_alloc_pfn_vec(ctx->bdev, nr, REQ_OP_WRITE, gfp);
		added = 0;
		ret = -ENOMEM;
		if (bio) {
			bio->bi_iter.bi_sector = FAULT_ALLOC_SECTOR;
			for (i = 0; i < nr; i++)
				if (bio_add_pfn_vec(bio, &fa->pv[i]) == FAULT_SEG)
					added++;
			ret = added == nr ? submit_bio_wait(bio) : -EINVAL;
			bio_put(bio);
		}
		more = pfn_vec_kunit_fail_consumed();

		if (!bio) {
			KUNIT_ASSERT_FALSE_MSG(test, gfpflags_allow_blocking(gfp),
					       "%pGg, %u segments: NULL with allocation %u failing",
					       &gfp, nr, nth);
			KUNIT_ASSERT_TRUE_MSG(test, more,
					      "%pGg, %u segments: NULL with nothing failing",
					      &gfp, nr);
			nulls++;
			continue;
		}
		KUNIT_ASSERT_EQ_MSG(test, added, nr,
				    "%pGg, allocation %u failing: room for %u of %u segments",
				    &gfp, nth, added, nr);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0,
				    "%pGg, %u segments, allocation %u failing",
				    &gfp, nr, nth);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, FAULT_ALLOC_SECTOR,
						 fa->buf, nr * FAULT_SEG), 0);
		for (j = 0; j < nr * FAULT_SEG; j++)
			if (fa->buf[j] != pvb_pattern(nth, j + j / FAULT_SEG * FAULT_SEG))
				break;
		KUNIT_ASSERT_EQ_MSG(test, j, nr * FAULT_SEG,
				    "%pGg, %u segments, allocation %u failing: device differs at byte %zu",
				    &gfp, nr, nth, j);
		if (!more) {
			*allocs = nth - 1;
			return nulls;
		}
	}
}

static void pfn_vec_block_test_fault_alloc(struct kunit *test)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_NOIO, GFP_NOWAIT };
	static const unsigned short nrs[] = { 1, FAULT_VECS, FAULT_MAX_VECS };
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	unsigned int g, n, sweep = 0, allocs = 0, nulls = 0;
	struct fault_alloc *fa;

	fa = kunit_kzalloc(test, sizeof(*fa), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fa);
	pvb_mem_init(test, ram, MEM_RAM);
	pvb_use_dev(test, DEV_BRD, true);
	for (n = 0; n < FAULT_MAX_VECS; n++)
		pvb_mem_pv(test, ram, 2 * n * FAULT_SEG, FAULT_SEG, &fa->pv[n]);
	/* Written first, so that brd allocates none of its own. */
	memset(fa->buf, SENTINEL, sizeof(fa->buf));
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, FAULT_ALLOC_SECTOR,
					 fa->buf, sizeof(fa->buf)), 0);
	pfn_vec_kunit_fault_setup(test);

	for (g = 0; g < ARRAY_SIZE(gfps); g++) {
		bool wait = gfpflags_allow_blocking(gfps[g]);

		for (sweep = 0; sweep < (wait ? 1 : FAULT_SWEEPS) && !nulls;
		     sweep++) {
			for (n = 0; n < ARRAY_SIZE(nrs); n++) {
				nulls += fault_alloc_sweep(test, fa, gfps[g],
							   nrs[n], &allocs);
				KUNIT_EXPECT_GT_MSG(test, allocs, 0U,
						    "%pGg, %u segments: no allocation to fail",
						    &gfps[g], nrs[n]);
			}
		}
	}
	/* Its bio_vec array from a slab cache: NULL when that fails. */
	KUNIT_EXPECT_GT_MSG(test, nulls, 0U,
			    "no failure made it return NULL without waiting in %u sweeps",
			    sweep);
}

/*
 * The bounce reserve, shared: RESERVE_TASKS threads, every page allocation
 * of which fails, bounce bios at once; fail_pfn_vec_bounce fails the page
 * allocator behind the mempool in every task, the bounce work item's
 * included, so that all their pages come from the mempool, which holds
 * one piece. Every bio must complete with the right data; one that has
 * not after RESERVE_TIMEOUT fails the case.
 *
 * - To an async tdisk, a piece each, so that the pages of a piece stay
 *   taken for a tick. Were a piece's pages taken one at a time from the
 *   mempool, with waiting, two threads could each take part of it and wait
 *   for the rest for ever.
 * - To null_blk, RESERVE_PIECES pieces each, which blk-mq splits again to
 *   its max_sectors of 64. A bounce bio split that way completes only once
 *   its remainder, queued on the submitting task's current->bio_list, is
 *   submitted: no piece may wait for pool pages, or for a bio of a bioset,
 *   that a bio the same task has yet to submit holds.
 * - The same through a stacked bio-based device that splits: dm-stripe
 *   over two brd disks, of 4 KiB chunks (the qemu configs create it with
 *   dm-mod.create), which splits every bounce bio into clones of its own
 *   bioset and resubmits the remainder on current->bio_list.
 *
 * RAM bios are bounced on every arch, and the mempool's pages are the same
 * whatever the bio's memory. The sectors are written beforehand, so that
 * null_blk and brd allocate none of their own.
 *
 * The threads outlive a case that timed out, with their bios in flight, so
 * all they use is the case's until its cleanup, which stops them first, as
 * KUnit releases resources in reverse order. Before that, it ends the
 * allocation failures, which the threads took on after they started: a
 * bounce that waits for the mempool then gets its pages from the page
 * allocator, its bio completes, and the thread can stop.
 */
#define RESERVE_TASKS	4
#define RESERVE_PIECES	3
#define RESERVE_ROUNDS	16
#define RESERVE_TIMEOUT	100	/* seconds, for all the rounds of all threads */

/* The dm-stripe device of the qemu configs' dm-mod.create. */
#define RESERVE_DM	"dm-0"

enum reserve_target { RESERVE_TDISK, RESERVE_NULLB, RESERVE_STRIPE };

struct reserve_case {
	const char *name;
	enum reserve_target target;
	unsigned int pieces;	/* in each bio */
};

static const struct reserve_case reserve_cases[] = {
	{ "async tdisk, one piece", RESERVE_TDISK, 1 },
	{ "null_blk, max_sectors 64, " __stringify(RESERVE_PIECES) " pieces",
	  RESERVE_NULLB, RESERVE_PIECES },
	{ "dm-stripe over brd, 4K chunks, " __stringify(RESERVE_PIECES) " pieces",
	  RESERVE_STRIPE, RESERVE_PIECES },
};

static void reserve_case_desc(const struct reserve_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(reserve_case, reserve_cases, reserve_case_desc);

struct reserve_task {
	struct reserve_run *run;
	struct pfn_vec pv;	/* its piece of memory */
	sector_t sector;	/* and of the device */
	unsigned int id;
	int err;		/* the first error */
	size_t bad;		/* where the first bad byte is, or len */
	unsigned int round;	/* of the first error */
	struct completion done;	/* all its rounds are */
};

/* What the threads of the case share, in the case's memory. */
struct reserve_run {
	struct test_mem *m;
	struct block_device *bdev;
	size_t len;		/* of each bio */
	wait_queue_head_t wait;	/* for go */
	bool go;		/* allocations fail: bounce */
	struct reserve_task tasks[RESERVE_TASKS];
};

static int reserve_rw(struct reserve_task *t, blk_opf_t op)
{
	struct bio *bio = bio_alloc_pfn_vec(t->run->bdev, 1, op, GFP_NOIO);
	int ret;

	if (!bio)
		return -ENOMEM;
	bio->bi_iter.bi_sector = t->sector;
	if (bio_add_pfn_vec(bio, &t->pv) != t->pv.pv_len)
		ret = -EINVAL;
	else
		ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

static int reserve_fn(void *data)
{
	struct reserve_task *t = data;
	struct reserve_run *run = t->run;
	size_t off = t->id * run->len;
	unsigned int seed;

	wait_event(run->wait, READ_ONCE(run->go) || kthread_should_stop());
	if (kthread_should_stop())
		return 0;

	t->bad = run->len;
	pfn_vec_kunit_make_it_fail(true);
	for (t->round = 0; t->round < RESERVE_ROUNDS; t->round++) {
		if (kthread_should_stop())
			break;
		seed = t->id * RESERVE_ROUNDS + t->round;
		pvb_mem_fill(run->m, off, run->len, seed);
		t->err = reserve_rw(t, REQ_OP_WRITE);
		if (t->err)
			break;
		pvb_mem_set(run->m, off, run->len, SENTINEL);
		t->err = reserve_rw(t, REQ_OP_READ);
		if (t->err)
			break;
		t->bad = pvb_mem_check(run->m, off, run->len, seed);
		if (t->bad != run->len)
			break;
	}
	pfn_vec_kunit_make_it_fail(false);
	complete(&t->done);
	return 0;
}

static void pfn_vec_block_test_reserve(struct kunit *test)
{
	const struct reserve_case *c = test->param_value;
	struct test_ctx *ctx = test->priv;
	struct test_mem *m = &ctx->mem[MEM_RAM];
	size_t len = c->pieces * PIECE;
	struct request_queue *q;
	unsigned long deadline;
	struct reserve_run *run;
	struct task_struct *k;
	unsigned int i;
	u8 *buf;

	if (!IS_ENABLED(CONFIG_FAIL_PFN_VEC_BOUNCE))
		kunit_skip(test, "needs FAIL_PFN_VEC_BOUNCE");
	KUNIT_ASSERT_LE(test, RESERVE_TASKS * len, (size_t)MEM_SIZE);
	KUNIT_ASSERT_LE(test, RESERVE_TASKS * len, (size_t)TDISK_SIZE);
	run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run);
	pvb_mem_init(test, m, MEM_RAM);
	switch (c->target) {
	case RESERVE_TDISK: {
		struct tdisk *td = pvb_tdisk_create(test, false);

		td->async = true;
		run->bdev = td->bdev;
		break;
	}
	case RESERVE_NULLB:
		pvb_use_dev(test, DEV_NULLB, false);
		q = bdev_get_queue(ctx->bdev);
		KUNIT_ASSERT_LT(test, queue_max_sectors(q),
				(unsigned int)PIECE_SECTORS);
		break;
	case RESERVE_STRIPE:
		ctx->bdev = pvb_open_disk(test, RESERVE_DM);
		q = bdev_get_queue(ctx->bdev);
		KUNIT_ASSERT_FALSE(test, queue_is_mq(q));
		KUNIT_ASSERT_FALSE(test, q->limits.features & BLK_FEAT_PFN_VEC);
		KUNIT_ASSERT_GT(test, q->limits.chunk_sectors, 0U);
		KUNIT_ASSERT_LT(test, q->limits.chunk_sectors,
				(unsigned int)PIECE_SECTORS);
		break;
	}
	if (c->target != RESERVE_TDISK) {
		buf = pvb_kvzalloc(test, RESERVE_TASKS * len);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf,
						 RESERVE_TASKS * len), 0);
		run->bdev = ctx->bdev;
	}

	run->m = m;
	run->len = len;
	init_waitqueue_head(&run->wait);
	for (i = 0; i < RESERVE_TASKS; i++) {
		struct reserve_task *t = &run->tasks[i];

		t->run = run;
		t->id = i;
		t->sector = i * (len >> SECTOR_SHIFT);
		pvb_mem_pv(test, m, i * len, len, &t->pv);
		init_completion(&t->done);
	}
	for (i = 0; i < RESERVE_TASKS; i++) {
		k = pfn_vec_kunit_thread_run(test, reserve_fn, &run->tasks[i], i,
					     "pfn_vec_reserve");
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(k), "thread %u: %pe", i, k);
	}
	/*
	 * The failures after the threads, so that the cleanup ends them, which
	 * a stuck bounce may be waiting out, before it stops the threads.
	 */
	pfn_vec_kunit_fail_always(test);
	pvb_fail_pool(test);
	WRITE_ONCE(run->go, true);
	wake_up_all(&run->wait);

	deadline = jiffies + RESERVE_TIMEOUT * HZ;
	for (i = 0; i < RESERVE_TASKS; i++) {
		long left = max_t(long, (long)(deadline - jiffies), 1);

		if (!wait_for_completion_timeout(&run->tasks[i].done, left)) {
			KUNIT_FAIL(test,
				   "thread %u still bouncing, in round %u, after %u s: the bounce path stopped completing",
				   i, READ_ONCE(run->tasks[i].round),
				   RESERVE_TIMEOUT);
			return;
		}
	}

	for (i = 0; i < RESERVE_TASKS; i++) {
		struct reserve_task *t = &run->tasks[i];

		KUNIT_EXPECT_EQ_MSG(test, t->err, 0, "thread %u, round %u", i,
				    t->round);
		KUNIT_EXPECT_EQ_MSG(test, t->bad, len,
				    "thread %u, round %u: memory differs", i,
				    t->round);
	}
	/* The pool's page allocator was asked, and failed. */
	KUNIT_EXPECT_GT(test, pvb_pool_fails(test), 0L);
}

static struct kunit_case pfn_vec_block_fault_cases[] = {
	KUNIT_CASE_PARAM(pfn_vec_block_test_fault_bounce, fault_case_gen_params),
	KUNIT_CASE(pfn_vec_block_test_fault_alloc),
	KUNIT_CASE_PARAM(pfn_vec_block_test_reserve, reserve_case_gen_params),
	{}
};

static struct kunit_suite pfn_vec_block_fault_suite = {
	.name = "pfn_vec_block_fault",
	.init = pvb_init,
	.exit = pvb_exit,
	.test_cases = pfn_vec_block_fault_cases,
};

kunit_test_suite(pfn_vec_block_fault_suite);

MODULE_DESCRIPTION("KUnit tests for pfn_vec bios when allocations fail");
MODULE_LICENSE("GPL");
