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
 * Every key is a throughput ratio against the baseline, logged as
 * mm/pfn_vec_bench.c logs its own: "bench <key> <value>".
 *
 * brd must be at least BENCH_BUF large: the benchmark kunitconfig sets
 * CONFIG_BLK_DEV_RAM_SIZE, or boot with brd.rd_size=.
 */
#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/slab.h>

#define IVSHMEM_DEVICE_ID	0x1110
#define IVSHMEM_BAR		2

#define BENCH_BIO	SZ_128K			/* bytes per bio */
#define BENCH_BUF	SZ_64M			/* memory cycled through */
#define BENCH_BYTES	SZ_1G			/* moved each way, per path */
#define BENCH_BIOS	(BENCH_BUF / BENCH_BIO)
#define BENCH_ROUNDS	(BENCH_BYTES / BENCH_BUF)

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

/* Log one result as mm/pfn_vec_bench.c does: a ratio, in thousandths. */
static void bench_report(struct kunit *test, const char *key, u64 num, u64 den)
{
	u64 milli = div64_u64(num * 1000, max_t(u64, den, 1));

	kunit_info(test, "bench %s %llu.%03llu\n", key, milli / 1000, milli % 1000);
}

static bool bench_is_native(struct block_device *bdev)
{
	return bdev_get_queue(bdev)->limits.features & BLK_FEAT_PFN_VEC;
}

/*
 * Let pfn_vec bios reach brd as they are, or have the block layer bounce
 * them. Nothing is in flight here, but a feature of a live queue changes
 * only with the queue frozen.
 */
static int bench_set_native(struct block_device *bdev, bool native)
{
	struct request_queue *q = bdev_get_queue(bdev);
	struct queue_limits lim = queue_limits_start_update(q);

	if (native)
		lim.features |= BLK_FEAT_PFN_VEC;
	else
		lim.features &= ~BLK_FEAT_PFN_VEC;
	return queue_limits_commit_update_frozen(q, &lim);
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

static void bench_open_brd(struct kunit *test, struct bench_ctx *ctx)
{
	struct device *dev = class_find_device_by_name(&block_class, "ram0");
	struct file *file;
	dev_t devt;

	KUNIT_ASSERT_NOT_NULL_MSG(test, dev, "no ram0: see the kunitconfig");
	devt = dev->devt;
	put_device(dev);
	file = bdev_file_open_by_dev(devt, BLK_OPEN_READ | BLK_OPEN_WRITE,
				     NULL, NULL);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "cannot open ram0: %pe", file);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_fput, file));
	ctx->bdev = file_bdev(file);
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

static void bench_put_pdev(void *pdev)
{
	pci_dev_put(pdev);
}

static void bench_iounmap(void *io)
{
	iounmap((void __iomem __force *)io);
}

static void bench_unregister(void *data)
{
	struct bench_ctx *ctx = data;

	pfn_vec_region_unregister(ctx->bar, BENCH_BUF);
}

/* The first BENCH_BUF of the ivshmem BAR, registered and checkable. */
static void bench_map_bar(struct kunit *test, struct bench_ctx *ctx)
{
	struct pci_dev *pdev;

	pdev = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET, IVSHMEM_DEVICE_ID,
			      NULL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, pdev, "no ivshmem-plain device");
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_put_pdev,
							   pdev));
	KUNIT_ASSERT_EQ(test, pci_enable_device_mem(pdev), 0);
	KUNIT_ASSERT_GE(test, pci_resource_len(pdev, IVSHMEM_BAR),
			(resource_size_t)BENCH_BUF);
	ctx->bar = pci_resource_start(pdev, IVSHMEM_BAR);

	/* Write-combining, as registered: PAT refuses a conflicting alias. */
	ctx->bar_io = ioremap_wc(ctx->bar, BENCH_BUF);
	KUNIT_ASSERT_NOT_NULL(test, (void __force *)ctx->bar_io);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_iounmap,
							   (void __force *)ctx->bar_io));
	KUNIT_ASSERT_EQ(test, pfn_vec_region_register(ctx->bar, BENCH_BUF,
						      IO_LINEAR_WC), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_unregister,
							   ctx));
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
 * BENCH_BYTES each way on each path: BENCH_ROUNDS rounds of one write and
 * one read of all of the memory per path, the order of the paths rotating
 * from round to round so that none always runs first, or after the same
 * other path.
 */
static void bench_paths(struct kunit *test, bool bar,
			const char *bounce_key, const char *native_key)
{
	struct bench_ctx *ctx = bench_init(test, bar);
	u64 t_write[NR_PATHS] = {}, t_read[NR_PATHS] = {}, t[NR_PATHS];
	unsigned int round, k;
	enum bench_path path;
	bool ok = true;
	u64 t0;
	int ret;

	for (path = 0; path < NR_PATHS; path++)
		ok &= bench_verify(test, ctx, path);
	/* A path that moves the wrong bytes has no throughput worth a key. */
	if (!ok)
		return;

	for (round = 0; round < BENCH_ROUNDS; round++) {
		for (k = 0; k < NR_PATHS; k++) {
			path = (round + k) % NR_PATHS;
			/* The queue changes outside the timed passes. */
			KUNIT_ASSERT_EQ(test, bench_use_path(ctx, path), 0);

			t0 = ktime_get_ns();
			ret = bench_pass(ctx, path, REQ_OP_WRITE);
			t_write[path] += ktime_get_ns() - t0;
			KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s write",
					    path_names[path]);

			t0 = ktime_get_ns();
			ret = bench_pass(ctx, path, REQ_OP_READ);
			t_read[path] += ktime_get_ns() - t0;
			KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s read",
					    path_names[path]);
		}
	}

	for (path = 0; path < NR_PATHS; path++) {
		t[path] = t_write[path] + t_read[path];
		kunit_info(test, "%s, %u MiB each way in %u KiB bios, %s: write %llu us, read %llu us\n",
			   bar ? "BAR" : "RAM", BENCH_BYTES >> 20, BENCH_BIO >> 10,
			   path_names[path], t_write[path] / 1000,
			   t_read[path] / 1000);
	}
	/* The same bytes on every path: throughput is the inverse of time. */
	bench_report(test, bounce_key, t[PATH_PAGE], t[PATH_BOUNCE]);
	bench_report(test, native_key, t[PATH_PAGE], t[PATH_NATIVE]);
}

/* pfn_vec bios of the ivshmem BAR: the use they are made for. */
static void pfn_vec_bench_block_bar(struct kunit *test)
{
	bench_paths(test, true, "bounce_ratio", "native_ratio");
}

/* pfn_vec bios of RAM pages: the block layer's cost without the BAR's. */
static void pfn_vec_bench_block_ram(struct kunit *test)
{
	bench_paths(test, false, "bounce_ram_ratio", "native_ram_ratio");
}

static struct kunit_case pfn_vec_bench_block_cases[] = {
	KUNIT_CASE_SLOW(pfn_vec_bench_block_bar),
	KUNIT_CASE_SLOW(pfn_vec_bench_block_ram),
	{}
};

static struct kunit_suite pfn_vec_bench_block_suite = {
	.name = "pfn_vec_bench_block",
	.test_cases = pfn_vec_bench_block_cases,
};

kunit_test_suite(pfn_vec_bench_block_suite);

MODULE_DESCRIPTION("pfn_vec bios against bio_vec bios on brd");
MODULE_LICENSE("GPL");
