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
	buf = pvb_kvzalloc(test, len);
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
}

/* ---- memory the CPU cannot reach ---- */

/*
 * A bio larger than a bounce piece, of RAM and one segment of memory
 * without struct page that no region holds, first, in the middle or last:
 * it fails with BLK_STS_NOTSUPP on both paths, in both directions, before
 * anything moves, neither the device nor memory; and a bio of the RAM
 * alone still works.
 */
#define UNREACH_RAM	SZ_256K
#define UNREACH_BAD	SZ_32K
#define UNREACH_MAX	(2 * UNREACH_RAM + UNREACH_BAD)

static const char * const unreach_layouts[] = { "first", "in the middle", "last" };

/* Layout @l's segments into @pv: their number. */
static unsigned int unreach_layout(struct kunit *test, unsigned int l,
				   struct test_mem *ram, phys_addr_t bad,
				   struct pfn_vec *pv)
{
	unsigned int n = 0;

	if (l)
		pvb_mem_pv(test, ram, 0, UNREACH_RAM, &pv[n++]);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv[n++], bad, UNREACH_BAD), 0);
	if (l < 2)
		pvb_mem_pv(test, ram, UNREACH_RAM + PAGE_SIZE, UNREACH_RAM,
			   &pv[n++]);
	return n;
}

static void pfn_vec_block_test_unreachable(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	struct pfn_vec pv[3];
	unsigned int pass, l, n, i;
	phys_addr_t unmanaged;
	u8 *buf;
	void *va;

	/* Past the MEM_SIZE that other cases may register. */
	unmanaged = pfn_vec_kunit_unmanaged(test, MEM_SIZE + SZ_1M, NULL) + MEM_SIZE;
	pvb_mem_init(test, ram, MEM_RAM);
	va = memremap(unmanaged, UNREACH_BAD, MEMREMAP_WB);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, memunmap_action, va));
	buf = pvb_kvzalloc(test, UNREACH_MAX);
	KUNIT_ASSERT_GT(test, UNREACH_RAM + UNREACH_BAD, (unsigned int)PIECE);

	for (pass = 0; pass < 4 * TEST_DEVS; pass++) {
		bool native = pass & 1, write = pass & 2;
		blk_opf_t op = write ? REQ_OP_WRITE : REQ_OP_READ;
		struct bio *bio;

		pvb_use_dev(test, pass / 4, native);
		for (l = 0; l < ARRAY_SIZE(unreach_layouts); l++) {
			memset(buf, SENTINEL, UNREACH_MAX);
			KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf,
							 UNREACH_MAX), 0);
			memset(va, 0x3c, UNREACH_BAD);
			pvb_mem_set(ram, 0, 2 * UNREACH_RAM + PAGE_SIZE, 0x3c);

			n = unreach_layout(test, l, ram, unmanaged, pv);
			bio = bio_alloc_pfn_vec(ctx->bdev, n, op, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, bio);
			for (i = 0; i < n; i++)
				KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv[i]),
						(int)pv[i].pv_len);
			KUNIT_EXPECT_EQ_MSG(test, submit_bio_wait(bio), -EOPNOTSUPP,
					    "%s %s %s, unreachable %s",
					    pvb_dev_names[pass / 4],
					    native ? "native" : "bounced",
					    str_write_read(write), unreach_layouts[l]);
			bio_put(bio);

			KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf,
							 UNREACH_MAX), 0);
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, SENTINEL, UNREACH_MAX),
					      "%s %s %s, unreachable %s: the device was written",
					      pvb_dev_names[pass / 4],
					      native ? "native" : "bounced",
					      str_write_read(write), unreach_layouts[l]);
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(va, 0x3c, UNREACH_BAD),
					      "RAM without struct page was written");
			KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(ram, 0,
							       2 * UNREACH_RAM + PAGE_SIZE,
							       0x3c),
					      "%s %s %s, unreachable %s: RAM was written",
					      pvb_dev_names[pass / 4],
					      native ? "native" : "bounced",
					      str_write_read(write), unreach_layouts[l]);
		}

		/* RAM alone goes through. */
		pvb_mem_pv(test, ram, 0, UNREACH_RAM, &pv[0]);
		KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, op, 0, &pv[0]), 0);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, UNREACH_RAM), 0);
		KUNIT_EXPECT_NULL(test, memchr_inv(buf, write ? 0x3c : SENTINEL,
						   UNREACH_RAM));
		KUNIT_EXPECT_TRUE(test, pvb_mem_is(ram, 0, UNREACH_RAM,
						   write ? 0x3c : SENTINEL));
	}
}

/*
 * Segments merge only within one owner. Physically adjacent memory of two
 * registered regions, as two devices' BARs side by side, stays two
 * segments, and so does adjacent memory that no region holds, whose owner
 * nothing knows; adjacent memory of one region merges. Without the hook no
 * region registers, and the case skips after the first part.
 */
static void pfn_vec_block_test_add_owners(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, 2 * SZ_64K, NULL);
	struct pfn_vec pv;
	struct bio *bio;

	bio = bio_alloc_pfn_vec(ctx->bdev, 4, REQ_OP_WRITE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bio);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), SZ_64K);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + SZ_64K, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)PAGE_SIZE);
	KUNIT_EXPECT_EQ_MSG(test, bio->bi_vcnt, 2,
			    "memory that no region holds merged");
	bio_put(bio);

	if (pfn_vec_kunit_register(test, base, SZ_64K, IO_LINEAR_WC))
		kunit_skip(test, PFN_VEC_KUNIT_NO_HOOK);
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register(test, base + SZ_64K, SZ_64K,
						     IO_LINEAR_WC), 0);

	bio = bio_alloc_pfn_vec(ctx->bdev, 4, REQ_OP_WRITE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bio);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + PAGE_SIZE,
					       SZ_64K - PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), SZ_64K - (int)PAGE_SIZE);
	KUNIT_EXPECT_EQ_MSG(test, bio->bi_vcnt, 1, "one region's memory did not merge");
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + SZ_64K, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)PAGE_SIZE);
	KUNIT_EXPECT_EQ_MSG(test, bio->bi_vcnt, 2, "two regions' memory merged");
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + SZ_64K + PAGE_SIZE,
					       PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, bio->bi_vcnt, 2);
	KUNIT_EXPECT_EQ(test, bio->bi_pfn_vec[1].pv_len, 2 * (unsigned int)PAGE_SIZE);
	bio_put(bio);
}

/* ---- sizes the queue cannot take ---- */

/*
 * A bio whose size is not a multiple of the logical block size, one piece
 * or larger, on both paths and in both directions: it fails with
 * BLK_STS_INVAL before anything moves. The bounce path split such a bio
 * past its end, into bio_split()'s BUG_ON().
 */
static void pfn_vec_block_test_misaligned(struct kunit *test)
{
	static const unsigned int lens[] = { 100, SZ_64K + 1, PIECE + 100 };
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	const size_t max = PIECE + PAGE_SIZE;
	unsigned int pass, i;
	struct pfn_vec pv;
	u8 *buf;

	pvb_mem_init(test, ram, MEM_RAM);
	buf = pvb_kvzalloc(test, max);

	for (pass = 0; pass < 4 * TEST_DEVS; pass++) {
		bool native = pass & 1, write = pass & 2;

		pvb_use_dev(test, pass / 4, native);
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			KUNIT_ASSERT_NE(test, lens[i] % bdev_logical_block_size(ctx->bdev), 0);
			memset(buf, SENTINEL, max);
			KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, max), 0);
			pvb_mem_set(ram, 0, max, 0x3c);

			pvb_mem_pv(test, ram, 0, lens[i], &pv);
			KUNIT_EXPECT_EQ_MSG(test, pvb_pv_rw(test, write ? REQ_OP_WRITE :
							    REQ_OP_READ, 0, &pv),
					    -EINVAL, "%s %s %s of %u bytes",
					    pvb_dev_names[pass / 4],
					    native ? "native" : "bounced",
					    str_write_read(write), lens[i]);
			KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, max), 0);
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, SENTINEL, max),
					      "%u bytes: the device was written", lens[i]);
			KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(ram, 0, max, 0x3c),
					      "%u bytes: memory was written", lens[i]);
		}
	}
}

/* ---- operations ---- */

/*
 * A pfn_vec bio is a read or a write. Made into anything else after it was
 * built, as a filesystem makes a write into a zone append, it fails with
 * -EOPNOTSUPP on both paths, and the device keeps its data: here a
 * discard, which brd takes.
 */
static void pfn_vec_block_test_ops(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	unsigned int pass;
	struct pfn_vec pv;
	struct bio *bio;
	u8 *buf;

	buf = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	pvb_mem_init(test, ram, MEM_RAM);
	pvb_mem_pv(test, ram, 0, SZ_64K, &pv);
	for (pass = 0; pass < 2; pass++) {
		pvb_use_dev(test, DEV_BRD, pass);
		KUNIT_ASSERT_GT(test, bdev_max_discard_sectors(ctx->bdev), 0U);
		memset(buf, SENTINEL, SZ_64K);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, SZ_64K), 0);

		bio = pvb_pv_bio(test, REQ_OP_WRITE, 0, &pv);
		bio->bi_opf = REQ_OP_DISCARD;
		KUNIT_EXPECT_EQ_MSG(test, submit_bio_wait(bio), -EOPNOTSUPP,
				    "%s", pass ? "native" : "bounced");
		bio_put(bio);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, SZ_64K), 0);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, SENTINEL, SZ_64K),
				      "%s: the device lost its data",
				      pass ? "native" : "bounced");
	}
}

/* ---- request flags ---- */

/*
 * REQ_NOWAIT on the bounce path: a bio of more than one bounce piece would
 * have to be split, which may wait, and is ended with -EAGAIN before
 * anything moves, as blk-mq ends a REQ_NOWAIT bio it would have to split;
 * a bio of one piece goes through. On the native path both go through.
 */
static void pfn_vec_block_test_nowait(struct kunit *test)
{
	static const unsigned int lens[] = { PIECE, PIECE + PAGE_SIZE };
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	const size_t max = 2 * PIECE;
	unsigned int pass, i;
	struct pfn_vec pv;
	u8 *buf;

	pvb_mem_init(test, ram, MEM_RAM);
	buf = pvb_kvzalloc(test, max);

	for (pass = 0; pass < 4; pass++) {
		bool native = pass & 1, write = pass & 2;

		pvb_use_dev(test, DEV_BRD, native);
		KUNIT_ASSERT_TRUE(test, bdev_nowait(ctx->bdev));
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			int want = native || lens[i] <= PIECE ? 0 : -EAGAIN;

			memset(buf, SENTINEL, max);
			KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, max), 0);
			pvb_mem_set(ram, 0, max, 0x3c);
			pvb_mem_pv(test, ram, 0, lens[i], &pv);
			KUNIT_EXPECT_EQ_MSG(test, pvb_pv_rw(test, (write ? REQ_OP_WRITE :
								   REQ_OP_READ) | REQ_NOWAIT,
							    0, &pv), want,
					    "%s %s of %u bytes", native ? "native" : "bounced",
					    str_write_read(write), lens[i]);
			if (!want)
				continue;
			KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, max), 0);
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, SENTINEL, max),
					      "%u bytes: the device was written", lens[i]);
			KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(ram, 0, max, 0x3c),
					      "%u bytes: memory was written", lens[i]);
		}
	}
}

/* Ends of the polled bios, and the last one's status. */
static atomic_t polled_ended;
static blk_status_t polled_status;

static void polled_end_io(struct bio *bio)
{
	WRITE_ONCE(polled_status, bio->bi_status);
	atomic_inc(&polled_ended);
	bio_put(bio);
}

/*
 * REQ_POLLED, to null_blk's poll queue (it has one by default): the
 * submitter polls the bio it submitted, of 16 KiB, which null_blk's
 * max_sectors does not split (a split clears REQ_POLLED). A bounced bio's
 * bounce bio is not polled, and ends by itself, without error. Had it gone
 * to the poll queue, nothing would reap it, as polling the original finds
 * no cookie, until the request timed out (a bounced read that fails
 * writes no memory); or the case after POLLED_TIMEOUT, leaving the bio in
 * flight.
 */
#define POLLED_TIMEOUT	10	/* seconds */

static void pfn_vec_block_test_polled(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	unsigned int pass;

	pvb_mem_init(test, ram, MEM_RAM);
	for (pass = 0; pass < 4; pass++) {
		bool native = pass & 1, write = pass & 2;
		unsigned long deadline;
		blk_status_t status;
		struct pfn_vec pv;
		struct bio *bio;
		int ended;

		pvb_use_dev(test, DEV_NULLB, native);
		KUNIT_ASSERT_TRUE_MSG(test, bdev_get_queue(ctx->bdev)->limits.features &
				      BLK_FEAT_POLL,
				      "null_blk has no poll queue: see the qemu configs");
		pvb_mem_fill(ram, 0, SZ_16K, pass);
		pvb_mem_pv(test, ram, 0, SZ_16K, &pv);
		bio = pvb_pv_bio(test, (write ? REQ_OP_WRITE : REQ_OP_READ) |
				 REQ_POLLED, 0, &pv);
		bio->bi_end_io = polled_end_io;
		ended = atomic_read(&polled_ended);
		deadline = jiffies + POLLED_TIMEOUT * HZ;
		/* Polled after its end: held until then. */
		bio_get(bio);
		submit_bio(bio);
		while (atomic_read(&polled_ended) == ended &&
		       time_before(jiffies, deadline)) {
			bio_poll(bio, NULL, 0);
			cond_resched();
		}
		KUNIT_ASSERT_NE_MSG(test, atomic_read(&polled_ended), ended,
				    "%s %s: not ended after %u s of polling",
				    native ? "native" : "bounced",
				    str_write_read(write), POLLED_TIMEOUT);
		bio_put(bio);
		status = READ_ONCE(polled_status);
		KUNIT_EXPECT_EQ_MSG(test, blk_status_to_errno(status), 0,
				    "%s %s", native ? "native" : "bounced",
				    str_write_read(write));
	}
}

/* ---- a request completed in parts ---- */

/*
 * A request of a pfn_vec bio ended in parts, as a driver that ends part of
 * a request does: blk_update_request() recounts the segments of what is
 * left, and blk_rq_cur_bytes() gives the bytes of the current one, both
 * from the bio's pfn_vecs; a bio_vec walk of them is a bug, which
 * BLK_PFN_VEC_DEBUG reports. The request is one of null_blk's, made from
 * the bio as blk-mq makes one, and ended here rather than by null_blk,
 * which ends requests whole.
 */
static void pfn_vec_block_test_partial(struct kunit *test)
{
	static const struct { size_t off; unsigned int len; } segs[] = {
		{ 0, 3 * PAGE_SIZE }, { 4 * PAGE_SIZE, PAGE_SIZE },
		{ 6 * PAGE_SIZE + 512, PAGE_SIZE },
	};
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	struct request_queue *q;
	struct request *rq;
	struct pfn_vec pv;
	struct bio *bio;
	unsigned int i;
	bool more;

	pvb_mem_init(test, ram, MEM_RAM);
	pvb_use_dev(test, DEV_NULLB, true);
	q = bdev_get_queue(ctx->bdev);
	bio = bio_alloc_pfn_vec(ctx->bdev, ARRAY_SIZE(segs), REQ_OP_WRITE,
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bio);
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		pvb_mem_pv(test, ram, segs[i].off, segs[i].len, &pv);
		if (bio_add_pfn_vec(bio, &pv) != segs[i].len)
			break;
	}
	if (i < ARRAY_SIZE(segs))
		bio_put(bio);
	KUNIT_ASSERT_EQ(test, i, ARRAY_SIZE(segs));
	KUNIT_ASSERT_EQ(test, bio->bi_vcnt, ARRAY_SIZE(segs));

	rq = blk_mq_alloc_request(q, REQ_OP_WRITE, 0);
	if (IS_ERR(rq))
		bio_put(bio);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(rq), "%pe", rq);
	blk_rq_bio_prep(rq, bio, ARRAY_SIZE(segs));
	KUNIT_EXPECT_EQ(test, blk_rq_cur_bytes(rq), (int)PAGE_SIZE);

	/* All of the first segment and 512 bytes of the second. */
	more = blk_update_request(rq, BLK_STS_OK, 3 * PAGE_SIZE + 512);
	KUNIT_EXPECT_TRUE(test, more);
	KUNIT_EXPECT_EQ(test, rq->nr_phys_segments, 2U);
	KUNIT_EXPECT_EQ(test, blk_rq_bytes(rq), 2 * (unsigned int)PAGE_SIZE - 512);
	KUNIT_EXPECT_EQ(test, blk_rq_cur_bytes(rq), (int)PAGE_SIZE - 512);

	/* The rest of the second, and 512 bytes of the third. */
	more = blk_update_request(rq, BLK_STS_OK, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, more);
	KUNIT_EXPECT_EQ(test, rq->nr_phys_segments, 1U);
	KUNIT_EXPECT_EQ(test, blk_rq_cur_bytes(rq), (int)PAGE_SIZE - 1024);

	if (more)
		more = blk_update_request(rq, BLK_STS_OK, blk_rq_bytes(rq));
	KUNIT_EXPECT_FALSE(test, more);
	KUNIT_EXPECT_EQ(test, bio->bi_iter.bi_size, 0U);
	blk_mq_free_request(rq);
	bio_put(bio);
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

/*
 * bio_copy_data() and zero_fill_bio() on a pfn_vec bio with a page the CPU
 * cannot reach: neither returns an error, so the bio's status says it,
 * BLK_STS_NOTSUPP on the pfn_vec bio and on the bio the copy fills, every
 * time and not the first time only. The part before the page is copied.
 */
static void pfn_vec_block_test_cpu_paths_refused(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM];
	struct bio *pbio, *bbio;
	struct pfn_vec pv[2];
	phys_addr_t unmanaged;
	unsigned int round;
	int added;

	unmanaged = pfn_vec_kunit_unmanaged(test, MEM_SIZE + SZ_1M, NULL) + MEM_SIZE;
	pvb_mem_init(test, ram, MEM_RAM);
	pvb_mem_pv(test, ram, 0, PAGE_SIZE, &pv[0]);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv[1], unmanaged, PAGE_SIZE), 0);

	pbio = bio_alloc_pfn_vec(ctx->bdev, 2, REQ_OP_WRITE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pbio);
	added = bio_add_pfn_vec(pbio, &pv[0]) + bio_add_pfn_vec(pbio, &pv[1]);
	if (added != 2 * PAGE_SIZE)
		bio_put(pbio);
	KUNIT_ASSERT_EQ(test, added, 2 * (int)PAGE_SIZE);
	bbio = bio_alloc(ctx->bdev, 1, REQ_OP_WRITE, GFP_KERNEL);
	if (!bbio)
		bio_put(pbio);
	KUNIT_ASSERT_NOT_NULL(test, bbio);
	__bio_add_page(bbio, ram->pages + 2, 2 * PAGE_SIZE, 0);

	for (round = 0; round < 2; round++) {
		pbio->bi_status = BLK_STS_OK;
		pvb_mem_set(ram, 0, PAGE_SIZE, SENTINEL);
		zero_fill_bio(pbio);
		KUNIT_EXPECT_EQ_MSG(test, blk_status_to_errno(pbio->bi_status), -EOPNOTSUPP,
				    "zero_fill_bio(), round %u", round);
		KUNIT_EXPECT_TRUE(test, pvb_mem_is(ram, 0, PAGE_SIZE, 0));

		pbio->bi_status = BLK_STS_OK;
		bbio->bi_status = BLK_STS_OK;
		pvb_mem_fill(ram, 0, PAGE_SIZE, round);
		pvb_mem_set(ram, 2 * PAGE_SIZE, 2 * PAGE_SIZE, SENTINEL);
		bio_copy_data(bbio, pbio);
		KUNIT_EXPECT_EQ_MSG(test, blk_status_to_errno(pbio->bi_status), -EOPNOTSUPP,
				    "bio_copy_data() from it, round %u", round);
		KUNIT_EXPECT_EQ_MSG(test, blk_status_to_errno(bbio->bi_status), -EOPNOTSUPP,
				    "bio_copy_data() from it, round %u", round);
		KUNIT_EXPECT_EQ(test, pvb_mem_check(ram, 2 * PAGE_SIZE, PAGE_SIZE,
						    round), PAGE_SIZE);

		pbio->bi_status = BLK_STS_OK;
		bbio->bi_status = BLK_STS_OK;
		bio_copy_data(pbio, bbio);
		KUNIT_EXPECT_EQ_MSG(test, blk_status_to_errno(pbio->bi_status), -EOPNOTSUPP,
				    "bio_copy_data() to it, round %u", round);
		KUNIT_EXPECT_EQ_MSG(test, blk_status_to_errno(bbio->bi_status), -EOPNOTSUPP,
				    "bio_copy_data() to it, round %u", round);
	}
	bio_put(bbio);
	bio_put(pbio);
}

static struct kunit_case pfn_vec_block_cases[] = {
	KUNIT_CASE(pfn_vec_block_test_add),
	KUNIT_CASE(pfn_vec_block_test_add_owners),
	KUNIT_CASE_PARAM(pfn_vec_block_test_rw, rw_case_gen_params),
	KUNIT_CASE(pfn_vec_block_test_mixed),
	KUNIT_CASE(pfn_vec_block_test_split),
	KUNIT_CASE(pfn_vec_block_test_unreachable),
	KUNIT_CASE(pfn_vec_block_test_misaligned),
	KUNIT_CASE(pfn_vec_block_test_ops),
	KUNIT_CASE(pfn_vec_block_test_nowait),
	KUNIT_CASE(pfn_vec_block_test_polled),
	KUNIT_CASE(pfn_vec_block_test_partial),
	KUNIT_CASE(pfn_vec_block_test_cpu_paths),
	KUNIT_CASE(pfn_vec_block_test_cpu_paths_refused),
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
