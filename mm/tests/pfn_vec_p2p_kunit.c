// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_p2p: who provides the memory of a pfn_vec segment
 * and how a device reaches it by peer-to-peer DMA, on the guests' real
 * PCIe topology (tools/testing/pfn_vec/qemu_configs/pci_devices.py):
 * QEMU's nvme and ivshmem-plain A behind one PCIe switch, ivshmem-plain B
 * on the root bus. PCI P2PDMA's distance rules decide, on every arch, i386
 * included, where CONFIG_PCI_P2PDMA itself cannot be built.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-map-ops.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_dma.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/sizes.h>
#include <linux/string.h>

/* Each region of a case: 2 MiB at this offset in its BAR. */
#define REGION_OFFSET	SZ_2M
#define REGION_SIZE	SZ_2M

struct p2p_topology {
	struct pci_dev *nvme;		/* the client */
	struct pci_dev *a, *b;		/* behind the switch, on the root bus */
	struct resource *a_bar, *b_bar;	/* their BAR2 */
};

static void find_topology(struct kunit *test, struct p2p_topology *t)
{
	t->nvme = pfn_vec_kunit_pci_get(test, PCI_VENDOR_ID_REDHAT,
					PFN_VEC_KUNIT_NVME_DEVICE);
	KUNIT_ASSERT_NOT_NULL_MSG(test, t->nvme,
				  "no nvme device (see the project's qemu configs)");
	t->a_bar = pfn_vec_kunit_ivshmem(test, &t->a);
	KUNIT_ASSERT_NOT_NULL_MSG(test, t->a_bar, "no ivshmem-plain behind the switch");
	t->b_bar = pfn_vec_kunit_ivshmem_root(test, &t->b);
	KUNIT_ASSERT_NOT_NULL_MSG(test, t->b_bar, "no ivshmem-plain on the root bus");
	KUNIT_ASSERT_FALSE_MSG(test, pci_is_root_bus(t->a->bus),
			       "ivshmem-plain A is on a root bus");
	KUNIT_ASSERT_FALSE_MSG(test, pci_is_root_bus(t->nvme->bus),
			       "nvme is on a root bus");
}

/*
 * PCI P2PDMA's answer for the guests' devices, on every arch: A and nvme
 * are peers under one switch, two hops each from its upstream port; B is
 * reached through a host bridge that is not on P2PDMA's list; a device is
 * its own peer. (B would be reachable through the host bridge on an AMD Zen
 * CPU, which P2PDMA allows; the guests' CPUs, qemu64 and QEMU's arm64 and
 * riscv models, are not. Nothing enables ACS redirection: no IOMMU.)
 */
static void pfn_vec_p2p_test_distance(struct kunit *test)
{
	struct device *nvme, *other;
	struct p2p_topology t;

	find_topology(test, &t);
	nvme = &t.nvme->dev;

	KUNIT_EXPECT_EQ(test, pci_p2pdma_provider_map_type(t.a, nvme, false),
			PCI_P2PDMA_MAP_BUS_ADDR);
	KUNIT_EXPECT_EQ(test, pci_p2pdma_provider_map_type(t.b, nvme, false),
			PCI_P2PDMA_MAP_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, pci_p2pdma_provider_map_type(t.a, &t.a->dev, false),
			PCI_P2PDMA_MAP_BUS_ADDR);

	/* Where p2pmem is built, its distances agree. */
	if (IS_ENABLED(CONFIG_PCI_P2PDMA)) {
		KUNIT_EXPECT_EQ(test, pci_p2pdma_distance(t.a, nvme, false), 4);
		KUNIT_EXPECT_EQ(test, pci_p2pdma_distance(t.b, nvme, false), -1);
		KUNIT_EXPECT_EQ(test, pci_p2pdma_distance(t.a, &t.a->dev, false), 0);
	}

	/* A client that is not a PCI device reaches nothing. */
	other = kunit_device_register(test, "pfn_vec_p2p_client");
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	KUNIT_EXPECT_EQ(test, pci_p2pdma_provider_map_type(t.a, other, false),
			PCI_P2PDMA_MAP_NOT_SUPPORTED);
}

/* What to expect of pfn_vec_p2p_get() for a segment in a registered BAR. */
struct provider_case {
	const char *name;
	bool root;			/* B, on the root bus, rather than A */
	bool cpu;			/* the region is mapped for the CPU */
	unsigned int offset, len;	/* of the segment, in the region */
};

static const struct provider_case provider_cases[] = {
	{ "A, one page", false, false, 0, PAGE_SIZE },
	{ "A, unaligned, 3 pages", false, false, PAGE_SIZE + 100, 3 * PAGE_SIZE },
	{ "A, the whole region", false, false, 0, REGION_SIZE },
	{ "B, through the host bridge", true, false, 512, PAGE_SIZE },
	{ "A, one page", false, true, 0, PAGE_SIZE },
	{ "A, unaligned, 3 pages", false, true, PAGE_SIZE + 100, 3 * PAGE_SIZE },
	{ "A, the whole region", false, true, 0, REGION_SIZE },
	{ "B, through the host bridge", true, true, 512, PAGE_SIZE },
};

static void provider_case_desc(const struct provider_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, %s", c->name,
		 c->cpu ? "for the CPU too" : "for DMA alone");
}

KUNIT_ARRAY_PARAM(provider, provider_cases, provider_case_desc);

KUNIT_DEFINE_ACTION_WRAPPER(p2p_put_action, pfn_vec_p2p_put,
			    struct pfn_vec_p2p *);

/*
 * A region registered by BAR names its device as the provider, and the
 * segment's bus address is its offset in the BAR from the BAR's bus
 * address (the same as its physical address in QEMU's machines). The
 * region is held until pfn_vec_p2p_put(). A region offered to DMA alone
 * is registered on every arch, and the CPU cannot map it. One for the CPU
 * too is refused where there is no hook, and then nothing is found.
 */
static void pfn_vec_p2p_test_provider(struct kunit *test)
{
	const struct provider_case *c = test->param_value;
	struct pfn_vec_p2p *p2p = kunit_kzalloc(test, sizeof(*p2p), GFP_KERNEL);
	struct pci_dev *provider;
	struct p2p_topology t;
	phys_addr_t region;
	struct pfn_vec pv;
	u64 bus;

	KUNIT_ASSERT_NOT_NULL(test, p2p);
	find_topology(test, &t);
	provider = c->root ? t.b : t.a;
	region = pci_resource_start(provider, PFN_VEC_KUNIT_IVSHMEM_BAR) +
		 REGION_OFFSET;
	bus = pci_bus_address(provider, PFN_VEC_KUNIT_IVSHMEM_BAR) +
	      REGION_OFFSET + c->offset;
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, region + c->offset, c->len), 0);

	if (!c->cpu) {
		pfn_vec_kunit_register_p2p(test, provider, REGION_OFFSET,
					   REGION_SIZE);
		KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kunit_reach(&pv), -ENXIO,
				    "the CPU mapped a region offered to DMA alone");
	} else if (pfn_vec_kunit_register_bar(test, provider, REGION_OFFSET,
					      REGION_SIZE, IO_LINEAR_WC)) {
		/* No hook: refused (checked by the helper), so not found. */
		KUNIT_EXPECT_EQ(test, pfn_vec_p2p_get(&pv, &t.nvme->dev, p2p),
				-ENXIO);
		return;
	}

	KUNIT_ASSERT_EQ(test, pfn_vec_p2p_get(&pv, &t.nvme->dev, p2p), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, p2p_put_action, p2p));
	KUNIT_EXPECT_PTR_EQ(test, p2p->provider, provider);
	KUNIT_EXPECT_EQ(test, p2p->bus_addr, bus);
	KUNIT_EXPECT_EQ(test, p2p->map_type,
			c->root ? PCI_P2PDMA_MAP_NOT_SUPPORTED :
				  PCI_P2PDMA_MAP_BUS_ADDR);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(region, REGION_SIZE), 1);

	/* Asked again, for the same client: the same answer. */
	p2p->map_type = PCI_P2PDMA_MAP_UNKNOWN;
	kunit_release_action(test, p2p_put_action, p2p);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(region, REGION_SIZE), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_p2p_get(&pv, &t.nvme->dev, p2p), 0);
	KUNIT_EXPECT_EQ(test, p2p->map_type,
			c->root ? PCI_P2PDMA_MAP_NOT_SUPPORTED :
				  PCI_P2PDMA_MAP_BUS_ADDR);
	pfn_vec_p2p_put(p2p);

	/* The provider itself is a client that reaches it by bus address. */
	KUNIT_ASSERT_EQ(test, pfn_vec_p2p_get(&pv, &provider->dev, p2p), 0);
	KUNIT_EXPECT_EQ(test, p2p->map_type, PCI_P2PDMA_MAP_BUS_ADDR);
	pfn_vec_p2p_put(p2p);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(region, REGION_SIZE), 0);
}

/* pfn_vec_p2p_get() refused @pv with @err, held nothing, changed nothing. */
static void expect_refused(struct kunit *test, const struct pfn_vec *pv,
			   struct device *client, int err, phys_addr_t region,
			   const char *what)
{
	struct pfn_vec_p2p p2p, poison;

	memset(&poison, 0xa5, sizeof(poison));
	p2p = poison;
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_p2p_get(pv, client, &p2p), err, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(&p2p, &poison, sizeof(p2p)), 0,
			    "%s: changed what it was to fill in", what);
	if (region)
		KUNIT_EXPECT_EQ_MSG(test, pfn_vec_region_holders(region, REGION_SIZE),
				    0, "%s: the region is held", what);
}

/*
 * Every segment that is not in one registered region is refused, with
 * nothing held: memory with struct page (DMA-mapped as pages), malformed
 * or empty segments, memory of no region, a segment that runs past its
 * region's end. A region registered by its resource alone has no provider,
 * and no device reaches it.
 */
static void pfn_vec_p2p_test_refusals(struct kunit *test)
{
	struct page *page = pfn_vec_kunit_alloc_page(test, GFP_KERNEL);
	struct pfn_vec_p2p p2p;
	struct p2p_topology t;
	struct device *nvme;
	phys_addr_t region, ram;
	struct pfn_vec pv;

	KUNIT_ASSERT_NOT_NULL(test, page);
	find_topology(test, &t);
	nvme = &t.nvme->dev;
	region = t.a_bar->start + REGION_OFFSET;

	pfn_vec_set_page(&pv, page, PAGE_SIZE, 0);
	expect_refused(test, &pv, nvme, -EINVAL, 0, "a page");
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, region, 0), 0);
	expect_refused(test, &pv, nvme, -EINVAL, 0, "empty");
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, region, PAGE_SIZE), 0);
	pv.pv_offset = UINT_MAX - 10;
	expect_refused(test, &pv, nvme, -EINVAL, 0, "offset + length past 32 bits");
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, region, PAGE_SIZE), 0);
	expect_refused(test, &pv, nvme, -ENXIO, 0, "no region registered");

	pfn_vec_kunit_register_p2p(test, t.a, REGION_OFFSET, REGION_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, region - PAGE_SIZE,
					       2 * PAGE_SIZE), 0);
	expect_refused(test, &pv, nvme, -ENXIO, region, "starts before the region");
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, region + REGION_SIZE - 100,
					       200), 0);
	expect_refused(test, &pv, nvme, -ENXIO, region, "runs past the region's end");

	/* By resource alone: no provider. Only where there is a hook. */
	ram = pfn_vec_kunit_unmanaged(test, PAGE_SIZE, NULL);
	if (pfn_vec_kunit_register(test, ram, PAGE_SIZE, IO_LINEAR_WC))
		return;	/* refused, and checked so by the helper */
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, ram, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_p2p_get(&pv, nvme, &p2p), 0);
	KUNIT_EXPECT_NULL(test, p2p.provider);
	KUNIT_EXPECT_EQ(test, p2p.bus_addr, 0ULL);
	KUNIT_EXPECT_EQ(test, p2p.map_type, PCI_P2PDMA_MAP_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(ram, PAGE_SIZE), 1);
	pfn_vec_p2p_put(&p2p);
	KUNIT_EXPECT_EQ(test, pfn_vec_region_holders(ram, PAGE_SIZE), 0);
}

/*
 * What pfn_vec_p2p_get() holds, unregistering waits for, on another CPU;
 * meanwhile the region's memory is refused to new lookups. On a region
 * offered to DMA alone, so on every arch.
 */
static void pfn_vec_p2p_test_unregister_waits(struct kunit *test)
{
	struct pfn_vec_kunit_unregister *w =
		kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct pfn_vec_p2p *p2p = kunit_kzalloc(test, sizeof(*p2p), GFP_KERNEL);
	struct pfn_vec_p2p probe;
	struct p2p_topology t;
	struct task_struct *k;
	unsigned int waited;
	struct pfn_vec pv;
	bool waits;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, p2p);
	find_topology(test, &t);
	pfn_vec_kunit_unregister_init(w, t.a_bar->start + REGION_OFFSET,
				      REGION_SIZE);
	pfn_vec_kunit_register_p2p(test, t.a, REGION_OFFSET, REGION_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, w->phys, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_p2p_get(&pv, &t.nvme->dev, p2p), 0);

	/* Released before the thread is stopped, however the case ends. */
	k = pfn_vec_kunit_thread_run(test, pfn_vec_kunit_unregister_fn, w, 1,
				     "pfn_vec_unregister");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, p2p_put_action, p2p));

	for (waited = 0; waited < 5000; waited += 20) {
		if (pfn_vec_p2p_get(&pv, &t.nvme->dev, &probe))
			break;
		pfn_vec_p2p_put(&probe);
		msleep(20);
	}
	KUNIT_EXPECT_LT_MSG(test, waited, 5000U, "new lookups still succeed");
	msleep(50);
	waits = !completion_done(&w->done);
	kunit_release_action(test, p2p_put_action, p2p);

	KUNIT_EXPECT_TRUE_MSG(test, waits, "unregister did not wait for the holder");
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&w->done, 10 * HZ),
			      "unregister still waits after the holder let go");
	KUNIT_EXPECT_EQ(test, w->ret, 0);
	expect_refused(test, &pv, &t.nvme->dev, -ENXIO, 0, "unregistered");
}

/*
 * A region for the CPU beside one offered to DMA alone, both within the
 * memory of one page of KASAN shadow (32 KiB with 4 KiB pages): the DMA
 * region, never mapped, has no shadow and does not count as a neighbour
 * that has; the CPU region's shadow is added with it and removed with it,
 * while the DMA region stays. The CPU region is written and read back; the
 * DMA region is refused to the CPU throughout.
 */
static void pfn_vec_p2p_test_cpu_beside_dma(struct kunit *test)
{
	static const char msg[] = "beside a region offered to DMA alone";
	char buf[sizeof(msg)];
	struct p2p_topology t;
	struct bvec_iter iter;
	phys_addr_t cpu;
	struct pfn_vec pv;
	int baseline;

	pfn_vec_kunit_require_hook(test);
	find_topology(test, &t);
	cpu = t.a_bar->start + REGION_OFFSET;
	baseline = pfn_vec_kunit_shadow(cpu);
	if (pfn_vec_kunit_have_shadow())
		KUNIT_ASSERT_NE(test, baseline, -EINVAL);

	/* The DMA region first, on the CPU region's page of shadow. */
	pfn_vec_kunit_register_p2p(test, t.a, REGION_OFFSET + PAGE_SIZE,
				   PAGE_SIZE);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kunit_shadow(cpu), baseline,
			    "a region for DMA alone changed the shadow");
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register_bar(test, t.a, REGION_OFFSET,
							 PAGE_SIZE,
							 IO_LINEAR_WC), 0);
	if (pfn_vec_kunit_have_shadow())
		KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kunit_shadow(cpu), 0,
				    "the region for the CPU has no shadow");

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, cpu + 64, sizeof(msg)), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_memcpy_to(&pv, &iter, msg, sizeof(msg)), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, msg);

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, cpu + PAGE_SIZE, 8), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_iter_init(&iter, &pv, 1), 0);
	KUNIT_EXPECT_EQ(test, pfn_vec_memcpy_from(buf, &pv, &iter, 8), -ENXIO);

	/* The CPU region goes, its shadow with it; the DMA region stays. */
	KUNIT_EXPECT_EQ(test, pfn_vec_region_unregister(cpu, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_kunit_shadow(cpu), baseline,
			    "the shadow outlived the region for the CPU");
}

/*
 * Registration for DMA alone with each of its allocations failed in turn,
 * on every arch: a failure is -ENOMEM and leaves nothing behind (no region
 * allocated or found, the range free to register again), and a failure it
 * recovers from, or none, leaves a region that works.
 */
static void pfn_vec_p2p_test_fault_register(struct kunit *test)
{
	unsigned int nth, failures = 0;
	struct p2p_topology t;
	struct pfn_vec_p2p p2p;
	phys_addr_t region;
	struct pfn_vec pv;
	bool consumed;
	long live;
	int ret;

	find_topology(test, &t);
	region = t.a_bar->start + REGION_OFFSET;
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, region, PAGE_SIZE), 0);
	pfn_vec_kunit_fault_setup(test);
	live = pfn_vec_regions_live();
	for (nth = 1;; nth++) {
		KUNIT_ASSERT_LE_MSG(test, nth, 64U,
				    "registration never ran out of allocations");
		pfn_vec_kunit_fail_nth(nth);
		ret = pfn_vec_region_register_p2p(t.a, PFN_VEC_KUNIT_IVSHMEM_BAR,
						  REGION_OFFSET, REGION_SIZE);
		consumed = pfn_vec_kunit_fail_consumed();
		if (ret) {
			KUNIT_EXPECT_TRUE(test, consumed);
			KUNIT_ASSERT_EQ_MSG(test, ret, -ENOMEM,
					    "allocation %u failed", nth);
			KUNIT_EXPECT_EQ_MSG(test, pfn_vec_regions_live(), live,
					    "allocation %u failed, region kept", nth);
			expect_refused(test, &pv, &t.nvme->dev, -ENXIO, 0,
				       "after a failed registration");
			failures++;
			continue;
		}
		ret = pfn_vec_p2p_get(&pv, &t.nvme->dev, &p2p);
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "allocation %u", nth);
		if (!ret) {
			KUNIT_EXPECT_EQ(test, p2p.map_type, PCI_P2PDMA_MAP_BUS_ADDR);
			pfn_vec_p2p_put(&p2p);
		}
		KUNIT_ASSERT_EQ(test, pfn_vec_region_unregister(region, REGION_SIZE), 0);
		if (!consumed)
			break;
	}
	KUNIT_EXPECT_GT_MSG(test, failures, 0U, "no failure made registration fail");
	kunit_info(test, "%u allocations, %u failures -ENOMEM\n", nth - 1, failures);
	KUNIT_EXPECT_EQ(test, pfn_vec_regions_live(), live);
}

static struct kunit_case pfn_vec_p2p_cases[] = {
	KUNIT_CASE(pfn_vec_p2p_test_distance),
	KUNIT_CASE_PARAM(pfn_vec_p2p_test_provider, provider_gen_params),
	KUNIT_CASE(pfn_vec_p2p_test_refusals),
	KUNIT_CASE(pfn_vec_p2p_test_unregister_waits),
	KUNIT_CASE(pfn_vec_p2p_test_cpu_beside_dma),
	KUNIT_CASE(pfn_vec_p2p_test_fault_register),
	{}
};

static struct kunit_suite pfn_vec_p2p_suite = {
	.name = "pfn_vec_p2p",
	.test_cases = pfn_vec_p2p_cases,
};

kunit_test_suite(pfn_vec_p2p_suite);

MODULE_DESCRIPTION("KUnit tests for pfn_vec providers and peer-to-peer reachability");
MODULE_LICENSE("GPL");
