// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_block: pfn_vec bios against brd (bio-based) and a
 * memory-backed null_blk (blk-mq), on the native path (both declare
 * BLK_FEAT_PFN_VEC) and on the block layer's bounce path (the same queues
 * with the feature cleared), over RAM, RAM without struct page and a PCI
 * BAR.
 *
 * Memory without struct page is the RAM above mem= that the boot line
 * names for every pfn_vec suite (pfn_vec_kunit_unmanaged()), and BAR2 of
 * QEMU's ivshmem-plain. Every byte is checked through a path
 * independent of the one under test: device contents through bio_vec bios
 * of RAM pages, memory through memremap() or ioremap_wc().
 */
#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blk-integrity.h>
#include <linux/blk-crypto.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/major.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit.h>
#include <linux/slab.h>
#include <linux/string_choices.h>
#include <linux/t10-pi.h>
#include <linux/vmalloc.h>

#include "blk.h"

#define IVSHMEM_DEVICE_ID	0x1110
#define IVSHMEM_BAR		2

#define MEM_SIZE	SZ_4M		/* of each kind of memory used */
#define SENTINEL	0xa5

/*
 * Without the hook, a bio of memory without struct page is refused, as
 * pfn_vec_block_test_unreachable checks; a case that would only check that
 * again skips with this reason, which the harness's manifest allows.
 */
#define NO_HOOK		"no I/O linear map hook on this arch"

enum mem_kind { MEM_RAM, MEM_UNMANAGED, MEM_BAR, MEM_KINDS };

static const char * const mem_names[] = { "RAM", "unmanaged", "BAR" };

/* MEM_SIZE of one kind of memory, and an independent mapping of it. */
struct test_mem {
	enum mem_kind kind;
	phys_addr_t phys;
	struct page *pages;		/* MEM_RAM */
	void *va;			/* MEM_RAM */
	void __iomem *io;		/* MEM_UNMANAGED, MEM_BAR */
	bool mapped;			/* registered, or RAM */
};

/* brd, and a memory-backed null_blk, whose queue is blk-mq. */
enum test_dev { DEV_BRD, DEV_NULLB, TEST_DEVS };

static const char * const dev_names[] = { "ram0", "nullb0" };

struct test_ctx {
	struct block_device *devs[TEST_DEVS];
	struct block_device *bdev;	/* the one in use */
	struct test_mem mem[MEM_KINDS];
};

static bool have_hook(void)
{
	return IS_ENABLED(CONFIG_ARCH_HAS_IO_LINEAR_MAP);
}

static void fput_action(void *file)
{
	fput(file);
}

static void free_pages_action(void *pages)
{
	__free_pages(pages, get_order(MEM_SIZE));
}

static void memunmap_action(void *va)
{
	memunmap(va);
}

static void iounmap_action(void *io)
{
	iounmap((void __force __iomem *)io);
}

static void pci_dev_put_action(void *pdev)
{
	pci_dev_put(pdev);
}

static void unregister_action(void *mem)
{
	struct test_mem *m = mem;

	pfn_vec_region_unregister(m->phys, MEM_SIZE);
}

/* Register @m with pfn_vec where the arch can; record whether it is reachable. */
static void test_mem_register(struct kunit *test, struct test_mem *m)
{
	int ret = pfn_vec_region_register(m->phys, MEM_SIZE, IO_LINEAR_WC);

	if (!have_hook()) {
		KUNIT_ASSERT_EQ(test, ret, -EOPNOTSUPP);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, unregister_action, m));
	m->mapped = true;
}

static void test_mem_init(struct kunit *test, struct test_mem *m,
			  enum mem_kind kind)
{
	struct pci_dev *pdev;

	m->kind = kind;
	switch (kind) {
	case MEM_RAM:
		m->pages = alloc_pages(GFP_KERNEL, get_order(MEM_SIZE));
		KUNIT_ASSERT_NOT_NULL(test, m->pages);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, free_pages_action,
							  m->pages));
		m->phys = page_to_phys(m->pages);
		m->va = page_address(m->pages);
		m->mapped = true;
		return;
	case MEM_UNMANAGED:
		m->phys = pfn_vec_kunit_unmanaged(test, MEM_SIZE);
		break;
	default:
		pdev = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET,
				      IVSHMEM_DEVICE_ID, NULL);
		if (!pdev)
			kunit_skip(test, "no ivshmem-plain device: see the qemu configs");
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, pci_dev_put_action,
							  pdev));
		KUNIT_ASSERT_EQ(test, pci_enable_device_mem(pdev), 0);
		KUNIT_ASSERT_GE(test, pci_resource_len(pdev, IVSHMEM_BAR),
				(resource_size_t)MEM_SIZE);
		m->phys = pci_resource_start(pdev, IVSHMEM_BAR);
		break;
	}
	/* Write-combining, as registered: PAT refuses a conflicting alias. */
	m->io = ioremap_wc(m->phys, MEM_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, (void __force *)m->io);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, iounmap_action,
							   (void __force *)m->io));
	test_mem_register(test, m);
}

static u8 pattern(unsigned int seed, size_t i)
{
	return seed + i * 7 + (i >> 9);
}

/* Fill or check memory through the independent mapping. */
static void test_mem_fill(struct test_mem *m, size_t off, size_t len,
			  unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (m->io)
			writeb(pattern(seed, i), m->io + off + i);
		else
			((u8 *)m->va)[off + i] = pattern(seed, i);
	}
}

static void test_mem_set(struct test_mem *m, size_t off, size_t len, u8 c)
{
	if (m->io)
		memset_io(m->io + off, c, len);
	else
		memset(m->va + off, c, len);
}

/*
 * The first byte at which @m differs from bytes @first to @first + @len of
 * the pattern, or @len.
 */
static size_t test_mem_check_from(struct test_mem *m, size_t off, size_t len,
				  unsigned int seed, size_t first)
{
	size_t i;

	for (i = 0; i < len; i++) {
		u8 c = m->io ? readb(m->io + off + i) : ((u8 *)m->va)[off + i];

		if (c != pattern(seed, first + i))
			break;
	}
	return i;
}

/* The first byte at which @m differs from the pattern, or @len. */
static size_t test_mem_check(struct test_mem *m, size_t off, size_t len,
			     unsigned int seed)
{
	return test_mem_check_from(m, off, len, seed, 0);
}

static bool test_mem_is(struct test_mem *m, size_t off, size_t len, u8 c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((m->io ? readb(m->io + off + i) : ((u8 *)m->va)[off + i]) != c)
			return false;
	return true;
}

static void test_mem_pv(struct kunit *test, struct test_mem *m, size_t off,
			unsigned int len, struct pfn_vec *pv)
{
	KUNIT_ASSERT_LE(test, off + len, (size_t)MEM_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(pv, m->phys + off, len), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_has_page(pv), m->kind == MEM_RAM);
}

/*
 * The device through bio_vec bios of RAM pages: the path that checks the
 * one under test. @buf is any kernel buffer of @len bytes.
 */
static int dev_rw(struct test_ctx *ctx, blk_opf_t op, sector_t sector,
		  void *buf, size_t len)
{
	struct page **pages;
	unsigned int nr, i;
	struct bio *bio;
	size_t chunk;
	int ret = 0;

	pages = kcalloc(BIO_MAX_VECS, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	for (; !ret && len; len -= chunk, buf += chunk,
	     sector += chunk >> SECTOR_SHIFT) {
		chunk = min_t(size_t, len, BIO_MAX_VECS * PAGE_SIZE);
		nr = DIV_ROUND_UP(chunk, PAGE_SIZE);
		bio = bio_alloc(ctx->bdev, nr, op, GFP_KERNEL);
		if (!bio) {
			ret = -ENOMEM;
			break;
		}
		bio->bi_iter.bi_sector = sector;
		for (i = 0; i < nr; i++) {
			size_t n = min_t(size_t, chunk - i * PAGE_SIZE, PAGE_SIZE);

			pages[i] = alloc_page(GFP_KERNEL);
			if (!pages[i]) {
				ret = -ENOMEM;
				break;
			}
			if (op == REQ_OP_WRITE)
				memcpy_to_page(pages[i], 0, buf + i * PAGE_SIZE, n);
			__bio_add_page(bio, pages[i], n, 0);
		}
		if (!ret)
			ret = submit_bio_wait(bio);
		for (i = 0; i < nr && pages[i]; i++) {
			if (!ret && op == REQ_OP_READ)
				memcpy_from_page(buf + i * PAGE_SIZE, pages[i], 0,
						 min_t(size_t, chunk - i * PAGE_SIZE,
						       PAGE_SIZE));
			__free_page(pages[i]);
			pages[i] = NULL;
		}
		bio_put(bio);
	}
	kfree(pages);
	return ret;
}

/* A bio of the one segment @pv, to @sector of the device in use. */
static struct bio *pv_bio(struct kunit *test, blk_opf_t op, sector_t sector,
			  const struct pfn_vec *pv)
{
	struct test_ctx *ctx = test->priv;
	struct bio *bio;
	int ret;

	bio = bio_alloc_pfn_vec(ctx->bdev, 1, op, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bio);
	bio->bi_iter.bi_sector = sector;
	ret = bio_add_pfn_vec(bio, pv);
	if (ret != pv->pv_len)
		bio_put(bio);
	KUNIT_ASSERT_EQ(test, ret, (int)pv->pv_len);
	return bio;
}

/* Submit a bio of the one segment @pv and wait: its errno. */
static int pv_rw(struct kunit *test, blk_opf_t op, sector_t sector,
		 const struct pfn_vec *pv)
{
	struct bio *bio = pv_bio(test, op, sector, pv);
	int ret = submit_bio_wait(bio);

	bio_put(bio);
	return ret;
}

static void set_native(struct kunit *test, struct block_device *bdev,
		       bool native)
{
	struct request_queue *q = bdev_get_queue(bdev);
	struct queue_limits lim = queue_limits_start_update(q);

	if (native)
		lim.features |= BLK_FEAT_PFN_VEC;
	else
		lim.features &= ~BLK_FEAT_PFN_VEC;
	KUNIT_ASSERT_EQ(test, queue_limits_commit_update_frozen(q, &lim), 0);
}

/* Do I/O to @dev from now on, on the native path or the bounce path. */
static void use_dev(struct kunit *test, enum test_dev dev, bool native)
{
	struct test_ctx *ctx = test->priv;

	ctx->bdev = ctx->devs[dev];
	set_native(test, ctx->bdev, native);
}

/* Open @devt for reading and writing until the test ends. */
static struct block_device *open_devt(struct kunit *test, dev_t devt,
				      const char *name)
{
	struct file *file = bdev_file_open_by_dev(devt, BLK_OPEN_READ | BLK_OPEN_WRITE,
						  NULL, NULL);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "cannot open %s: %pe",
			       name, file);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, fput_action,
							   file));
	return file_bdev(file);
}

static void open_dev(struct kunit *test, const char *name,
		     struct block_device **bdev)
{
	struct device *dev = class_find_device_by_name(&block_class, name);
	dev_t devt;

	KUNIT_ASSERT_NOT_NULL_MSG(test, dev, "no %s: see the kunitconfig", name);
	devt = dev->devt;
	put_device(dev);
	*bdev = open_devt(test, devt, name);
	KUNIT_ASSERT_GE(test, bdev_nr_bytes(*bdev), (loff_t)MEM_SIZE);
}

static int pfn_vec_block_init(struct kunit *test)
{
	struct test_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	for (i = 0; i < TEST_DEVS; i++)
		open_dev(test, dev_names[i], &ctx->devs[i]);
	ctx->bdev = ctx->devs[DEV_BRD];
	return 0;
}

/* Every test leaves the queues as their drivers set them up. */
static void pfn_vec_block_exit(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; ctx && i < TEST_DEVS; i++)
		if (ctx->devs[i])
			set_native(test, ctx->devs[i], true);
}

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
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, %s, %s", dev_names[c->dev],
		 mem_names[c->kind], c->native ? "native" : "bounced");
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

	if (c->kind != MEM_RAM && !have_hook())
		kunit_skip(test, NO_HOOK);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	test_mem_init(test, m, c->kind);
	use_dev(test, c->dev, c->native);

	memset(buf, SENTINEL, RW_LEN);
	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, RW_SECTOR, buf, RW_LEN), 0);
	test_mem_fill(m, RW_OFF, RW_LEN, 1);
	test_mem_pv(test, m, RW_OFF, RW_LEN, &pv);

	KUNIT_EXPECT_EQ(test, pv_rw(test, REQ_OP_WRITE, RW_SECTOR, &pv), 0);

	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_READ, RW_SECTOR, buf, RW_LEN), 0);
	for (i = 0; i < RW_LEN && buf[i] == pattern(1, i); i++)
		;
	KUNIT_EXPECT_EQ_MSG(test, i, (size_t)RW_LEN, "device differs at byte %zu", i);

	/* And back: the device now holds pattern 2, memory the sentinel. */
	for (i = 0; i < RW_LEN; i++)
		buf[i] = pattern(2, i);
	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, RW_SECTOR, buf, RW_LEN), 0);
	test_mem_set(m, 0, MEM_SIZE / 4, SENTINEL);

	KUNIT_EXPECT_EQ(test, pv_rw(test, REQ_OP_READ, RW_SECTOR, &pv), 0);

	KUNIT_EXPECT_EQ(test, test_mem_check(m, RW_OFF, RW_LEN, 2), (size_t)RW_LEN);
	KUNIT_EXPECT_TRUE(test, test_mem_is(m, RW_OFF - 100, 100, SENTINEL));
	KUNIT_EXPECT_TRUE(test, test_mem_is(m, RW_OFF + RW_LEN, 100, SENTINEL));
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

	if (!have_hook())
		kunit_skip(test, NO_HOOK);
	for (i = 0; i < MEM_KINDS; i++)
		test_mem_init(test, &ctx->mem[i], i);
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

		use_dev(test, pass / 2, native);
		memset(buf, SENTINEL, total);
		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, 0, buf, total), 0);

		bio = bio_alloc_pfn_vec(ctx->bdev, ARRAY_SIZE(lens), REQ_OP_WRITE,
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			struct test_mem *m = &ctx->mem[i % MEM_KINDS];
			struct pfn_vec pv;
			size_t j;

			for (j = 0; j < lens[i]; j++)
				buf[done + j] = pattern(pass + 5, done + j);
			test_mem_set(m, offs[i], lens[i], 0);
			for (j = 0; j < lens[i]; j++) {
				if (m->io)
					writeb(buf[done + j], m->io + offs[i] + j);
				else
					((u8 *)m->va)[offs[i] + j] = buf[done + j];
			}
			test_mem_pv(test, m, offs[i], lens[i], &pv);
			KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)lens[i]);
			done += lens[i];
		}
		KUNIT_EXPECT_EQ_MSG(test, submit_bio_wait(bio), 0, "%s %s write",
				    dev_names[pass / 2], native ? "native" : "bounced");
		bio_put(bio);

		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_READ, 0, buf, total), 0);
		for (i = 0; i < total; i++)
			if (buf[i] != pattern(pass + 5, i))
				break;
		KUNIT_EXPECT_EQ_MSG(test, i, total, "%s %s write: device differs at %u",
				    dev_names[pass / 2], native ? "native" : "bounced", i);

		/* Read it back over zeroed memory. */
		bio = bio_alloc_pfn_vec(ctx->bdev, ARRAY_SIZE(lens), REQ_OP_READ,
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		for (i = 0, done = 0; i < ARRAY_SIZE(lens); i++) {
			struct test_mem *m = &ctx->mem[i % MEM_KINDS];
			struct pfn_vec pv;

			test_mem_set(m, offs[i], lens[i], 0);
			test_mem_pv(test, m, offs[i], lens[i], &pv);
			KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)lens[i]);
		}
		for (i = 0; i < total; i++)
			buf[i] = pattern(pass + 9, i);
		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, 0, buf, total), 0);
		KUNIT_EXPECT_EQ(test, submit_bio_wait(bio), 0);
		bio_put(bio);

		for (i = 0, done = 0; i < ARRAY_SIZE(lens); done += lens[i], i++) {
			struct test_mem *m = &ctx->mem[i % MEM_KINDS];
			size_t j;

			for (j = 0; j < lens[i]; j++) {
				u8 c = m->io ? readb(m->io + offs[i] + j) :
					       ((u8 *)m->va)[offs[i] + j];

				if (c != pattern(pass + 9, done + j))
					break;
			}
			KUNIT_EXPECT_EQ_MSG(test, j, (size_t)lens[i],
					    "%s %s read, segment %u (%s)",
					    dev_names[pass / 2],
					    native ? "native" : "bounced", i,
					    mem_names[i % MEM_KINDS]);
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

	if (!have_hook())
		kunit_skip(test, NO_HOOK);
	buf = kvmalloc(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	test_mem_init(test, m, MEM_UNMANAGED);
	for (p = 0; p < ARRAY_SIZE(paths); p++) {
		struct pfn_vec pv;
		struct bio *bio;
		size_t i;

		use_dev(test, paths[p].dev, paths[p].native);
		if (paths[p].native)
			KUNIT_EXPECT_LT(test, queue_max_sectors(bdev_get_queue(ctx->bdev)),
					(unsigned int)(len >> SECTOR_SHIFT));
		test_mem_fill(m, 512, len, 3 + p);
		test_mem_pv(test, m, 512, len, &pv);

		bio = bio_alloc_pfn_vec(ctx->bdev, 1, REQ_OP_WRITE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)len);
		KUNIT_EXPECT_EQ(test, submit_bio_wait(bio), 0);
		bio_put(bio);

		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_READ, 0, buf, len), 0);
		for (i = 0; i < len && buf[i] == pattern(3 + p, i); i++)
			;
		KUNIT_EXPECT_EQ_MSG(test, i, len, "%s: device differs at %zu",
				    dev_names[paths[p].dev], i);

		test_mem_set(m, 0, MEM_SIZE, 0);
		bio = bio_alloc_pfn_vec(ctx->bdev, 1, REQ_OP_READ, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), (int)len);
		KUNIT_EXPECT_EQ(test, submit_bio_wait(bio), 0);
		bio_put(bio);
		KUNIT_EXPECT_EQ(test, test_mem_check(m, 512, len, 3 + p), len);
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
	unmanaged = pfn_vec_kunit_unmanaged(test, MEM_SIZE + SZ_1M) + MEM_SIZE;
	test_mem_init(test, ram, MEM_RAM);
	va = memremap(unmanaged, SZ_64K, MEMREMAP_WB);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, memunmap_action, va));
	buf = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	for (pass = 0; pass < 4 * TEST_DEVS; pass++) {
		bool native = pass & 1, write = pass & 2;
		struct bio *bio;

		use_dev(test, pass / 4, native);
		memset(buf, SENTINEL, SZ_64K);
		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, 0, buf, SZ_64K), 0);
		memset(va, 0x3c, SZ_64K);
		test_mem_set(ram, 0, SZ_64K, 0x3c);

		test_mem_pv(test, ram, 0, SZ_32K, &pv[0]);
		KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv[1], unmanaged,
						       SZ_32K), 0);
		bio = bio_alloc_pfn_vec(ctx->bdev, 2, write ? REQ_OP_WRITE : REQ_OP_READ,
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv[0]), SZ_32K);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv[1]), SZ_32K);
		KUNIT_EXPECT_EQ_MSG(test, submit_bio_wait(bio), -EOPNOTSUPP, "%s %s %s",
				    dev_names[pass / 4], native ? "native" : "bounced",
				    str_write_read(write));
		bio_put(bio);

		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_READ, 0, buf, SZ_64K), 0);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, SENTINEL, SZ_64K),
				      "the device was written");
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(va, 0x3c, SZ_64K),
				      "RAM without struct page was written");
		KUNIT_EXPECT_TRUE_MSG(test, test_mem_is(ram, 0, SZ_64K, 0x3c),
				      "RAM was written");

		/* RAM alone goes through. */
		bio = bio_alloc_pfn_vec(ctx->bdev, 1, write ? REQ_OP_WRITE : REQ_OP_READ,
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bio);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv[0]), SZ_32K);
		KUNIT_EXPECT_EQ(test, submit_bio_wait(bio), 0);
		bio_put(bio);
		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_READ, 0, buf, SZ_32K), 0);
		KUNIT_EXPECT_NULL(test, memchr_inv(buf, write ? 0x3c : SENTINEL, SZ_32K));
		KUNIT_EXPECT_TRUE(test, test_mem_is(ram, 0, SZ_32K, write ? 0x3c : SENTINEL));
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

	test_mem_init(test, ram, MEM_RAM);

	/* Contiguous segments merge, as bio_add_page() merges pages. */
	bio = bio_alloc_pfn_vec(ctx->bdev, 4, REQ_OP_WRITE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bio);
	test_mem_pv(test, ram, 0, 1000, &pv);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), 1000);
	test_mem_pv(test, ram, 1000, 5000, &pv);
	KUNIT_EXPECT_EQ(test, bio_add_pfn_vec(bio, &pv), 5000);
	KUNIT_EXPECT_EQ(test, bio->bi_vcnt, 1);
	KUNIT_EXPECT_EQ(test, bio->bi_pfn_vec[0].pv_len, 6000U);
	/* A gap makes a new segment; an empty or malformed one is refused. */
	test_mem_pv(test, ram, 6001, 10, &pv);
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
		test_mem_pv(test, ram, 2 * i * SECTOR_SIZE, SECTOR_SIZE, &pv);
		KUNIT_ASSERT_EQ(test, bio_add_pfn_vec(bio, &pv), SECTOR_SIZE);
	}
	test_mem_pv(test, ram, 2 * i * SECTOR_SIZE, SECTOR_SIZE, &pv);
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

	if (!have_hook())
		kunit_skip(test, NO_HOOK);
	test_mem_init(test, ram, MEM_RAM);
	test_mem_init(test, bar, MEM_BAR);
	KUNIT_ASSERT_TRUE(test, bar->mapped);

	pbio = bio_alloc_pfn_vec(ctx->bdev, 1, REQ_OP_WRITE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pbio);
	test_mem_pv(test, bar, CPU_OFF, CPU_LEN, &pv);
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
	test_mem_fill(ram, 0, 4 * PAGE_SIZE, 7);
	test_mem_set(bar, 0, CPU_SPAN, SENTINEL);
	bio_copy_data(pbio, bbio);
	KUNIT_EXPECT_EQ_MSG(test, test_mem_check(bar, CPU_OFF, PAGE_SIZE, 7),
			    PAGE_SIZE, "BAR differs from RAM page 0");
	KUNIT_EXPECT_EQ_MSG(test, test_mem_check_from(bar, CPU_OFF + PAGE_SIZE,
						      2 * PAGE_SIZE, 7,
						      2 * PAGE_SIZE),
			    2 * PAGE_SIZE, "BAR differs from RAM pages 2-3");
	KUNIT_EXPECT_TRUE_MSG(test, test_mem_is(bar, 0, CPU_OFF, SENTINEL) &&
			      test_mem_is(bar, CPU_OFF + CPU_LEN, CPU_OFF,
					  SENTINEL),
			      "bio_copy_data() wrote BAR outside the bio");

	/* zero_fill_bio() zeroes the bio's BAR, and only that. */
	test_mem_fill(bar, 0, CPU_SPAN, 9);
	zero_fill_bio(pbio);
	KUNIT_EXPECT_TRUE_MSG(test, test_mem_is(bar, CPU_OFF, CPU_LEN, 0),
			      "zero_fill_bio() left BAR unzeroed");
	KUNIT_EXPECT_EQ_MSG(test, test_mem_check(bar, 0, CPU_OFF, 9), CPU_OFF,
			    "zero_fill_bio() wrote BAR before the bio");
	KUNIT_EXPECT_EQ_MSG(test, test_mem_check_from(bar, CPU_OFF + CPU_LEN,
						      CPU_OFF, 9,
						      CPU_OFF + CPU_LEN),
			    CPU_OFF, "zero_fill_bio() wrote BAR after the bio");

	/* And back: the BAR lands in RAM page 0 and pages 2-3, not in 1. */
	test_mem_fill(bar, CPU_OFF, CPU_LEN, 11);
	test_mem_set(ram, 0, 4 * PAGE_SIZE, SENTINEL);
	bio_copy_data(bbio, pbio);
	KUNIT_EXPECT_EQ_MSG(test, test_mem_check(ram, 0, PAGE_SIZE, 11),
			    PAGE_SIZE, "RAM page 0 differs from BAR");
	KUNIT_EXPECT_TRUE_MSG(test, test_mem_is(ram, PAGE_SIZE, PAGE_SIZE,
						SENTINEL),
			      "bio_copy_data() wrote RAM page 1");
	KUNIT_EXPECT_EQ_MSG(test, test_mem_check_from(ram, 2 * PAGE_SIZE,
						      2 * PAGE_SIZE, 11,
						      PAGE_SIZE),
			    2 * PAGE_SIZE, "RAM pages 2-3 differ from BAR");
	bio_put(bbio);
	bio_put(pbio);
}

/* ---- a disk of the test's own: read errors, protection information ---- */

#define TDISK_SIZE	SZ_4M
#define NO_BAD_SECTOR	((sector_t)-1)

/*
 * A bio-based disk in vmalloc() memory that takes no pfn_vec bios, so that
 * they reach it bounced, and that fails, before moving any of it, every
 * bio touching sector @bad. With an integrity profile it keeps the
 * protection information of each sector as a disk with metadata does: the
 * block layer generates it for writes and verifies it after reads. If
 * @async, it ends bios a tick after it moved their data, from a work item,
 * as a disk that interrupts would.
 */
struct tdisk {
	struct gendisk *disk;
	struct block_device *bdev;
	u8 *data;
	u8 *pi;
	sector_t bad;
	bool async;
	spinlock_t lock;		/* protects done */
	struct bio_list done;
	struct delayed_work end_work;	/* ends the bios of done */
};

#ifdef CONFIG_BLK_DEV_INTEGRITY
/* Where the protection information of @sector is kept. */
static u8 *tdisk_pi(struct tdisk *td, sector_t sector)
{
	struct blk_integrity *bi = blk_get_integrity(td->disk);

	return td->pi + bio_integrity_bytes(bi, sector);
}

static void tdisk_transfer_pi(struct tdisk *td, struct bio *bio)
{
	struct bio_integrity_payload *bip = bio_integrity(bio);
	unsigned int len;
	u8 *pi;

	if (!bip)
		return;
	len = bio_integrity_bytes(blk_get_integrity(td->disk), bio_sectors(bio));
	pi = tdisk_pi(td, bio->bi_iter.bi_sector);
	/* bio_integrity_prep() put it all in one physically contiguous buffer. */
	if (op_is_write(bio_op(bio)))
		memcpy(pi, bvec_virt(bip->bip_vec), len);
	else
		memcpy(bvec_virt(bip->bip_vec), pi, len);
}
#else
static void tdisk_transfer_pi(struct tdisk *td, struct bio *bio)
{
}
#endif

static void tdisk_submit_bio(struct bio *bio)
{
	struct tdisk *td = bio->bi_bdev->bd_disk->private_data;
	u8 *p = td->data + (bio->bi_iter.bi_sector << SECTOR_SHIFT);
	struct bvec_iter iter;
	struct bio_vec bv;

	/* The queue has no BLK_FEAT_PFN_VEC: such a bio is a block layer bug. */
	if (WARN_ON_ONCE(bio_is_pfn_vec(bio)) ||
	    (bio_op(bio) != REQ_OP_READ && bio_op(bio) != REQ_OP_WRITE)) {
		bio->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bio);
		return;
	}
	if (td->bad >= bio->bi_iter.bi_sector && td->bad < bio_end_sector(bio)) {
		bio_io_error(bio);
		return;
	}
	if (!bio_integrity_prep(bio))
		return;

	bio_for_each_segment(bv, bio, iter) {
		if (op_is_write(bio_op(bio)))
			memcpy_from_bvec(p, &bv);
		else
			memcpy_to_bvec(&bv, p);
		p += bv.bv_len;
	}
	tdisk_transfer_pi(td, bio);
	if (td->async) {
		spin_lock(&td->lock);
		bio_list_add(&td->done, bio);
		spin_unlock(&td->lock);
		queue_delayed_work(system_wq, &td->end_work, 1);
		return;
	}
	bio_endio(bio);
}

static void tdisk_end_work(struct work_struct *work)
{
	struct tdisk *td = container_of(to_delayed_work(work), struct tdisk,
					end_work);
	struct bio_list done;
	struct bio *bio;

	spin_lock(&td->lock);
	done = td->done;
	bio_list_init(&td->done);
	spin_unlock(&td->lock);
	while ((bio = bio_list_pop(&done)))
		bio_endio(bio);
}

static const struct block_device_operations tdisk_fops = {
	.owner		= THIS_MODULE,
	.submit_bio	= tdisk_submit_bio,
};

static void vfree_action(void *addr)
{
	vfree(addr);
}

static void tdisk_destroy_action(void *data)
{
	struct tdisk *td = data;

	/* Every bio ended before its submitter let the disk go. */
	cancel_delayed_work_sync(&td->end_work);
	WARN_ON_ONCE(!bio_list_empty(&td->done));
	del_gendisk(td->disk);
	put_disk(td->disk);
}

/*
 * Make a tdisk, with an integrity profile (T10 CRC guard and reference tag
 * per sector) if @integrity, the device in use from now on.
 */
static struct tdisk *tdisk_create(struct kunit *test, bool integrity)
{
	struct queue_limits lim = { .logical_block_size = SECTOR_SIZE };
	struct test_ctx *ctx = test->priv;
	struct tdisk *td;

	td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, td);
	td->bad = NO_BAD_SECTOR;
	spin_lock_init(&td->lock);
	bio_list_init(&td->done);
	INIT_DELAYED_WORK(&td->end_work, tdisk_end_work);
	td->data = vzalloc(TDISK_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, td->data);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vfree_action, td->data));
#ifdef CONFIG_BLK_DEV_INTEGRITY
	if (integrity) {
		lim.integrity.csum_type = BLK_INTEGRITY_CSUM_CRC;
		lim.integrity.tuple_size = sizeof(struct t10_pi_tuple);
		lim.integrity.flags = BLK_INTEGRITY_REF_TAG;
		td->pi = kunit_kzalloc(test, (TDISK_SIZE >> SECTOR_SHIFT) *
				       sizeof(struct t10_pi_tuple), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, td->pi);
	}
#else
	KUNIT_ASSERT_FALSE(test, integrity);
#endif

	td->disk = blk_alloc_disk(&lim, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(td->disk), "%pe", td->disk);
	td->disk->fops = &tdisk_fops;
	td->disk->private_data = td;
	strscpy(td->disk->disk_name, "pfn_vec_test", DISK_NAME_LEN);
	set_capacity(td->disk, TDISK_SIZE >> SECTOR_SHIFT);
	if (add_disk(td->disk)) {
		put_disk(td->disk);
		KUNIT_FAIL_AND_ABORT(test, "add_disk() failed");
	}
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, tdisk_destroy_action, td));

	td->bdev = open_devt(test, disk_devt(td->disk), td->disk->disk_name);
	ctx->bdev = td->bdev;
	return td;
}

#define PIECE		(BLK_PFN_VEC_BOUNCE_PAGES * PAGE_SIZE)	/* bounced at a time */
#define PIECE_SECTORS	(PIECE >> SECTOR_SHIFT)

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
	struct tdisk *td = tdisk_create(test, false);
	enum mem_kind kind;
	struct pfn_vec pv;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_LE_MSG(test, 2 * PIECE, (size_t)MEM_SIZE, "pages too large");
	for (i = 0; i < 2 * PIECE; i++)
		buf[i] = pattern(31, i);
	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, 0, buf, 2 * PIECE), 0);
	td->bad = PIECE_SECTORS + PIECE_SECTORS / 2;

	for (kind = 0; kind < MEM_KINDS; kind++) {
		struct test_mem *m = &ctx->mem[kind];
		int err = -EIO;

		test_mem_init(test, m, kind);
		if (!m->mapped)
			err = -EOPNOTSUPP;

		/* Two pieces, the second failing. */
		test_mem_set(m, 0, 2 * PIECE, SENTINEL);
		test_mem_pv(test, m, 0, 2 * PIECE, &pv);
		KUNIT_EXPECT_EQ_MSG(test, pv_rw(test, REQ_OP_READ, 0, &pv), err,
				    "%s", mem_names[kind]);
		KUNIT_EXPECT_EQ_MSG(test, test_mem_check(m, 0, PIECE, 31),
				    err == -EIO ? (size_t)PIECE : 0,
				    "%s: first piece", mem_names[kind]);
		KUNIT_EXPECT_TRUE_MSG(test, test_mem_is(m, err == -EIO ? PIECE : 0,
							err == -EIO ? PIECE : 2 * PIECE,
							SENTINEL),
				      "%s: a failed piece wrote memory", mem_names[kind]);

		/*
		 * Two pieces, the first failing: the bio fails, whatever
		 * the second piece, which completes after it, ends with.
		 */
		td->bad = PIECE_SECTORS / 2;
		test_mem_set(m, 0, 2 * PIECE, SENTINEL);
		test_mem_pv(test, m, 0, 2 * PIECE, &pv);
		KUNIT_EXPECT_EQ_MSG(test, pv_rw(test, REQ_OP_READ, 0, &pv), err,
				    "%s: first piece failing", mem_names[kind]);
		KUNIT_EXPECT_TRUE_MSG(test, test_mem_is(m, 0, PIECE, SENTINEL),
				      "%s: a failed piece wrote memory", mem_names[kind]);
		td->bad = PIECE_SECTORS + PIECE_SECTORS / 2;

		/* One piece, failing half way: nothing of it is copied out. */
		test_mem_set(m, 0, PIECE, SENTINEL);
		test_mem_pv(test, m, 0, PIECE, &pv);
		KUNIT_EXPECT_EQ(test, pv_rw(test, REQ_OP_READ, PIECE_SECTORS, &pv), err);
		KUNIT_EXPECT_TRUE_MSG(test, test_mem_is(m, 0, PIECE, SENTINEL),
				      "%s: a failed read wrote memory", mem_names[kind]);
	}
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
	struct tdisk *td = tdisk_create(test, true);
	struct blk_integrity *bi = blk_get_integrity(td->disk);
	unsigned int pi_len = bio_integrity_bytes(bi, PI_LEN >> SECTOR_SHIFT);
	u8 *buf = kunit_kmalloc(test, PI_LEN, GFP_KERNEL);
	u8 *ref = kunit_kmalloc(test, pi_len, GFP_KERNEL);
	u8 *pi = tdisk_pi(td, PI_SECTOR);
	enum mem_kind kind;
	struct pfn_vec pv;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	KUNIT_ASSERT_NOT_NULL(test, bi);

	/* The reference: the same bytes, written from RAM pages. */
	for (i = 0; i < PI_LEN; i++)
		buf[i] = pattern(41, i);
	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, PI_SECTOR, buf, PI_LEN), 0);
	memcpy(ref, pi, pi_len);
	KUNIT_ASSERT_NOT_NULL_MSG(test, memchr_inv(ref, 0, pi_len),
				  "no protection information was generated");

	for (kind = 0; kind < MEM_KINDS; kind++) {
		struct test_mem *m = &ctx->mem[kind];

		test_mem_init(test, m, kind);
		test_mem_fill(m, PI_OFF, PI_LEN, 41);
		test_mem_pv(test, m, PI_OFF, PI_LEN, &pv);
		memset(pi, 0, pi_len);
		memset(td->data + (PI_SECTOR << SECTOR_SHIFT), SENTINEL, PI_LEN);

		if (!m->mapped) {
			KUNIT_EXPECT_EQ(test, pv_rw(test, REQ_OP_WRITE, PI_SECTOR, &pv),
					-EOPNOTSUPP);
			KUNIT_EXPECT_NULL(test, memchr_inv(pi, 0, pi_len));
			KUNIT_EXPECT_NULL(test, memchr_inv(td->data + (PI_SECTOR << SECTOR_SHIFT),
							   SENTINEL, PI_LEN));
			continue;
		}
		KUNIT_ASSERT_EQ(test, pv_rw(test, REQ_OP_WRITE, PI_SECTOR, &pv), 0);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(pi, ref, pi_len), 0,
				    "protection information over %s differs from RAM's",
				    mem_names[kind]);
		KUNIT_EXPECT_EQ(test, memcmp(td->data + (PI_SECTOR << SECTOR_SHIFT),
					     buf, PI_LEN), 0);

		/* Read back, verified. */
		test_mem_set(m, PI_OFF, PI_LEN, SENTINEL);
		KUNIT_EXPECT_EQ(test, pv_rw(test, REQ_OP_READ, PI_SECTOR, &pv), 0);
		KUNIT_EXPECT_EQ(test, test_mem_check(m, PI_OFF, PI_LEN, 41), (size_t)PI_LEN);

		/* A guard tag that does not match: the read fails, memory stays. */
		pi[5 * sizeof(struct t10_pi_tuple)] ^= 0xff;
		test_mem_set(m, PI_OFF, PI_LEN, SENTINEL);
		KUNIT_EXPECT_EQ(test, pv_rw(test, REQ_OP_READ, PI_SECTOR, &pv), -EILSEQ);
		KUNIT_EXPECT_TRUE_MSG(test, test_mem_is(m, PI_OFF, PI_LEN, SENTINEL),
				      "%s: a read that failed verification wrote memory",
				      mem_names[kind]);
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
	struct bio *bio = pv_bio(test, op, sector, pv);
	int ret;

	bio_crypt_set_ctx(bio, key, dun, GFP_KERNEL);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

#define CRYPT_LEN	SZ_16K
#define CRYPT_SECTOR	64

/*
 * blk-crypto's fallback encrypts a pfn_vec bio as it encrypts pages, since
 * a crypt context makes even a native queue bounce the bio: the ciphertext
 * of BAR data equals that of the same bytes in RAM under the same key and
 * DUN, and reading it back decrypts into the BAR. Where the CPU cannot
 * reach the BAR, the bio fails before anything is encrypted.
 */
static void pfn_vec_block_test_crypto(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *ram = &ctx->mem[MEM_RAM], *bar = &ctx->mem[MEM_BAR];
	struct crypto_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	u8 *a = kunit_kmalloc(test, CRYPT_LEN, GFP_KERNEL);
	u8 *b = kunit_kmalloc(test, CRYPT_LEN, GFP_KERNEL);
	u8 raw[BLK_CRYPTO_MAX_KEY_SIZE];
	struct pfn_vec rpv, bpv;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	test_mem_init(test, ram, MEM_RAM);
	test_mem_init(test, bar, MEM_BAR);
	use_dev(test, DEV_BRD, true);

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = i * 13 + 1;
	KUNIT_ASSERT_EQ(test, blk_crypto_init_key(&c->key, raw,
						  BLK_ENCRYPTION_MODE_AES_256_XTS,
						  8, SZ_4K), 0);
	c->bdev = ctx->bdev;
	KUNIT_ASSERT_EQ(test, blk_crypto_start_using_key(c->bdev, &c->key), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, evict_key_action, c));

	test_mem_fill(ram, 0, CRYPT_LEN, 21);
	test_mem_fill(bar, 0, CRYPT_LEN, 21);
	test_mem_pv(test, ram, 0, CRYPT_LEN, &rpv);
	test_mem_pv(test, bar, 0, CRYPT_LEN, &bpv);
	memset(b, SENTINEL, CRYPT_LEN);
	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, CRYPT_SECTOR, b, CRYPT_LEN), 0);

	KUNIT_ASSERT_EQ(test, crypt_rw(test, &c->key, REQ_OP_WRITE, 0, &rpv), 0);
	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_READ, 0, a, CRYPT_LEN), 0);
	for (i = 0; i < CRYPT_LEN && a[i] == pattern(21, i); i++)
		;
	KUNIT_ASSERT_LT_MSG(test, i, CRYPT_LEN, "RAM was written in the clear");

	if (!bar->mapped) {
		KUNIT_EXPECT_EQ(test, crypt_rw(test, &c->key, REQ_OP_WRITE,
					       CRYPT_SECTOR, &bpv), -EOPNOTSUPP);
		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_READ, CRYPT_SECTOR, b,
					     CRYPT_LEN), 0);
		KUNIT_EXPECT_NULL(test, memchr_inv(b, SENTINEL, CRYPT_LEN));
		return;
	}

	KUNIT_ASSERT_EQ(test, crypt_rw(test, &c->key, REQ_OP_WRITE, CRYPT_SECTOR,
				       &bpv), 0);
	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_READ, CRYPT_SECTOR, b, CRYPT_LEN), 0);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(a, b, CRYPT_LEN), 0,
			    "ciphertext of BAR data differs from that of RAM");

	test_mem_set(bar, 0, CRYPT_LEN, 0);
	KUNIT_EXPECT_EQ(test, crypt_rw(test, &c->key, REQ_OP_READ, CRYPT_SECTOR,
				       &bpv), 0);
	KUNIT_EXPECT_EQ(test, test_mem_check(bar, 0, CRYPT_LEN, 21), (size_t)CRYPT_LEN);
}
#endif /* CONFIG_BLK_INLINE_ENCRYPTION_FALLBACK */

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
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, %s", dev_names[c->dev],
		 mem_names[c->kind]);
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
	struct bio *bio = pv_bio(test, op, FAULT_SECTOR, pv);
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

	if (dev_rw(ctx, REQ_OP_READ, FAULT_SECTOR, buf, FAULT_LEN + SECTOR_SIZE))
		return 0;
	for (i = 0; i < FAULT_LEN + SECTOR_SIZE; i++)
		if (buf[i] != (seed && i < FAULT_LEN ? pattern(seed, i) : c))
			break;
	return i;
}

static bool fault_guards_are(struct test_mem *m, u8 c)
{
	return test_mem_is(m, FAULT_OFF - FAULT_GUARD, FAULT_GUARD, c) &&
	       test_mem_is(m, FAULT_OFF + FAULT_LEN, FAULT_GUARD, c);
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
	test_mem_init(test, m, c->kind);
	use_dev(test, c->dev, false);
	test_mem_pv(test, m, FAULT_OFF, FAULT_LEN, &pv);
	want = m->mapped ? 0 : -EOPNOTSUPP;
	memset(buf, SENTINEL, FAULT_LEN + SECTOR_SIZE);
	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, FAULT_SECTOR, buf,
				     FAULT_LEN + SECTOR_SIZE), 0);
	test_mem_set(m, FAULT_OFF - FAULT_GUARD, FAULT_LEN + 2 * FAULT_GUARD,
		     SENTINEL);
	pfn_vec_kunit_fault_setup(test);

	/* Writes: the device gets the data, and memory stays as it was. */
	for (nth = 1, more = true; more; nth++) {
		KUNIT_ASSERT_LE(test, nth, FAULT_MAX_NTH);
		test_mem_fill(m, FAULT_OFF, FAULT_LEN, nth);
		KUNIT_ASSERT_EQ_MSG(test, fault_rw(test, REQ_OP_WRITE, &pv, nth,
						   &more), want,
				    "write, allocation %u failing", nth);
		KUNIT_ASSERT_EQ_MSG(test, fault_dev_check(ctx, buf,
							  want ? 0 : nth,
							  SENTINEL),
				    (size_t)FAULT_LEN + SECTOR_SIZE,
				    "write, allocation %u failing: device %s",
				    nth, want ? "written" : "differs");
		KUNIT_ASSERT_EQ_MSG(test, test_mem_check(m, FAULT_OFF, FAULT_LEN,
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
			buf[i] = pattern(nth + 1, i);
		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, FAULT_SECTOR, buf,
					     FAULT_LEN), 0);
		test_mem_set(m, FAULT_OFF, FAULT_LEN, SENTINEL);
		KUNIT_ASSERT_EQ_MSG(test, fault_rw(test, REQ_OP_READ, &pv, nth,
						   &more), want,
				    "read, allocation %u failing", nth);
		if (want)
			KUNIT_ASSERT_TRUE_MSG(test, test_mem_is(m, FAULT_OFF,
								FAULT_LEN,
								SENTINEL),
					      "read, allocation %u failing: memory written",
					      nth);
		else
			KUNIT_ASSERT_EQ_MSG(test, test_mem_check(m, FAULT_OFF,
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
		test_mem_fill(ram, 0, 2 * nr * FAULT_SEG, nth);

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
		KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_READ, FAULT_ALLOC_SECTOR,
					     fa->buf, nr * FAULT_SEG), 0);
		for (j = 0; j < nr * FAULT_SEG; j++)
			if (fa->buf[j] != pattern(nth, j + j / FAULT_SEG * FAULT_SEG))
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
	test_mem_init(test, ram, MEM_RAM);
	use_dev(test, DEV_BRD, true);
	for (n = 0; n < FAULT_MAX_VECS; n++)
		test_mem_pv(test, ram, 2 * n * FAULT_SEG, FAULT_SEG, &fa->pv[n]);
	/* Written first, so that brd allocates none of its own. */
	memset(fa->buf, SENTINEL, sizeof(fa->buf));
	KUNIT_ASSERT_EQ(test, dev_rw(ctx, REQ_OP_WRITE, FAULT_ALLOC_SECTOR,
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
 * of which fails, bounce whole pieces at once to an async tdisk, so that
 * all their pages come from the mempool, which holds one piece, and the
 * pages of a piece stay taken for a tick. Every bio must complete with the
 * right data. Were a piece's pages taken one at a time from the mempool,
 * with waiting, two threads could each take part of it and wait for the
 * rest for ever: the case then fails after RESERVE_TIMEOUT. RAM bios are
 * bounced on every arch, and the mempool's pages are the same whatever the
 * bio's memory.
 *
 * The threads outlive a case that timed out, with their bios in flight, so
 * all they use is the case's until its cleanup, which stops them first, as
 * KUnit releases resources in reverse order. Before that, it ends the
 * allocation failures, which the threads took on after they started: a
 * bounce that waits for the mempool then gets its pages from the page
 * allocator, its bio completes, and the thread can stop.
 */
#define RESERVE_TASKS	4
#define RESERVE_ROUNDS	16
#define RESERVE_TIMEOUT	100	/* seconds, for all the rounds of all threads */

struct reserve_task {
	struct reserve_run *run;
	struct pfn_vec pv;	/* its piece of memory */
	sector_t sector;	/* and of the device */
	unsigned int id;
	int err;		/* the first error */
	size_t bad;		/* where the first bad byte is, or PIECE */
	unsigned int round;	/* of the first error */
	struct completion done;	/* all its rounds are */
};

/* What the threads of the case share, in the case's memory. */
struct reserve_run {
	struct test_mem *m;
	struct block_device *bdev;
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
	size_t off = t->id * PIECE;
	unsigned int seed;

	wait_event(run->wait, READ_ONCE(run->go) || kthread_should_stop());
	if (kthread_should_stop())
		return 0;

	t->bad = PIECE;
	pfn_vec_kunit_make_it_fail(true);
	for (t->round = 0; t->round < RESERVE_ROUNDS; t->round++) {
		if (kthread_should_stop())
			break;
		seed = t->id * RESERVE_ROUNDS + t->round;
		test_mem_fill(run->m, off, PIECE, seed);
		t->err = reserve_rw(t, REQ_OP_WRITE);
		if (t->err)
			break;
		test_mem_set(run->m, off, PIECE, SENTINEL);
		t->err = reserve_rw(t, REQ_OP_READ);
		if (t->err)
			break;
		t->bad = test_mem_check(run->m, off, PIECE, seed);
		if (t->bad != PIECE)
			break;
	}
	pfn_vec_kunit_make_it_fail(false);
	complete(&t->done);
	return 0;
}

static void pfn_vec_block_test_reserve(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *m = &ctx->mem[MEM_RAM];
	unsigned long deadline;
	struct reserve_run *run;
	struct task_struct *k;
	struct tdisk *td;
	unsigned int i;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		kunit_skip(test, "needs FAULT_INJECTION");
	KUNIT_ASSERT_LE(test, RESERVE_TASKS * PIECE, (size_t)MEM_SIZE);
	KUNIT_ASSERT_LE(test, RESERVE_TASKS * PIECE, (size_t)TDISK_SIZE);
	run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run);
	test_mem_init(test, m, MEM_RAM);
	td = tdisk_create(test, false);
	td->async = true;

	run->m = m;
	run->bdev = td->bdev;
	init_waitqueue_head(&run->wait);
	for (i = 0; i < RESERVE_TASKS; i++) {
		struct reserve_task *t = &run->tasks[i];

		t->run = run;
		t->id = i;
		t->sector = i * PIECE_SECTORS;
		test_mem_pv(test, m, i * PIECE, PIECE, &t->pv);
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
		KUNIT_EXPECT_EQ_MSG(test, t->bad, (size_t)PIECE,
				    "thread %u, round %u: memory differs", i,
				    t->round);
	}
}

static struct kunit_case pfn_vec_block_cases[] = {
	KUNIT_CASE(pfn_vec_block_test_add),
	KUNIT_CASE_PARAM(pfn_vec_block_test_rw, rw_case_gen_params),
	KUNIT_CASE(pfn_vec_block_test_mixed),
	KUNIT_CASE(pfn_vec_block_test_split),
	KUNIT_CASE(pfn_vec_block_test_unreachable),
	KUNIT_CASE(pfn_vec_block_test_cpu_paths),
	KUNIT_CASE(pfn_vec_block_test_read_error),
	KUNIT_CASE_PARAM(pfn_vec_block_test_fault_bounce, fault_case_gen_params),
	KUNIT_CASE(pfn_vec_block_test_fault_alloc),
	KUNIT_CASE(pfn_vec_block_test_reserve),
#ifdef CONFIG_BLK_DEV_INTEGRITY
	KUNIT_CASE(pfn_vec_block_test_integrity),
#endif
#ifdef CONFIG_BLK_INLINE_ENCRYPTION_FALLBACK
	KUNIT_CASE(pfn_vec_block_test_crypto),
#endif
	{}
};

static struct kunit_suite pfn_vec_block_suite = {
	.name = "pfn_vec_block",
	.init = pfn_vec_block_init,
	.exit = pfn_vec_block_exit,
	.test_cases = pfn_vec_block_cases,
};

kunit_test_suite(pfn_vec_block_suite);

MODULE_DESCRIPTION("KUnit tests for pfn_vec bios");
MODULE_LICENSE("GPL");
