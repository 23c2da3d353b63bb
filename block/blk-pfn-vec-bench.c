// SPDX-License-Identifier: GPL-2.0
/*
 * pfn_vec bios against bio_vec bios, on brd, in the benchmark kernel: 1 GiB
 * written and 1 GiB read back in bios of 128 KiB, through three paths to
 * the same device, measured in the same boot and interleaved:
 *
 *  - bio_vec bios of RAM pages: the baseline;
 *  - pfn_vec bios with brd's BLK_FEAT_PFN_VEC cleared, which the block
 *    layer bounces through its pool of RAM pages;
 *  - pfn_vec bios with the feature set, which brd copies itself through
 *    the pfn_vec accessor.
 *
 * The pfn_vec bios name BAR2 of QEMU's ivshmem-plain, which is what they
 * are for, and then RAM pages, which leaves out the cost of copying to
 * and from the BAR and so shows what the block layer adds on its own.
 *
 * Each path writes and reads all of BENCH_BUF once, untimed, to check its
 * data; then come BENCH_ROUNDS rounds, each of one write and one read of
 * all of BENCH_BUF per path, the paths in a different order from round to
 * round. Every key is the median of the rounds' ratios, each from that
 * round's times, and is logged as mm/pfn_vec_bench.c logs its own, by
 * pfn_vec_bench_report():
 *
 *  - bounce_ratio, native_ratio: throughput of the bounced and of the
 *    native path against the baseline;
 *  - bounce_efficiency: the bounced path against the most it can reach.
 *    A bounced bio is a bio_vec bio of the bounce pages, plus one copy
 *    between them and the pfn_vec, which costs what the native path's
 *    copy between the pfn_vec and brd's pages costs. So a bounce path
 *    that adds nothing but that copy takes t_page + t_native, and
 *    (t_page + t_native) / t_bounce, which is
 *    bounce_ratio * (1 + 1 / native_ratio), is 1 for it, where its
 *    bounce_ratio is only t_page / (t_page + t_native);
 *  - the same three for RAM pages: bounce_ram_ratio, native_ram_ratio and
 *    bounce_ram_efficiency.
 *
 * pfn_vec_bench_block_contention measures the bounce path when memory is
 * short, and pfn_vec_bench_block_p2p DMA by nvme to and from the BAR,
 * below.
 *
 * brd must be at least BENCH_BUF large: the benchmark kunitconfig sets
 * CONFIG_BLK_DEV_RAM_SIZE, or boot with brd.rd_size=.
 */
#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/slab.h>

#include "blk.h"

#define BENCH_BIO	SZ_128K			/* bytes per bio */
#define BENCH_BUF	SZ_64M			/* memory cycled through */
#define BENCH_BYTES	SZ_1G			/* moved each way, per path */
#define BENCH_BIOS	(BENCH_BUF / BENCH_BIO)
#define BENCH_ROUNDS	(BENCH_BYTES / BENCH_BUF)

static_assert(BENCH_ROUNDS >= PFN_VEC_BENCH_MIN_ROUNDS);
static_assert(BENCH_ROUNDS <= PFN_VEC_BENCH_MAX_ROUNDS);

enum bench_path { PATH_PAGE, PATH_BOUNCE, PATH_NATIVE, NR_PATHS };

static const char * const path_names[] = { "bio_vec", "bounced", "native" };

struct bench_ctx {
	struct kunit *test;
	struct block_device *bdev;
	bool was_native;		/* brd's BLK_FEAT_PFN_VEC at the start */
	/* BENCH_BUF of RAM, in BENCH_BIO pieces: one per bio */
	struct page *chunks[BENCH_BIOS];
	/* BENCH_BUF of the BAR, registered with pfn_vec; 0 for RAM */
	phys_addr_t bar;
	void __iomem *bar_io;		/* ioremap_wc() of it, to check it */
	u64 *expect, *actual;		/* BENCH_BIO each */
};

static bool bench_is_native(struct block_device *bdev)
{
	return bdev_get_queue(bdev)->limits.features & BLK_FEAT_PFN_VEC;
}

/*
 * Let pfn_vec bios reach brd as they are, or have the block layer bounce
 * them. Nothing is in flight here, but a feature of a live queue changes
 * only with the queue frozen.
 */
static int bench_set_feature(struct block_device *bdev, blk_features_t feat,
			     bool on)
{
	struct request_queue *q = bdev_get_queue(bdev);
	struct queue_limits lim = queue_limits_start_update(q);

	if (on)
		lim.features |= feat;
	else
		lim.features &= ~feat;
	return queue_limits_commit_update_frozen(q, &lim);
}

static int bench_set_native(struct block_device *bdev, bool native)
{
	return bench_set_feature(bdev, BLK_FEAT_PFN_VEC, native);
}

/* Leave brd as it was found: its feature as before, its pages freed. */
static void bench_restore_dev(void *data)
{
	struct bench_ctx *ctx = data;
	int ret;

	ret = bench_set_native(ctx->bdev, ctx->was_native);
	if (ret)
		KUNIT_FAIL(ctx->test, "cannot restore BLK_FEAT_PFN_VEC: %d", ret);
	ret = blkdev_issue_discard(ctx->bdev, 0, BENCH_BUF >> SECTOR_SHIFT,
				   GFP_KERNEL);
	if (ret)
		KUNIT_FAIL(ctx->test, "cannot discard brd: %d", ret);
}

static void bench_fput(void *file)
{
	fput(file);
}

/* Open the disk @name for reading and writing until the case ends. */
static struct block_device *bench_open_disk(struct kunit *test,
					    const char *name)
{
	struct device *dev = class_find_device_by_name(&block_class, name);
	struct file *file;
	dev_t devt;

	KUNIT_ASSERT_NOT_NULL_MSG(test, dev, "no %s: see the kunitconfig", name);
	devt = dev->devt;
	put_device(dev);
	file = bdev_file_open_by_dev(devt, BLK_OPEN_READ | BLK_OPEN_WRITE,
				     NULL, NULL);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "cannot open %s: %pe", name,
			       file);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_fput, file));
	return file_bdev(file);
}

static void bench_open_brd(struct kunit *test, struct bench_ctx *ctx)
{
	ctx->bdev = bench_open_disk(test, "ram0");
	KUNIT_ASSERT_GE_MSG(test, bdev_nr_bytes(ctx->bdev), (loff_t)BENCH_BUF,
			    "ram0 too small: boot with brd.rd_size=%u",
			    BENCH_BUF / SZ_1K);
	ctx->was_native = bench_is_native(ctx->bdev);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_restore_dev,
							   ctx));
}

static void bench_free_chunks(void *data)
{
	struct bench_ctx *ctx = data;
	unsigned int i;

	for (i = 0; i < BENCH_BIOS && ctx->chunks[i]; i++)
		__free_pages(ctx->chunks[i], get_order(BENCH_BIO));
}

/* The first BENCH_BUF of the ivshmem BAR, registered and checkable. */
static void bench_map_bar(struct kunit *test, struct bench_ctx *ctx)
{
	struct pfn_vec_bench_bar bar;

	pfn_vec_bench_find_bar(test, &bar, BENCH_BUF);
	ctx->bar = bar.phys;

	ctx->bar_io = pfn_vec_kunit_ioremap_wc(test, ctx->bar, BENCH_BUF);
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register_bar(test, bar.pdev, 0,
							 BENCH_BUF,
							 IO_LINEAR_WC), 0);
}

static struct bench_ctx *bench_init(struct kunit *test, bool bar)
{
	struct bench_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	ctx->expect = kunit_kmalloc(test, BENCH_BIO, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->expect);
	ctx->actual = kunit_kmalloc(test, BENCH_BIO, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->actual);

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_free_chunks,
							   ctx));
	for (i = 0; i < BENCH_BIOS; i++) {
		ctx->chunks[i] = alloc_pages(GFP_KERNEL, get_order(BENCH_BIO));
		KUNIT_ASSERT_NOT_NULL(test, ctx->chunks[i]);
	}
	if (bar)
		bench_map_bar(test, ctx);
	bench_open_brd(test, ctx);
	return ctx;
}

/*
 * The data of bio @i of @path: a RAM chunk, or the pfn_vec of a RAM chunk
 * or of a piece of the BAR.
 */
static int bench_add_data(struct bench_ctx *ctx, struct bio *bio,
			  enum bench_path path, unsigned int i)
{
	struct pfn_vec pv;
	int ret;

	if (path == PATH_PAGE)
		return bio_add_page(bio, ctx->chunks[i], BENCH_BIO, 0);
	if (ctx->bar) {
		ret = pfn_vec_set_phys(&pv, ctx->bar + (size_t)i * BENCH_BIO,
				       BENCH_BIO);
		if (ret)
			return ret;
	} else {
		pfn_vec_set_page(&pv, ctx->chunks[i], BENCH_BIO, 0);
	}
	return bio_add_pfn_vec(bio, &pv);
}

/* Move all of the memory that @path uses to brd, or back, bio after bio. */
static int bench_pass(struct bench_ctx *ctx, enum bench_path path,
		      enum req_op op)
{
	unsigned int i;
	struct bio *bio;
	int ret;

	for (i = 0; i < BENCH_BIOS; i++) {
		if (path == PATH_PAGE)
			bio = bio_alloc(ctx->bdev, 1, op, GFP_KERNEL);
		else
			bio = bio_alloc_pfn_vec(ctx->bdev, 1, op, GFP_KERNEL);
		if (!bio)
			return -ENOMEM;
		bio->bi_iter.bi_sector = (sector_t)i * (BENCH_BIO >> SECTOR_SHIFT);
		ret = bench_add_data(ctx, bio, path, i);
		if (ret == BENCH_BIO)
			ret = submit_bio_wait(bio);
		else if (ret >= 0)
			ret = -EINVAL;	/* the segment did not fit */
		bio_put(bio);
		if (ret)
			return ret;
		/* brd ends bios in their submitter: this may never sleep. */
		cond_resched();
	}
	return 0;
}

/* Set brd up for @path: bio_vec bios go the same way either way. */
static int bench_use_path(struct bench_ctx *ctx, enum bench_path path)
{
	if (path == PATH_PAGE)
		return 0;
	return bench_set_native(ctx->bdev, path == PATH_NATIVE);
}

/* Piece @i of the pattern for @seed, different for every piece and seed. */
static void bench_pattern(struct bench_ctx *ctx, unsigned int seed,
			  unsigned int i)
{
	u64 v = ((u64)seed << 56) ^ ((u64)i << 32);
	unsigned int j;

	for (j = 0; j < BENCH_BIO / sizeof(u64); j++)
		ctx->expect[j] = v ^ (j * 0x9e3779b97f4a7c15ULL);
}

static bool bench_uses_bar(struct bench_ctx *ctx, enum bench_path path)
{
	return ctx->bar && path != PATH_PAGE;
}

/* Fill the memory that @path uses with the pattern for @seed, or zeroes. */
static void bench_fill(struct bench_ctx *ctx, enum bench_path path,
		       unsigned int seed, bool zero)
{
	bool bar = bench_uses_bar(ctx, path);
	unsigned int i;

	for (i = 0; i < BENCH_BIOS; i++) {
		if (!zero)
			bench_pattern(ctx, seed, i);
		if (bar && zero)
			memset_io(ctx->bar_io + (size_t)i * BENCH_BIO, 0, BENCH_BIO);
		else if (bar)
			memcpy_toio(ctx->bar_io + (size_t)i * BENCH_BIO,
				    ctx->expect, BENCH_BIO);
		else if (zero)
			memset(page_address(ctx->chunks[i]), 0, BENCH_BIO);
		else
			memcpy(page_address(ctx->chunks[i]), ctx->expect,
			       BENCH_BIO);
	}
}

/* The first byte of the memory @path uses that differs, or BENCH_BUF. */
static size_t bench_check(struct bench_ctx *ctx, enum bench_path path,
			  unsigned int seed)
{
	unsigned int i;
	const u8 *a;
	size_t j;

	for (i = 0; i < BENCH_BIOS; i++) {
		bench_pattern(ctx, seed, i);
		if (bench_uses_bar(ctx, path)) {
			memcpy_fromio(ctx->actual,
				      ctx->bar_io + (size_t)i * BENCH_BIO,
				      BENCH_BIO);
			a = (const u8 *)ctx->actual;
		} else {
			a = page_address(ctx->chunks[i]);
		}
		if (!memcmp(a, ctx->expect, BENCH_BIO))
			continue;
		for (j = 0; a[j] == ((const u8 *)ctx->expect)[j]; j++)
			;
		return (size_t)i * BENCH_BIO + j;
	}
	return BENCH_BUF;
}

/*
 * Once per path, untimed: write a pattern of its own from memory to brd,
 * zero the memory, read it back and compare all of it, so that a path that
 * moves nothing, or the wrong bytes, cannot pass for a fast one. Each path
 * writes a different pattern, so a write that did not happen shows too.
 * This also gives brd all its pages before anything is timed.
 */
static bool bench_verify(struct kunit *test, struct bench_ctx *ctx,
			 enum bench_path path)
{
	unsigned int seed = path + 1;
	size_t bad;
	int ret;

	ret = bench_use_path(ctx, path);
	if (ret) {
		KUNIT_FAIL(test, "%s: cannot set brd up: %d", path_names[path], ret);
		return false;
	}
	bench_fill(ctx, path, seed, false);
	ret = bench_pass(ctx, path, REQ_OP_WRITE);
	if (ret) {
		KUNIT_FAIL(test, "%s write: %d", path_names[path], ret);
		return false;
	}
	bench_fill(ctx, path, 0, true);
	ret = bench_pass(ctx, path, REQ_OP_READ);
	if (ret) {
		KUNIT_FAIL(test, "%s read: %d", path_names[path], ret);
		return false;
	}
	bad = bench_check(ctx, path, seed);
	if (bad != BENCH_BUF) {
		KUNIT_FAIL(test, "%s: read back differs at byte %zu",
			   path_names[path], bad);
		return false;
	}
	return true;
}

/*
 * The order of the paths in each round: every order of the three in turn,
 * each followed by its reverse, so that in every two rounds each path runs
 * once before and once after each other one, and over six rounds each path
 * runs first, second and last twice.
 */
static const enum bench_path bench_orders[][NR_PATHS] = {
	{ PATH_PAGE, PATH_BOUNCE, PATH_NATIVE },
	{ PATH_NATIVE, PATH_BOUNCE, PATH_PAGE },
	{ PATH_BOUNCE, PATH_NATIVE, PATH_PAGE },
	{ PATH_PAGE, PATH_NATIVE, PATH_BOUNCE },
	{ PATH_NATIVE, PATH_PAGE, PATH_BOUNCE },
	{ PATH_BOUNCE, PATH_PAGE, PATH_NATIVE },
};

/*
 * One round: a write and a read of all of the memory on every path, in
 * the order for @round; each path's time in @t[path][round] and its
 * totals in @t_write and @t_read. Returns the first error, at which it
 * stops.
 */
static int bench_round(struct bench_ctx *ctx, unsigned int round,
		       u64 t[NR_PATHS][BENCH_ROUNDS], u64 *t_write, u64 *t_read)
{
	unsigned int i = round % ARRAY_SIZE(bench_orders), k;
	u64 t0, t1, t2;
	int ret;

	for (k = 0; k < NR_PATHS; k++) {
		enum bench_path path = bench_orders[i][k];

		/* The queue changes outside the timed passes. */
		ret = bench_use_path(ctx, path);
		if (ret)
			return ret;
		t0 = ktime_get_ns();
		ret = bench_pass(ctx, path, REQ_OP_WRITE);
		t1 = ktime_get_ns();
		if (ret)
			return ret;
		ret = bench_pass(ctx, path, REQ_OP_READ);
		t2 = ktime_get_ns();
		if (ret)
			return ret;
		t[path][round] = t2 - t0;
		t_write[path] += t1 - t0;
		t_read[path] += t2 - t1;
	}
	return 0;
}

/*
 * BENCH_BYTES each way on each path, in BENCH_ROUNDS rounds, after each
 * path has checked its data once; then the keys, from each round's times.
 */
static void bench_paths(struct kunit *test, bool bar, const char *bounce_key,
			const char *native_key, const char *efficiency_key)
{
	struct bench_ctx *ctx = bench_init(test, bar);
	u64 t[NR_PATHS][BENCH_ROUNDS], t_write[NR_PATHS] = {};
	u64 t_read[NR_PATHS] = {}, t_ceiling[BENCH_ROUNDS];
	unsigned int round;
	enum bench_path path;
	bool ok = true;
	int ret = 0;

	for (path = 0; path < NR_PATHS; path++)
		ok &= bench_verify(test, ctx, path);
	/* A path that moves the wrong bytes has no throughput worth a key. */
	if (!ok)
		return;

	for (round = 0; round < BENCH_ROUNDS && !ret; round++)
		ret = bench_round(ctx, round, t, t_write, t_read);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "round %u", round - 1);

	for (path = 0; path < NR_PATHS; path++)
		kunit_info(test, "%s, %u MiB each way in %u KiB bios, %s: write %llu us, read %llu us\n",
			   bar ? "BAR" : "RAM", BENCH_BYTES >> 20, BENCH_BIO >> 10,
			   path_names[path], t_write[path] / 1000,
			   t_read[path] / 1000);
	/* The same bytes on every path: throughput is the inverse of time. */
	pfn_vec_bench_report(test, bounce_key, t[PATH_PAGE], t[PATH_BOUNCE],
			     BENCH_ROUNDS);
	pfn_vec_bench_report(test, native_key, t[PATH_PAGE], t[PATH_NATIVE],
			     BENCH_ROUNDS);
	for (round = 0; round < BENCH_ROUNDS; round++)
		t_ceiling[round] = t[PATH_PAGE][round] + t[PATH_NATIVE][round];
	pfn_vec_bench_report(test, efficiency_key, t_ceiling, t[PATH_BOUNCE],
			     BENCH_ROUNDS);
}

/* pfn_vec bios of the ivshmem BAR: the use they are made for. */
static void pfn_vec_bench_block_bar(struct kunit *test)
{
	bench_paths(test, true, "bounce_ratio", "native_ratio",
		    "bounce_efficiency");
}

/* pfn_vec bios of RAM pages: the block layer's cost without the BAR's. */
static void pfn_vec_bench_block_ram(struct kunit *test)
{
	bench_paths(test, false, "bounce_ram_ratio", "native_ram_ratio",
		    "bounce_ram_efficiency");
}

/*
 * Contention for the bounce pool. fail_pfn_vec_bounce fails the page
 * allocator behind it, in every task, as if memory were short: every
 * bounce page then comes from the pool, which holds one bounce bio's, and
 * the bounce work item waits for it under the pool's mutex. Up to
 * CONT_DEVS threads, each with a brd disk of its own (all bouncing), move
 * pfn_vec bios of RAM pages at once; each round measures, in turn:
 *
 *  - contention_scaling: CONT_DEVS threads at once against one alone,
 *    each moving CONT_BYTES in CONT_BIO bios, pool only: the aggregate
 *    throughput of all over that of one. CONT_DEVS would be perfect
 *    scaling, min(CONT_DEVS, CPUs) the most the guest can give, 1 full
 *    serialisation;
 *  - contention_scaling_free: the same, the page allocator working, the
 *    figure to read the first against;
 *  - starvation_ratio: one thread moves CONT_BYTES in CONT_LARGE bios,
 *    which always go to the bounce work item, while the other threads
 *    bounce CONT_SMALL bios, which take pool pages without waiting, until
 *    it is done: its throughput pool only, against its throughput in the
 *    same mix with the page allocator working. The threads compete for
 *    the CPUs alike in both, so this is what competing for the pool
 *    costs the work item's bios.
 */
#define CONT_DEVS	4
#define CONT_BIO	SZ_128K
/* More bounce bios than the submitter takes for a bio: to the work item. */
#define CONT_LARGE	((BLK_PFN_VEC_BOUNCE_INLINE + 1) * \
			 BLK_PFN_VEC_BOUNCE_PAGES * PAGE_SIZE)
#define CONT_SMALL	SZ_4K
#define CONT_BYTES	SZ_64M		/* per thread, half written, half read */
#define CONT_ROUNDS	6

static_assert(CONT_ROUNDS >= PFN_VEC_BENCH_MIN_ROUNDS);
static_assert(CONT_ROUNDS <= PFN_VEC_BENCH_MAX_ROUNDS);

struct cont_ctx;

/* One thread, its disk and its memory, and the job it is given. */
struct cont_thread {
	struct cont_ctx *ctx;
	struct block_device *bdev;
	bool was_native;
	struct page *page;		/* CONT_LARGE of RAM, order CONT_ORDER */
	unsigned int bio_size;		/* of the job */
	bool until_stop;		/* go on until ctx->stop */
	u64 ns;				/* the job's time */
	int err;			/* its first error */
	struct completion done;
};

#define CONT_ORDER	get_order(CONT_LARGE)

struct cont_ctx {
	struct kunit *test;
	bool stop;			/* the until_stop threads end */
	unsigned int started;		/* threads of the last step */
	struct cont_thread t[CONT_DEVS];
};

/* Move the thread's memory to its disk, or back, in bios of bio_size. */
static int cont_pass(struct cont_thread *t, enum req_op op)
{
	unsigned int i;
	struct pfn_vec pv;
	struct bio *bio;
	int ret;

	for (i = 0; i < CONT_LARGE / t->bio_size; i++) {
		bio = bio_alloc_pfn_vec(t->bdev, 1, op, GFP_KERNEL);
		if (!bio)
			return -ENOMEM;
		bio->bi_iter.bi_sector = (sector_t)i *
					 (t->bio_size >> SECTOR_SHIFT);
		pfn_vec_set_page(&pv, t->page, t->bio_size, i * t->bio_size);
		ret = bio_add_pfn_vec(bio, &pv);
		if (ret == t->bio_size)
			ret = submit_bio_wait(bio);
		else if (ret >= 0)
			ret = -EINVAL;
		bio_put(bio);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

/* Write and read back, CONT_BYTES in all, or until ctx->stop. */
static int cont_move(struct cont_thread *t)
{
	u64 moved = 0;
	int ret = 0;

	while (!ret && (t->until_stop ? !READ_ONCE(t->ctx->stop) :
				      moved < CONT_BYTES)) {
		ret = cont_pass(t, moved / CONT_LARGE % 2 ? REQ_OP_READ :
							    REQ_OP_WRITE);
		moved += CONT_LARGE;
	}
	return ret;
}

static int cont_fn(void *data)
{
	struct cont_thread *t = data;
	u64 t0 = ktime_get_ns();

	t->err = cont_move(t);
	t->ns = ktime_get_ns() - t0;
	complete_all(&t->done);
	return 0;
}

/*
 * Run a job on threads 0 to @nr - 1 at once: thread 0 moves CONT_BYTES in
 * bios of @size; the others the same, or, if @small, CONT_SMALL bios until
 * thread 0 is done. Return: the time of the slowest that had CONT_BYTES to
 * move; 0, having failed the case, on error.
 */
static u64 cont_step(struct cont_ctx *ctx, unsigned int nr, unsigned int size,
		     bool small)
{
	struct task_struct *k;
	unsigned int i, started;
	u64 ns = 0;
	int err = 0;

	WRITE_ONCE(ctx->stop, false);
	for (started = 0; started < nr; started++) {
		struct cont_thread *t = &ctx->t[started];

		t->bio_size = small && started ? CONT_SMALL : size;
		t->until_stop = small && started;
		t->err = 0;
		reinit_completion(&t->done);
		k = kthread_run(cont_fn, t, "pfn_vec_cont/%u", started);
		if (IS_ERR(k)) {
			err = PTR_ERR(k);
			break;
		}
		ctx->started = started + 1;
	}
	/* Those with CONT_BYTES to move first, then those that go on until then. */
	for (i = 0; i < started; i++) {
		struct cont_thread *t = &ctx->t[i];

		if (t->until_stop)
			continue;
		wait_for_completion(&t->done);
		ns = max(ns, t->ns);
		err = err ?: t->err;
	}
	WRITE_ONCE(ctx->stop, true);
	for (i = 0; i < started; i++) {
		struct cont_thread *t = &ctx->t[i];

		if (!t->until_stop)
			continue;
		wait_for_completion(&t->done);
		err = err ?: t->err;
	}
	if (err) {
		KUNIT_FAIL(ctx->test, "%u threads of %u KiB bios: %d", nr,
			   size >> 10, err);
		return 0;
	}
	return ns;
}

/* Make the page allocator behind the bounce pool fail, or work. */
static int cont_fail_pool(struct cont_ctx *ctx, bool fail)
{
	return pfn_vec_kunit_debugfs_write(ctx->test,
					   "fail_pfn_vec_bounce/probability",
					   fail ? "100" : "0");
}

static const char * const cont_knobs[][2] = {
	{ "fail_pfn_vec_bounce/verbose",	"0" },
	{ "fail_pfn_vec_bounce/task-filter",	"N" },
	{ "fail_pfn_vec_bounce/interval",	"1" },
	{ "fail_pfn_vec_bounce/times",		"-1" },
	{ "fail_pfn_vec_bounce/probability",	"0" },
};

/* Should the case end mid-step, its threads end before their memory. */
static void cont_drain(void *data)
{
	struct cont_ctx *ctx = data;
	unsigned int i;

	WRITE_ONCE(ctx->stop, true);
	for (i = 0; i < ctx->started; i++)
		wait_for_completion(&ctx->t[i].done);
}

static void cont_restore(void *data)
{
	struct cont_thread *t = data;
	int ret;

	ret = bench_set_native(t->bdev, t->was_native);
	if (ret)
		KUNIT_FAIL(t->ctx->test, "cannot restore BLK_FEAT_PFN_VEC: %d", ret);
	__free_pages(t->page, CONT_ORDER);
}

static struct cont_ctx *cont_init(struct kunit *test)
{
	struct cont_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	char name[BDEVNAME_SIZE];
	unsigned int i;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	if (!IS_ENABLED(CONFIG_FAIL_PFN_VEC_BOUNCE))
		kunit_skip(test, "needs FAIL_PFN_VEC_BOUNCE: see the kunitconfig");
	for (i = 0; i < ARRAY_SIZE(cont_knobs); i++) {
		ret = pfn_vec_kunit_debugfs_set(test, cont_knobs[i][0],
						cont_knobs[i][1]);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "setting %s", cont_knobs[i][0]);
	}
	for (i = 0; i < CONT_DEVS; i++) {
		struct cont_thread *t = &ctx->t[i];

		t->ctx = ctx;
		init_completion(&t->done);
		snprintf(name, sizeof(name), "ram%u", i);
		t->bdev = bench_open_disk(test, name);
		t->page = alloc_pages(GFP_KERNEL, CONT_ORDER);
		KUNIT_ASSERT_NOT_NULL(test, t->page);
		t->was_native = bench_is_native(t->bdev);
		KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, cont_restore,
								   t));
		KUNIT_ASSERT_EQ(test, bench_set_native(t->bdev, false), 0);
	}
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, cont_drain, ctx));
	return ctx;
}

/*
 * Untimed, once per disk: a pattern of its own written through the bounce
 * path, with the pool only, the memory zeroed and read back, so that a
 * path that moves nothing cannot pass for a fast one.
 */
static void cont_verify(struct kunit *test, struct cont_ctx *ctx)
{
	unsigned int i, j;
	u8 *va;

	KUNIT_ASSERT_EQ(test, cont_fail_pool(ctx, true), 0);
	for (i = 0; i < CONT_DEVS; i++) {
		struct cont_thread *t = &ctx->t[i];

		va = page_address(t->page);
		t->bio_size = CONT_BIO;
		for (j = 0; j < CONT_LARGE; j++)
			va[j] = i * 31 + j % 251;
		KUNIT_ASSERT_EQ(test, cont_pass(t, REQ_OP_WRITE), 0);
		memset(va, 0, CONT_LARGE);
		KUNIT_ASSERT_EQ(test, cont_pass(t, REQ_OP_READ), 0);
		for (j = 0; j < CONT_LARGE; j++)
			if (va[j] != (u8)(i * 31 + j % 251))
				break;
		KUNIT_ASSERT_EQ_MSG(test, j, CONT_LARGE,
				    "ram%u: read back differs", i);
	}
}

enum cont_job { CONT_ONE, CONT_ALL, CONT_ONE_FREE, CONT_ALL_FREE,
		CONT_MIXED, CONT_MIXED_FREE, NR_CONT_JOBS };

static const char * const cont_job_names[] = {
	"one thread, pool only", "all threads, pool only",
	"one thread", "all threads",
	"large bios among 4 KiB bios, pool only",
	"large bios among 4 KiB bios",
};

static u64 cont_job(struct cont_ctx *ctx, enum cont_job job)
{
	bool fail = job == CONT_ONE || job == CONT_ALL || job == CONT_MIXED;

	if (cont_fail_pool(ctx, fail)) {
		KUNIT_FAIL(ctx->test, "cannot set fail_pfn_vec_bounce");
		return 0;
	}
	switch (job) {
	case CONT_ONE:
	case CONT_ONE_FREE:
		return cont_step(ctx, 1, CONT_BIO, false);
	case CONT_ALL:
	case CONT_ALL_FREE:
		return cont_step(ctx, CONT_DEVS, CONT_BIO, false);
	default:
		return cont_step(ctx, CONT_DEVS, CONT_LARGE, true);
	}
}

static void pfn_vec_bench_block_contention(struct kunit *test)
{
	struct cont_ctx *ctx = cont_init(test);
	u64 t[NR_CONT_JOBS][CONT_ROUNDS], all[CONT_ROUNDS], all_free[CONT_ROUNDS];
	unsigned int round, k;

	cont_verify(test, ctx);
	for (round = 0; round < CONT_ROUNDS; round++) {
		for (k = 0; k < NR_CONT_JOBS; k++) {
			/* Each round starts one job later, and every other goes backwards. */
			unsigned int j = (round + k) % NR_CONT_JOBS;

			if (round % 2)
				j = NR_CONT_JOBS - 1 - j;
			t[j][round] = cont_job(ctx, j);
			if (!t[j][round])
				return;
		}
		/* Throughput of all against one: CONT_DEVS times the bytes. */
		all[round] = CONT_DEVS * t[CONT_ONE][round];
		all_free[round] = CONT_DEVS * t[CONT_ONE_FREE][round];
	}
	for (k = 0; k < NR_CONT_JOBS; k++) {
		u64 sum = 0;

		for (round = 0; round < CONT_ROUNDS; round++)
			sum += t[k][round];
		kunit_info(test, "contention: %s, %u MiB per thread, %u rounds: %llu us\n",
			   cont_job_names[k], CONT_BYTES >> 20, CONT_ROUNDS,
			   sum / 1000);
	}
	pfn_vec_bench_report(test, "contention_scaling", all, t[CONT_ALL],
			     CONT_ROUNDS);
	pfn_vec_bench_report(test, "contention_scaling_free", all_free,
			     t[CONT_ALL_FREE], CONT_ROUNDS);
	pfn_vec_bench_report(test, "starvation_ratio", t[CONT_MIXED_FREE],
			     t[CONT_MIXED], CONT_ROUNDS);
}

/*
 * pfn_vec_bench_block_p2p: QEMU's nvme reading into and writing from the
 * ivshmem BAR behind the same PCIe switch, by peer-to-peer DMA (the
 * native path: BLK_FEAT_PFN_VEC_DMA), against the same I/O to RAM pages
 * (bio_vec bios), and against the same BAR I/O bounced through RAM (the
 * feature cleared), in bios of 128 KiB and of 1 MiB, P2P_DEPTH of them in
 * flight. Each round moves P2P_BUF each way on each path P2P_REPEAT times
 * (nvme's DMA is the host's memcpy, and one pass takes milliseconds), in
 * a different order of paths from round to round. Per bio size:
 *
 *  - p2p_read_ratio_<size>, p2p_write_ratio_<size>: throughput of P2P
 *    reads (into the BAR) and writes (from it) against the same to RAM;
 *  - p2p_vs_bounce_ratio_<size>: throughput of P2P against the bounced
 *    path, reads and writes together.
 *
 * Before the rounds, the P2P path's data is checked through RAM pages,
 * and the queue's count of bounced bytes after each timed pass: none for
 * the P2P path, all for the bounced one.
 */
#define P2P_BUF		SZ_32M		/* moved each way per path and round */
#define P2P_CHUNK	SZ_128K		/* RAM allocations */
#define P2P_DEPTH	4		/* bios in flight */
#define P2P_REPEAT	8		/* passes per timed sample */
#define P2P_ROUNDS	12

static_assert(P2P_ROUNDS >= PFN_VEC_BENCH_MIN_ROUNDS);
static_assert(P2P_ROUNDS <= PFN_VEC_BENCH_MAX_ROUNDS);

struct p2p_ctx {
	struct kunit *test;
	struct block_device *bdev;
	bool was_dma;			/* nvme's BLK_FEAT_PFN_VEC_DMA */
	struct page *chunks[P2P_BUF / P2P_CHUNK];
	phys_addr_t bar;
	void __iomem *bar_io;
	atomic_t in_flight;
	atomic_t errors;
	wait_queue_head_t wait;
};

static void p2p_restore(void *data)
{
	struct p2p_ctx *ctx = data;
	int ret;

	ret = bench_set_feature(ctx->bdev, BLK_FEAT_PFN_VEC_DMA, ctx->was_dma);
	if (ret)
		KUNIT_FAIL(ctx->test, "cannot restore BLK_FEAT_PFN_VEC_DMA: %d",
			   ret);
}

static void p2p_free_chunks(void *data)
{
	struct p2p_ctx *ctx = data;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctx->chunks) && ctx->chunks[i]; i++)
		__free_pages(ctx->chunks[i], get_order(P2P_CHUNK));
}

static struct p2p_ctx *p2p_init(struct kunit *test)
{
	struct p2p_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct pfn_vec_bench_bar bar;
	char name[BDEVNAME_SIZE];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	init_waitqueue_head(&ctx->wait);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, p2p_free_chunks,
							   ctx));
	for (i = 0; i < ARRAY_SIZE(ctx->chunks); i++) {
		ctx->chunks[i] = alloc_pages(GFP_KERNEL, get_order(P2P_CHUNK));
		KUNIT_ASSERT_NOT_NULL(test, ctx->chunks[i]);
	}

	pfn_vec_bench_find_bar(test, &bar, P2P_BUF);
	KUNIT_ASSERT_FALSE_MSG(test, pci_is_root_bus(bar.pdev->bus),
			       "the ivshmem BAR is not behind a switch");
	ctx->bar = bar.phys;
	ctx->bar_io = pfn_vec_kunit_ioremap_wc(test, ctx->bar, P2P_BUF);
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register_bar(test, bar.pdev, 0,
							 P2P_BUF,
							 IO_LINEAR_WC), 0);

	pfn_vec_kunit_nvme_disk(test, name, sizeof(name));
	ctx->bdev = bench_open_disk(test, name);
	KUNIT_ASSERT_GE(test, bdev_nr_bytes(ctx->bdev), (loff_t)P2P_BUF);
	ctx->was_dma = bdev_get_queue(ctx->bdev)->limits.features &
		       BLK_FEAT_PFN_VEC_DMA;
	KUNIT_ASSERT_TRUE_MSG(test, ctx->was_dma,
			      "%s does not declare BLK_FEAT_PFN_VEC_DMA", name);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, p2p_restore,
							   ctx));
	return ctx;
}

static void p2p_end_io(struct bio *bio)
{
	struct p2p_ctx *ctx = bio->bi_private;

	if (bio->bi_status)
		atomic_inc(&ctx->errors);
	bio_put(bio);
	atomic_dec(&ctx->in_flight);
	wake_up(&ctx->wait);
}

/* Bio @i of @size bytes on @path: RAM chunks, or a pfn_vec of the BAR. */
static struct bio *p2p_bio(struct p2p_ctx *ctx, enum bench_path path,
			   enum req_op op, unsigned int size, unsigned int i)
{
	size_t off = (size_t)i * size;
	struct pfn_vec pv;
	struct bio *bio;
	unsigned int n;

	if (path == PATH_PAGE) {
		bio = bio_alloc(ctx->bdev, size / P2P_CHUNK, op, GFP_KERNEL);
		for (n = 0; bio && n < size / P2P_CHUNK; n++)
			__bio_add_page(bio, ctx->chunks[off / P2P_CHUNK + n],
				       P2P_CHUNK, 0);
	} else {
		bio = bio_alloc_pfn_vec(ctx->bdev, 1, op, GFP_KERNEL);
		if (bio && (pfn_vec_set_phys(&pv, ctx->bar + off, size) ||
			    bio_add_pfn_vec(bio, &pv) != size)) {
			bio_put(bio);
			bio = NULL;
		}
	}
	if (bio) {
		bio->bi_iter.bi_sector = off >> SECTOR_SHIFT;
		bio->bi_private = ctx;
		bio->bi_end_io = p2p_end_io;
	}
	return bio;
}

/* Move P2P_BUF on @path, in bios of @size, P2P_DEPTH in flight. */
static int p2p_pass(struct p2p_ctx *ctx, enum bench_path path,
		    enum req_op op, unsigned int size)
{
	unsigned int i;
	struct bio *bio;

	atomic_set(&ctx->errors, 0);
	for (i = 0; i < P2P_BUF / size; i++) {
		wait_event(ctx->wait, atomic_read(&ctx->in_flight) < P2P_DEPTH);
		bio = p2p_bio(ctx, path, op, size, i);
		if (!bio)
			break;
		atomic_inc(&ctx->in_flight);
		submit_bio(bio);
	}
	wait_event(ctx->wait, !atomic_read(&ctx->in_flight));
	if (i < P2P_BUF / size)
		return -ENOMEM;
	return atomic_read(&ctx->errors) ? -EIO : 0;
}

static u64 p2p_bounced(struct p2p_ctx *ctx)
{
	return atomic64_read(&bdev_get_queue(ctx->bdev)->pfn_vec_bounced);
}

/*
 * A timed pass: its time in @t; and what the queue bounced meanwhile,
 * which must be all of it on the bounced path and none on the others.
 */
static int p2p_timed(struct p2p_ctx *ctx, enum bench_path path,
		     enum req_op op, unsigned int size, u64 *t)
{
	u64 bounced = p2p_bounced(ctx), t0;
	unsigned int n;
	int ret = 0;

	t0 = ktime_get_ns();
	for (n = 0; n < P2P_REPEAT && !ret; n++)
		ret = p2p_pass(ctx, path, op, size);
	*t = ktime_get_ns() - t0;
	if (ret)
		return ret;
	bounced = p2p_bounced(ctx) - bounced;
	if (bounced != (path == PATH_BOUNCE ? (u64)P2P_BUF * P2P_REPEAT : 0)) {
		KUNIT_FAIL(ctx->test, "%s pass bounced %llu bytes",
			   path_names[path], bounced);
		return -EINVAL;
	}
	return 0;
}

/* Word @j of the check data of @seed, at byte @j * 4 of P2P_BUF. */
static u32 p2p_word(size_t j, u32 seed)
{
	return (u32)j * 2654435761u ^ seed;
}

/*
 * The P2P path moves the right bytes both ways, checked through RAM pages
 * and through ioremap_wc(). Return: the first word that differs, or
 * P2P_BUF / 4.
 */
static size_t p2p_check(struct p2p_ctx *ctx, unsigned int size)
{
	const size_t words = P2P_CHUNK / sizeof(u32);
	size_t i, j;
	u32 *p;

	for (j = 0; j < P2P_BUF / sizeof(u32); j++)
		writel(p2p_word(j, size), ctx->bar_io + j * sizeof(u32));
	if (p2p_pass(ctx, PATH_NATIVE, REQ_OP_WRITE, size) ||
	    p2p_pass(ctx, PATH_PAGE, REQ_OP_READ, size))
		return 0;
	for (i = 0; i < ARRAY_SIZE(ctx->chunks); i++) {
		p = page_address(ctx->chunks[i]);
		for (j = 0; j < words; j++) {
			if (p[j] != p2p_word(i * words + j, size))
				return i * words + j;
			p[j] = ~p[j];
		}
	}
	memset_io(ctx->bar_io, 0, P2P_BUF);
	if (p2p_pass(ctx, PATH_PAGE, REQ_OP_WRITE, size) ||
	    p2p_pass(ctx, PATH_NATIVE, REQ_OP_READ, size))
		return 0;
	for (j = 0; j < P2P_BUF / sizeof(u32); j++)
		if (readl(ctx->bar_io + j * sizeof(u32)) != ~p2p_word(j, size))
			break;
	return j;
}

static void p2p_size(struct kunit *test, struct p2p_ctx *ctx,
		     unsigned int size)
{
	u64 t[NR_PATHS][2][P2P_ROUNDS], num[P2P_ROUNDS], den[P2P_ROUNDS];
	unsigned int round, k;
	char key[48];
	int ret;

	/* A path that moves the wrong bytes has no throughput worth a key. */
	KUNIT_ASSERT_EQ_MSG(test, p2p_check(ctx, size), P2P_BUF / sizeof(u32),
			    "P2P in bios of %u KiB moves the wrong bytes",
			    size >> 10);
	for (round = 0; round < P2P_ROUNDS; round++) {
		const enum bench_path *order =
			bench_orders[round % ARRAY_SIZE(bench_orders)];

		for (k = 0; k < NR_PATHS; k++) {
			enum bench_path path = order[k];

			ret = bench_set_feature(ctx->bdev, BLK_FEAT_PFN_VEC_DMA,
						path != PATH_BOUNCE);
			KUNIT_ASSERT_EQ(test, ret, 0);
			ret = p2p_timed(ctx, path, REQ_OP_WRITE, size,
					&t[path][0][round]);
			KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s write, round %u",
					    path_names[path], round);
			ret = p2p_timed(ctx, path, REQ_OP_READ, size,
					&t[path][1][round]);
			KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s read, round %u",
					    path_names[path], round);
		}
	}

	for (k = 0; k < NR_PATHS; k++) {
		u64 w = 0, r = 0;

		for (round = 0; round < P2P_ROUNDS; round++) {
			w += t[k][0][round];
			r += t[k][1][round];
		}
		kunit_info(test, "nvme, %u MiB each way in %u KiB bios, %s: write %llu us, read %llu us\n",
			   P2P_BUF / SZ_1M * P2P_REPEAT * P2P_ROUNDS, size >> 10,
			   path_names[k], w / 1000, r / 1000);
	}
	snprintf(key, sizeof(key), "p2p_read_ratio_%uk", size >> 10);
	pfn_vec_bench_report(test, key, t[PATH_PAGE][1], t[PATH_NATIVE][1],
			     P2P_ROUNDS);
	snprintf(key, sizeof(key), "p2p_write_ratio_%uk", size >> 10);
	pfn_vec_bench_report(test, key, t[PATH_PAGE][0], t[PATH_NATIVE][0],
			     P2P_ROUNDS);
	for (round = 0; round < P2P_ROUNDS; round++) {
		num[round] = t[PATH_BOUNCE][0][round] + t[PATH_BOUNCE][1][round];
		den[round] = t[PATH_NATIVE][0][round] + t[PATH_NATIVE][1][round];
	}
	snprintf(key, sizeof(key), "p2p_vs_bounce_ratio_%uk", size >> 10);
	pfn_vec_bench_report(test, key, num, den, P2P_ROUNDS);
}

static void pfn_vec_bench_block_p2p(struct kunit *test)
{
	struct p2p_ctx *ctx = p2p_init(test);

	p2p_size(test, ctx, SZ_128K);
	p2p_size(test, ctx, SZ_1M);
}

static struct kunit_case pfn_vec_bench_block_cases[] = {
	KUNIT_CASE_SLOW(pfn_vec_bench_block_bar),
	KUNIT_CASE_SLOW(pfn_vec_bench_block_ram),
	KUNIT_CASE_SLOW(pfn_vec_bench_block_contention),
	KUNIT_CASE_SLOW(pfn_vec_bench_block_p2p),
	{}
};

static struct kunit_suite pfn_vec_bench_block_suite = {
	.name = "pfn_vec_bench_block",
	.test_cases = pfn_vec_bench_block_cases,
};

kunit_test_suite(pfn_vec_bench_block_suite);

MODULE_DESCRIPTION("pfn_vec bios against bio_vec bios on brd and nvme");
MODULE_LICENSE("GPL");
