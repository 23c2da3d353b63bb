// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_block: pfn_vec bios against brd (bio-based) and a
 * memory-backed null_blk (blk-mq), on the native path (both declare
 * BLK_FEAT_PFN_VEC) and on the block layer's bounce path (the same queues
 * with the feature cleared), over RAM, RAM without struct page and a PCI
 * BAR: building bios, both directions, all kinds of memory in one bio,
 * splits, and a bio the CPU cannot reach.
 */
#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/slab.h>
#include <linux/string_choices.h>

#include "../blk.h"
#include "pfn_vec_block_kunit.h"

KUNIT_DEFINE_ACTION_WRAPPER(memunmap_action, memunmap, void *);

/* ---- one kind of memory, both directions, both paths ---- */

struct rw_case {
	enum test_dev dev;
	enum mem_kind kind;
	bool native;
};

static const struct rw_case rw_cases[] = {
	{ DEV_BRD, MEM_RAM, true }, { DEV_BRD, MEM_RAM, false },
	{ DEV_BRD, MEM_UNMANAGED, true }, { DEV_BRD, MEM_UNMANAGED, false },
	{ DEV_BRD, MEM_BAR, true }, { DEV_BRD, MEM_BAR, false },
	{ DEV_NULLB, MEM_RAM, true }, { DEV_NULLB, MEM_RAM, false },
	{ DEV_NULLB, MEM_UNMANAGED, true }, { DEV_NULLB, MEM_UNMANAGED, false },
	{ DEV_NULLB, MEM_BAR, true }, { DEV_NULLB, MEM_BAR, false },
};

static void rw_case_desc(const struct rw_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, %s, %s", pvb_dev_names[c->dev],
		 pvb_mem_names[c->kind], c->native ? "native" : "bounced");
}

KUNIT_ARRAY_PARAM(rw_case, rw_cases, rw_case_desc);

#define RW_LEN		(SZ_256K + 3 * SECTOR_SIZE)
#define RW_OFF		(PAGE_SIZE + 100)	/* unaligned in memory */
#define RW_SECTOR	24

/*
 * Write from memory to brd and read it back into memory, in a bio of one
 * multi-page segment at an unaligned offset. Memory without struct page
 * needs the hook: without it, such a bio is refused, which
 * pfn_vec_block_test_unreachable checks.
 */
static void pfn_vec_block_test_rw(struct kunit *test)
{
	const struct rw_case *c = test->param_value;
	struct test_ctx *ctx = test->priv;
	struct test_mem *m = &ctx->mem[c->kind];
	u8 *buf = kunit_kmalloc(test, RW_LEN, GFP_KERNEL);
	struct pfn_vec pv;
	size_t i;

	if (c->kind != MEM_RAM && !pfn_vec_kunit_have_hook())
		kunit_skip(test, PFN_VEC_KUNIT_NO_HOOK);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	pvb_mem_init(test, m, c->kind);
	pvb_use_dev(test, c->dev, c->native);

	memset(buf, SENTINEL, RW_LEN);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, RW_SECTOR, buf, RW_LEN), 0);
	pvb_mem_fill(m, RW_OFF, RW_LEN, 1);
	pvb_mem_pv(test, m, RW_OFF, RW_LEN, &pv);

	KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, RW_SECTOR, &pv), 0);

	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, RW_SECTOR, buf, RW_LEN), 0);
	for (i = 0; i < RW_LEN && buf[i] == pvb_pattern(1, i); i++)
		;
	KUNIT_EXPECT_EQ_MSG(test, i, (size_t)RW_LEN, "device differs at byte %zu", i);

	/* And back: the device now holds pattern 2, memory the sentinel. */
	for (i = 0; i < RW_LEN; i++)
		buf[i] = pvb_pattern(2, i);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, RW_SECTOR, buf, RW_LEN), 0);
	pvb_mem_set(m, 0, MEM_SIZE / 4, SENTINEL);

	KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, RW_SECTOR, &pv), 0);

	KUNIT_EXPECT_EQ(test, pvb_mem_check(m, RW_OFF, RW_LEN, 2), (size_t)RW_LEN);
	KUNIT_EXPECT_TRUE(test, pvb_mem_is(m, RW_OFF - 100, 100, SENTINEL));
	KUNIT_EXPECT_TRUE(test, pvb_mem_is(m, RW_OFF + RW_LEN, 100, SENTINEL));
}

/* ---- all kinds in one bio ---- */

/*
 * One bio of segments from every kind of memory, in turn, at odd offsets
 * and lengths (each a multiple of nothing in particular, the total a
 * multiple of the sector size), written and read back on both paths.
 * Without the hook, such a bio is refused, as
 * pfn_vec_block_test_unreachable checks.
 */
static void pfn_vec_block_test_mixed(struct kunit *test)
{
	static const unsigned int lens[] = { 100, 5000, 412, 8192, 3, 509, 15, 105 };
	struct test_ctx *ctx = test->priv;
	size_t total = 0, offs[ARRAY_SIZE(lens)];
	unsigned int i, pass;
	u8 *buf;

	if (!pfn_vec_kunit_have_hook())
		kunit_skip(test, PFN_VEC_KUNIT_NO_HOOK);
	for (i = 0; i < MEM_KINDS; i++)
		pvb_mem_init(test, &ctx->mem[i], i);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		offs[i] = 3 * SZ_64K + total * 3 + i * 37;
		total += lens[i];
	}
	KUNIT_ASSERT_EQ(test, total % SECTOR_SIZE, 0);
	buf = kunit_kmalloc(test, total, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	for (pass = 0; pass < 2 * TEST_DEVS; pass++) {
		bool native = pass & 1;
		struct bio *bio;
		size_t done = 0;

		pvb_use_dev(test, pass / 2, native);
		memset(buf, SENTINEL, total);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, total), 0);

		bio = bio_alloc_pfn_vec(ctx->bdev, ARRAY_SIZE(lens), REQ_OP_WRITE,
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			struct test_mem *m = &ctx->mem[i % MEM_KINDS];
			struct pfn_vec pv;
			size_t j;

			for (j = 0; j < lens[i]; j++)
				buf[done + j] = pvb_pattern(pass + 5, done + j);
			pvb_mem_set(m, offs[i], lens[i], 0);
			for (j = 0; j < lens[i]; j++) {
				if (m->io)
					writeb(buf[done + j], m->io + offs[i] + j);
				else
					((u8 *)m->va)[offs[i] + j] = buf[done + j];
			}
			pvb_mem_pv(test, m, offs[i], lens[i], &pv);
			KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)lens[i]);
			done += lens[i];
		}
		KUNIT_EXPECT_EQ_MSG(test, submit_bio_wait(bio), 0, "%s %s write",
				    pvb_dev_names[pass / 2], native ? "native" : "bounced");
		bio_put(bio);

		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, total), 0);
		for (i = 0; i < total; i++)
			if (buf[i] != pvb_pattern(pass + 5, i))
				break;
		KUNIT_EXPECT_EQ_MSG(test, i, total, "%s %s write: device differs at %u",
				    pvb_dev_names[pass / 2], native ? "native" : "bounced", i);

		/* Read it back over zeroed memory. */
		bio = bio_alloc_pfn_vec(ctx->bdev, ARRAY_SIZE(lens), REQ_OP_READ,
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		for (i = 0, done = 0; i < ARRAY_SIZE(lens); i++) {
			struct test_mem *m = &ctx->mem[i % MEM_KINDS];
			struct pfn_vec pv;

			pvb_mem_set(m, offs[i], lens[i], 0);
			pvb_mem_pv(test, m, offs[i], lens[i], &pv);
			KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)lens[i]);
		}
		for (i = 0; i < total; i++)
			buf[i] = pvb_pattern(pass + 9, i);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, total), 0);
		KUNIT_EXPECT_EQ(test, submit_bio_wait(bio), 0);
		bio_put(bio);

		for (i = 0, done = 0; i < ARRAY_SIZE(lens); done += lens[i], i++) {
			struct test_mem *m = &ctx->mem[i % MEM_KINDS];
			size_t j;

			for (j = 0; j < lens[i]; j++) {
				u8 c = m->io ? readb(m->io + offs[i] + j) :
					       ((u8 *)m->va)[offs[i] + j];

				if (c != pvb_pattern(pass + 9, done + j))
					break;
			}
			KUNIT_EXPECT_EQ_MSG(test, j, (size_t)lens[i],
					    "%s %s read, segment %u (%s)",
					    pvb_dev_names[pass / 2],
					    native ? "native" : "bounced", i,
					    pvb_mem_names[i % MEM_KINDS]);
		}
	}
}

/* ---- split ---- */

/*
 * A bio larger than what takes it in one piece: a bounced bio larger than
 * one bounce bio, and a native bio larger than null_blk's max_sectors
 * (blk_pfn_vec_test's qemu configs boot it with null_blk.max_sectors=64),
 * which blk-mq splits. All of it arrives, and all of it comes back. It is
 * RAM without struct page, which needs the hook.
 */
static void pfn_vec_block_test_split(struct kunit *test)
{
	static const struct { enum test_dev dev; bool native; } paths[] = {
		{ DEV_BRD, false }, { DEV_NULLB, true }, { DEV_NULLB, false },
	};
	struct test_ctx *ctx = test->priv;
	struct test_mem *m = &ctx->mem[MEM_UNMANAGED];
	const size_t len = 3 * SZ_1M + 5 * SECTOR_SIZE;
	unsigned int p;
	u8 *buf;

	if (!pfn_vec_kunit_have_hook())
		kunit_skip(test, PFN_VEC_KUNIT_NO_HOOK);
	buf = kvmalloc(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	pvb_mem_init(test, m, MEM_UNMANAGED);
	for (p = 0; p < ARRAY_SIZE(paths); p++) {
		struct pfn_vec pv;
		struct bio *bio;
		size_t i;

		pvb_use_dev(test, paths[p].dev, paths[p].native);
		if (paths[p].native)
			KUNIT_EXPECT_LT(test, queue_max_sectors(bdev_get_queue(ctx->bdev)),
					(unsigned int)(len >> SECTOR_SHIFT));
		pvb_mem_fill(m, 512, len, 3 + p);
		pvb_mem_pv(test, m, 512, len, &pv);

		bio = bio_alloc_pfn_vec(ctx->bdev, 1, REQ_OP_WRITE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)len);
		KUNIT_EXPECT_EQ(test, submit_bio_wait(bio), 0);
		bio_put(bio);

		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, len), 0);
		for (i = 0; i < len && buf[i] == pvb_pattern(3 + p, i); i++)
			;
		KUNIT_EXPECT_EQ_MSG(test, i, len, "%s: device differs at %zu",
				    pvb_dev_names[paths[p].dev], i);

		pvb_mem_set(m, 0, MEM_SIZE, 0);
		bio = bio_alloc_pfn_vec(ctx->bdev, 1, REQ_OP_READ, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)len);
		KUNIT_EXPECT_EQ(test, submit_bio_wait(bio), 0);
		bio_put(bio);
		KUNIT_EXPECT_EQ(test, pvb_mem_check(m, 512, len, 3 + p), len);
	}
	kvfree(buf);
}

/* ---- memory the CPU cannot reach ---- */

/*
 * A segment of memory without struct page that no region holds: the bio
 * fails with BLK_STS_NOTSUPP on both paths, before anything moves, and a
 * bio of RAM alone still works.
 */
static void pfn_vec_block_test_unreachable(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	struct pfn_vec pv[2];
	unsigned int pass;
	phys_addr_t unmanaged;
	u8 *buf;
	void *va;

	/* Past the MEM_SIZE that other cases may register. */
	unmanaged = pfn_vec_kunit_unmanaged(test, MEM_SIZE + SZ_1M, NULL) + MEM_SIZE;
	pvb_mem_init(test, ram, MEM_RAM);
	va = memremap(unmanaged, SZ_64K, MEMREMAP_WB);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, memunmap_action, va));
	buf = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	for (pass = 0; pass < 4 * TEST_DEVS; pass++) {
		bool native = pass & 1, write = pass & 2;
		struct bio *bio;

		pvb_use_dev(test, pass / 4, native);
		memset(buf, SENTINEL, SZ_64K);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, SZ_64K), 0);
		memset(va, 0x3c, SZ_64K);
		pvb_mem_set(ram, 0, SZ_64K, 0x3c);

		pvb_mem_pv(test, ram, 0, SZ_32K, &pv[0]);
		KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv[1], unmanaged,
						       SZ_32K), 0);
		bio = bio_alloc_pfn_vec(ctx->bdev, 2, write ? REQ_OP_WRITE : REQ_OP_READ,
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv[0]), SZ_32K);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv[1]), SZ_32K);
		KUNIT_EXPECT_EQ_MSG(test, submit_bio_wait(bio), -EOPNOTSUPP, "%s %s %s",
				    pvb_dev_names[pass / 4], native ? "native" : "bounced",
				    str_write_read(write));
		bio_put(bio);

		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, SZ_64K), 0);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, SENTINEL, SZ_64K),
				      "the device was written");
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(va, 0x3c, SZ_64K),
				      "RAM without struct page was written");
		KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(ram, 0, SZ_64K, 0x3c),
				      "RAM was written");

		/* RAM alone goes through. */
		bio = bio_alloc_pfn_vec(ctx->bdev, 1, write ? REQ_OP_WRITE : REQ_OP_READ,
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv[0]), SZ_32K);
		KUNIT_EXPECT_EQ(test, submit_bio_wait(bio), 0);
		bio_put(bio);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, SZ_32K), 0);
		KUNIT_EXPECT_NULL(test, memchr_inv(buf, write ? 0x3c : SENTINEL, SZ_32K));
		KUNIT_EXPECT_TRUE(test, pvb_mem_is(ram, 0, SZ_32K, write ? 0x3c : SENTINEL));
	}
}

/* ---- building bios ---- */

static void pfn_vec_block_test_add(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	struct pfn_vec pv, bad;
	unsigned int max, i;
	struct bio *bio;

	pvb_mem_init(test, ram, MEM_RAM);

	/* Contiguous segments merge, as bio_add_page() merges pages. */
	bio = bio_alloc_pfn_vec(ctx->bdev, 4, REQ_OP_WRITE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bio);
	pvb_mem_pv(test, ram, 0, 1000, &pv);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), 1000);
	pvb_mem_pv(test, ram, 1000, 5000, &pv);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), 5000);
	KUNIT_EXPECT_EQ(test, bio->bi_vcnt, 1);
	KUNIT_EXPECT_EQ(test, bio->bi_pfn_vec[0].pv_len, 6000U);
	/* A gap makes a new segment; an empty or malformed one is refused. */
	pvb_mem_pv(test, ram, 6001, 10, &pv);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), 10);
	KUNIT_EXPECT_EQ(test, bio->bi_vcnt, 2);
	pv.pv_len = 0;
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), 0);
	bad = bio->bi_pfn_vec[0];
	bad.pv_offset = UINT_MAX - 4;
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &bad), 0);
	KUNIT_EXPECT_EQ(test, bio->bi_iter.bi_size, 6010U);
	bio_put(bio);

	/* The bio takes as many segments as its array holds, and no more. */
	bio = bio_alloc_pfn_vec(ctx->bdev, BIO_MAX_VECS * sizeof(struct bio_vec) /
				sizeof(struct pfn_vec), REQ_OP_READ, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bio);
	max = BIO_MAX_VECS * sizeof(struct bio_vec) / sizeof(struct pfn_vec);
	for (i = 0; i < max; i++) {
		pvb_mem_pv(test, ram, 2 * i * SECTOR_SIZE, SECTOR_SIZE, &pv);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), SECTOR_SIZE);
	}
	pvb_mem_pv(test, ram, 2 * i * SECTOR_SIZE, SECTOR_SIZE, &pv);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), 0);
	KUNIT_EXPECT_EQ(test, bio->bi_vcnt, max);
	bio_put(bio);

	/* Too many segments, or neither a read nor a write: no bio. */
	KUNIT_EXPECT_NULL(test, bio_alloc_pfn_vec(ctx->bdev, max + 1, REQ_OP_READ,
						  GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, bio_alloc_pfn_vec(ctx->bdev, 1, REQ_OP_DISCARD,
						  GFP_KERNEL));
}

#define CPU_OFF		300		/* unaligned in the BAR */
#define CPU_LEN		(3 * PAGE_SIZE)	/* of the pfn_vec bio */
#define CPU_SPAN	(CPU_OFF + CPU_LEN + CPU_OFF)	/* and around it */

/*
 * bio_copy_data() and zero_fill_bio() reach BAR memory through pfn_vec: a
 * pfn_vec bio of three pages of BAR from an unaligned offset against a
 * bio_vec bio of RAM pages 0 and 2-3, every byte both ways, and nothing
 * around them written. Without the hook the CPU cannot reach the BAR, and
 * a bio of it is refused, as pfn_vec_block_test_unreachable checks.
 */
static void pfn_vec_block_test_cpu_paths(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM], *bar = &ctx->mem[MEM_BAR];
	struct bio *pbio, *bbio;
	struct pfn_vec pv;
	int ret;

	if (!pfn_vec_kunit_have_hook())
		kunit_skip(test, PFN_VEC_KUNIT_NO_HOOK);
	pvb_mem_init(test, ram, MEM_RAM);
	pvb_mem_init(test, bar, MEM_BAR);
	KUNIT_ASSERT_TRUE(test, bar->mapped);

	pbio = bio_alloc_pfn_vec(ctx->bdev, 1, REQ_OP_WRITE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pbio);
	pvb_mem_pv(test, bar, CPU_OFF, CPU_LEN, &pv);
	ret = bio_add_pfn_vec(pbio, &pv);
	if (ret != CPU_LEN)
		bio_put(pbio);
	KUNIT_ASSERT_EQ(test, ret, (int)CPU_LEN);

	bbio = bio_alloc(ctx->bdev, 2, REQ_OP_WRITE, GFP_KERNEL);
	if (!bbio)
		bio_put(pbio);
	KUNIT_ASSERT_NOT_NULL(test, bbio);
	__bio_add_page(bbio, ram->pages, PAGE_SIZE, 0);
	__bio_add_page(bbio, ram->pages + 2, 2 * PAGE_SIZE, 0);

	/* RAM page 0 and pages 2-3 land in the BAR from CPU_OFF. */
	pvb_mem_fill(ram, 0, 4 * PAGE_SIZE, 7);
	pvb_mem_set(bar, 0, CPU_SPAN, SENTINEL);
	bio_copy_data(pbio, bbio);
	KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check(bar, CPU_OFF, PAGE_SIZE, 7),
			    PAGE_SIZE, "BAR differs from RAM page 0");
	KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check_from(bar, CPU_OFF + PAGE_SIZE,
						     2 * PAGE_SIZE, 7,
						     2 * PAGE_SIZE),
			    2 * PAGE_SIZE, "BAR differs from RAM pages 2-3");
	KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(bar, 0, CPU_OFF, SENTINEL) &&
			      pvb_mem_is(bar, CPU_OFF + CPU_LEN, CPU_OFF,
					 SENTINEL),
			      "bio_copy_data() wrote BAR outside the bio");

	/* zero_fill_bio() zeroes the bio's BAR, and only that. */
	pvb_mem_fill(bar, 0, CPU_SPAN, 9);
	zero_fill_bio(pbio);
	KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(bar, CPU_OFF, CPU_LEN, 0),
			      "zero_fill_bio() left BAR unzeroed");
	KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check(bar, 0, CPU_OFF, 9), CPU_OFF,
			    "zero_fill_bio() wrote BAR before the bio");
	KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check_from(bar, CPU_OFF + CPU_LEN,
						     CPU_OFF, 9,
						     CPU_OFF + CPU_LEN),
			    CPU_OFF, "zero_fill_bio() wrote BAR after the bio");

	/* And back: the BAR lands in RAM page 0 and pages 2-3, not in 1. */
	pvb_mem_fill(bar, CPU_OFF, CPU_LEN, 11);
	pvb_mem_set(ram, 0, 4 * PAGE_SIZE, SENTINEL);
	bio_copy_data(bbio, pbio);
	KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check(ram, 0, PAGE_SIZE, 11),
			    PAGE_SIZE, "RAM page 0 differs from BAR");
	KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(ram, PAGE_SIZE, PAGE_SIZE,
					       SENTINEL),
			      "bio_copy_data() wrote RAM page 1");
	KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check_from(ram, 2 * PAGE_SIZE,
						     2 * PAGE_SIZE, 11,
						     PAGE_SIZE),
			    2 * PAGE_SIZE, "RAM pages 2-3 differ from BAR");
	bio_put(bbio);
	bio_put(pbio);
}

static struct kunit_case pfn_vec_block_cases[] = {
	KUNIT_CASE(pfn_vec_block_test_add),
	KUNIT_CASE_PARAM(pfn_vec_block_test_rw, rw_case_gen_params),
	KUNIT_CASE(pfn_vec_block_test_mixed),
	KUNIT_CASE(pfn_vec_block_test_split),
	KUNIT_CASE(pfn_vec_block_test_unreachable),
	KUNIT_CASE(pfn_vec_block_test_cpu_paths),
	{}
};

static struct kunit_suite pfn_vec_block_suite = {
	.name = "pfn_vec_block",
	.init = pvb_init,
	.exit = pvb_exit,
	.test_cases = pfn_vec_block_cases,
};

kunit_test_suite(pfn_vec_block_suite);

MODULE_DESCRIPTION("KUnit tests for pfn_vec bios");
MODULE_LICENSE("GPL");
