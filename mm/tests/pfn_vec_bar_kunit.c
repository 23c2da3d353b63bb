// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_bar: a real PCI BAR without struct page, BAR2 of
 * QEMU's ivshmem-plain (pfn_vec_kunit_ivshmem()), registered with pfn_vec
 * and cross-checked through an independent ioremap_wc(). Where the arch has
 * no hook, it checks the refusals on that BAR: registration is -EOPNOTSUPP,
 * the accessor and the copy helpers -ENXIO, with nothing written.
 */
#include <kunit/test.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

struct bar {
	struct pci_dev *pdev;	/* bound to the suites' driver */
	phys_addr_t phys;
	size_t size;
	void __iomem *io;	/* an independent ioremap_wc() of it */
};

static void find_bar(struct kunit *test, struct bar *bar)
{
	struct resource *res = pfn_vec_kunit_ivshmem(test, &bar->pdev);

	if (!res)
		kunit_skip(test, "no ivshmem-plain device (see the project's qemu configs)");
	bar->phys = res->start;
	bar->size = resource_size(res);
	bar->io = pfn_vec_kunit_ioremap_wc(test, bar->phys, SZ_4M);
}

/*
 * Register the BAR until the case ends. Where there is no hook, check the
 * refusal of registration, which this is the case of, and return false.
 */
static bool register_bar(struct kunit *test, struct bar *bar)
{
	return !pfn_vec_kunit_register_bar(test, bar->pdev, 0, bar->size,
					   IO_LINEAR_WC);
}

static void pfn_vec_bar_test_register(struct kunit *test)
{
	enum io_linear_type type;
	size_t page_size, want;
	struct bar bar;
	struct pfn_vec pv;

	find_bar(test, &bar);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, bar.phys, PAGE_SIZE), 0);
	KUNIT_EXPECT_FALSE_MSG(test, pfn_vec_has_page(&pv), "the BAR has struct page");
	if (!register_bar(test, &bar))
		return;

	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_query(bar.phys, &page_size, &type), 0);
	KUNIT_EXPECT_EQ(test, type, IO_LINEAR_WC);
	/*
	 * A BAR is naturally aligned, so it gets the largest page the backend
	 * maps with: arm64's own builder has 1 GiB blocks wherever the granule
	 * does; the others map as ioremap() does, with vmap_page_range().
	 */
#ifdef CONFIG_ARM64
	want = bar.size >= PUD_SIZE && pud_sect_supported() ? PUD_SIZE : PMD_SIZE;
#else
	want = bar.size >= PUD_SIZE && arch_vmap_pud_supported(PAGE_KERNEL) ?
	       PUD_SIZE : PMD_SIZE;
#endif
	KUNIT_EXPECT_EQ_MSG(test, page_size, want, "BAR of %zu bytes at %pa",
			    bar.size, &bar.phys);
	kunit_info(test, "BAR of %zu MiB at %pa mapped with %zu KiB pages\n",
		   bar.size >> 20, &bar.phys, page_size >> 10);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(bar.phys, bar.size), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_kunit_query(bar.phys, &page_size, &type),
			-ENOENT);
}

/*
 * The accessor and the copy helpers against the independent mapping, both
 * ways, over a vector of RAM, BAR and RAM. Where there is no hook, these
 * are the accessor's and the copy helpers' refusals: the accessor refuses
 * the BAR with -ENXIO, a copy stops before it, and the BAR is unchanged.
 */
static void pfn_vec_bar_test_copy(struct kunit *test)
{
	const unsigned int len = 3 * PAGE_SIZE + 123;
	struct page *ram = pfn_vec_kunit_alloc_page(test, GFP_HIGHUSER);
	u8 *in = kunit_kmalloc(test, 2 * len, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, 2 * len, GFP_KERNEL);
	struct bvec_iter iter;
	struct pfn_vec pvec[3];
	struct bar bar;
	unsigned int i;
	bool hook;

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	find_bar(test, &bar);
	hook = register_bar(test, &bar);

	for (i = 0; i < 2 * len; i++)
		in[i] = i * 13 + 1;
	memset_io(bar.io, PFN_VEC_KUNIT_SENTINEL, SZ_4M);
	pfn_vec_set_page(&pvec[0], ram, 100, 7);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pvec[1], bar.phys + SZ_1M - 61, len), 0);
	pfn_vec_set_page(&pvec[2], ram, 200, 1000);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);

	if (!hook) {
		struct pfn_vec_map m;

		KUNIT_EXPECT_EQ(test, pfn_vec_check(&pvec[1]), -ENXIO);
		/* Where the hook is built, the lone map trusts its caller. */
		if (!IS_ENABLED(CONFIG_ARCH_HAS_IO_LINEAR_MAP))
			KUNIT_EXPECT_EQ(test, pfn_vec_kmap_local(&pvec[1], &m),
					-ENXIO);
		KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(pvec, &iter, in, iter.bi_size),
				-ENXIO);
		KUNIT_EXPECT_EQ(test, iter.bi_idx, 1U);
		memcpy_fromio(out, bar.io + SZ_1M - PAGE_SIZE, 2 * len);
		KUNIT_EXPECT_NULL(test, memchr_inv(out, PFN_VEC_KUNIT_SENTINEL, 2 * len));
		return;
	}

	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_to(pvec, &iter, in, 300 + len), 0);
	memcpy_fromio(out, bar.io + SZ_1M - 61, len);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(out, in + 100, len), 0,
			    "the BAR does not hold what the accessor wrote");
	KUNIT_EXPECT_EQ(test, readb(bar.io + SZ_1M - 62), PFN_VEC_KUNIT_SENTINEL);
	KUNIT_EXPECT_EQ(test, readb(bar.io + SZ_1M - 61 + len), PFN_VEC_KUNIT_SENTINEL);

	/* The reverse: written through the independent mapping, read by us. */
	memcpy_toio(bar.io + SZ_1M - 61, in + len, len);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, pvec, 3), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(out, pvec, &iter, 300 + len), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, in, 100), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out + 100, in + len, len), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out + 100 + len, in + 100 + len, 200), 0);
}

/* BAR to BAR and zeroing: both sides I/O memory. */
static void pfn_vec_bar_test_bar_to_bar(struct kunit *test)
{
	const unsigned int len = 2 * PAGE_SIZE + 77;
	u8 *in = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, len, GFP_KERNEL);
	struct bvec_iter dst_iter, src_iter;
	struct pfn_vec dst, src;
	struct bar bar;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	pfn_vec_kunit_require_hook(test);
	find_bar(test, &bar);
	KUNIT_ASSERT_TRUE(test, register_bar(test, &bar));

	for (i = 0; i < len; i++)
		in[i] = i ^ 0x5c;
	memcpy_toio(bar.io + 3, in, len);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&src, bar.phys + 3, len), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&dst, bar.phys + SZ_2M + 11, len), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&src_iter, &src, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&dst_iter, &dst, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_copy(&dst, &dst_iter, &src, &src_iter, len), 0);
	memcpy_fromio(out, bar.io + SZ_2M + 11, len);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, len), 0);

	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&dst_iter, &dst, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_zero(&dst, &dst_iter, len), 0);
	memcpy_fromio(out, bar.io + SZ_2M + 11, len);
	KUNIT_EXPECT_NULL(test, memchr_inv(out, 0, len));
}

/* QEMU's pci-testdev: BAR0 is 4 KiB of non-prefetchable MMIO. */
#define TESTDEV_DEVICE_ID	0x0005

/*
 * The suites' driver of pci-testdev, as a driver that has enabled its
 * device and not claimed the BAR it is about to register.
 */
static int testdev_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	return pcim_enable_device(pdev);
}

static const struct pci_device_id testdev_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT, TESTDEV_DEVICE_ID) },
	{ }
};

static struct pci_driver testdev_driver = {
	.name		= "pfn_vec_kunit_testdev",
	.id_table	= testdev_ids,
	.probe		= testdev_probe,
};

KUNIT_DEFINE_ACTION_WRAPPER(testdev_unbind, pci_unregister_driver,
			    struct pci_driver *);

struct command {
	struct pci_dev *pdev;
	u16 cmd;
};

static void command_restore(void *data)
{
	struct command *c = data;

	pci_write_config_word(c->pdev, PCI_COMMAND, c->cmd);
}

/* Clear PCI_COMMAND_MEMORY of @pdev until the case ends. */
static void decoding_off(struct kunit *test, struct pci_dev *pdev)
{
	struct command *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->pdev = pdev;
	KUNIT_ASSERT_EQ(test, pci_read_config_word(pdev, PCI_COMMAND, &c->cmd), 0);
	KUNIT_ASSERT_TRUE(test, c->cmd & PCI_COMMAND_MEMORY);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, command_restore, c));
	pci_write_config_word(pdev, PCI_COMMAND, c->cmd & ~PCI_COMMAND_MEMORY);
}

/*
 * Registration of a BAR range refuses, before anything is claimed or
 * mapped, on every arch: a BAR that is not a memory BAR or does not hold
 * the range; write-combining on a BAR that is not prefetchable; a device
 * not bound to a driver; a device that does not decode memory (every read
 * would give all-ones, every write vanish); and a BAR its driver has not
 * claimed. pci-testdev has a non-prefetchable BAR and no driver of its
 * own; the case binds one that enables it and claims nothing.
 */
static void pfn_vec_bar_test_refusals(struct kunit *test)
{
	struct pci_dev *pdev = pfn_vec_kunit_pci_get(test, PCI_VENDOR_ID_REDHAT,
						     TESTDEV_DEVICE_ID);
	struct resource *res;

	KUNIT_ASSERT_NOT_NULL_MSG(test, pdev, "no pci-testdev (see the project's qemu configs)");
	res = pci_resource_n(pdev, 0);
	KUNIT_ASSERT_EQ(test, resource_type(res), IORESOURCE_MEM);
	KUNIT_ASSERT_FALSE(test, res->flags & IORESOURCE_PREFETCH);
	if (resource_size(res) < PAGE_SIZE)
		kunit_skip(test, "pci-testdev's BAR0 is smaller than a page");
	KUNIT_ASSERT_NULL(test, pdev->dev.driver);

	KUNIT_EXPECT_EQ(test, pfn_vec_region_register_bar(pdev, -1, 0, PAGE_SIZE,
							  IO_LINEAR_UC), -EINVAL);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register_bar(pdev, PCI_STD_NUM_BARS, 0,
							  PAGE_SIZE, IO_LINEAR_UC),
			-EINVAL);
	/* BAR1 is an I/O port BAR. */
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register_bar(pdev, 1, 0, PAGE_SIZE,
							  IO_LINEAR_UC), -EINVAL);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register_bar(pdev, 0, PAGE_SIZE,
							  PAGE_SIZE, IO_LINEAR_UC),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register_bar(pdev, 0, 0, 2 * PAGE_SIZE,
							  IO_LINEAR_UC), -EINVAL);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_region_register_bar(pdev, 0, 0, PAGE_SIZE,
							      IO_LINEAR_WC),
			    -EINVAL, "write-combining on a non-prefetchable BAR");
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register_bar(pdev, 0, 0, PAGE_SIZE,
							  IO_LINEAR_UC), -ENODEV);

	KUNIT_ASSERT_EQ(test, pci_register_driver(&testdev_driver), 0);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, testdev_unbind, &testdev_driver));
	KUNIT_ASSERT_PTR_EQ(test, pdev->dev.driver, &testdev_driver.driver);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_region_register_bar(pdev, 0, 0, PAGE_SIZE,
							      IO_LINEAR_UC),
			    -EINVAL, "a BAR its driver has not claimed");
	decoding_off(test, pdev);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_region_register_bar(pdev, 0, 0, PAGE_SIZE,
							      IO_LINEAR_UC),
			    -ENXIO, "a device that does not decode memory");
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(res->start, PAGE_SIZE), -ENOENT);
}

struct claims {
	phys_addr_t start, end;
	struct resource *parent;
	unsigned int n;
};

static int count_claim(struct resource *res, void *arg)
{
	struct claims *c = arg;

	c->start = res->start;
	c->end = res->end;
	c->parent = res->parent;
	c->n++;
	return 0;
}

/* The registry's claims in [start, end], walked from iomem_resource. */
static unsigned int io_linear_claims(phys_addr_t start, phys_addr_t end,
				     struct claims *c)
{
	memset(c, 0, sizeof(*c));
	walk_iomem_res_desc(IORES_DESC_IO_LINEAR, IORESOURCE_MEM | IORESOURCE_BUSY,
			    start, end, c, count_claim);
	return c->n;
}

/*
 * A registered region is claimed in the iomem tree, as /proc/iomem shows
 * it, under the claim of the BAR's driver, exactly over the region; not
 * before it is registered, and not after it is unregistered. A device that
 * stops decoding memory cannot register, nor can a range the registry
 * holds already. Where there is no hook nothing is claimed.
 */
static void pfn_vec_bar_test_iomem(struct kunit *test)
{
	resource_size_t off = SZ_2M, len = SZ_2M;
	struct resource *bar_res;
	struct claims c;
	struct bar bar;
	int ret;

	find_bar(test, &bar);
	bar_res = pci_resource_n(bar.pdev, PFN_VEC_KUNIT_IVSHMEM_BAR);
	KUNIT_EXPECT_EQ(test, io_linear_claims(bar.phys, bar.phys + bar.size - 1, &c), 0U);
	ret = pfn_vec_region_register_bar(bar.pdev, PFN_VEC_KUNIT_IVSHMEM_BAR,
					  off, len, IO_LINEAR_WC);
	if (!pfn_vec_kunit_have_hook()) {
		KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, io_linear_claims(bar.phys, bar.phys + bar.size - 1,
						       &c), 0U);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, io_linear_claims(bar.phys, bar.phys + bar.size - 1, &c), 1U);
	KUNIT_EXPECT_EQ(test, c.start, bar.phys + off);
	KUNIT_EXPECT_EQ(test, c.end, bar.phys + off + len - 1);
	/* Under the driver's claim, the BAR's only child. */
	KUNIT_ASSERT_NOT_NULL(test, bar_res->child);
	KUNIT_EXPECT_PTR_EQ(test, c.parent, bar_res->child);
	KUNIT_EXPECT_STREQ(test, c.parent->name, "pfn_vec_kunit");
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register_bar(bar.pdev,
							  PFN_VEC_KUNIT_IVSHMEM_BAR,
							  off + len - PAGE_SIZE, len,
							  IO_LINEAR_WC), -EBUSY);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(bar.phys + off, len), 0);
	KUNIT_EXPECT_EQ(test, io_linear_claims(bar.phys, bar.phys + bar.size - 1, &c), 0U);

	decoding_off(test, bar.pdev);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_register_bar(bar.pdev,
							  PFN_VEC_KUNIT_IVSHMEM_BAR,
							  off, len, IO_LINEAR_WC), -ENXIO);
	KUNIT_EXPECT_EQ(test, io_linear_claims(bar.phys, bar.phys + bar.size - 1, &c), 0U);
}

/*
 * A region registered with devm_pfn_vec_region_register_bar() goes when
 * its device is unbound, before the driver's claim of the BAR does: the
 * accessor refuses it, and neither the region nor its claim is left.
 */
static void pfn_vec_bar_test_devm(struct kunit *test)
{
	struct kunit_resource *bound;
	struct pfn_vec_map m;
	struct pfn_vec pv;
	struct claims c;
	struct bar bar;
	int ret;

	find_bar(test, &bar);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, bar.phys, PAGE_SIZE), 0);
	ret = devm_pfn_vec_region_register_bar(bar.pdev, PFN_VEC_KUNIT_IVSHMEM_BAR,
					       0, bar.size, IO_LINEAR_WC);
	if (!pfn_vec_kunit_have_hook()) {
		KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	pfn_vec_kunmap_local(&m);

	bound = kunit_find_named_resource(test, "pfn_vec_kunit_ivshmem");
	KUNIT_ASSERT_NOT_NULL(test, bound);
	kunit_remove_resource(test, bound);
	kunit_put_resource(bound);
	KUNIT_EXPECT_NULL(test, bar.pdev->dev.driver);

	KUNIT_EXPECT_EQ(test, pfn_vec_kunit_reach(&pv), -ENXIO);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_region_unregister(bar.phys, bar.size),
			    -ENOENT, "the region outlived its device's binding");
	KUNIT_EXPECT_EQ(test, io_linear_claims(bar.phys, bar.phys + bar.size - 1, &c), 0U);
}

static struct kunit_case pfn_vec_bar_cases[] = {
	KUNIT_CASE(pfn_vec_bar_test_register),
	KUNIT_CASE(pfn_vec_bar_test_copy),
	KUNIT_CASE(pfn_vec_bar_test_bar_to_bar),
	KUNIT_CASE(pfn_vec_bar_test_refusals),
	KUNIT_CASE(pfn_vec_bar_test_iomem),
	KUNIT_CASE(pfn_vec_bar_test_devm),
	{}
};

static struct kunit_suite pfn_vec_bar_suite = {
	.name = "pfn_vec_bar",
	.test_cases = pfn_vec_bar_cases,
};

kunit_test_suite(pfn_vec_bar_suite);

MODULE_DESCRIPTION("KUnit tests for pfn_vec on a PCI BAR");
MODULE_LICENSE("GPL");
