// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_region: the region registry and the arch's I/O linear
 * map hook under it, on RAM that the kernel was told not to manage
 * (pfn_vec_kunit_unmanaged()), which each case claims as its owner would
 * (pfn_vec_kunit_unmanaged_claim()): every errno of registration, the
 * page-table level and memory type of the mapping, page-table pages given
 * back, register/unregister cycles counted exactly, unregister while other
 * CPUs copy or while a holder registers another region, and fault
 * injection into registration. A range that the arch's
 * linear map cannot hold comes from pfn_vec_kunit_unmappable().
 *
 * Where the arch has no hook, every case skips: pfn_vec_bar checks the
 * refusals on a real BAR.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kasan.h>
#include <linux/kthread.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/pgalloc.h>
#include <linux/ptdump.h>
#include <linux/range.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include <asm/tlbflush.h>

#define REGION_SIZE	(2 * PMD_SIZE)

/*
 * Register [phys, phys + size) of the case's RAM without struct page, under
 * the case's claim of it, as its owner would.
 */
static int region_register(struct kunit *test, phys_addr_t phys, size_t size,
			   enum io_linear_type type)
{
	return pfn_vec_region_register(pfn_vec_kunit_unmanaged_claim(test),
				       phys, size, type);
}

/*
 * Register REGION_SIZE of RAM without struct page, PMD aligned, with
 * @type, until the case ends. Skips the case where the arch has no hook.
 */
static phys_addr_t register_region(struct kunit *test, enum io_linear_type type)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, REGION_SIZE, NULL);

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(base, PMD_SIZE));
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register(test, base, REGION_SIZE, type), 0);
	return base;
}

static void pfn_vec_region_test_map_query(struct kunit *test)
{
	static const enum io_linear_type types[] = { IO_LINEAR_WC, IO_LINEAR_UC };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		phys_addr_t base = register_region(test, types[i]);
		enum io_linear_type type;
		size_t page_size;

		KUNIT_ASSERT_EQ(test, pfn_vec_kunit_query(base + PAGE_SIZE,
							  &page_size, &type), 0);
		KUNIT_EXPECT_EQ_MSG(test, page_size, PMD_SIZE,
				    "a PMD-aligned region is mapped with PMD pages");
		KUNIT_EXPECT_EQ(test, type, types[i]);
		KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
		KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kunit_query(base, &page_size, &type),
				    -ENOENT, "still mapped after unregister");
	}
}

/*
 * Every iterator that holds a region is counted, as unregister reports the
 * count when it waits too long: once for all the pieces it maps of the
 * region. pfn_vec_kmap_local() holds nothing, as its caller keeps the
 * region alive, but with CONFIG_DEBUG_PFN_VEC, which holds it to check.
 */
static void pfn_vec_region_test_holders(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);
	struct pfn_vec_kunit_hold *h[2];
	struct pfn_vec_miter miter;
	struct bvec_iter iter;
	struct pfn_vec_map m;
	struct pfn_vec pv;
	unsigned int i, n;
	long held;

	KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(base, REGION_SIZE), 0);
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + i * PAGE_SIZE,
						       1), 0);
		h[i] = pfn_vec_kunit_hold(test, &pv);
		KUNIT_ASSERT_NOT_NULL(test, h[i]);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  pfn_vec_kunit_unhold,
							  h[i]));
		KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(base, REGION_SIZE),
				i + 1);
	}
	while (i--)
		kunit_release_action(test, pfn_vec_kunit_unhold, h[i]);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(base, REGION_SIZE), 0);

	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	held = pfn_vec_region_holders(base, REGION_SIZE);
	pfn_vec_kunmap_local(&m);
	KUNIT_EXPECT_EQ(test, held, IS_ENABLED(CONFIG_DEBUG_PFN_VEC) ? 1L : 0L);

	/* Four pages of a region are one piece, of one holder. */
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	pfn_vec_miter_start(&miter, &pv, &iter, 4 * PAGE_SIZE);
	for (n = 0; pfn_vec_miter_next(&miter); n++) {
		KUNIT_EXPECT_EQ(test, miter.length, 4U * PAGE_SIZE);
		KUNIT_EXPECT_EQ_MSG(test,
				    pfn_vec_region_holders(base, REGION_SIZE), 1,
				    "piece %u of the iterator", n);
	}
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(base, REGION_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(base, PAGE_SIZE), -ENOENT);
}

struct refusal {
	const char *what;
	unsigned int kind, owner;
	u64 offset, size;
	int type, err;
};

/* Where: RAM without struct page, from the start or the end of the claim. */
enum { REF_UNMANAGED, REF_CLAIM_END, REF_RAM, REF_TOP };
/* Owner: the case's claim, the root of iomem, a claim not in the tree, none. */
enum { OWN_CLAIM, OWN_ROOT, OWN_DETACHED, OWN_NONE };

static const struct refusal refusals[] = {
	{ "zero size",		REF_UNMANAGED, OWN_CLAIM, 0, 0, IO_LINEAR_WC, -EINVAL },
	{ "unaligned start",	REF_UNMANAGED, OWN_CLAIM, 64, PAGE_SIZE, IO_LINEAR_WC, -EINVAL },
	{ "unaligned size",	REF_UNMANAGED, OWN_CLAIM, 0, PAGE_SIZE + 1, IO_LINEAR_WC, -EINVAL },
	{ "unknown type",	REF_UNMANAGED, OWN_CLAIM, 0, PAGE_SIZE, 42, -EINVAL },
	{ "wraps",		REF_TOP, OWN_CLAIM, 0, 2 * PAGE_SIZE, IO_LINEAR_WC, -EINVAL },
	{ "past the owner",	REF_CLAIM_END, OWN_CLAIM, PAGE_SIZE, 2 * PAGE_SIZE, IO_LINEAR_WC,
	  -EINVAL },
	{ "owner not busy",	REF_UNMANAGED, OWN_ROOT, 0, PAGE_SIZE, IO_LINEAR_WC, -EINVAL },
	{ "owner not claimed",	REF_UNMANAGED, OWN_DETACHED, 0, PAGE_SIZE, IO_LINEAR_WC,
	  -EINVAL },
	{ "no owner",		REF_UNMANAGED, OWN_NONE, 0, PAGE_SIZE, IO_LINEAR_WC, -EINVAL },
	{ "System RAM",		REF_RAM, OWN_CLAIM, 0, PAGE_SIZE, IO_LINEAR_WC, -EBUSY },
};

static void refusal_desc(const struct refusal *r, char *desc)
{
	strscpy(desc, r->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refusal, refusals, refusal_desc);

/*
 * Registration refuses, with nothing registered or claimed: a malformed
 * range; a range its owner does not hold, or an owner that has not claimed
 * it (the root of iomem, which is not busy, or a busy resource that is not
 * in the iomem tree); and memory the kernel manages, whoever claims to own
 * it.
 */
static void pfn_vec_region_test_refusals(struct kunit *test)
{
	const struct refusal *r = test->param_value;
	struct resource *claim, *owner;
	phys_addr_t phys;

	pfn_vec_kunit_require_hook(test);
	claim = pfn_vec_kunit_unmanaged_claim(test);
	switch (r->kind) {
	case REF_RAM:
		phys = page_to_phys(pfn_vec_kunit_alloc_page(test, GFP_KERNEL));
		break;
	case REF_TOP:
		/* The last page. */
		phys = PHYS_ADDR_MAX & PAGE_MASK;
		break;
	case REF_CLAIM_END:
		phys = claim->end + 1 - r->offset;
		break;
	default:
		phys = claim->start + r->offset;
	}
	switch (r->owner) {
	case OWN_ROOT:
		owner = &iomem_resource;
		break;
	case OWN_DETACHED:
		owner = kunit_kzalloc(test, sizeof(*owner), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, owner);
		*owner = DEFINE_RES_NAMED(claim->start, resource_size(claim),
					  "detached",
					  IORESOURCE_MEM | IORESOURCE_BUSY);
		break;
	case OWN_NONE:
		owner = NULL;
		break;
	default:
		owner = claim;
	}
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register(owner, phys, r->size,
						      r->type), r->err);
	/* Nothing was registered, or claimed under either owner. */
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(phys, r->size), -ENOENT);
	KUNIT_EXPECT_NULL(test, claim->child);
	if (r->owner == OWN_DETACHED)
		KUNIT_EXPECT_NULL(test, owner->child);
}

static void pfn_vec_region_test_overlap(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);

	KUNIT_EXPECT_EQ(test, region_register(test, base, REGION_SIZE,
					      IO_LINEAR_WC), -EBUSY);
	KUNIT_EXPECT_EQ(test, region_register(test, base + REGION_SIZE - PAGE_SIZE,
					      REGION_SIZE, IO_LINEAR_WC),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, region_register(test, base + PAGE_SIZE, PAGE_SIZE,
					      IO_LINEAR_UC), -EBUSY);
	/* The refusals left the region as it was. */
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
}

/* Release a claim that __request_region() made, under its parent. */
static void release_action(void *data)
{
	struct resource *res = data;

	__release_region(res->parent, res->start, resource_size(res));
}

/*
 * A range that another holder has claimed under the owner's claim is not
 * the owner's to register; the rest of the owner's range is.
 */
static void pfn_vec_region_test_claimed(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, REGION_SIZE, NULL);
	struct resource *claim = pfn_vec_kunit_unmanaged_claim(test);
	struct resource *other;

	pfn_vec_kunit_require_hook(test);
	other = __request_region(claim, base + PAGE_SIZE, PAGE_SIZE, "other", 0);
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, release_action, other));
	KUNIT_EXPECT_EQ(test, region_register(test, base, REGION_SIZE,
					      IO_LINEAR_WC), -EBUSY);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), -ENOENT);
	KUNIT_EXPECT_EQ(test, region_register(test, base + 2 * PAGE_SIZE,
					      PAGE_SIZE, IO_LINEAR_WC), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base + 2 * PAGE_SIZE,
							PAGE_SIZE), 0);
}

static void pfn_vec_region_test_double_unregister(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);

	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, PAGE_SIZE), -ENOENT);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), -ENOENT);
}

/*
 * The linear map's window, as memory hotplug gives it
 * (mhp_get_pluggable_range(true)) and as the iomem tree bounds it, is
 * what io_linear_mappable() accepts, and __va() puts both its ends where
 * __pa() finds them again. On riscv Sv39 the window ran to the KASAN
 * shadow's start, 4 GiB past the linear map's end, and __pa() took the
 * address of its last byte for one in the kernel image.
 */
#ifdef CONFIG_MEMORY_HOTPLUG
static void pfn_vec_region_test_window(struct kunit *test)
{
	struct range window = mhp_get_pluggable_range(true);
	phys_addr_t first = window.start;
	phys_addr_t last = min_t(u64, window.end, iomem_resource.end);
	const phys_addr_t ends[] = { first, last };
	unsigned int i;

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_LT(test, first, last);
	kunit_info(test, "window [%pa, %pa]\n", &first, &last);
	for (i = 0; i < ARRAY_SIZE(ends); i++) {
		void *va = __va(ends[i]);

		KUNIT_EXPECT_EQ_MSG(test, (phys_addr_t)__pa(va), ends[i],
				    "window [%pa, %pa]: __va() is 0x%lx",
				    &first, &last, (unsigned long)va);
	}

	KUNIT_EXPECT_TRUE(test, io_linear_mappable(first, PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, io_linear_mappable(last + 1 - PAGE_SIZE, PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, io_linear_mappable(last + 1 - PAGE_SIZE,
						    2 * PAGE_SIZE));
	if (first)
		KUNIT_EXPECT_FALSE(test, io_linear_mappable(first - PAGE_SIZE,
							    2 * PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, io_linear_mappable(first, 0));
}
#else
/* Every hook needs MEMORY_HOTPLUG, which gives the window. */
static void pfn_vec_region_test_window(struct kunit *test)
{
	pfn_vec_kunit_require_hook(test);
	KUNIT_FAIL(test, "a hook without MEMORY_HOTPLUG");
}
#endif /* CONFIG_MEMORY_HOTPLUG */

/*
 * Where the arch tracks memory types (x86 PAT), a region is refused with
 * -EBUSY while another mapping holds part of it with another type, and
 * accepted with that mapping's type, which both then share. Elsewhere no
 * type is tracked, and either type is accepted.
 */
static void pfn_vec_region_test_type_conflict(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, REGION_SIZE, NULL);
	void __iomem *io = pfn_vec_kunit_ioremap_wc(test, base + PAGE_SIZE, PAGE_SIZE);
	bool tracked = IS_ENABLED(CONFIG_X86_PAT);
	struct bvec_iter iter;
	struct pfn_vec pv;
	u8 byte = 0;
	int ret;

	pfn_vec_kunit_require_hook(test);
	ret = region_register(test, base, REGION_SIZE, IO_LINEAR_UC);
	KUNIT_EXPECT_EQ_MSG(test, ret, tracked ? -EBUSY : 0,
			    "uncached region over a write-combining ioremap");
	if (!ret)
		KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);

	KUNIT_ASSERT_EQ(test, region_register(test, base, REGION_SIZE,
					      IO_LINEAR_WC), 0);
	writeb(0x3c, io + 5);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + PAGE_SIZE + 5, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(&byte, &pv, &iter, 1), 0);
	KUNIT_EXPECT_EQ(test, byte, 0x3c);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
}

/*
 * A range that the linear map cannot hold: registering it is refused with
 * -ERANGE where a driver can claim it (a PCI window below the RAM base on
 * arm64 and riscv); on x86 it lies past the iomem tree, where nothing can
 * claim it, and nothing can be registered. The accessor, the iterator and
 * the copy helpers refuse it with -ENXIO before they touch a byte of it or
 * of the buffer.
 */
static void pfn_vec_region_test_unmappable(struct kunit *test)
{
	size_t size;
	phys_addr_t base = pfn_vec_kunit_unmappable(&size);
	struct pfn_vec_miter miter;
	struct resource *claim;
	struct bvec_iter iter;
	struct pfn_vec pv;
	u8 buf[64];

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_GE(test, size, 2 * PAGE_SIZE);
	KUNIT_EXPECT_FALSE(test, io_linear_mappable(base, size));
	claim = request_mem_region(base, size, "pfn_vec_kunit");
	if (base + size - 1 > iomem_resource.end) {
		KUNIT_EXPECT_NULL(test, claim);
	} else {
		KUNIT_ASSERT_NOT_NULL_MSG(test, claim, "%pa is claimed already",
					  &base);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, release_action,
							  claim));
		KUNIT_EXPECT_EQ(test, pfn_vec_region_register(claim, base, size,
							      IO_LINEAR_WC),
				-ERANGE);
		KUNIT_EXPECT_NULL(test, claim->child);
	}

	/* A segment across the first page boundary of the range. */
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + PAGE_SIZE - 32,
					       sizeof(buf)), 0);
	KUNIT_EXPECT_FALSE(test, pfn_vec_has_page(&pv));
	KUNIT_EXPECT_EQ(test, pfn_vec_kunit_reach(&pv), -ENXIO);

	memset(buf, 0x5a, sizeof(buf));
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(&pv, &iter, buf, sizeof(buf)),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, sizeof(buf)),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, pfn_vec_zero(&pv, &iter, sizeof(buf)), -ENXIO);
	KUNIT_EXPECT_EQ(test, iter.bi_size, (unsigned int)sizeof(buf));
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0x5a, sizeof(buf)));

	pfn_vec_miter_start(&miter, &pv, &iter, sizeof(buf));
	KUNIT_EXPECT_FALSE(test, pfn_vec_miter_next(&miter));
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), -ENXIO);
	KUNIT_EXPECT_EQ(test, iter.bi_size, (unsigned int)sizeof(buf));
}

/*
 * Through the accessor and back through an independent ioremap_wc(), both
 * ways.
 */
static void pfn_vec_region_test_accessor(struct kunit *test)
{
	phys_addr_t phys = register_region(test, IO_LINEAR_WC);
	void __iomem *io = pfn_vec_kunit_ioremap_wc(test, phys, 2 * PAGE_SIZE);
	u8 *buf = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	struct pfn_vec_map m;
	struct bvec_iter iter;
	struct pfn_vec pv;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset_io(io, PFN_VEC_KUNIT_SENTINEL, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys + 100, PAGE_SIZE), 0);

	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	KUNIT_EXPECT_TRUE(test, m.map.is_iomem);
	iosys_map_memset(&m.map, 0, 0x3c, 8);
	pfn_vec_kunmap_local(&m);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, readb(io + 100 + i), 0x3c);
	KUNIT_EXPECT_EQ(test, readb(io + 99), PFN_VEC_KUNIT_SENTINEL);
	KUNIT_EXPECT_EQ(test, readb(io + 108), PFN_VEC_KUNIT_SENTINEL);

	/* A copy that crosses into the second page, and back. */
	for (i = 0; i < PAGE_SIZE; i++)
		buf[i] = i * 7;
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(&pv, &iter, buf, PAGE_SIZE), 0);
	memcpy_fromio(buf + PAGE_SIZE, io + 100, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memcmp(buf, buf + PAGE_SIZE, PAGE_SIZE), 0);

	memset_io(io + 100, 0x77, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, PAGE_SIZE), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0x77, PAGE_SIZE));
}

/* After unregister, the accessor and helpers refuse and write nothing. */
static void pfn_vec_region_test_after_unregister(struct kunit *test)
{
	phys_addr_t phys = register_region(test, IO_LINEAR_UC);
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec pv;
	void __iomem *io;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, pfn_vec_region_unregister(phys, REGION_SIZE), 0);
	io = pfn_vec_kunit_ioremap_wc(test, phys, PAGE_SIZE);
	memset_io(io, PFN_VEC_KUNIT_SENTINEL, PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_kunit_reach(&pv), -ENXIO);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_zero(&pv, &iter, PAGE_SIZE), -ENXIO);
	KUNIT_EXPECT_EQ(test, iter.bi_size, (unsigned int)PAGE_SIZE);
	memcpy_fromio(buf, io, PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, PFN_VEC_KUNIT_SENTINEL, PAGE_SIZE));
}

/*
 * Three one-page regions side by side. With KASAN, one shadow page covers
 * all three (it covers 8 pages with 4 KiB pages), which registration adds
 * with the first of them and unregistration removes with the last.
 * Whatever the order, each region stays reachable until it is unregistered
 * itself; with KASAN, the shadow is mapped, with the early shadow's value,
 * while any of them is registered, and once none is, it is as it was
 * before.
 */
#define NEIGHBOURS	3

/* Region @i of the neighbours at @base: reachable if @registered. */
static void neighbour_check(struct kunit *test, phys_addr_t base,
			    void __iomem *io, unsigned int i, bool registered)
{
	struct pfn_vec_map m;
	struct pfn_vec pv;
	int ret;

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + i * PAGE_SIZE,
					       PAGE_SIZE), 0);
	ret = pfn_vec_kunit_reach(&pv);
	KUNIT_EXPECT_EQ_MSG(test, ret, registered ? 0 : -ENXIO, "region %u", i);
	if (ret)
		return;
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	iosys_map_memset(&m.map, 0, 0x40 + i, PAGE_SIZE);
	pfn_vec_kunmap_local(&m);
	KUNIT_EXPECT_EQ_MSG(test, readb(io + i * PAGE_SIZE + PAGE_SIZE - 1),
			    0x40 + i, "region %u", i);
}

static void pfn_vec_region_test_neighbours(struct kunit *test)
{
	/* Registered in this order, unregistered middle first. */
	static const unsigned int unregister_order[NEIGHBOURS] = { 1, 0, 2 };
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, NEIGHBOURS * PAGE_SIZE, NULL);
	void __iomem *io = pfn_vec_kunit_ioremap_wc(test, base, NEIGHBOURS * PAGE_SIZE);
	bool registered[NEIGHBOURS] = {};
	unsigned int i, j, left;
	int baseline, ret;

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(base, PMD_SIZE));
#if defined(CONFIG_KASAN_GENERIC) || defined(CONFIG_KASAN_SW_TAGS)
	KUNIT_ASSERT_LE(test, NEIGHBOURS * PAGE_SIZE,
			PAGE_SIZE << KASAN_SHADOW_SCALE_SHIFT);
#endif
	baseline = pfn_vec_kunit_shadow(base);
	if (pfn_vec_kunit_have_shadow()) {
		KUNIT_EXPECT_NE(test, baseline, -EINVAL);
		kunit_info(test, "shadow before: %s\n",
			   baseline ? "unmapped" : "mapped");
	}

	for (i = 0; i < NEIGHBOURS; i++) {
		ret = region_register(test, base + i * PAGE_SIZE, PAGE_SIZE,
				      IO_LINEAR_WC);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "region %u", i);
		registered[i] = true;
		if (pfn_vec_kunit_have_shadow())
			KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kunit_shadow(base), 0,
					    "%u registered", i + 1);
	}
	for (i = 0; i < NEIGHBOURS; i++)
		neighbour_check(test, base, io, i, registered[i]);

	for (left = NEIGHBOURS; left; left--) {
		i = unregister_order[NEIGHBOURS - left];
		KUNIT_EXPECT_EQ_MSG(test,
				    pfn_vec_region_unregister(base + i * PAGE_SIZE,
							      PAGE_SIZE),
				    0, "region %u", i);
		registered[i] = false;
		for (j = 0; j < NEIGHBOURS; j++)
			neighbour_check(test, base, io, j, registered[j]);
		if (pfn_vec_kunit_have_shadow())
			KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kunit_shadow(base),
					    left > 1 ? 0 : baseline,
					    "%u left registered", left - 1);
	}
}

#define MIXED_LEN	300

/* A vector of RAM, region and RAM is copied whole once the region is in. */
static void pfn_vec_region_test_mixed_copy(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);
	struct page *first = pfn_vec_kunit_alloc_page(test, GFP_HIGHUSER);
	struct page *last = pfn_vec_kunit_alloc_page(test, GFP_HIGHUSER);
	u8 *in = kunit_kmalloc(test, 3 * MIXED_LEN, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, 3 * MIXED_LEN, GFP_KERNEL);
	struct pfn_vec pvec[3];
	struct bvec_iter iter;

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	memset(in, 0x42, 3 * MIXED_LEN);
	in[MIXED_LEN] = 0x01;
	in[2 * MIXED_LEN - 1] = 0x02;

	pfn_vec_set_page(&pvec[0], first, MIXED_LEN, 100);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pvec[1], base + 8, MIXED_LEN), 0);
	pfn_vec_set_page(&pvec[2], last, MIXED_LEN, 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(pvec, &iter, in, 3 * MIXED_LEN), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(out, pvec, &iter, 3 * MIXED_LEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, 3 * MIXED_LEN), 0);
}

/*
 * The PMD and PTE tables of the kernel page table under the addresses
 * [start, end): generic walk, folded levels included.
 */
static unsigned int kernel_tables(unsigned long start, unsigned long end)
{
	unsigned long addr, a;
	unsigned int n = 0;

	for (addr = ALIGN_DOWN(start, PUD_SIZE); addr < end; addr += PUD_SIZE) {
		pgd_t *pgd = pgd_offset_k(addr);
		p4d_t *p4d;
		pud_t *pud;

		if (pgd_none(*pgd))
			continue;
		p4d = p4d_offset(pgd, addr);
		if (p4d_none(*p4d) || p4d_leaf(*p4d))
			continue;
		pud = pud_offset(p4d, addr);
		if (pud_none(*pud) || pud_leaf(*pud))
			continue;
		n++;
		for (a = max(addr, ALIGN_DOWN(start, PMD_SIZE));
		     a < min(addr + PUD_SIZE, end); a += PMD_SIZE) {
			pmd_t *pmd = pmd_offset(pud, a);

			if (pmd_present(*pmd) && !pmd_leaf(*pmd))
				n++;
		}
	}
	return n;
}

/*
 * The page tables that mapping [phys, phys + size) may add: those under its
 * linear-map addresses and, with KASAN, under their shadow, which
 * registration maps too.
 */
static unsigned int linear_map_tables(phys_addr_t phys, size_t size)
{
	unsigned long start = (unsigned long)(__force void *)io_linear_addr(phys);
	unsigned int n = kernel_tables(start, start + size);

#if defined(CONFIG_KASAN_GENERIC) || defined(CONFIG_KASAN_SW_TAGS)
	n += kernel_tables((unsigned long)kasan_mem_to_shadow((void *)start),
			   (unsigned long)kasan_mem_to_shadow((void *)(start + size)));
#endif
	return n;
}

/*
 * Mapping a region adds page tables under its addresses, and unregister
 * frees them all: the count is back to where it was.
 */
static void pfn_vec_region_test_page_tables(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, REGION_SIZE, NULL);
	/* PMD mappings, then two pages off alignment, mapped with PTEs. */
	const struct { phys_addr_t phys; size_t size; } cases[] = {
		{ base, REGION_SIZE },
		{ base + PAGE_SIZE, 2 * PAGE_SIZE },
	};
	unsigned int i, before, during;
	bool grew = false;

	pfn_vec_kunit_require_hook(test);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		before = linear_map_tables(cases[i].phys, cases[i].size);
		KUNIT_ASSERT_EQ(test, region_register(test, cases[i].phys,
						      cases[i].size,
						      IO_LINEAR_WC), 0);
		during = linear_map_tables(cases[i].phys, cases[i].size);
		KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(cases[i].phys,
								cases[i].size), 0);
		KUNIT_EXPECT_EQ_MSG(test, linear_map_tables(cases[i].phys,
							    cases[i].size), before,
				    "case %u: %u tables before, %u while mapped",
				    i, before, during);
		grew |= during > before;
	}
	/* PMD mappings may fit in a PMD table that is there already. */
	KUNIT_EXPECT_TRUE_MSG(test, grew, "mapping used no new page table");
}

/*
 * Registration under allocation failure. current->fail_nth fails the 1st,
 * 2nd, 3rd, ... allocation that registration makes (the region, its
 * reference, the registry's tree, the KASAN shadow, the arch's page tables
 * and memory type), until one registration makes no more than it was
 * allowed. Every failure is -ENOMEM and leaves nothing behind: the region
 * is freed, its pages are unreachable (-ENXIO), unmapped, unregistered,
 * and the page tables are those of before. Registration then succeeds, with the other memory
 * type too: on x86 a leaked memory type reservation would make it -EBUSY.
 */
#define FAULT_MAX_NTH	1000

/* Check that [phys, phys + size) is not registered or mapped. */
static void region_gone(struct kunit *test, phys_addr_t phys, size_t size,
			unsigned int tables, unsigned int nth)
{
	enum io_linear_type type;
	struct pfn_vec pv;
	size_t page_size;

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys + size - PAGE_SIZE,
					       PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kunit_reach(&pv), -ENXIO,
			    "allocation %u failed, region reachable", nth);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kunit_query(phys, &page_size, &type),
			    -ENOENT, "allocation %u failed, region mapped", nth);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_region_unregister(phys, size), -ENOENT,
			    "allocation %u failed, region registered", nth);
	KUNIT_EXPECT_EQ_MSG(test, linear_map_tables(phys, size), tables,
			    "allocation %u failed, page tables left", nth);
}

static void pfn_vec_region_test_fault_register(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, REGION_SIZE, NULL);
	/* PMD mappings, then two pages off alignment, mapped with PTEs. */
	const struct { phys_addr_t phys; size_t size; } cases[] = {
		{ base, REGION_SIZE },
		{ base + PAGE_SIZE, 2 * PAGE_SIZE },
	};
	unsigned int i, nth, tables, failures;
	struct pfn_vec_map map;
	struct pfn_vec pv;
	bool consumed;
	long live;
	int ret;

	pfn_vec_kunit_require_hook(test);
	/* Claimed before allocations can fail. */
	pfn_vec_kunit_unmanaged_claim(test);
	pfn_vec_kunit_fault_setup(test);
	live = pfn_vec_regions_live();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		phys_addr_t phys = cases[i].phys;
		size_t size = cases[i].size;

		tables = linear_map_tables(phys, size);
		failures = 0;
		for (nth = 1;; nth++) {
			KUNIT_ASSERT_LE_MSG(test, nth, FAULT_MAX_NTH,
					    "registration never ran out of allocations");
			pfn_vec_kunit_fail_nth(nth);
			ret = region_register(test, phys, size, IO_LINEAR_WC);
			consumed = pfn_vec_kunit_fail_consumed();
			if (ret) {
				KUNIT_EXPECT_TRUE(test, consumed);
				KUNIT_ASSERT_EQ_MSG(test, ret, -ENOMEM,
						    "allocation %u failed", nth);
				KUNIT_EXPECT_EQ_MSG(test, pfn_vec_regions_live(),
						    live, "allocation %u failed, region kept",
						    nth);
				region_gone(test, phys, size, tables, nth);
				failures++;
				continue;
			}
			/* A failure it recovered from, or none: usable. */
			KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys, PAGE_SIZE), 0);
			ret = pfn_vec_kmap_local(&pv, &map);
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "allocation %u", nth);
			if (!ret)
				pfn_vec_kunmap_local(&map);
			KUNIT_ASSERT_EQ(test, pfn_vec_region_unregister(phys, size), 0);
			if (!consumed)
				break;
		}
		KUNIT_EXPECT_GT_MSG(test, failures, 0U,
				    "case %u: no failure made registration fail", i);
		kunit_info(test, "case %u: %u allocations, %u failures -ENOMEM\n",
			   i, nth - 1, failures);
		region_gone(test, phys, size, tables, nth);
		KUNIT_EXPECT_EQ(test, region_register(test, phys, size, IO_LINEAR_UC), 0);
		KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(phys, size), 0);
	}
}

/*
 * Register and unregister a region a thousand times, with PMD and with PTE
 * mappings: every region and every page table must come back. Regions,
 * with their percpu data, are counted exactly: one more while registered,
 * and back to the count of before after every unregister (a registration
 * refused is checked the same way by pfn_vec_region_test_fault_register).
 * Page tables are counted in the page allocator, where per-cpu lists may
 * hold back LEAK_SLACK pages; a leak of one page table a cycle is a
 * thousand. WARM_CYCLES run first, uncounted, so that memory that the
 * first cycles allocate once and keep is not taken for a leak. A
 * percpu_ref that was never exited is kmemleak's to find, in the debug
 * kernels.
 */
#define CYCLES		1000
#define WARM_CYCLES	16
#define LEAK_SLACK	64	/* pages that per-cpu lists may hold back */

/*
 * Pages back in the page allocator. With KASAN, freed objects wait in its
 * quarantine (up to 1/32 of memory) before slab gets them back, so slab
 * pages count as free: what a region allocates from slab is counted by
 * pfn_vec_regions_live() instead.
 */
static unsigned long free_pages_now(void)
{
	unsigned long pages;

	drain_all_pages(NULL);
	pages = global_zone_page_state(NR_FREE_PAGES);
	if (IS_ENABLED(CONFIG_KASAN_GENERIC) || IS_ENABLED(CONFIG_KASAN_SW_TAGS))
		pages += global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) +
			 global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
	return pages;
}

/*
 * Register and unregister @n times: the PMD-aligned REGION_SIZE at @base
 * on even cycles, and on odd ones @odd_pages pages one page past it,
 * mapped with PTEs. Where @live is not negative, the registry must hold
 * @live regions besides, and one more while each is registered.
 */
static void region_cycles(struct kunit *test, phys_addr_t base,
			  unsigned int n, unsigned int odd_pages, long live)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		phys_addr_t phys = base + (i & 1) * PAGE_SIZE;
		size_t size = i & 1 ? odd_pages * PAGE_SIZE : REGION_SIZE;

		KUNIT_ASSERT_EQ_MSG(test, region_register(test, phys, size,
							  IO_LINEAR_WC),
				    0, "cycle %u", i);
		if (live >= 0)
			KUNIT_ASSERT_EQ_MSG(test, pfn_vec_regions_live(), live + 1,
					    "cycle %u: regions allocated", i);
		KUNIT_ASSERT_EQ_MSG(test, pfn_vec_region_unregister(phys, size), 0,
				    "cycle %u", i);
		if (live >= 0)
			KUNIT_ASSERT_EQ_MSG(test, pfn_vec_regions_live(), live,
					    "cycle %u: region not freed", i);
	}
}

static void pfn_vec_region_test_cycles(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, REGION_SIZE, NULL);
	unsigned long before, after;
	long live;

	pfn_vec_kunit_require_hook(test);
	live = pfn_vec_regions_live();
	region_cycles(test, base, WARM_CYCLES, 2, live);
	before = free_pages_now();
	region_cycles(test, base, CYCLES, 2, live);
	after = free_pages_now();
	KUNIT_EXPECT_LE_MSG(test, before, after + LEAK_SLACK,
			    "%lu pages lost over %u cycles", before - after, CYCLES);
}

#ifdef CONFIG_X86_64
/* The PMD entry of @addr in the kernel's page tables; the case fails if none. */
static pmd_t *kernel_pmd(struct kunit *test, unsigned long addr)
{
	pgd_t *pgd = pgd_offset_k(addr);
	p4d_t *p4d;
	pud_t *pud;

	KUNIT_ASSERT_TRUE(test, pgd_present(*pgd));
	p4d = p4d_offset(pgd, addr);
	KUNIT_ASSERT_TRUE(test, p4d_present(*p4d) && !p4d_leaf(*p4d));
	pud = pud_offset(p4d, addr);
	KUNIT_ASSERT_TRUE(test, pud_present(*pud) && !pud_leaf(*pud));
	return pmd_offset(pud, addr);
}

/*
 * x86 frees only the page tables it allocated. An empty PTE table that is
 * there already, under the PMD entry of a range that is then registered,
 * is someone else's, as one of boot or of the direct map may be: the
 * mapping goes through it, even where 2 MiB would be mapped whole, which
 * vmap_page_range() does by freeing the table, and unregister leaves it
 * where it was. Here the case installs it, in a PMD table that a
 * neighbouring region has made the backend's.
 */
static void pfn_vec_region_test_foreign_table(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, 2 * PMD_SIZE, NULL);
	static const size_t sizes[] = { PAGE_SIZE, PMD_SIZE };
	unsigned long addr = (unsigned long)__va(base);
	unsigned int i;
	pmd_t *pmd;

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(base, PMD_SIZE));
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register(test, base + PMD_SIZE,
						     PAGE_SIZE, IO_LINEAR_WC), 0);
	/* The neighbour keeps the PMD table, and so @pmd, where it is. */
	pmd = kernel_pmd(test, addr);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		pte_t *table = (pte_t *)get_zeroed_page(GFP_KERNEL);
		bool installed, kept;

		KUNIT_ASSERT_NOT_NULL(test, table);
		mem_hotplug_begin();
		installed = pmd_none(*pmd);
		if (installed)
			pmd_populate_kernel(&init_mm, pmd, table);
		mem_hotplug_done();
		if (!installed) {
			free_page((unsigned long)table);
			KUNIT_FAIL(test, "size %zu: the PMD entry is in use", sizes[i]);
			return;
		}

		KUNIT_EXPECT_EQ(test, region_register(test, base, sizes[i],
						      IO_LINEAR_WC), 0);
		KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, sizes[i]), 0);

		mem_hotplug_begin();
		kept = pmd_present(*pmd) && !pmd_leaf(*pmd) &&
		       (pte_t *)pmd_page_vaddr(*pmd) == table;
		if (kept) {
			pmd_clear(pmd);
			flush_tlb_kernel_range(addr, addr + PMD_SIZE);
		}
		mem_hotplug_done();
		/* Freed by unregister, it must not be freed again. */
		if (kept)
			free_page((unsigned long)table);
		KUNIT_EXPECT_TRUE_MSG(test, kept,
				      "size %zu: a table not the backend's was freed",
				      sizes[i]);
	}
}
#else
static void pfn_vec_region_test_foreign_table(struct kunit *test)
{
	pfn_vec_kunit_require_hook(test);
	kunit_skip(test, "x86's backend only");
}
#endif /* CONFIG_X86_64 */

#ifdef CONFIG_PTDUMP
/* A ptdump walk over the linear addresses of the case's RAM, repeated. */
struct ptdump_walk {
	struct ptdump_state st;
	struct ptdump_range range[2];	/* the RAM's, and the end marker */
	unsigned long walks, entries;
};

#define WALK_NOTE(level, type)						\
static void walk_note_##level(struct ptdump_state *st,			\
			      unsigned long addr, type val)		\
{									\
	container_of(st, struct ptdump_walk, st)->entries++;		\
}

WALK_NOTE(pmd, pmd_t)
WALK_NOTE(pud, pud_t)
WALK_NOTE(p4d, p4d_t)
WALK_NOTE(pgd, pgd_t)

/*
 * The walker stays a while in each PTE table, the window in which a table
 * freed under it is read: without it, a walk rarely meets a free under TCG.
 */
static void walk_note_pte(struct ptdump_state *st, unsigned long addr,
			  pte_t val)
{
	container_of(st, struct ptdump_walk, st)->entries++;
	udelay(2);
}

static void walk_flush(struct ptdump_state *st)
{
}

static int ptdump_fn(void *data)
{
	struct ptdump_walk *w = data;

	while (!kthread_should_stop()) {
		ptdump_walk_pgd(&w->st, &init_mm, NULL);
		WRITE_ONCE(w->walks, w->walks + 1);
		cond_resched();
	}
	return 0;
}

#define PTDUMP_CYCLES	200

/*
 * The ptdump walker, which reading /sys/kernel/debug/kernel_page_tables
 * runs, reads the page tables of the linear map on one CPU while regions
 * are registered and unregistered on another, each unregister freeing the
 * page-table pages its region used: PTE tables (regions off PMD alignment)
 * and PMD tables (PMD-aligned ones). Nothing may free a table the walker
 * is reading: on the debug kernels, DEBUG_PAGEALLOC and KASAN report it.
 */
static void pfn_vec_region_test_ptdump(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, REGION_SIZE, NULL);
	struct ptdump_walk *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct task_struct *t;

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->range[0].start = (unsigned long)__va(base);
	w->range[0].end = w->range[0].start + REGION_SIZE;
	w->st.range = w->range;
	w->st.note_page_pte = walk_note_pte;
	w->st.note_page_pmd = walk_note_pmd;
	w->st.note_page_pud = walk_note_pud;
	w->st.note_page_p4d = walk_note_p4d;
	w->st.note_page_pgd = walk_note_pgd;
	w->st.note_page_flush = walk_flush;
	t = pfn_vec_kunit_thread_run(test, ptdump_fn, w, 1, "pfn_vec_ptdump");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	region_cycles(test, base, PTDUMP_CYCLES, 16, -1);
	KUNIT_EXPECT_GT_MSG(test, READ_ONCE(w->walks), 1UL,
			    "the walker did not run");
}
#else
static void pfn_vec_region_test_ptdump(struct kunit *test)
{
	pfn_vec_kunit_require_hook(test);
	kunit_skip(test, "no PTDUMP");
}
#endif /* CONFIG_PTDUMP */

/*
 * Unregister while four threads, one per CPU where there are enough, copy
 * through the region, each over pages of its own, from 64 bytes before a
 * page boundary. Every copy, in the race window too, keeps the helpers'
 * contract: it returns 0 having written all its bytes, or -ENXIO having
 * written exactly the bytes its cursor was advanced over, a prefix that
 * ends at a page boundary, and nothing after them. Each copy writes a
 * value of its own, and its thread reads the bytes back through an
 * independent mapping. Copies begun after unregister returned are all
 * refused, and nothing faults on a torn-down mapping.
 */
#define COPIERS		4
#define COPY_PAGES	8
#define COPY_LEN	(COPY_PAGES * PAGE_SIZE)

enum { RUNNING, UNREGISTERING, UNREGISTERED };

struct copier {
	struct pfn_vec pv;
	void __iomem *io;	/* an independent mapping of pv */
	u8 *buf, *back;		/* COPY_LEN each: what is copied, read back */
	const atomic_t *phase;
	unsigned long ok, torn, refused_before, refused_after, ok_after;
	unsigned long partial;	/* -ENXIO after the first page */
};

struct copiers {
	atomic_t phase;
	struct copier c[COPIERS];
};

/* Bytes [0, @done) hold @now and [@done, COPY_LEN) hold @was. */
static bool copier_holds(const struct copier *c, unsigned int done, u8 now,
			 u8 was)
{
	memcpy_fromio(c->back, c->io, COPY_LEN);
	return !memchr_inv(c->back, now, done) &&
	       !memchr_inv(c->back + done, was, COPY_LEN - done);
}

static int copier_fn(void *data)
{
	struct copier *c = data;
	/* The bytes of the first page: a refused copy stops at a page after. */
	unsigned int first = PAGE_SIZE - c->pv.pv_offset % PAGE_SIZE;
	u8 was = 0, now = 0;

	while (!kthread_should_stop()) {
		int phase = atomic_read(c->phase);
		struct bvec_iter iter;
		unsigned int done;
		int ret;

		memset(c->buf, ++now, COPY_LEN);
		ret = pfn_vec_iter_init(&iter, &c->pv, 1);
		if (!ret)
			ret = pfn_vec_memcpy_to(&c->pv, &iter, c->buf, COPY_LEN);
		/* Out of the write-combining buffers, before the reads. */
		wmb();
		done = COPY_LEN - iter.bi_size;
		if ((ret && ret != -ENXIO) || (!ret && done != COPY_LEN) ||
		    (ret && done && (done - first) % PAGE_SIZE) ||
		    !copier_holds(c, done, now, was))
			WRITE_ONCE(c->torn, c->torn + 1);
		else if (!ret && phase == UNREGISTERED)
			WRITE_ONCE(c->ok_after, c->ok_after + 1);
		else if (!ret)
			WRITE_ONCE(c->ok, c->ok + 1);
		else if (phase == UNREGISTERED)
			WRITE_ONCE(c->refused_after, c->refused_after + 1);
		else
			WRITE_ONCE(c->refused_before, c->refused_before + 1);
		if (ret && done)
			WRITE_ONCE(c->partial, c->partial + 1);
		/* What the next copy must overwrite, or leave alone. */
		memset_io(c->io, now, COPY_LEN);
		was = now;
		cond_resched();
	}
	return 0;
}

/*
 * Wait up to five seconds until every copier has copied (or, @after the
 * region went, been refused) at least once.
 */
static bool copiers_reached(const struct copiers *cs, bool after)
{
	unsigned int i = 0, waited;

	for (waited = 0; i < COPIERS && waited < 5000; waited += 20) {
		const struct copier *c = &cs->c[i];

		if (after ? READ_ONCE(c->refused_after) : READ_ONCE(c->ok))
			i++;
		else
			msleep(20);
	}
	return i == COPIERS;
}

static void pfn_vec_region_test_unregister_busy(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);
	struct copiers *cs = kunit_kzalloc(test, sizeof(*cs), GFP_KERNEL);
	unsigned long torn = 0, ok_after = 0, partial = 0, during = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, cs);
	atomic_set(&cs->phase, RUNNING);
	for (i = 0; i < COPIERS; i++) {
		/* Each thread copies over pages of its own. */
		phys_addr_t phys = base + (i * (COPY_PAGES + 1) + 1) * PAGE_SIZE - 64;
		struct copier *c = &cs->c[i];

		KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&c->pv, phys, COPY_LEN), 0);
		c->io = pfn_vec_kunit_ioremap_wc(test, phys, COPY_LEN);
		c->buf = kunit_kmalloc(test, COPY_LEN, GFP_KERNEL);
		c->back = kunit_kmalloc(test, COPY_LEN, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->buf);
		KUNIT_ASSERT_NOT_NULL(test, c->back);
		c->phase = &cs->phase;
		memset_io(c->io, 0, COPY_LEN);
	}
	for (i = 0; i < COPIERS; i++) {
		struct task_struct *t;

		t = pfn_vec_kunit_thread_run(test, copier_fn, &cs->c[i], i,
					     "pfn_vec_copier");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	KUNIT_ASSERT_TRUE_MSG(test, copiers_reached(cs, false),
			      "copiers did not get going");

	atomic_set(&cs->phase, UNREGISTERING);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
	atomic_set(&cs->phase, UNREGISTERED);
	KUNIT_EXPECT_TRUE_MSG(test, copiers_reached(cs, true),
			      "copiers were not refused after unregister");

	/* The threads are still copying: read what they counted so far. */
	for (i = 0; i < COPIERS; i++) {
		torn += READ_ONCE(cs->c[i].torn);
		ok_after += READ_ONCE(cs->c[i].ok_after);
		partial += READ_ONCE(cs->c[i].partial);
		during += READ_ONCE(cs->c[i].refused_before);
	}
	KUNIT_EXPECT_EQ_MSG(test, torn, 0UL,
			    "copies that broke the contract of pfn_vec_memcpy_to()");
	KUNIT_EXPECT_EQ_MSG(test, ok_after, 0UL, "copies after unregister");
	kunit_info(test, "%lu copies refused while unregister ran, %lu of them part way\n",
		   during, partial);
}

/*
 * An iterator that runs off the end of its region maps the next page in
 * the region that holds it, or stops with -ENXIO before a page that no
 * region holds, having touched nothing there.
 */
static void pfn_vec_region_test_miter_region_end(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, 2 * PMD_SIZE, NULL);
	void __iomem *io = pfn_vec_kunit_ioremap_wc(test, base + PMD_SIZE - PAGE_SIZE,
					   2 * PAGE_SIZE);
	struct pfn_vec_miter miter;
	struct bvec_iter iter;
	struct pfn_vec pv;
	unsigned int n;
	int ret;

	pfn_vec_kunit_require_hook(test);
	ret = region_register(test, base, PMD_SIZE, IO_LINEAR_WC);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = region_register(test, base + PMD_SIZE, PMD_SIZE, IO_LINEAR_WC);
	KUNIT_EXPECT_EQ(test, ret, 0);
	memset_io(io, PFN_VEC_KUNIT_SENTINEL, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + PMD_SIZE - PAGE_SIZE,
					       2 * PAGE_SIZE), 0);

	/* Across the boundary of two regions, one after the other. */
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	pfn_vec_miter_start(&miter, &pv, &iter, 2 * PAGE_SIZE);
	for (n = 0; pfn_vec_miter_next(&miter); n++)
		iosys_map_memset(&miter.map, 0, n + 1, miter.length);
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), 0);
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, readb(io + PAGE_SIZE - 1), 1);
	KUNIT_EXPECT_EQ(test, readb(io + PAGE_SIZE), 2);

	/* Into a page that no region holds any longer. */
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base + PMD_SIZE, PMD_SIZE), 0);
	memset_io(io, PFN_VEC_KUNIT_SENTINEL, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	pfn_vec_miter_start(&miter, &pv, &iter, 2 * PAGE_SIZE);
	for (n = 0; pfn_vec_miter_next(&miter); n++)
		iosys_map_memset(&miter.map, 0, n + 1, miter.length);
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(&miter), -ENXIO);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, iter.bi_size, (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, readb(io + PAGE_SIZE - 1), 1);
	KUNIT_EXPECT_EQ(test, readb(io + PAGE_SIZE), PFN_VEC_KUNIT_SENTINEL);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(base, PMD_SIZE), 0);
}

KUNIT_DEFINE_ACTION_WRAPPER(miter_stop_action, pfn_vec_miter_stop,
			    struct pfn_vec_miter *);

/*
 * An iterator holds its region once for all the pieces it maps of it:
 * unregistering, on another CPU, refuses new walks at once but waits for
 * the iterator, whose piece stays mapped, and written through, until the
 * iterator stops.
 */
static void pfn_vec_region_test_miter_holds(struct kunit *test)
{
	phys_addr_t base = register_region(test, IO_LINEAR_WC);
	void __iomem *io = pfn_vec_kunit_ioremap_wc(test, base, 4 * PAGE_SIZE);
	struct pfn_vec_kunit_unregister *w =
		kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct pfn_vec_miter *miter = kunit_kzalloc(test, sizeof(*miter),
						    GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec pv, probe;
	struct task_struct *t;
	unsigned int waited;
	bool waits;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, miter);
	memset_io(io, 0, 4 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&probe, base + 8 * PAGE_SIZE, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	pfn_vec_kunit_unregister_init(w, base, REGION_SIZE);

	pfn_vec_miter_start(miter, &pv, &iter, 4 * PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, pfn_vec_miter_next(miter));
	KUNIT_EXPECT_TRUE(test, miter->map.is_iomem);
	KUNIT_EXPECT_EQ(test, miter->length, 4U * PAGE_SIZE);
	/*
	 * Whatever ends the case, the iterator lets its region go before the
	 * unregistering thread is stopped (actions run last added first).
	 * It is stopped here too; a second stop finds nothing to release.
	 */
	t = pfn_vec_kunit_thread_run(test, pfn_vec_kunit_unregister_fn, w, 1,
				     "pfn_vec_unregister");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, miter_stop_action, miter));

	/* New walks fail as soon as unregistering has begun. */
	for (waited = 0; waited < 5000; waited += 20) {
		if (pfn_vec_kunit_reach(&probe))
			break;
		msleep(20);
	}
	KUNIT_EXPECT_LT_MSG(test, waited, 5000U, "unregister did not start");
	msleep(50);
	waits = !completion_done(&w->done);

	/* The held piece is still the region's, to the end of the range. */
	iosys_map_memset(&miter->map, 0, 0x6b, miter->length);
	KUNIT_EXPECT_FALSE(test, pfn_vec_miter_next(miter));
	KUNIT_EXPECT_EQ(test, pfn_vec_miter_stop(miter), 0);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 0U);

	KUNIT_EXPECT_TRUE_MSG(test, waits, "unregister did not wait for the iterator");
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&w->done, 10 * HZ),
			      "unregister still waits after the iterator stopped");
	KUNIT_EXPECT_EQ(test, w->ret, 0);
	/* Out of the write-combining buffers, before the reads. */
	wmb();
	KUNIT_EXPECT_EQ(test, readb(io), 0x6b);
	KUNIT_EXPECT_EQ(test, readb(io + 4 * PAGE_SIZE - 1), 0x6b);
}

/* What the registering thread of pfn_vec_region_test_unregister_no_stall did. */
struct stall_work {
	struct resource *owner;	/* of both regions */
	phys_addr_t a, b;	/* the region being unregistered, another */
	int reg_b, overlap_a, unreg_b;
	struct completion done;
};

static int stall_fn(void *data)
{
	struct stall_work *w = data;

	w->reg_b = pfn_vec_region_register(w->owner, w->b, PMD_SIZE,
					   IO_LINEAR_WC);
	w->overlap_a = pfn_vec_region_register(w->owner, w->a + PAGE_SIZE,
					       PAGE_SIZE, IO_LINEAR_WC);
	if (!w->overlap_a)
		pfn_vec_region_unregister(w->a + PAGE_SIZE, PAGE_SIZE);
	w->unreg_b = pfn_vec_region_unregister(w->b, PMD_SIZE);
	complete(&w->done);
	return 0;
}

/*
 * Unregistering waits for the holders of its region without holding up
 * the registry. Here the holder of region A, an iterator, which is being
 * unregistered on another CPU, waits for a third thread that registers and
 * unregisters region B: it completes, while A's range stays refused, and A
 * goes once its mapping is released.
 * If the wait for B stalls, the case releases A so that it can
 * end, and fails.
 */
static void pfn_vec_region_test_unregister_no_stall(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, 2 * PMD_SIZE, NULL);
	struct pfn_vec_kunit_unregister *u =
		kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	struct stall_work *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct pfn_vec_kunit_hold *h;
	struct pfn_vec pv, probe;
	struct task_struct *t;
	unsigned int waited;
	bool stalled;

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_NOT_NULL(test, u);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register(test, base, PMD_SIZE,
						     IO_LINEAR_WC), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&probe, base + 2 * PAGE_SIZE, 1), 0);
	pfn_vec_kunit_unregister_init(u, base, PMD_SIZE);
	w->owner = pfn_vec_kunit_unmanaged_claim(test);
	w->a = base;
	w->b = base + PMD_SIZE;
	init_completion(&w->done);

	/* Released before the threads are stopped, however the case ends. */
	h = pfn_vec_kunit_hold(test, &pv);
	KUNIT_ASSERT_NOT_NULL(test, h);
	t = pfn_vec_kunit_thread_run(test, pfn_vec_kunit_unregister_fn, u, 1,
				     "pfn_vec_unregister");
	if (IS_ERR(t))
		pfn_vec_kunit_unhold(h);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   pfn_vec_kunit_unhold,
							   h));

	/* A is dying once new walks of it fail. */
	for (waited = 0; waited < 5000; waited += 20) {
		if (pfn_vec_kunit_reach(&probe))
			break;
		msleep(20);
	}
	KUNIT_ASSERT_LT_MSG(test, waited, 5000U, "A did not start to go");
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_region_holders(base, PMD_SIZE), 1,
			    "A's holders, as a stuck unregister reports them");

	t = pfn_vec_kunit_thread_run(test, stall_fn, w, 2, "pfn_vec_register");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	stalled = !wait_for_completion_timeout(&w->done, 10 * HZ);
	KUNIT_EXPECT_FALSE(test, completion_done(&u->done));
	kunit_release_action(test, pfn_vec_kunit_unhold, h);

	KUNIT_EXPECT_FALSE_MSG(test, stalled,
			       "registering B stalled while A's holder waited for it");
	KUNIT_ASSERT_TRUE_MSG(test,
			      !stalled || wait_for_completion_timeout(&w->done, 10 * HZ),
			      "registering B still stalls after A was released");
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&u->done, 10 * HZ),
			      "unregister of A still waits after its holder let it go");
	KUNIT_EXPECT_EQ(test, u->ret, 0);
	KUNIT_EXPECT_EQ(test, w->reg_b, 0);
	KUNIT_EXPECT_EQ_MSG(test, w->overlap_a, -EBUSY,
			    "a range of a region being unregistered was taken");
	KUNIT_EXPECT_EQ(test, w->unreg_b, 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_kunit_reach(&pv), -ENXIO);
}

/*
 * A second unregister of a region being unregistered returns -ENOENT only
 * once the region is gone, unmapped and unclaimed: its caller may give the
 * memory up then, as a driver's remove() does after it.
 */
static void pfn_vec_region_test_unregister_twice(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, PMD_SIZE, NULL);
	struct pfn_vec_kunit_unregister *u =
		kunit_kcalloc(test, 2, sizeof(*u), GFP_KERNEL);
	struct pfn_vec_kunit_hold *h;
	struct resource *claim;
	struct task_struct *t;
	struct pfn_vec pv;
	unsigned int i;
	bool waits;

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_NOT_NULL(test, u);
	claim = pfn_vec_kunit_unmanaged_claim(test);
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register(test, base, PMD_SIZE,
						     IO_LINEAR_WC), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, PAGE_SIZE), 0);
	for (i = 0; i < 2; i++)
		pfn_vec_kunit_unregister_init(&u[i], base, PMD_SIZE);

	h = pfn_vec_kunit_hold(test, &pv);
	KUNIT_ASSERT_NOT_NULL(test, h);
	t = pfn_vec_kunit_thread_run(test, pfn_vec_kunit_unregister_fn, &u[0], 1,
				     "pfn_vec_unregister");
	if (IS_ERR(t))
		pfn_vec_kunit_unhold(h);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   pfn_vec_kunit_unhold,
							   h));
	/* The first is under way once new walks fail. */
	for (i = 0; i < 250 && !pfn_vec_kunit_reach(&pv); i++)
		msleep(20);
	KUNIT_ASSERT_LT(test, i, 250U);

	t = pfn_vec_kunit_thread_run(test, pfn_vec_kunit_unregister_fn, &u[1], 2,
				     "pfn_vec_unregister");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	msleep(100);
	waits = !completion_done(&u[1].done);
	kunit_release_action(test, pfn_vec_kunit_unhold, h);

	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&u[0].done, 10 * HZ));
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&u[1].done, 10 * HZ));
	KUNIT_EXPECT_TRUE_MSG(test, waits,
			      "a second unregister returned while the region was still mapped");
	KUNIT_EXPECT_EQ(test, u[0].ret, 0);
	KUNIT_EXPECT_EQ(test, u[1].ret, -ENOENT);
	KUNIT_EXPECT_NULL(test, claim->child);
}

static struct kunit_case pfn_vec_region_cases[] = {
	KUNIT_CASE(pfn_vec_region_test_map_query),
	KUNIT_CASE(pfn_vec_region_test_holders),
	KUNIT_CASE_PARAM(pfn_vec_region_test_refusals, refusal_gen_params),
	KUNIT_CASE(pfn_vec_region_test_overlap),
	KUNIT_CASE(pfn_vec_region_test_claimed),
	KUNIT_CASE(pfn_vec_region_test_double_unregister),
	KUNIT_CASE(pfn_vec_region_test_unmappable),
	KUNIT_CASE(pfn_vec_region_test_window),
	KUNIT_CASE(pfn_vec_region_test_type_conflict),
	KUNIT_CASE(pfn_vec_region_test_accessor),
	KUNIT_CASE(pfn_vec_region_test_after_unregister),
	KUNIT_CASE(pfn_vec_region_test_neighbours),
	KUNIT_CASE(pfn_vec_region_test_mixed_copy),
	KUNIT_CASE(pfn_vec_region_test_page_tables),
	KUNIT_CASE(pfn_vec_region_test_fault_register),
	KUNIT_CASE_SLOW(pfn_vec_region_test_cycles),
	KUNIT_CASE_SLOW(pfn_vec_region_test_ptdump),
	KUNIT_CASE(pfn_vec_region_test_foreign_table),
	KUNIT_CASE(pfn_vec_region_test_unregister_busy),
	KUNIT_CASE(pfn_vec_region_test_miter_holds),
	KUNIT_CASE(pfn_vec_region_test_unregister_no_stall),
	KUNIT_CASE(pfn_vec_region_test_unregister_twice),
	KUNIT_CASE(pfn_vec_region_test_miter_region_end),
	{}
};

static struct kunit_suite pfn_vec_region_suite = {
	.name = "pfn_vec_region",
	.test_cases = pfn_vec_region_cases,
};

kunit_test_suite(pfn_vec_region_suite);

MODULE_DESCRIPTION("KUnit tests for the pfn_vec region registry and the I/O linear map hook");
MODULE_LICENSE("GPL");
