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
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_dma.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/sizes.h>
#include <linux/string_choices.h>
#include <linux/wait.h>

#include "pfn_vec_block_kunit.h"

/* A case's context: the pvb helpers' I/O goes to the nvme disk. */
static int dma_init(struct kunit *test)
{
	struct test_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	char name[BDEVNAME_SIZE];

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	pfn_vec_kunit_nvme_disk(test, name, sizeof(name));
	ctx->bdev = pvb_open_disk(test, name);
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

/* Segment @i of a layout holds the pattern of @seed + @i. */
static void layout_fill(struct kunit *test, const struct dma_layout *l,
			unsigned int seed)
{
	struct test_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < DMA_MAX_SEGS && l->segs[i].len; i++)
		pvb_mem_fill(&ctx->mem[l->segs[i].kind], l->segs[i].off,
			     l->segs[i].len, seed + i);
}

/* The first byte of @l's memory that differs from its data, or its length. */
static size_t layout_check(struct kunit *test, const struct dma_layout *l,
			   unsigned int seed)
{
	struct test_ctx *ctx = test->priv;
	size_t done = 0, n;
	unsigned int i;

	for (i = 0; i < DMA_MAX_SEGS && l->segs[i].len; i++) {
		n = pvb_mem_check(&ctx->mem[l->segs[i].kind], l->segs[i].off,
				  l->segs[i].len, seed + i);
		if (n < l->segs[i].len)
			return done + n;
		done += n;
	}
	return done;
}

/*
 * @l's data as the disk holds it, in @buf: written there if @fill, else
 * compared. Return: the first byte of @buf that differs, or its length.
 */
static size_t layout_buf(const struct dma_layout *l, u8 *buf,
			 unsigned int seed, bool fill)
{
	size_t done = 0, j;
	unsigned int i;

	for (i = 0; i < DMA_MAX_SEGS && l->segs[i].len; i++) {
		for (j = 0; j < l->segs[i].len; j++, done++) {
			u8 c = pvb_pattern(seed + i, j);

			if (fill)
				buf[done] = c;
			else if (buf[done] != c)
				return done;
		}
	}
	return done;
}

/* The first byte of @buf that differs from the pattern of @seed, or @len. */
static size_t buf_check(const u8 *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pvb_pattern(seed, i))
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
	KUNIT_EXPECT_EQ_MSG(test, layout_buf(l, buf, seed, false), (size_t)len,
			    "the disk differs from what was written");

	seed += DMA_MAX_SEGS;
	layout_buf(l, buf, seed, true);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, sector, buf, len), 0);
	layout_clear(test, l);
	KUNIT_ASSERT_EQ(test, layout_rw(test, l, REQ_OP_READ, sector), 0);
	KUNIT_EXPECT_EQ_MSG(test, layout_check(test, l, seed), (size_t)len,
			    "memory differs from what was read");

	kunit_info(test, "%u bytes each way, %llu bytes bounced", len,
		   bounced(test) - before);
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
		buf[i] = pvb_pattern(seed, i);
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

/*
 * REQ_NOWAIT by DMA: a bio of the queue's max_sectors goes as it is, and
 * bounces nothing; one of twice that would have to be split, which may
 * wait, and is ended with -EAGAIN before anything moves, as blk-mq ends
 * any REQ_NOWAIT bio that it would have to split.
 */
static void pfn_vec_block_dma_test_nowait(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *bar = &ctx->mem[MEM_BAR];
	const size_t max = queue_max_bytes(bdev_get_queue(ctx->bdev));
	unsigned int seed = pfn_vec_kunit_seed();
	unsigned int pass;
	struct pfn_vec pv;
	u64 before;
	size_t i;
	u8 *buf;

	KUNIT_ASSERT_LE(test, 2 * max, (size_t)MEM_SIZE);
	dma_bar_init(test, bar, false);
	buf = pvb_kvzalloc(test, 2 * max);

	for (pass = 0; pass < 4; pass++) {
		bool write = pass & 1;
		size_t len = pass & 2 ? 2 * max : max;
		int want = len > max ? -EAGAIN : 0;

		for (i = 0; i < 2 * max; i++)
			buf[i] = write ? SENTINEL : pvb_pattern(seed, i);
		KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf,
						 2 * max), 0);
		if (write)
			pvb_mem_fill(bar, 0, 2 * max, seed);
		else
			pvb_mem_set(bar, 0, 2 * max, SENTINEL);
		pvb_mem_pv(test, bar, 0, len, &pv);
		before = bounced(test);

		KUNIT_EXPECT_EQ_MSG(test,
				    pvb_pv_rw(test, (write ? REQ_OP_WRITE :
						     REQ_OP_READ) | REQ_NOWAIT,
					      0, &pv), want,
				    "%s of %zu bytes", str_write_read(write), len);
		KUNIT_EXPECT_EQ(test, bounced(test), before);
		if (write)
			KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0,
							 buf, 2 * max), 0);
		if (want && write)
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, SENTINEL, 2 * max),
					      "a refused write reached the disk");
		else if (want)
			KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(bar, 0, 2 * max, SENTINEL),
					      "a refused read wrote the BAR");
		else if (write)
			KUNIT_EXPECT_EQ(test, buf_check(buf, len, seed), len);
		else
			KUNIT_EXPECT_EQ(test, pvb_mem_check(bar, 0, len, seed), len);
	}
}

/*
 * A segment whose flags claim struct page for RAM that has none (above
 * mem=): the queue's DMA check walks its frames, and it is refused, with
 * nothing moved, before anything reads a struct page that is not there.
 */
static void pfn_vec_block_dma_test_forged_page(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	const size_t len = SZ_64K;
	struct pfn_vec pv;
	u8 *buf;

	pv.pv_pfn = phys_to_pfn_t(pfn_vec_kunit_unmanaged(test, len, NULL), 0);
	pv.pv_len = len;
	pv.pv_offset = 0;
	KUNIT_ASSERT_TRUE(test, pfn_vec_has_page(&pv));
	buf = pvb_kvzalloc(test, len);
	memset(buf, SENTINEL, len);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, len), 0);

	KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, 0, &pv), -EOPNOTSUPP);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, len), 0);
	KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(buf, SENTINEL, len),
			      "a refused write reached the disk");
}

/* The P2PDMA pages of BAR A: a subsection, the least memremap_pages() maps. */
#define P2PDMA_SIZE	SZ_2M

/* Whose P2PDMA pages: of BAR A, behind the switch, or of B, on the root bus. */
static const bool p2pdma_roots[] = { false, true };

static void p2pdma_root_desc(const bool *root, char *desc)
{
	strscpy(desc, *root ? "B, on the root bus" : "A, behind the switch",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(p2pdma_root, p2pdma_roots, p2pdma_root_desc);

/*
 * P2PDMA pages (pci_p2pdma_add_resource()) keep pci_p2pdma's rules in a
 * pfn_vec bio. Of BAR A: nvme reaches them at their bus address, as it
 * reaches A without struct page, both ways, and nothing is bounced. Of
 * BAR B: nvme would reach them only through a host bridge that pci_p2pdma
 * does not allow (PCI_P2PDMA_MAP_NOT_SUPPORTED), so they are bounced, as
 * the CPU maps P2PDMA pages, each byte counted. The data is intact either
 * way.
 */
static void pfn_vec_block_dma_test_p2pdma_pages(struct kunit *test)
{
	const bool *root = test->param_value;
	struct test_mem m = { .kind = MEM_BAR };
	struct test_ctx *ctx = test->priv;
	unsigned int seed = pfn_vec_kunit_seed();
	const size_t len = SZ_64K;
	const u64 bounce = *root ? len : 0;
	struct pci_dev *pdev;
	struct pfn_vec pv;
	u64 before;
	size_t i;
	u8 *buf;

	m.phys = pfn_vec_kunit_p2pmem(test, *root, P2PDMA_SIZE, len, &pdev);
	m.io = pfn_vec_kunit_ioremap_wc(test, m.phys, len);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, m.phys, len), 0);
	KUNIT_ASSERT_TRUE(test, pfn_vec_has_page(&pv));
	buf = pvb_kvzalloc(test, len);
	before = bounced(test);

	pvb_mem_fill(&m, 0, len, seed);
	KUNIT_ASSERT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, 0, &pv), 0);
	KUNIT_EXPECT_EQ(test, bounced(test) - before, bounce);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, len), 0);
	KUNIT_EXPECT_EQ_MSG(test, buf_check(buf, len, seed), len,
			    "the disk differs from what was written");

	for (i = 0; i < len; i++)
		buf[i] = pvb_pattern(seed + 1, i);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, len), 0);
	pvb_mem_set(&m, 0, len, SENTINEL);
	KUNIT_ASSERT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, 0, &pv), 0);
	KUNIT_EXPECT_EQ_MSG(test, pvb_mem_check(&m, 0, len, seed + 1), len,
			    "the P2PDMA pages differ from what was read");

	kunit_info(test, "%zu bytes each way, %llu bytes bounced", len,
		   bounced(test) - before);
	KUNIT_EXPECT_EQ(test, bounced(test) - before, 2 * bounce);
}

/*
 * A segment across two dev_pagemaps of P2PDMA pages, each added to BAR A
 * by a pci_p2pdma_add_resource() of its own, has no one owner: it is not
 * taken by DMA (pfn_vec_p2pdma_page()), while each half alone would be.
 * It is bounced, as the CPU maps P2PDMA pages, with its data intact.
 */
static void pfn_vec_block_dma_test_p2pdma_pgmaps(struct kunit *test)
{
	struct test_mem m = { .kind = MEM_BAR };
	struct test_ctx *ctx = test->priv;
	unsigned int seed = pfn_vec_kunit_seed();
	const size_t len = SZ_64K;
	struct pfn_vec pv, half;
	struct pci_dev *pdev;
	u64 before;
	u8 *buf;

	pfn_vec_kunit_p2pmem(test, false, P2PDMA_SIZE, PAGE_SIZE, &pdev);
	KUNIT_ASSERT_EQ(test, pci_p2pdma_add_resource(pdev,
						      PFN_VEC_KUNIT_IVSHMEM_BAR,
						      P2PDMA_SIZE, P2PDMA_SIZE),
			0);
	/* Across the boundary, 512 bytes into a page. */
	m.phys = pci_resource_start(pdev, PFN_VEC_KUNIT_IVSHMEM_BAR) +
		 P2PDMA_SIZE - len / 2 + SECTOR_SIZE;
	m.io = pfn_vec_kunit_ioremap_wc(test, m.phys, len);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, m.phys, len), 0);
	KUNIT_ASSERT_TRUE(test, pfn_vec_has_page(&pv));
	KUNIT_EXPECT_NULL(test, pfn_vec_p2pdma_page(&pv));
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&half, m.phys,
					       len / 2 - SECTOR_SIZE), 0);
	KUNIT_EXPECT_NOT_NULL(test, pfn_vec_p2pdma_page(&half));
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&half, m.phys + len / 2,
					       len / 2), 0);
	KUNIT_EXPECT_NOT_NULL(test, pfn_vec_p2pdma_page(&half));

	buf = pvb_kvzalloc(test, len);
	pvb_mem_fill(&m, 0, len, seed);
	before = bounced(test);
	KUNIT_ASSERT_EQ(test, pvb_pv_rw(test, REQ_OP_WRITE, 0, &pv), 0);
	KUNIT_EXPECT_EQ(test, bounced(test) - before, (u64)len);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, len), 0);
	KUNIT_EXPECT_EQ_MSG(test, buf_check(buf, len, seed), len,
			    "the disk differs from what was written");
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
	KUNIT_EXPECT_EQ(test, buf_check(buf, len, seed), len);
}

/*
 * A bio queued while its region is unregistered: it reached the queue
 * reachable, and is refused when the driver maps it, before the device
 * moves any of it.
 */
static void pfn_vec_block_dma_test_unregister_queued(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct request_queue *q = bdev_get_queue(ctx->bdev);
	struct test_mem *bar = &ctx->mem[MEM_BAR];
	const size_t len = SZ_64K;
	struct depth_ctx *d;
	struct pfn_vec pv;
	struct bio *bio;
	u8 *buf;

	dma_bar_init(test, bar, false);
	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	buf = pvb_kvzalloc(test, len);
	memset(buf, SENTINEL, len);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, len), 0);
	pvb_mem_fill(bar, 0, len, pfn_vec_kunit_seed());
	atomic_set(&d->left, 1);
	init_completion(&d->done);

	pvb_mem_pv(test, bar, 0, len, &pv);
	bio = pvb_pv_bio(test, REQ_OP_WRITE, 0, &pv);
	bio->bi_private = d;
	bio->bi_end_io = depth_end_io;
	blk_mq_quiesce_queue(q);
	submit_bio(bio);
	msleep(100);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&d->done),
			       "the bio ended in a quiesced queue");
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(bar->phys, MEM_SIZE), 0);
	blk_mq_unquiesce_queue(q);

	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&d->done, 10 * HZ));
	KUNIT_EXPECT_EQ(test, atomic_read(&d->errors), 1);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_READ, 0, buf, len), 0);
	KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(buf, SENTINEL, len),
			      "a refused write reached the disk");
}

/* Reads into the BAR, one after another, until told to stop. */
struct stream {
	struct kunit *test;
	struct test_mem *bar;
	atomic_t in_flight;
	atomic_t ok, refused, other;
	wait_queue_head_t wait;
};

#define STREAM_LEN	SZ_64K
#define STREAM_DEPTH	16

static void stream_end_io(struct bio *bio)
{
	struct stream *st = bio->bi_private;

	if (!bio->bi_status)
		atomic_inc(&st->ok);
	else if (bio->bi_status == BLK_STS_NOTSUPP)
		atomic_inc(&st->refused);
	else
		atomic_inc(&st->other);
	bio_put(bio);
	atomic_dec(&st->in_flight);
	wake_up(&st->wait);
}

struct unregister_ctx {
	struct test_mem *bar;
	struct stream *st;
	int ret;
	struct completion done;
};

/*
 * Unregister the region once reads are landing in it, then at once mark
 * all of it: no read may write it after that.
 */
static int unregister_fn(void *data)
{
	struct unregister_ctx *u = data;

	while (atomic_read(&u->st->ok) < 8 && !kthread_should_stop())
		usleep_range(1000, 2000);
	u->ret = pfn_vec_region_unregister(u->bar->phys, MEM_SIZE);
	pvb_mem_set(u->bar, 0, STREAM_LEN * STREAM_DEPTH, SENTINEL);
	complete(&u->done);
	return 0;
}

/*
 * Unregistering a region while nvme streams reads into it: each read lands
 * or is refused, none writes the region once unregister has returned, and
 * a read after it is refused. (That unregister waits for a read in flight
 * is pfn_vec_block_dma_test_release_in_flight's.)
 */
static void pfn_vec_block_dma_test_unregister_in_flight(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct test_mem *bar = &ctx->mem[MEM_BAR];
	const size_t len = STREAM_LEN * STREAM_DEPTH;
	struct unregister_ctx *u;
	struct task_struct *k;
	struct stream *st;
	struct pfn_vec pv;
	unsigned int i;
	u8 *buf;

	dma_bar_init(test, bar, false);
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_NOT_NULL(test, u);
	buf = pvb_kvzalloc(test, len);
	for (i = 0; i < len; i++)
		buf[i] = pvb_pattern(1, i) | 1;	/* never SENTINEL */
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, len), 0);
	init_waitqueue_head(&st->wait);
	u->bar = bar;
	u->st = st;
	init_completion(&u->done);
	k = pfn_vec_kunit_thread_run(test, unregister_fn, u, 1,
				     "pfn_vec_unregister");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));

	for (i = 0; !completion_done(&u->done) && i < 100000; i++) {
		unsigned int slot = i % STREAM_DEPTH;
		struct bio *bio;

		wait_event(st->wait,
			   atomic_read(&st->in_flight) < STREAM_DEPTH);
		pvb_mem_pv(test, bar, slot * STREAM_LEN, STREAM_LEN, &pv);
		bio = pvb_pv_bio(test, REQ_OP_READ, slot * (STREAM_LEN >> 9), &pv);
		bio->bi_private = st;
		bio->bi_end_io = stream_end_io;
		atomic_inc(&st->in_flight);
		submit_bio(bio);
	}
	wait_event(st->wait, !atomic_read(&st->in_flight));
	KUNIT_ASSERT_TRUE_MSG(test, completion_done(&u->done),
			      "%u reads, and the region was not unregistered", i);
	KUNIT_EXPECT_EQ(test, u->ret, 0);
	KUNIT_EXPECT_TRUE_MSG(test, pvb_mem_is(bar, 0, len, SENTINEL),
			      "a read wrote the region after it was unregistered");
	KUNIT_EXPECT_GE(test, atomic_read(&st->ok), 8);
	KUNIT_EXPECT_EQ(test, atomic_read(&st->other), 0);
	kunit_info(test, "%d reads landed, %d refused", atomic_read(&st->ok),
		   atomic_read(&st->refused));
	pvb_mem_pv(test, bar, 0, STREAM_LEN, &pv);
	KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, 0, &pv), -EOPNOTSUPP);
	KUNIT_EXPECT_TRUE(test, pvb_mem_is(bar, 0, STREAM_LEN, SENTINEL));
}

/*
 * Hold nvme's completions: with its interrupts off, a request whose DMA
 * the controller has done stays in flight, mapped, until they are back on.
 * Only MSI or MSI-X vectors, nvme's own, hold them: an INTx line may be
 * shared, and one that storms, as QEMU's nvme under TCG now and then makes
 * it, is disabled by the spurious-interrupt code and then polled, which
 * completes the request all the same.
 */
struct irq_hold {
	struct pci_dev *nvme;
	bool held;
};

static void nvme_irqs_enable(void *data)
{
	struct irq_hold *h = data;
	int i, irq;

	if (!h->held)
		return;
	for (i = 0; (irq = pci_irq_vector(h->nvme, i)) >= 0; i++)
		enable_irq(irq);
	h->held = false;
}

static void nvme_irqs_disable(struct kunit *test, struct irq_hold *h)
{
	int i, irq;

	KUNIT_ASSERT_TRUE_MSG(test, pci_dev_msi_enabled(h->nvme),
			      "%s has no MSI: its INTx cannot hold completions",
			      pci_name(h->nvme));
	for (i = 0; (irq = pci_irq_vector(h->nvme, i)) >= 0; i++)
		disable_irq(irq);
	KUNIT_ASSERT_GT_MSG(test, i, 0, "%s has no interrupt", pci_name(h->nvme));
	h->held = true;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   nvme_irqs_enable, h));
}

/* How a case takes a region away from under the I/O that holds it. */
enum release_how { RELEASE_UNREGISTER, RELEASE_UNBIND };

struct release_ctx {
	enum release_how how;
	struct pci_dev *provider;
	phys_addr_t phys;
	int ret;
	struct completion done;
};

static int release_fn(void *data)
{
	struct release_ctx *r = data;

	if (r->how == RELEASE_UNREGISTER)
		r->ret = pfn_vec_region_unregister(r->phys, MEM_SIZE);
	else
		device_release_driver(&r->provider->dev);
	complete(&r->done);
	return 0;
}

static const enum release_how release_hows[] = {
	RELEASE_UNREGISTER, RELEASE_UNBIND,
};

static void release_how_desc(const enum release_how *how, char *desc)
{
	strscpy(desc, *how == RELEASE_UNREGISTER ? "unregister" :
		"unbind the provider", KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(release_how, release_hows, release_how_desc);

/*
 * A read into the BAR by DMA, done by the controller but not completed, as
 * nvme's interrupts are held: unregistering its region, or unbinding the
 * device that provides it (whose driver registered it with devm_), waits
 * for that read to complete and unmap; after it, a new bio to the BAR is
 * refused. Where the hook maps the region, it is registered for the CPU
 * too, which changes nothing here.
 */
static void pfn_vec_block_dma_test_release_in_flight(struct kunit *test)
{
	const enum release_how *how = test->param_value;
	struct test_ctx *ctx = test->priv;
	struct test_mem *bar = &ctx->mem[MEM_BAR];
	const size_t len = SZ_64K;
	unsigned int seed = pfn_vec_kunit_seed();
	struct irq_hold *h;
	struct release_ctx *r;
	struct depth_ctx *d;
	struct resource *res;
	struct task_struct *k;
	unsigned int waited;
	struct pfn_vec pv;
	struct bio *bio;
	bool waits;
	int ret;
	u8 *buf;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, d);
	h->nvme = pfn_vec_kunit_pci_get(test, PCI_VENDOR_ID_REDHAT,
					PFN_VEC_KUNIT_NVME_DEVICE);
	KUNIT_ASSERT_NOT_NULL(test, h->nvme);
	res = pfn_vec_kunit_ivshmem(test, &r->provider);
	KUNIT_ASSERT_NOT_NULL(test, res);
	bar->kind = MEM_BAR;
	bar->phys = res->start;
	bar->io = pfn_vec_kunit_ioremap_wc(test, bar->phys, MEM_SIZE);
	r->how = *how;
	r->phys = bar->phys;
	init_completion(&r->done);
	if (r->how == RELEASE_UNREGISTER) {
		dma_bar_init(test, bar, false);
	} else {
		ret = devm_pfn_vec_region_register_bar(r->provider,
						       PFN_VEC_KUNIT_IVSHMEM_BAR,
						       0, MEM_SIZE,
						       IO_LINEAR_WC);
		if (ret == -EOPNOTSUPP)
			ret = devm_pfn_vec_region_register_p2p(r->provider,
							       PFN_VEC_KUNIT_IVSHMEM_BAR,
							       0, MEM_SIZE);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}

	buf = pvb_kvzalloc(test, len);
	for (size_t i = 0; i < len; i++)
		buf[i] = pvb_pattern(seed, i);
	KUNIT_ASSERT_EQ(test, pvb_dev_rw(ctx, REQ_OP_WRITE, 0, buf, len), 0);
	pvb_mem_set(bar, 0, len, SENTINEL);
	atomic_set(&d->left, 1);
	init_completion(&d->done);
	pvb_mem_pv(test, bar, 0, len, &pv);
	bio = pvb_pv_bio(test, REQ_OP_READ, 0, &pv);
	bio->bi_private = d;
	bio->bi_end_io = depth_end_io;

	nvme_irqs_disable(test, h);
	submit_bio(bio);
	for (waited = 0; waited < 5000; waited += 20) {
		if (pvb_mem_check(bar, 0, len, seed) == len)
			break;
		msleep(20);
	}
	KUNIT_ASSERT_LT_MSG(test, waited, 5000U, "the controller did not DMA");
	KUNIT_EXPECT_FALSE(test, completion_done(&d->done));

	k = pfn_vec_kunit_thread_run(test, release_fn, r, 1, "pfn_vec_release");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	msleep(200);
	waits = !completion_done(&r->done);
	nvme_irqs_enable(h);

	KUNIT_EXPECT_TRUE_MSG(test, waits,
			      "the region went with a read in flight");
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&d->done, 10 * HZ));
	KUNIT_EXPECT_EQ(test, atomic_read(&d->errors), 0);
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&r->done, 10 * HZ),
			      "still waits after the read completed");
	KUNIT_EXPECT_EQ(test, r->ret, 0);
	KUNIT_EXPECT_EQ(test, pvb_pv_rw(test, REQ_OP_READ, 0, &pv), -EOPNOTSUPP);
}

static struct kunit_case pfn_vec_block_dma_cases[] = {
	KUNIT_CASE_PARAM(pfn_vec_block_dma_test_layout, dma_layout_gen_params),
	KUNIT_CASE(pfn_vec_block_dma_test_read_accessor),
	KUNIT_CASE(pfn_vec_block_dma_test_unreachable),
	KUNIT_CASE(pfn_vec_block_dma_test_forged_page),
	KUNIT_CASE(pfn_vec_block_dma_test_nowait),
	KUNIT_CASE_PARAM(pfn_vec_block_dma_test_p2pdma_pages,
			 p2pdma_root_gen_params),
	KUNIT_CASE(pfn_vec_block_dma_test_p2pdma_pgmaps),
	KUNIT_CASE_SLOW(pfn_vec_block_dma_test_depth),
	KUNIT_CASE(pfn_vec_block_dma_test_unregister_queued),
	KUNIT_CASE(pfn_vec_block_dma_test_unregister_in_flight),
	KUNIT_CASE_PARAM(pfn_vec_block_dma_test_release_in_flight,
			 release_how_gen_params),
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
