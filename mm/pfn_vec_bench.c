// SPDX-License-Identifier: GPL-2.0
/*
 * pfn_vec against the kernel's own alternatives, on the same memory in the
 * same boot. Not a test: make bench boots it, reads the "bench <key>
 * <value> rounds=<n> min=<min> max=<max>" lines it logs and writes them out.
 *
 * Absolute times under emulation mean nothing, so every key compares two
 * ways of doing the same work on the same memory, with the same access
 * primitive: each way runs once untimed, then both run in turn for a number
 * of rounds, in alternating order (A then B, then B then A, ...), each round
 * gives the ratio of its two times, and the key is the median of those
 * ratios. Errors inside the timed work are returned, and checked only once
 * the timing is over.
 *
 * The memory is RAM pages and BAR2 of QEMU's ivshmem-plain, as large as the
 * machine allows (64 GiB on x86_64, backed lazily by the host).
 *
 * The BAR lookup and the reporting are shared with the block layer's
 * benchmark (block/blk-pfn-vec-bench.c) through
 * <linux/pfn_vec_kunit_helpers.h>.
 */
#include <kunit/test.h>
#include <kunit/test-bug.h>
#include <linux/bvec.h>
#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/io-mapping.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/memremap.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/sort.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

/**
 * pfn_vec_bench_find_bar - find the PCI BAR that the benchmarks run on
 * @test:	the benchmark case; it fails if there is no such BAR
 * @bar:	filled in with the device and the place and size of its BAR
 * @min_size:	the least size of the BAR that @test needs
 *
 * Finds QEMU's ivshmem-plain device and binds it to the suites' driver,
 * which enables its memory space and claims its BAR2, until @test ends.
 * Its BAR2 is RAM of the host, without struct page in the guest.
 *
 * Context: Process context, in a KUnit case. May sleep.
 */
void pfn_vec_bench_find_bar(struct kunit *test, struct pfn_vec_bench_bar *bar,
			    resource_size_t min_size)
{
	struct resource *res = pfn_vec_kunit_ivshmem(test, &bar->pdev);

	KUNIT_ASSERT_NOT_NULL_MSG(test, res, "no ivshmem-plain device");
	bar->phys = res->start;
	bar->size = resource_size(res);
	KUNIT_ASSERT_GE_MSG(test, bar->size, min_size,
			    "ivshmem-plain BAR too small");
}
EXPORT_SYMBOL_GPL(pfn_vec_bench_find_bar);

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n values, which are sorted in place. */
static u64 bench_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), bench_cmp_u64, NULL);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/**
 * pfn_vec_bench_report - log a benchmark key: the median of rounds' ratios
 * @test:	the benchmark case
 * @key:	the name of the result, as make bench writes it
 * @num:	per round, the numerator of that round's ratio (a time)
 * @den:	per round, its denominator, measured in the same round
 * @rounds:	how many rounds, from %PFN_VEC_BENCH_MIN_ROUNDS to
 *		%PFN_VEC_BENCH_MAX_ROUNDS
 *
 * Logs "bench <key> <median> rounds=<rounds> min=<min> max=<max>": the
 * median, the least and the greatest of the ratios @num[i] / @den[i], to
 * three decimals and without floating point, for make bench to collect.
 * A count of rounds out of range fails @test and logs nothing.
 *
 * Context: In a KUnit case.
 */
void pfn_vec_bench_report(struct kunit *test, const char *key,
			  const u64 *num, const u64 *den, unsigned int rounds)
{
	u64 milli[PFN_VEC_BENCH_MAX_ROUNDS], med, lo, hi;
	unsigned int i;

	if (rounds < PFN_VEC_BENCH_MIN_ROUNDS ||
	    rounds > PFN_VEC_BENCH_MAX_ROUNDS) {
		KUNIT_FAIL(test, "%s: %u rounds, not %u to %u", key, rounds,
			   PFN_VEC_BENCH_MIN_ROUNDS, PFN_VEC_BENCH_MAX_ROUNDS);
		return;
	}
	/* Thousandths, so that no floats are needed. */
	for (i = 0; i < rounds; i++)
		milli[i] = mul_u64_u64_div_u64(num[i], 1000,
					       max_t(u64, den[i], 1));
	med = bench_median(milli, rounds);
	lo = milli[0];
	hi = milli[rounds - 1];
	kunit_info(test, "bench %s %llu.%03llu rounds=%u min=%llu.%03llu max=%llu.%03llu\n",
		   key, med / 1000, med % 1000, rounds, lo / 1000, lo % 1000,
		   hi / 1000, hi % 1000);
}
EXPORT_SYMBOL_GPL(pfn_vec_bench_report);

#define ROUNDS		7		/* of the accessor and copy keys */
#define SETUP_ROUNDS	5		/* memremap_pages() of the whole BAR */
#define MAP_SEG		SZ_1M		/* a block layer segment */
#define MAP_SEG_PAGES	(MAP_SEG / PAGE_SIZE)
#define MAP_SEGS	(200000 / MAP_SEG_PAGES)	/* walked per run */
#define MAP_LOOPS	200000		/* lone pages mapped per run */
#define COPY_BYTES	SZ_16M		/* copied per run */

static_assert(ROUNDS >= PFN_VEC_BENCH_MIN_ROUNDS);
static_assert(SETUP_ROUNDS >= PFN_VEC_BENCH_MIN_ROUNDS);
static_assert(ROUNDS <= PFN_VEC_BENCH_MAX_ROUNDS);

/* What the two sides of a key work on. */
struct bench_ctx {
	struct kunit *test;
	struct pfn_vec_bench_bar bar;
	struct dev_pagemap *pgmap;	/* memremap_pages() of the whole BAR */
	struct page *pages;		/* MAP_SEG of RAM ... */
	struct bio_vec ram_bvec;	/* ... as a bio_vec ... */
	struct pfn_vec ram_pv;		/* ... and as a pfn_vec */
	struct pfn_vec bar_pv;		/* MAP_SEG of the BAR, at MAP_SEG */
	struct pfn_vec *bar_walk;	/* MAP_SEGS times bar_pv */
	struct io_mapping *iomap;	/* io_mapping_create_wc() of the BAR */
	struct pfn_vec *copy_pvs;	/* the first copy_len of the BAR, ... */
	void __iomem *copy_wc;		/* ... its ioremap_wc() ... */
	void __iomem *copy_lin;		/* ... and its linear map */
	size_t copy_len;
	u8 *buf;			/* SZ_1M of RAM to copy to and from */
	struct pfn_vec_bench_bar big;	/* the 512 GiB BAR, on x86_64 */
	struct pfn_vec scale_pv;	/* MAP_SEG of its first region */
	unsigned int scale_nr;		/* regions of it registered */
	struct bench_unreg *unreg;	/* to unregister them all at once */
	unsigned int sum;		/* of the bytes read, so they are used */
};

/*
 * One of the two sides of a key: @run does the work, timed, and returns 0
 * or the first error; @undo, if any, undoes it untimed after it succeeded.
 */
struct bench_side {
	const char *name;
	int (*run)(struct bench_ctx *ctx);
	int (*undo)(struct bench_ctx *ctx);
};

static int bench_run(struct bench_ctx *ctx, const struct bench_side *side,
		     u64 *ns)
{
	u64 t0;
	int err;

	t0 = ktime_get_ns();
	err = side->run(ctx);
	*ns = ktime_get_ns() - t0;
	if (!err && side->undo)
		err = side->undo(ctx);
	return err;
}

/* Run @side once, untimed, before the rounds of @key. */
static void bench_warm_up(struct kunit *test, const char *key,
			  struct bench_ctx *ctx, const struct bench_side *side)
{
	u64 ns;
	int err;

	err = bench_run(ctx, side, &ns);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s: %s", key, side->name);
}

/*
 * Time @num against @den, both warmed up, and log @key, the median over
 * @rounds rounds of the ratio of @num's time to @den's: @num runs before
 * @den in even rounds and after it in odd ones.
 */
static void bench_rounds(struct kunit *test, const char *key,
			 struct bench_ctx *ctx, const struct bench_side *num,
			 const struct bench_side *den, unsigned int rounds)
{
	u64 t_num[PFN_VEC_BENCH_MAX_ROUNDS], t_den[PFN_VEC_BENCH_MAX_ROUNDS];
	unsigned int r;
	int err = 0;

	KUNIT_ASSERT_LE(test, rounds, PFN_VEC_BENCH_MAX_ROUNDS);
	for (r = 0; r < rounds && !err; r++) {
		if (r % 2)
			err = bench_run(ctx, den, &t_den[r]) ?:
			      bench_run(ctx, num, &t_num[r]);
		else
			err = bench_run(ctx, num, &t_num[r]) ?:
			      bench_run(ctx, den, &t_den[r]);
	}
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s: round %u", key, r - 1);

	pfn_vec_bench_report(test, key, t_num, t_den, rounds);
	kunit_info(test, "%s: %s %llu us, %s %llu us (medians of %u rounds)\n",
		   key, num->name, bench_median(t_num, rounds) / 1000,
		   den->name, bench_median(t_den, rounds) / 1000, rounds);
}

/* bench_rounds(), each side run once untimed first. */
static void bench_pair(struct kunit *test, const char *key,
		       struct bench_ctx *ctx, const struct bench_side *num,
		       const struct bench_side *den, unsigned int rounds)
{
	bench_warm_up(test, key, ctx, num);
	bench_warm_up(test, key, ctx, den);
	bench_rounds(test, key, ctx, num, den, rounds);
}

static struct bench_ctx *bench_ctx_alloc(struct kunit *test)
{
	struct bench_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	return ctx;
}

static void bench_unregister(void *data)
{
	struct pfn_vec_bench_bar *bar = data;
	int err = pfn_vec_region_unregister(bar->phys, bar->size);

	if (err)
		kunit_fail_current_test("pfn_vec_region_unregister: %d", err);
}

/* Register all of the BAR, write-combining, until @test ends. */
static void bench_register_bar(struct kunit *test, struct bench_ctx *ctx)
{
	KUNIT_ASSERT_EQ(test,
			pfn_vec_region_register_bar(ctx->bar.pdev,
						    PFN_VEC_KUNIT_IVSHMEM_BAR,
						    0, ctx->bar.size,
						    IO_LINEAR_WC), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   bench_unregister,
							   &ctx->bar));
}

/*
 * Setup: memremap_pages() of the whole BAR, as P2PDMA does it, against
 * registering it with pfn_vec; each undone, untimed, before the next.
 */
static int bench_memremap(struct bench_ctx *ctx)
{
	struct dev_pagemap *pgmap = ctx->pgmap;

	memset(pgmap, 0, sizeof(*pgmap));
	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap->range.start = ctx->bar.phys;
	pgmap->range.end = ctx->bar.phys + ctx->bar.size - 1;
	pgmap->nr_range = 1;
	return PTR_ERR_OR_ZERO(memremap_pages(pgmap, NUMA_NO_NODE));
}

static int bench_memunmap(struct bench_ctx *ctx)
{
	memunmap_pages(ctx->pgmap);
	return 0;
}

static int bench_register(struct bench_ctx *ctx)
{
	return pfn_vec_region_register_bar(ctx->bar.pdev,
					   PFN_VEC_KUNIT_IVSHMEM_BAR, 0,
					   ctx->bar.size, IO_LINEAR_WC);
}

static int bench_unregister_now(struct bench_ctx *ctx)
{
	return pfn_vec_region_unregister(ctx->bar.phys, ctx->bar.size);
}

static const struct bench_side bench_zone_device = {
	.name = "memremap_pages()",
	.run = bench_memremap,
	.undo = bench_memunmap,
};

static const struct bench_side bench_region = {
	.name = "pfn_vec_region_register_bar()",
	.run = bench_register,
	.undo = bench_unregister_now,
};

static unsigned long bench_free_bytes(void)
{
	drain_all_pages(NULL);
	return global_zone_page_state(NR_FREE_PAGES) << PAGE_SHIFT;
}

static void pfn_vec_bench_setup(struct kunit *test)
{
	struct bench_ctx *ctx = bench_ctx_alloc(test);
	unsigned long before, zone_bytes;
	int err;

	pfn_vec_bench_find_bar(test, &ctx->bar, SZ_16M);
	ctx->pgmap = kunit_kmalloc(test, sizeof(*ctx->pgmap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->pgmap);

	/*
	 * memremap_pages()' warm-up measures the memory it takes for memmap
	 * and page tables, as free pages see it. What registration takes is
	 * mostly slab, which free pages do not resolve, so it is not compared.
	 */
	before = bench_free_bytes();
	err = bench_memremap(ctx);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "memremap_pages: %d", err);
	zone_bytes = before - min(before, bench_free_bytes());
	bench_memunmap(ctx);
	kunit_info(test, "BAR of %llu MiB: memremap_pages() takes %lu KiB\n",
		   (unsigned long long)ctx->bar.size >> 20, zone_bytes >> 10);

	bench_warm_up(test, "setup_speedup", ctx, &bench_region);
	bench_rounds(test, "setup_speedup", ctx, &bench_zone_device,
		     &bench_region, SETUP_ROUNDS);
}

/*
 * The accessor: walks over 1 MiB segments, reading one byte of every page,
 * or a lone page mapped, read and unmapped again and again. The pfn_vec
 * iterator maps a segment in as few pieces as its mappings allow (one, on
 * the linear map); the others map every page. On the BAR, a walk is one
 * iterator over all the segments, which looks their region up once, as
 * an iterator over a large request would (io_mapping_ratio), or one per
 * segment, as for a stream of 1 MiB bios, which pays the region's lookup
 * and hold per segment (io_mapping_bio_ratio). On RAM pages, the pfn_vec
 * iterator, one per segment, and
 * pfn_vec_kmap_local() against for_each_bvec() with bvec_kmap_local() and
 * kmap_local_page(), all reading with READ_ONCE(); on the BAR, the same
 * against io_mapping_map_local_wc(), all reading with readb(). The read
 * keeps the compiler from folding loops that on 64-bit are address
 * arithmetic into nothing. readb() clobbers memory, so each side keeps in
 * locals what a driver would keep there, the io_mapping and the piece's
 * mapping, lest the loop reload them from memory after every read. Every
 * side counts its pages, and says if it mapped too few.
 */
static int bench_mapped(unsigned int pages, unsigned int expected)
{
	return pages == expected ? 0 : -EIO;
}

/* MAP_SEGS segments from @pvec on, @nr of them per iterator. */
static __always_inline int bench_miter(struct bench_ctx *ctx,
				       const struct pfn_vec *pvec,
				       unsigned int nr, bool io)
{
	unsigned int i, sum = 0, pages = 0;
	struct pfn_vec_miter miter;
	struct bvec_iter iter;
	int err;

	for (i = 0; i < MAP_SEGS; i += nr) {
		err = pfn_vec_iter_init(&iter, pvec, nr);
		if (err)
			return err;
		pfn_vec_miter_start(&miter, pvec, &iter, iter.bi_size);
		while (pfn_vec_miter_next(&miter)) {
			struct iosys_map map = miter.map;
			unsigned int off, len = miter.length;

			/* The segment starts on a page: so does every piece. */
			for (off = 0; off < len; off += PAGE_SIZE) {
				if (io)
					sum += readb(map.vaddr_iomem + off);
				else
					sum += READ_ONCE(*(u8 *)(map.vaddr + off));
				pages++;
			}
		}
		err = pfn_vec_miter_stop(&miter);
		if (err)
			return err;
	}
	ctx->sum += sum;
	return bench_mapped(pages, MAP_SEGS * MAP_SEG_PAGES);
}

static int bench_ram_miter(struct bench_ctx *ctx)
{
	return bench_miter(ctx, &ctx->ram_pv, 1, false);
}

static int bench_ram_bvec(struct bench_ctx *ctx)
{
	unsigned int i, sum = 0, pages = 0;
	struct bvec_iter iter;
	struct bio_vec bv;

	for (i = 0; i < MAP_SEGS; i++) {
		struct bvec_iter start = { .bi_size = MAP_SEG };

		for_each_bvec(bv, &ctx->ram_bvec, iter, start) {
			u8 *p = bvec_kmap_local(&bv);

			sum += READ_ONCE(*p);
			kunmap_local(p);
			pages++;
		}
	}
	ctx->sum += sum;
	return bench_mapped(pages, MAP_SEGS * MAP_SEG_PAGES);
}

static int bench_ram_pfn_vec_kmap(struct bench_ctx *ctx)
{
	unsigned int i, sum = 0;
	struct pfn_vec_map m;
	int err;

	for (i = 0; i < MAP_LOOPS; i++) {
		err = pfn_vec_kmap_local(&ctx->ram_pv, &m);
		if (err)
			return err;
		sum += READ_ONCE(*(u8 *)m.map.vaddr);
		pfn_vec_kunmap_local(&m);
	}
	ctx->sum += sum;
	return 0;
}

static int bench_ram_kmap(struct bench_ctx *ctx)
{
	unsigned int i, sum = 0;

	for (i = 0; i < MAP_LOOPS; i++) {
		u8 *p = kmap_local_page(ctx->pages);

		sum += READ_ONCE(*p);
		kunmap_local(p);
	}
	ctx->sum += sum;
	return 0;
}

static int bench_bar_miter(struct bench_ctx *ctx)
{
	return bench_miter(ctx, ctx->bar_walk, MAP_SEGS, true);
}

static int bench_bar_miter_bio(struct bench_ctx *ctx)
{
	return bench_miter(ctx, &ctx->bar_pv, 1, true);
}

static int bench_bar_io_mapping(struct bench_ctx *ctx)
{
	struct io_mapping *iomap = ctx->iomap;
	unsigned int i, j, sum = 0, pages = 0;

	for (i = 0; i < MAP_SEGS; i++) {
		for (j = 0; j < MAP_SEG_PAGES; j++) {
			void __iomem *p;

			p = io_mapping_map_local_wc(iomap,
						    MAP_SEG + j * PAGE_SIZE);
			sum += readb(p);
			io_mapping_unmap_local(p);
			pages++;
		}
	}
	ctx->sum += sum;
	return bench_mapped(pages, MAP_SEGS * MAP_SEG_PAGES);
}

static int bench_bar_pfn_vec_kmap(struct bench_ctx *ctx)
{
	unsigned int i, sum = 0;
	struct pfn_vec_map m;
	int err;

	for (i = 0; i < MAP_LOOPS; i++) {
		err = pfn_vec_kmap_local(&ctx->bar_pv, &m);
		if (err)
			return err;
		sum += readb(m.map.vaddr_iomem);
		pfn_vec_kunmap_local(&m);
	}
	ctx->sum += sum;
	return 0;
}

static int bench_bar_io_mapping_single(struct bench_ctx *ctx)
{
	struct io_mapping *iomap = ctx->iomap;
	unsigned int i, sum = 0;

	for (i = 0; i < MAP_LOOPS; i++) {
		void __iomem *p = io_mapping_map_local_wc(iomap, MAP_SEG);

		sum += readb(p);
		io_mapping_unmap_local(p);
	}
	ctx->sum += sum;
	return 0;
}

static const struct bench_side bench_ram_miter_side = {
	.name = "pfn_vec_miter",
	.run = bench_ram_miter,
};

static const struct bench_side bench_ram_bvec_side = {
	.name = "bvec_kmap_local()",
	.run = bench_ram_bvec,
};

static const struct bench_side bench_ram_pfn_vec_kmap_side = {
	.name = "pfn_vec_kmap_local()",
	.run = bench_ram_pfn_vec_kmap,
};

static const struct bench_side bench_ram_kmap_side = {
	.name = "kmap_local_page()",
	.run = bench_ram_kmap,
};

static const struct bench_side bench_bar_miter_side = {
	.name = "pfn_vec_miter",
	.run = bench_bar_miter,
};

static const struct bench_side bench_bar_miter_bio_side = {
	.name = "pfn_vec_miter per segment",
	.run = bench_bar_miter_bio,
};

static const struct bench_side bench_bar_io_mapping_side = {
	.name = "io_mapping_map_local_wc()",
	.run = bench_bar_io_mapping,
};

static const struct bench_side bench_bar_pfn_vec_kmap_side = {
	.name = "pfn_vec_kmap_local()",
	.run = bench_bar_pfn_vec_kmap,
};

static const struct bench_side bench_bar_io_mapping_single_side = {
	.name = "io_mapping_map_local_wc()",
	.run = bench_bar_io_mapping_single,
};

static void bench_free_seg(void *pages)
{
	__free_pages(pages, get_order(MAP_SEG));
}

static void bench_io_mapping_free(void *iomap)
{
	io_mapping_free(iomap);
}

static void pfn_vec_bench_accessor(struct kunit *test)
{
	struct bench_ctx *ctx = bench_ctx_alloc(test);
	struct pfn_vec_map m;
	unsigned int i;
	bool is_iomem;

	ctx->pages = alloc_pages(GFP_KERNEL, get_order(MAP_SEG));
	KUNIT_ASSERT_NOT_NULL(test, ctx->pages);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_free_seg,
							   ctx->pages));
	bvec_set_page(&ctx->ram_bvec, ctx->pages, MAP_SEG, 0);
	pfn_vec_set_page(&ctx->ram_pv, ctx->pages, MAP_SEG, 0);

	/* RAM pages must take the kmap_local_page() path, as bio_vecs do. */
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&ctx->ram_pv, &m), 0);
	is_iomem = m.map.is_iomem;
	pfn_vec_kunmap_local(&m);
	KUNIT_ASSERT_FALSE(test, is_iomem);

	bench_pair(test, "accessor_ram_ratio", ctx, &bench_ram_miter_side,
		   &bench_ram_bvec_side, ROUNDS);
	bench_pair(test, "accessor_ram_single_ratio", ctx,
		   &bench_ram_pfn_vec_kmap_side, &bench_ram_kmap_side, ROUNDS);

	pfn_vec_bench_find_bar(test, &ctx->bar, 2 * MAP_SEG);
	bench_register_bar(test, ctx);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&ctx->bar_pv,
					       ctx->bar.phys + MAP_SEG,
					       MAP_SEG), 0);
	ctx->bar_walk = kunit_kmalloc_array(test, MAP_SEGS,
					    sizeof(*ctx->bar_walk), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->bar_walk);
	for (i = 0; i < MAP_SEGS; i++)
		ctx->bar_walk[i] = ctx->bar_pv;
	ctx->iomap = io_mapping_create_wc(ctx->bar.phys, ctx->bar.size);
	KUNIT_ASSERT_NOT_NULL(test, ctx->iomap);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   bench_io_mapping_free,
							   ctx->iomap));

	bench_pair(test, "io_mapping_ratio", ctx, &bench_bar_miter_side,
		   &bench_bar_io_mapping_side, ROUNDS);
	bench_pair(test, "io_mapping_bio_ratio", ctx, &bench_bar_miter_bio_side,
		   &bench_bar_io_mapping_side, ROUNDS);
	bench_pair(test, "io_mapping_single_ratio", ctx,
		   &bench_bar_pfn_vec_kmap_side,
		   &bench_bar_io_mapping_single_side, ROUNDS);
}

/*
 * Copy throughput of the pfn_vec helpers over memcpy_fromio() and
 * memcpy_toio() on an ioremap_wc() of the same piece of the BAR, and on the
 * very mapping that the helpers use, the region's linear map: the latter
 * is what the helpers themselves cost, apart from the mapping.
 */
static int bench_from_wc(struct bench_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < COPY_BYTES / ctx->copy_len; i++)
		memcpy_fromio(ctx->buf, ctx->copy_wc, ctx->copy_len);
	return 0;
}

static int bench_from_lin(struct bench_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < COPY_BYTES / ctx->copy_len; i++)
		memcpy_fromio(ctx->buf, ctx->copy_lin, ctx->copy_len);
	return 0;
}

/*
 * The helpers copy COPY_BYTES / copy_len segments, each the same copy_len
 * of the BAR, in one range, a call per segment through one iterator, as
 * the block layer's bounce copies a bio page by page.
 */
static int bench_copy_pfn_vec(struct bench_ctx *ctx, bool to)
{
	unsigned int i, nr = COPY_BYTES / ctx->copy_len;
	struct pfn_vec_miter miter;
	struct bvec_iter iter;
	int err;

	err = pfn_vec_iter_init(&iter, ctx->copy_pvs, nr);
	if (err)
		return err;
	pfn_vec_miter_start(&miter, ctx->copy_pvs, &iter, COPY_BYTES);
	for (i = 0; i < nr && !err; i++) {
		if (to)
			err = pfn_vec_miter_memcpy_to(&miter, ctx->buf,
						      ctx->copy_len);
		else
			err = pfn_vec_miter_memcpy_from(ctx->buf, &miter,
							ctx->copy_len);
	}
	return pfn_vec_miter_stop(&miter) ?: err;
}

static int bench_from_pfn_vec(struct bench_ctx *ctx)
{
	return bench_copy_pfn_vec(ctx, false);
}

static int bench_to_wc(struct bench_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < COPY_BYTES / ctx->copy_len; i++)
		memcpy_toio(ctx->copy_wc, ctx->buf, ctx->copy_len);
	return 0;
}

static int bench_to_lin(struct bench_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < COPY_BYTES / ctx->copy_len; i++)
		memcpy_toio(ctx->copy_lin, ctx->buf, ctx->copy_len);
	return 0;
}

static int bench_to_pfn_vec(struct bench_ctx *ctx)
{
	return bench_copy_pfn_vec(ctx, true);
}

static const struct bench_side bench_from_wc_side = {
	.name = "memcpy_fromio() on ioremap_wc()",
	.run = bench_from_wc,
};

static const struct bench_side bench_from_lin_side = {
	.name = "memcpy_fromio() on the linear map",
	.run = bench_from_lin,
};

static const struct bench_side bench_from_pfn_vec_side = {
	.name = "pfn_vec_miter_memcpy_from()",
	.run = bench_from_pfn_vec,
};

static const struct bench_side bench_to_wc_side = {
	.name = "memcpy_toio() on ioremap_wc()",
	.run = bench_to_wc,
};

static const struct bench_side bench_to_lin_side = {
	.name = "memcpy_toio() on the linear map",
	.run = bench_to_lin,
};

static const struct bench_side bench_to_pfn_vec_side = {
	.name = "pfn_vec_miter_memcpy_to()",
	.run = bench_to_pfn_vec,
};

/* Throughput ratios: the same bytes, so the inverse of the time ratios. */
static void bench_copy_size(struct kunit *test, struct bench_ctx *ctx,
			    size_t len)
{
	unsigned int i;
	char key[48];

	ctx->copy_len = len;
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&ctx->copy_pvs[0], ctx->bar.phys,
					       len), 0);
	for (i = 1; i < COPY_BYTES / len; i++)
		ctx->copy_pvs[i] = ctx->copy_pvs[0];

	snprintf(key, sizeof(key), "copy_from_ratio_%zuk", len >> 10);
	bench_pair(test, key, ctx, &bench_from_wc_side,
		   &bench_from_pfn_vec_side, ROUNDS);
	snprintf(key, sizeof(key), "copy_to_ratio_%zuk", len >> 10);
	bench_pair(test, key, ctx, &bench_to_wc_side, &bench_to_pfn_vec_side,
		   ROUNDS);
	snprintf(key, sizeof(key), "copy_from_linear_ratio_%zuk", len >> 10);
	bench_pair(test, key, ctx, &bench_from_lin_side,
		   &bench_from_pfn_vec_side, ROUNDS);
	snprintf(key, sizeof(key), "copy_to_linear_ratio_%zuk", len >> 10);
	bench_pair(test, key, ctx, &bench_to_lin_side, &bench_to_pfn_vec_side,
		   ROUNDS);
}

static void pfn_vec_bench_copy(struct kunit *test)
{
	static const size_t sizes[] = { SZ_4K, SZ_64K, SZ_1M };
	struct bench_ctx *ctx = bench_ctx_alloc(test);
	unsigned int i;

	pfn_vec_bench_find_bar(test, &ctx->bar, SZ_1M);
	ctx->buf = kunit_kmalloc(test, SZ_1M, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->buf);
	ctx->copy_pvs = kunit_kcalloc(test, COPY_BYTES / SZ_4K,
				      sizeof(*ctx->copy_pvs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->copy_pvs);
	memset(ctx->buf, 0x5a, SZ_1M);
	bench_register_bar(test, ctx);
	ctx->copy_wc = pfn_vec_kunit_ioremap_wc(test, ctx->bar.phys, SZ_1M);
	ctx->copy_lin = io_linear_addr(ctx->bar.phys);

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		bench_copy_size(test, ctx, sizes[i]);
}

/*
 * Scale. Where the guest has a BAR of BIG_BAR bytes (x86_64's, beside the
 * 64 GiB one; elsewhere the case skips), registering all of it against
 * registering all of the 64 GiB BAR: whether the registry's time grows with
 * the size. memremap_pages() of the big BAR is not tried: its memmap,
 * BIG_BAR / 64, is more than the guest's RAM, and on 6.12 a failed
 * memremap_pages() of it returns -ENOMEM but keeps the sections that it
 * added before it ran out (__add_pages() does not undo them), with their
 * memmap: the rest of the boot then runs out of memory, and the BAR has
 * struct page where registration refuses it. On every arch, a walk of one
 * region with SCALE_REGIONS regions of the benchmarks' BAR registered
 * against the same walk with that region alone. The regions come and go
 * between the two walks of each round, in alternating order; they are
 * unregistered all at once, as each waits for an RCU grace period.
 */
#define BIG_BAR		(512ULL << 30)
#define SCALE_REGIONS	4096
#define SCALE_REGION	SZ_2M

struct bench_unreg {
	struct work_struct work;
	phys_addr_t phys;
	int err;
};

static int bench_register_big(struct bench_ctx *ctx)
{
	return pfn_vec_region_register_bar(ctx->big.pdev,
					   PFN_VEC_KUNIT_IVSHMEM_BAR, 0,
					   ctx->big.size, IO_LINEAR_WC);
}

static int bench_unregister_big(struct bench_ctx *ctx)
{
	return pfn_vec_region_unregister(ctx->big.phys, ctx->big.size);
}

static const struct bench_side bench_region_big = {
	.name = "pfn_vec_region_register_bar() of 512 GiB",
	.run = bench_register_big,
	.undo = bench_unregister_big,
};

/* The regions of the benchmarks' BAR from scale_nr on, one by one. */
static int bench_scale_register(struct bench_ctx *ctx)
{
	int err;

	for (; ctx->scale_nr < SCALE_REGIONS; ctx->scale_nr++) {
		err = pfn_vec_region_register_bar(ctx->bar.pdev,
						  PFN_VEC_KUNIT_IVSHMEM_BAR,
						  (resource_size_t)ctx->scale_nr *
						  SCALE_REGION,
						  SCALE_REGION, IO_LINEAR_WC);
		if (err)
			return err;
	}
	return 0;
}

static void bench_unreg_fn(struct work_struct *work)
{
	struct bench_unreg *u = container_of(work, struct bench_unreg, work);

	u->err = pfn_vec_region_unregister(u->phys, SCALE_REGION);
}

/* All of them but region 0, at once, from the unbound workqueue. */
static int bench_scale_unregister(struct bench_ctx *ctx)
{
	unsigned int i;
	int err = 0;

	for (i = 1; i < ctx->scale_nr; i++) {
		INIT_WORK(&ctx->unreg[i].work, bench_unreg_fn);
		ctx->unreg[i].phys = ctx->bar.phys +
				     (phys_addr_t)i * SCALE_REGION;
		queue_work(system_unbound_wq, &ctx->unreg[i].work);
	}
	for (i = 1; i < ctx->scale_nr; i++) {
		flush_work(&ctx->unreg[i].work);
		err = err ?: ctx->unreg[i].err;
	}
	ctx->scale_nr = 1;
	return err;
}

static void bench_scale_cleanup(void *data)
{
	struct bench_ctx *ctx = data;

	bench_scale_unregister(ctx);
	pfn_vec_region_unregister(ctx->bar.phys, SCALE_REGION);
}

static int bench_scale_walk(struct bench_ctx *ctx)
{
	return bench_miter(ctx, &ctx->scale_pv, 1, true);
}

static const struct bench_side bench_scale_walk_side = {
	.name = "pfn_vec_miter",
	.run = bench_scale_walk,
};

/*
 * After regions came or went, before a timed walk: their RCU callbacks
 * (percpu_ref, maple tree nodes) run now, and a walk, untimed, refills
 * what their TLB flushes dropped.
 */
static int bench_scale_settle(struct bench_ctx *ctx)
{
	u64 ns;

	rcu_barrier();
	return bench_run(ctx, &bench_scale_walk_side, &ns);
}

static void pfn_vec_bench_big(struct kunit *test)
{
	struct bench_ctx *ctx = bench_ctx_alloc(test);
	struct resource *res;

	res = pfn_vec_kunit_ivshmem_sized(test, BIG_BAR, &ctx->big.pdev);
	if (!res)
		kunit_skip(test, "no BAR of 512 GiB in this guest");
	ctx->big.phys = res->start;
	ctx->big.size = resource_size(res);
	pfn_vec_bench_find_bar(test, &ctx->bar, SZ_16M);
	KUNIT_ASSERT_LT(test, ctx->bar.size, ctx->big.size);

	kunit_info(test, "BAR of %llu GiB: memremap_pages() would take %llu MiB of memmap, with %lu MiB of RAM\n",
		   (unsigned long long)ctx->big.size >> 30,
		   (unsigned long long)(ctx->big.size >> PAGE_SHIFT) *
		   sizeof(struct page) >> 20,
		   totalram_pages() >> (20 - PAGE_SHIFT));

	bench_pair(test, "setup_512g_ratio", ctx, &bench_region_big,
		   &bench_region, SETUP_ROUNDS);
}

static void pfn_vec_bench_regions(struct kunit *test)
{
	u64 t_many[ROUNDS], t_one[ROUNDS];
	struct bench_ctx *ctx = bench_ctx_alloc(test);
	unsigned int r;
	int err;

	pfn_vec_bench_find_bar(test, &ctx->bar,
			       (resource_size_t)SCALE_REGIONS * SCALE_REGION);
	ctx->unreg = kunit_kcalloc(test, SCALE_REGIONS, sizeof(*ctx->unreg),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->unreg);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&ctx->scale_pv, ctx->bar.phys,
					       MAP_SEG), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   bench_scale_cleanup,
							   ctx));
	/* Region 0, then all the others: SCALE_REGIONS at the start of a round. */
	err = bench_scale_register(ctx);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "region %u of %u", ctx->scale_nr,
			    SCALE_REGIONS);
	KUNIT_ASSERT_EQ(test, bench_scale_settle(ctx), 0);
	for (r = 0; r < ROUNDS && !err; r++) {
		if (r % 2)
			err = bench_scale_unregister(ctx) ?:
			      bench_scale_settle(ctx) ?:
			      bench_run(ctx, &bench_scale_walk_side, &t_one[r]) ?:
			      bench_scale_register(ctx) ?:
			      bench_scale_settle(ctx) ?:
			      bench_run(ctx, &bench_scale_walk_side, &t_many[r]);
		else
			err = bench_run(ctx, &bench_scale_walk_side, &t_many[r]) ?:
			      bench_scale_unregister(ctx) ?:
			      bench_scale_settle(ctx) ?:
			      bench_run(ctx, &bench_scale_walk_side, &t_one[r]) ?:
			      bench_scale_register(ctx) ?:
			      bench_scale_settle(ctx);
	}
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "regions_4096_ratio: round %u", r - 1);
	pfn_vec_bench_report(test, "regions_4096_ratio", t_many, t_one, ROUNDS);
	kunit_info(test, "regions_4096_ratio: walk with %u regions %llu us, with one %llu us (medians of %u rounds)\n",
		   SCALE_REGIONS, bench_median(t_many, ROUNDS) / 1000,
		   bench_median(t_one, ROUNDS) / 1000, ROUNDS);
}

static struct kunit_case pfn_vec_bench_cases[] = {
	KUNIT_CASE_SLOW(pfn_vec_bench_setup),
	KUNIT_CASE_SLOW(pfn_vec_bench_accessor),
	KUNIT_CASE_SLOW(pfn_vec_bench_copy),
	KUNIT_CASE_SLOW(pfn_vec_bench_big),
	KUNIT_CASE_SLOW(pfn_vec_bench_regions),
	{}
};

static struct kunit_suite pfn_vec_bench_suite = {
	.name = "pfn_vec_bench",
	.test_cases = pfn_vec_bench_cases,
};

kunit_test_suite(pfn_vec_bench_suite);

MODULE_DESCRIPTION("pfn_vec benchmarks");
MODULE_LICENSE("GPL");
