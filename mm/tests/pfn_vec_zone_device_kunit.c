// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_zone_device: the registry against the kernel's other
 * ways of mapping memory by its physical address, memremap_pages() and
 * memory hot-add, in both orders; and the accessor and copy helpers on
 * memory that has struct page but is not RAM the kernel can kmap: P2PDMA
 * pages (part of ivshmem's BAR, pci_p2pdma_add_resource()), reached as I/O
 * memory, and device-private and offline pages, refused.
 *
 * It runs on RAM without struct page (pfn_vec_kunit_unmanaged()), as the
 * other suites do. Without ZONE_DEVICE (32-bit kernels, which have no hook
 * either) every case skips.
 */
#include <kunit/test.h>
#include <kunit/test-bug.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/string.h>

#ifdef CONFIG_ZONE_DEVICE

/* memremap_pages() maps whole subsections: use two of them at most. */
#define ZD_SIZE		(2 * PAGES_PER_SUBSECTION * PAGE_SIZE)

/* Fill [phys, phys + size) with a pattern, through an independent mapping. */
static void zd_fill(struct kunit *test, phys_addr_t phys, size_t size, u8 seed)
{
	u8 __iomem *io = pfn_vec_kunit_ioremap_wc(test, phys, size);
	size_t i;

	for (i = 0; i < size; i += 64)
		writeb((u8)(seed + i / 64), io + i);
}

/* Is the pattern of zd_fill() there, read through pfn_vec? */
static void zd_check(struct kunit *test, phys_addr_t phys, size_t size, u8 seed)
{
	u8 *buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec pv;
	size_t done, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (done = 0; done < size; done += PAGE_SIZE) {
		KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys + done, PAGE_SIZE), 0);
		KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
		KUNIT_ASSERT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, PAGE_SIZE), 0);
		for (i = 0; i < PAGE_SIZE; i += 64)
			KUNIT_ASSERT_EQ(test, buf[i], (u8)(seed + (done + i) / 64));
	}
}

static struct dev_pagemap *zd_pgmap(struct kunit *test, enum memory_type type,
				    phys_addr_t phys, u64 size)
{
	struct dev_pagemap *pgmap = kunit_kzalloc(test, sizeof(*pgmap), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pgmap);
	pgmap->type = type;
	pgmap->range.start = phys;
	pgmap->range.end = phys + size - 1;
	pgmap->nr_range = 1;
	return pgmap;
}

KUNIT_DEFINE_ACTION_WRAPPER(zd_memunmap, memunmap_pages, struct dev_pagemap *);

/* memremap_pages() until the case ends. Return: 0, or its error. */
static int zd_memremap(struct kunit *test, struct dev_pagemap *pgmap)
{
	void *addr = memremap_pages(pgmap, NUMA_NO_NODE);

	if (IS_ERR(addr))
		return PTR_ERR(addr);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, zd_memunmap, pgmap));
	return 0;
}

/* Register under the case's claim of its RAM, without the helper's checks. */
static int zd_register(struct kunit *test, phys_addr_t phys, size_t size)
{
	return pfn_vec_region_register(pfn_vec_kunit_unmanaged_claim(test), phys,
				       size, IO_LINEAR_WC);
}

/* Is anything of [phys, phys + size) claimed by a region? */
static bool zd_claimed(phys_addr_t phys, size_t size)
{
	return region_intersects(phys, size, IORESOURCE_MEM,
				 IORES_DESC_IO_LINEAR) != REGION_DISJOINT;
}

/* The memory block that holds the first byte of the case's RAM. */
static phys_addr_t zd_block(struct kunit *test, u64 *size)
{
	*size = memory_block_size_bytes();
	return pfn_vec_kunit_unmanaged(test, *size, NULL);
}

static void zd_remove_memory(void *data)
{
	phys_addr_t *block = data;

	KUNIT_EXPECT_EQ(kunit_get_current_test(), 0,
			remove_memory(block[0], block[1]));
}

/* add_memory(), removed again when the case ends. Return: its error. */
static int zd_add_memory(struct kunit *test, phys_addr_t phys, u64 size)
{
	phys_addr_t *block = kunit_kmalloc_array(test, 2, sizeof(*block),
						 GFP_KERNEL);
	u64 saved;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, block);
	/*
	 * Until the system runs, memory hot-add stays below mem= (on x86),
	 * and the suites run before: stand in for a hot-add after boot, under
	 * the lock that hot-add reads max_mem_size under.
	 */
	lock_device_hotplug();
	saved = max_mem_size;
	max_mem_size = U64_MAX;
	ret = __add_memory(numa_mem_id(), phys, size, MHP_NONE);
	max_mem_size = saved;
	unlock_device_hotplug();
	if (ret)
		return ret;
	block[0] = phys;
	block[1] = size;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, zd_remove_memory,
							   block));
	return 0;
}

static void zd_require(struct kunit *test)
{
	pfn_vec_kunit_require_hook(test);
}

/*
 * memremap_pages() over a registered region, or over a range that holds
 * one, is refused with -EBUSY: it would map the range again, under struct
 * page, and take the mapping away from the region when it went. The region
 * is left as it was: mapped with its type, without struct page, its bytes
 * unchanged.
 */
static void pfn_vec_zone_device_test_register_then_memremap(struct kunit *test)
{
	phys_addr_t phys = pfn_vec_kunit_unmanaged(test, 2 * ZD_SIZE, NULL);
	static const u64 sizes[] = { ZD_SIZE, 2 * ZD_SIZE };
	enum io_linear_type type;
	size_t page_size;
	unsigned int i;

	zd_require(test);
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register(test, phys, ZD_SIZE,
						     IO_LINEAR_WC), 0);
	zd_fill(test, phys, ZD_SIZE, 3);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct dev_pagemap *pgmap = zd_pgmap(test, MEMORY_DEVICE_GENERIC,
						     phys, sizes[i]);

		KUNIT_EXPECT_EQ_MSG(test, zd_memremap(test, pgmap), -EBUSY,
				    "memremap_pages() of %llu bytes over a region",
				    sizes[i]);
	}
	KUNIT_EXPECT_FALSE(test, pfn_valid(PHYS_PFN(phys)));
	KUNIT_EXPECT_EQ(test, pfn_vec_kunit_query(phys, &page_size, &type), 0);
	KUNIT_EXPECT_EQ(test, type, IO_LINEAR_WC);
	zd_check(test, phys, ZD_SIZE, 3);
}

/*
 * A range that memremap_pages() has given struct page is not registered,
 * nor is any range that holds part of it: -EBUSY, nothing claimed. Next to
 * it, and over it once it is gone, registration works.
 */
static void pfn_vec_zone_device_test_memremap_then_register(struct kunit *test)
{
	phys_addr_t phys = pfn_vec_kunit_unmanaged(test, 2 * ZD_SIZE, NULL);
	struct dev_pagemap *pgmap = zd_pgmap(test, MEMORY_DEVICE_GENERIC, phys,
					     ZD_SIZE);

	zd_require(test);
	/* Claimed while the RAM has no struct page, as the helper checks. */
	pfn_vec_kunit_unmanaged_claim(test);
	KUNIT_ASSERT_EQ(test, zd_memremap(test, pgmap), 0);
	KUNIT_EXPECT_EQ(test, zd_register(test, phys, ZD_SIZE), -EBUSY);
	KUNIT_EXPECT_EQ(test, zd_register(test, phys + ZD_SIZE - PAGE_SIZE,
					  2 * PAGE_SIZE), -EBUSY);
	KUNIT_EXPECT_FALSE(test, zd_claimed(phys, ZD_SIZE));

	KUNIT_EXPECT_EQ(test, zd_register(test, phys + ZD_SIZE, ZD_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(phys + ZD_SIZE, ZD_SIZE), 0);
	kunit_release_action(test, zd_memunmap, pgmap);
	KUNIT_EXPECT_EQ(test, zd_register(test, phys, ZD_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(phys, ZD_SIZE), 0);
}

/*
 * Memory hot-add of a block that holds a registered region is refused with
 * -EBUSY, with the region unchanged. Once the region is gone, the refusal
 * is its owner's claim of the range (-EEXIST), no longer the region's.
 */
static void pfn_vec_zone_device_test_register_then_hotadd(struct kunit *test)
{
	enum io_linear_type type;
	size_t page_size;
	phys_addr_t phys;
	u64 block;

	zd_require(test);
	phys = zd_block(test, &block);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(phys, block));
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register(test, phys + ZD_SIZE, ZD_SIZE,
						     IO_LINEAR_UC), 0);
	zd_fill(test, phys + ZD_SIZE, ZD_SIZE, 5);

	KUNIT_EXPECT_EQ(test, zd_add_memory(test, phys, block), -EBUSY);
	KUNIT_EXPECT_FALSE(test, pfn_valid(PHYS_PFN(phys + ZD_SIZE)));
	KUNIT_EXPECT_EQ(test, pfn_vec_kunit_query(phys + ZD_SIZE, &page_size,
						  &type), 0);
	KUNIT_EXPECT_EQ(test, type, IO_LINEAR_UC);
	zd_check(test, phys + ZD_SIZE, ZD_SIZE, 5);

	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(phys + ZD_SIZE, ZD_SIZE), 0);
	KUNIT_EXPECT_EQ(test, zd_add_memory(test, phys, block), -EEXIST);
}

/*
 * @page has struct page, but the CPU cannot reach it: pfn_vec_set_phys()
 * refuses its range, and pfn_vec_check() a segment of it, with -ENXIO. A
 * ZONE_DEVICE page is mapped by its dev_pagemap's rules, always checked:
 * the accessor and the copy helpers refuse it with -ENXIO and move
 * nothing. Offline RAM is RAM to the accessor, which trusts its caller to
 * hold the page: only CONFIG_DEBUG_PFN_VEC checks it there. Its struct
 * page is not read.
 */
static void zd_check_unreachable(struct kunit *test, struct page *page)
{
	u8 *buf = kunit_kmalloc(test, 64, GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec_map m;
	struct pfn_vec pv;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, pfn_vec_set_phys(&pv, page_to_phys(page), 64), -ENXIO);
	pfn_vec_set_page(&pv, page, 64, 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_check(&pv), -ENXIO);
	if (!is_zone_device_page(page) && !IS_ENABLED(CONFIG_DEBUG_PFN_VEC))
		return;
	/* Stop here if it maps, rather than touch what it mapped. */
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), -ENXIO);
	memset(buf, PFN_VEC_KUNIT_SENTINEL, 64);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, 64), -ENXIO);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 64U);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, PFN_VEC_KUNIT_SENTINEL, 64));
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(&pv, &iter, buf, 64), -ENXIO);
	KUNIT_EXPECT_EQ(test, iter.bi_size, 64U);
}

/*
 * Hot-added memory is not registered, even by the owner of its resource:
 * -EBUSY. While it is offline, the accessor and copy helpers refuse its
 * pages with -ENXIO, and pfn_vec_set_phys() its range, with nothing moved.
 */
static void pfn_vec_zone_device_test_hotadd_then_register(struct kunit *test)
{
	struct resource *res;
	phys_addr_t phys;
	u64 block;

	zd_require(test);
	phys = zd_block(test, &block);
	KUNIT_ASSERT_EQ(test, zd_add_memory(test, phys, block), 0);
	res = lookup_resource(&iomem_resource, phys);
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register(res, phys, ZD_SIZE,
						      IO_LINEAR_WC), -EBUSY);
	KUNIT_EXPECT_FALSE(test, zd_claimed(phys, block));

	KUNIT_ASSERT_TRUE(test, pfn_valid(PHYS_PFN(phys)));
	KUNIT_ASSERT_NULL_MSG(test, pfn_to_online_page(PHYS_PFN(phys)),
			      "hot-added memory is online: boot with memhp_default_state=offline");
	zd_check_unreachable(test, pfn_to_page(PHYS_PFN(phys)));
}

/*
 * P2PDMA pages, ZONE_DEVICE pages over a BAR, are I/O memory: the accessor
 * maps them as such, and what the copy helpers write and read through them
 * is what an independent ioremap_wc() of the BAR sees.
 */
static void pfn_vec_zone_device_test_p2pdma(struct kunit *test)
{
	u8 *buf = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec_map m;
	struct pci_dev *pdev;
	struct pfn_vec pv;
	void __iomem *io;
	phys_addr_t phys;
	unsigned int i;

	zd_require(test);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	phys = pfn_vec_kunit_p2pmem(test, false, ZD_SIZE, 2 * PAGE_SIZE, &pdev);
	io = pfn_vec_kunit_ioremap_wc(test, phys, 2 * PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, phys + 100, PAGE_SIZE), 0);
	KUNIT_EXPECT_TRUE(test, pfn_vec_has_page(&pv));
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	KUNIT_EXPECT_TRUE_MSG(test, m.map.is_iomem, "a P2PDMA page is mapped as RAM");
	pfn_vec_kunmap_local(&m);
	/* Nothing below is safe where it is mapped as RAM. */
	KUNIT_ASSERT_TRUE(test, m.map.is_iomem);

	for (i = 0; i < PAGE_SIZE; i++)
		buf[i] = i * 13;
	memset_io(io, PFN_VEC_KUNIT_SENTINEL, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(&pv, &iter, buf, PAGE_SIZE), 0);
	memcpy_fromio(buf + PAGE_SIZE, io + 100, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memcmp(buf, buf + PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, readb(io + 99), PFN_VEC_KUNIT_SENTINEL);
	KUNIT_EXPECT_EQ(test, readb(io + 100 + PAGE_SIZE), PFN_VEC_KUNIT_SENTINEL);

	memset_io(io + 100, 0x5e, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, PAGE_SIZE), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0x5e, PAGE_SIZE));
}

static void zd_page_free(struct page *page)
{
}

static vm_fault_t zd_migrate_to_ram(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct dev_pagemap_ops zd_private_ops = {
	.page_free	= zd_page_free,
	.migrate_to_ram	= zd_migrate_to_ram,
};

/*
 * Device-private pages have struct page and no kernel mapping at all: the
 * accessor and copy helpers refuse them with -ENXIO and move nothing, and
 * pfn_vec_set_phys() refuses their range.
 */
static void pfn_vec_zone_device_test_device_private(struct kunit *test)
{
	phys_addr_t phys = pfn_vec_kunit_unmanaged(test, ZD_SIZE, NULL);
	struct dev_pagemap *pgmap;
	struct page *page;

	zd_require(test);
	if (!IS_ENABLED(CONFIG_DEVICE_PRIVATE))
		kunit_skip(test, "no DEVICE_PRIVATE");
	pgmap = zd_pgmap(test, MEMORY_DEVICE_PRIVATE, phys, ZD_SIZE);
	pgmap->ops = &zd_private_ops;
	pgmap->owner = test;
	KUNIT_ASSERT_EQ(test, zd_memremap(test, pgmap), 0);
	page = pfn_to_page(PHYS_PFN(phys) + 1);
	KUNIT_ASSERT_TRUE(test, is_device_private_page(page));

	zd_check_unreachable(test, page);
}

#else /* !CONFIG_ZONE_DEVICE */

/* The same cases, each of which skips, so that every arch lists them. */
#define ZD_SKIP(name)							\
static void name(struct kunit *test)					\
{									\
	pfn_vec_kunit_require_hook(test);				\
	kunit_skip(test, "no ZONE_DEVICE");				\
}

ZD_SKIP(pfn_vec_zone_device_test_register_then_memremap)
ZD_SKIP(pfn_vec_zone_device_test_memremap_then_register)
ZD_SKIP(pfn_vec_zone_device_test_register_then_hotadd)
ZD_SKIP(pfn_vec_zone_device_test_hotadd_then_register)
ZD_SKIP(pfn_vec_zone_device_test_p2pdma)
ZD_SKIP(pfn_vec_zone_device_test_device_private)

#endif /* CONFIG_ZONE_DEVICE */

static struct kunit_case pfn_vec_zone_device_cases[] = {
	KUNIT_CASE(pfn_vec_zone_device_test_register_then_memremap),
	KUNIT_CASE(pfn_vec_zone_device_test_memremap_then_register),
	KUNIT_CASE(pfn_vec_zone_device_test_register_then_hotadd),
	KUNIT_CASE(pfn_vec_zone_device_test_hotadd_then_register),
	KUNIT_CASE(pfn_vec_zone_device_test_p2pdma),
	KUNIT_CASE(pfn_vec_zone_device_test_device_private),
	{}
};

static struct kunit_suite pfn_vec_zone_device_suite = {
	.name = "pfn_vec_zone_device",
	.test_cases = pfn_vec_zone_device_cases,
};

kunit_test_suite(pfn_vec_zone_device_suite);

MODULE_DESCRIPTION("KUnit tests of pfn_vec against memremap_pages() and memory hotplug");
MODULE_LICENSE("GPL");
