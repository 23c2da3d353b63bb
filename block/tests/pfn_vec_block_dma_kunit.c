// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_block_dma: pfn_vec bios to QEMU's nvme, which DMAs
 * them (BLK_FEAT_PFN_VEC_DMA), on the guests' real PCIe topology
 * (tools/testing/pfn_vec/qemu_configs/pci_devices.py): ivshmem-plain A
 * behind the switch with nvme, which nvme reaches by peer-to-peer DMA, and
 * ivshmem-plain B on the root bus, which it does not. Every transfer is
 * checked by the other path: bio_vec bios of RAM pages for the disk, and an
 * independent ioremap_wc() for the BAR. The queue's count of bounced bytes
 * tells which path a bio took. A is offered to DMA on every arch; the
 * CPU maps it too where the hook does.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/sizes.h>

#include "pfn_vec_block_kunit.h"

/* QEMU's NVMe controller */
#define QEMU_NVME_DEVICE_ID	0x0010
/* How long the controller may take to show its namespace, in ms. */
#define NVME_WAIT_MS		30000

static int match_disk_of(struct device *dev, const void *parent)
{
	struct device *p;

	if (bdev_is_partition(dev_to_bdev(dev)))
		return 0;
	for (p = dev->parent; p; p = p->parent)
		if (p == parent)
			return 1;
	return 0;
}

/* The disk of @nvme's namespace, which its async scan adds: opened. */
static struct block_device *open_nvme_disk(struct kunit *test,
					   struct pci_dev *nvme)
{
	char name[BDEVNAME_SIZE];
	struct device *dev;
	unsigned int waited;

	for (waited = 0; waited < NVME_WAIT_MS; waited += 100) {
		dev = class_find_device(&block_class, NULL, &nvme->dev,
					match_disk_of);
		if (dev)
			break;
		msleep(100);
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, dev, "%s shows no namespace",
				  pci_name(nvme));
	strscpy(name, dev_name(dev), sizeof(name));
	put_device(dev);
	return pvb_open_disk(test, name);
}

/* A case's context: the pvb helpers' I/O goes to the nvme disk. */
static int dma_init(struct kunit *test)
{
	struct test_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct pci_dev *nvme;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	nvme = pfn_vec_kunit_pci_get(test, PCI_VENDOR_ID_REDHAT,
				     QEMU_NVME_DEVICE_ID);
	KUNIT_ASSERT_NOT_NULL_MSG(test, nvme,
				  "no nvme device (see the project's qemu configs)");
	ctx->bdev = open_nvme_disk(test, nvme);
	KUNIT_ASSERT_TRUE_MSG(test, bdev_get_queue(ctx->bdev)->limits.features &
			      BLK_FEAT_PFN_VEC_DMA,
			      "nvme does not declare BLK_FEAT_PFN_VEC_DMA");
	pvb_mem_init(test, &ctx->mem[MEM_RAM], MEM_RAM);
	return 0;
}

static u64 bounced(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;

	return atomic64_read(&bdev_get_queue(ctx->bdev)->pfn_vec_bounced);
}

/*
 * MEM_SIZE of the BAR of ivshmem A (behind the switch) or B (on the root
 * bus), from its start: registered for the CPU and for DMA where the hook
 * maps it, else offered to DMA alone. Return: whether the CPU maps it.
 */
static bool dma_bar_init(struct kunit *test, struct test_mem *m, bool root)
{
	struct resource *res;
	struct pci_dev *pdev;

	res = root ? pfn_vec_kunit_ivshmem_root(test, &pdev) :
		     pfn_vec_kunit_ivshmem(test, &pdev);
	KUNIT_ASSERT_NOT_NULL_MSG(test, res, "no ivshmem-plain %s",
				  root ? "on the root bus" : "behind the switch");
	KUNIT_ASSERT_GE(test, resource_size(res), (resource_size_t)MEM_SIZE);
	m->kind = MEM_BAR;
	m->phys = res->start;
	m->io = pfn_vec_kunit_ioremap_wc(test, m->phys, MEM_SIZE);
	m->mapped = !pfn_vec_kunit_register_bar(test, pdev, 0, MEM_SIZE,
						IO_LINEAR_WC);
	if (!m->mapped)
		pfn_vec_kunit_register_p2p(test, pdev, 0, MEM_SIZE);
	return m->mapped;
}

/* One segment of a layout: its memory, offset in it, and length. */
struct dma_seg {
	enum mem_kind kind;
	unsigned int off, len;
};

#define DMA_MAX_SEGS	4

struct dma_layout {
	const char *name;
	struct dma_seg segs[DMA_MAX_SEGS];
};

/*
 * Bios that nvme takes by DMA, as the PRPs or SGLs its driver builds for
 * them: segments that start or end inside a controller page (a gap of the
 * virt boundary, where the bio is split), RAM beside the BAR, and bios
 * larger than the controller's transfer limit.
 */
static const struct dma_layout dma_layouts[] = {
	{ "bar 1 MiB", { { MEM_BAR, 0, SZ_1M } } },
	{ "bar at 512", { { MEM_BAR, 512, 7 * 512 } } },
	{ "ram, bar, ram", { { MEM_RAM, 0, SZ_8K }, { MEM_BAR, SZ_64K, SZ_16K },
			     { MEM_RAM, SZ_64K, SZ_4K } } },
	{ "gaps", { { MEM_BAR, 512, SZ_4K - 512 }, { MEM_RAM, SZ_4K + 512, 3 * 512 },
		    { MEM_BAR, SZ_8K, SZ_64K }, { MEM_RAM, 0, 512 } } },
	{ "large segments", { { MEM_BAR, SZ_1M, SZ_256K }, { MEM_RAM, SZ_1M, SZ_128K },
			      { MEM_BAR, SZ_2M, SZ_256K } } },
};

static void dma_layout_desc(const struct dma_layout *l, char *desc)
{
	strscpy(desc, l->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dma_layout, dma_layouts, dma_layout_desc);

static unsigned int layout_len(const struct dma_layout *l)
{
	unsigned int i, len = 0;

	for (i = 0; i < DMA_MAX_SEGS && l->segs[i].len; i++)
		len += l->segs[i].len;
	return len;
}

/* A bio of @l's segments, for @op at @sector. */
static struct bio *layout_bio(struct kunit *test, const struct dma_layout *l,
			      blk_opf_t op, sector_t sector)
{
	struct test_ctx *ctx = test->priv;
	struct bio *bio;
	unsigned int i;

	bio = bio_alloc_pfn_vec(ctx->bdev, DMA_MAX_SEGS, op, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bio);
	bio->bi_iter.bi_sector = sector;
	for (i = 0; i < DMA_MAX_SEGS && l->segs[i].len; i++) {
		const struct dma_seg *s = &l->segs[i];
		struct pfn_vec pv;

		int added;

		pvb_mem_pv(test, &ctx->mem[s->kind], s->off, s->len, &pv);
		added = bio_add_pfn_vec(bio, &pv);
		if (added != s->len)
			bio_put(bio);
		KUNIT_ASSERT_EQ_MSG(test, added, (int)s->len,
				    "segment %u not added", i);
	}
	return bio;
}

static int layout_rw(struct kunit *test, const struct dma_layout *l,
		     blk_opf_t op, sector_t sector)
{
	struct bio *bio = layout_bio(test, l, op, sector);
	int ret = submit_bio_wait(bio);

	bio_put(bio);
	return ret;
}

/* Byte @i of the data of @l, laid out on the disk. */
static u8 layout_byte(unsigned int seed, size_t i)
{
	return pvb_pattern(seed, i);
}

static void layout_fill(struct kunit *test, const struct dma_layout *l,
			unsigned int seed)
{
	struct test_ctx *ctx = test->priv;
	size_t done = 0, j;
	unsigned int i;

	for (i = 0; i < DMA_MAX_SEGS && l->segs[i].len; i++) {
		const struct dma_seg *s = &l->segs[i];
		struct test_mem *m = &ctx->mem[s->kind];

		for (j = 0; j < s->len; j++, done++) {
			if (m->io)
				writeb(layout_byte(seed, done), m->io + s->off + j);
			else
				((u8 *)m->va)[s->off + j] = layout_byte(seed, done);
		}
	}
}

/* The first byte of @l's memory that differs from the data, or its length. */
static size_t layout_check(struct kunit *test, const struct dma_layout *l,
			   unsigned int seed)
{
	struct test_ctx *ctx = test->priv;
	size_t done = 0, j;
	unsigned int i;

	for (i = 0; i < DMA_MAX_SEGS && l->segs[i].len; i++) {
		const struct dma_seg *s = &l->segs[i];
		struct test_mem *m = &ctx->mem[s->kind];

		for (j = 0; j < s->len; j++, done++) {
			u8 c = m->io ? readb(m->io + s->off + j) :
				       ((u8 *)m->va)[s->off + j];

			if (c != layout_byte(seed, done))
				return done;
		}
	}
	return done;
}

static size_t buf_check(const u8 *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != layout_byte(seed, i))
			break;
	return i;
}

static void layout_clear(struct kunit *test, const struct dma_layout *l)
{
	struct test_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < DMA_MAX_SEGS && l->segs[i].len; i++)
		pvb_mem_set(&ctx->mem[l->segs[i].kind], l->segs[i].off,
			    l->segs[i].len, SENTINEL);
}

/*
 * Write a layout of BAR A and RAM to nvme by DMA, read it back through RAM
 * pages; write other data through RAM pages, read it into the layout by
 * DMA, check it through the independent mappings. Nothing is bounced.
 */
static void pfn_vec_block_dma_test_layout(struct kunit *test)
{
	const struct dma_layout *l = test->param_value;
	struct test_ctx *ctx = test->priv;
	unsigned int len = layout_len(l);
	unsigned int seed = pfn_vec_kunit_seed();
	const sector_t sector = 0;
	u64 before;
	u8 *buf;

	dma_bar_init(test, &ctx->mem[MEM_BAR], false);
	buf = pvb_kvzalloc(test, len);
	before = bounced(test);

	layout_fill(test, l, seed);
	KUNIT_ASSERT_EQ(test, layout_rw(test, l, REQ_OP_WRITE, sector), 0);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, sector, buf, len), 0);
	KUNIT_EXPECT_EQ_MSG(test, buf_check(buf, len, seed), (size_t)len,
			    "the disk differs from what was written");

	seed++;
	for (size_t i = 0; i < len; i++)
		buf[i] = layout_byte(seed, i);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, sector, buf, len), 0);
	layout_clear(test, l);
	KUNIT_ASSERT_EQ(test, layout_rw(test, l, REQ_OP_READ, sector), 0);
	KUNIT_EXPECT_EQ_MSG(test, layout_check(test, l, seed), (size_t)len,
			    "memory differs from what was read");

	KUNIT_EXPECT_EQ_MSG(test, bounced(test), before,
			    "the queue bounced P2P bios");
}

/*
 * Read into the BAR by DMA and check it through the pfn_vec accessor too,
 * where the CPU maps the region.
 */
static void pfn_vec_block_dma_test_read_accessor(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *bar = &ctx->mem[MEM_BAR];
	unsigned int seed = pfn_vec_kunit_seed();
	const size_t len = SZ_256K;
	struct bvec_iter iter;
	struct pfn_vec pv;
	u8 *buf, *copy;
	size_t i;

	if (!dma_bar_init(test, bar, false))
		kunit_skip(test, PFN_VEC_KUNIT_NO_HOOK);
	buf = pvb_kvzalloc(test, len);
	copy = pvb_kvzalloc(test, len);
	for (i = 0; i < len; i++)
		buf[i] = layout_byte(seed, i);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, len), 0);
	pvb_mem_set(bar, 0, len, SENTINEL);
	pvb_mem_pv(test, bar, 0, len, &pv);
	KUNIT_ASSERT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, 0, &pv), 0);

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_memcpy_from(copy, &pv, &iter, len), 0);
	KUNIT_EXPECT_EQ(test, buf_check(copy, len, seed), len);
	KUNIT_EXPECT_EQ(test, pvb_mem_check(bar, 0, len, seed), len);
}

/*
 * BAR B, on the root bus, which nvme does not reach: bounced through RAM
 * where the hook maps it, each byte counted; refused with
 * BLK_STS_NOTSUPP where it does not, with nothing moved either way.
 */
static void pfn_vec_block_dma_test_unreachable(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *bar = &ctx->mem[MEM_BAR];
	unsigned int seed = pfn_vec_kunit_seed();
	const size_t len = SZ_64K;
	struct pfn_vec pv;
	bool cpu;
	u64 before;
	u8 *buf;

	cpu = dma_bar_init(test, bar, true);
	buf = pvb_kvzalloc(test, len);
	memset(buf, SENTINEL, len);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, len), 0);
	pvb_mem_fill(bar, 0, len, seed);
	pvb_mem_pv(test, bar, 0, len, &pv);
	before = bounced(test);

	if (cpu) {
		KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, 0, &pv), 0);
		KUNIT_EXPECT_EQ(test, bounced(test) - before, (u64)len);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, len), 0);
		KUNIT_EXPECT_EQ(test, buf_check(buf, len, seed), len);
		return;
	}
	KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, 0, &pv), -EOPNOTSUPP);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, len), 0);
	KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(buf, SENTINEL, len),
			      "a refused write reached the disk");
	KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, 0, &pv), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check(bar, 0, len, seed), len,
			    "a refused read wrote the BAR");
	KUNIT_EXPECT_EQ(test, bounced(test), before);
}

struct depth_ctx {
	atomic_t left;
	atomic_t errors;
	struct completion done;
};

static void depth_end_io(struct bio *bio)
{
	struct depth_ctx *d = bio->bi_private;

	if (bio->bi_status)
		atomic_inc(&d->errors);
	bio_put(bio);
	if (atomic_dec_and_test(&d->left))
		complete(&d->done);
}

/*
 * More P2P bios in flight than the queue has requests, one block each from
 * its own place in the BAR: they wait for tags, none is bounced, and each
 * lands where it belongs.
 */
static void pfn_vec_block_dma_test_depth(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *bar = &ctx->mem[MEM_BAR];
	unsigned int seed = pfn_vec_kunit_seed();
	unsigned int nr, i;
	struct depth_ctx *d;
	struct blk_plug plug;
	size_t len;
	u64 before;
	u8 *buf;

	dma_bar_init(test, bar, false);
	nr = bdev_get_queue(ctx->bdev)->nr_requests + 64;
	len = (size_t)nr * SECTOR_SIZE;
	KUNIT_ASSERT_LE(test, len, (size_t)MEM_SIZE);
	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	buf = pvb_kvzalloc(test, len);
	pvb_mem_fill(bar, 0, len, seed);
	atomic_set(&d->left, nr);
	init_completion(&d->done);
	before = bounced(test);

	blk_start_plug(&plug);
	for (i = 0; i < nr; i++) {
		struct pfn_vec pv;
		struct bio *bio;

		pvb_mem_pv(test, bar, (size_t)i * SECTOR_SIZE, SECTOR_SIZE, &pv);
		bio = pvb_pv_bio(test, REQ_OP_WRITE, i, &pv);
		bio->bi_private = d;
		bio->bi_end_io = depth_end_io;
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&d->done, 60 * HZ),
			      "%d of %u bios never ended", atomic_read(&d->left), nr);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->errors), 0);
	KUNIT_EXPECT_EQ(test, bounced(test), before);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, len), 0);
	for (i = 0; i < len; i++)
		if (buf[i] != layout_byte(seed, i))
			break;
	KUNIT_EXPECT_EQ(test, i, (unsigned int)len);
}

static struct kunit_case pfn_vec_block_dma_cases[] = {
	KUNIT_CASE_PARAM(pfn_vec_block_dma_test_layout, dma_layout_gen_params),
	KUNIT_CASE(pfn_vec_block_dma_test_read_accessor),
	KUNIT_CASE(pfn_vec_block_dma_test_unreachable),
	KUNIT_CASE_SLOW(pfn_vec_block_dma_test_depth),
	{}
};

static struct kunit_suite pfn_vec_block_dma_suite = {
	.name = "pfn_vec_block_dma",
	.init = dma_init,
	.test_cases = pfn_vec_block_dma_cases,
};

kunit_test_suite(pfn_vec_block_dma_suite);

MODULE_DESCRIPTION("KUnit tests of DMA to and from pfn_vec bios");
MODULE_LICENSE("GPL");
