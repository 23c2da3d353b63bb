// SPDX-License-Identifier: GPL-2.0
/*
 * pfn_vec: vectors of memory with or without struct page.
 *
 * Construction and validation of segments, the registry of I/O regions
 * that the CPU may reach through the I/O linear map, the kmap-like local
 * accessor, and the copy helpers that the block layer bounces with. The
 * helpers walk their vectors one page at a time, holding each region once
 * for all the pages they map of it, and pick memcpy() or the _io variants
 * per page from what was mapped, so they are correct for system memory and
 * for I/O memory alike.
 */
#define pr_fmt(fmt) "pfn_vec: " fmt

#include <kunit/visibility.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kasan.h>
#include <linux/maple_tree.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/percpu-refcount.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_dma.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include <asm/tlbflush.h>

/* Chunk in which I/O memory is copied to I/O memory, through the stack. */
#define PFN_VEC_IO_BOUNCE	64

/*
 * How the CPU reaches a page frame, for the accessor, pfn_vec_set_phys() and
 * registration alike:
 * - PFN_VEC_NO_PAGE: no struct page; through a registered region, if any.
 * - PFN_VEC_KMAP: online RAM: kmap_local_page().
 * - PFN_VEC_DEVKMAP: ZONE_DEVICE memory that the kernel maps as RAM (fsdax,
 *   generic, coherent): kmap_local_page() too.
 * - PFN_VEC_IOMEM: a P2PDMA page, ZONE_DEVICE over a BAR, which
 *   memremap_pages() maps uncached at its linear address: I/O accessors.
 * - PFN_VEC_UNREACHABLE: struct page, but nothing the CPU may access:
 *   device-private memory (no kernel mapping at all), and RAM that is
 *   offline.
 *
 * The caller holds the page, as for any page it maps: that, not the
 * dev_pagemap reference taken here for a moment, keeps a ZONE_DEVICE
 * mapping in place while it is accessed.
 */
enum pfn_vec_reach {
	PFN_VEC_NO_PAGE,
	PFN_VEC_KMAP,
	PFN_VEC_DEVKMAP,
	PFN_VEC_IOMEM,
	PFN_VEC_UNREACHABLE,
};

/*
 * Never reads the struct page of a frame that is not online and not
 * ZONE_DEVICE: offline memory's may be uninitialised, or poisoned.
 */
static enum pfn_vec_reach pfn_vec_pfn_reach(unsigned long pfn)
{
	enum pfn_vec_reach reach = PFN_VEC_UNREACHABLE;
	struct dev_pagemap *pgmap;

	if (!pfn_valid(pfn))
		return PFN_VEC_NO_PAGE;
	if (pfn_to_online_page(pfn))
		return PFN_VEC_KMAP;
	pgmap = get_dev_pagemap(pfn, NULL);
	if (pgmap) {
		if (pgmap->type == MEMORY_DEVICE_PCI_P2PDMA)
			reach = PFN_VEC_IOMEM;
		else if (pgmap->type != MEMORY_DEVICE_PRIVATE)
			reach = PFN_VEC_DEVKMAP;
		put_dev_pagemap(pgmap);
	}
	return reach;
}

/*
 * Which kinds of frame does [pfn, pfn + nr) hold, as a mask of
 * BIT(enum pfn_vec_reach)? With SPARSEMEM, pfn_valid() and ZONE_DEVICE
 * change at subsection boundaries at most, so one frame per subsection
 * tells, and one per section that has no memory map at all, as most
 * sections of a large BAR have none; and no section above the highest
 * that was ever present has one, which is where BARs mostly lie.
 */
static unsigned int pfn_vec_range_reach(unsigned long pfn, unsigned long nr)
{
	unsigned int kinds = 0;
	unsigned long i;

	for (i = 0; i < nr; i++) {
#ifdef CONFIG_SPARSEMEM
		unsigned long section = pfn_to_section_nr(pfn + i);

		if (section > READ_ONCE(__highest_present_section_nr))
			return kinds | BIT(PFN_VEC_NO_PAGE);
		kinds |= BIT(pfn_vec_pfn_reach(pfn + i));
		/*
		 * On to the last frame of this subsection, or of this section
		 * if it has no memory map at all, as for most of a large BAR;
		 * i++ passes it.
		 */
		if (!present_section_nr(section))
			i += (PAGES_PER_SECTION - 1) & ~(pfn + i);
		else
			i += (PAGES_PER_SUBSECTION - 1) & ~(pfn + i);
#else
		kinds |= BIT(pfn_vec_pfn_reach(pfn + i));
#endif
	}
	return kinds;
}

/**
 * pfn_vec_set_phys - initialise a pfn_vec for a physical address range
 * @pv:		pfn_vec to initialise
 * @phys:	first byte of the range
 * @len:	length of the range in bytes
 *
 * The segment is marked PFN_DEV, without struct page, when no page frame of
 * the range has a struct page, as for a PCI BAR or RAM that the kernel does
 * not manage. A range with struct page is RAM, or ZONE_DEVICE memory that
 * the CPU can reach, marked PFN_DEV and PFN_MAP: P2PDMA pages, which the
 * accessor maps as I/O memory, or fsdax, generic and coherent device
 * memory, which it kmaps as RAM.
 *
 * Return: 0 on success, with @pv set. -EINVAL if the range wraps the
 * physical address space, ends more than %UINT_MAX bytes past the start of
 * its first page (a segment could not say where it ends: see
 * pfn_vec_valid()), or mixes frames with and without struct page; a
 * segment must be one or the other. -ENXIO if a frame has struct page that
 * the CPU cannot reach: device-private memory, or offline RAM. On error
 * @pv is unchanged.
 */
int pfn_vec_set_phys(struct pfn_vec *pv, phys_addr_t phys, unsigned int len)
{
	unsigned long pfn = PHYS_PFN(phys);
	unsigned int end, kinds;
	phys_addr_t last;
	u64 flags;

	if (check_add_overflow(phys, (phys_addr_t)(len ? len - 1 : 0), &last) ||
	    check_add_overflow((unsigned int)offset_in_page(phys), len, &end))
		return -EINVAL;

	kinds = pfn_vec_range_reach(pfn, PHYS_PFN(last) - pfn + 1);
	if ((kinds & BIT(PFN_VEC_NO_PAGE)) && kinds != BIT(PFN_VEC_NO_PAGE))
		return -EINVAL;
	if (kinds & BIT(PFN_VEC_UNREACHABLE))
		return -ENXIO;

	if (kinds == BIT(PFN_VEC_NO_PAGE))
		flags = PFN_VEC_KIND_IO;
	else if (kinds & ~BIT(PFN_VEC_KMAP))
		flags = PFN_VEC_KIND_DEVMAP;
	else
		flags = PFN_VEC_KIND_RAM;
	pv->pv_pfn = phys_to_pfn_t(phys, flags);
	pv->pv_len = len;
	pv->pv_offset = offset_in_page(phys);
	return 0;
}
EXPORT_SYMBOL_GPL(pfn_vec_set_phys);

/**
 * pfn_vec_iter_init - check a pfn_vec array and start a cursor over it
 * @iter:	the cursor to initialise
 * @pvec:	the array
 * @nr:		number of segments in @pvec
 *
 * Return: 0 on success, with @iter covering every byte of @pvec. -EINVAL if
 * a segment is malformed (see pfn_vec_valid()); -EOVERFLOW if the segments
 * add up to more than %UINT_MAX bytes, more than one cursor can count. On
 * error @iter is unchanged.
 */
int pfn_vec_iter_init(struct bvec_iter *iter, const struct pfn_vec *pvec,
		      unsigned int nr)
{
	unsigned int size = 0, i;

	for (i = 0; i < nr; i++) {
		if (!pfn_vec_valid(&pvec[i]))
			return -EINVAL;
		if (check_add_overflow(size, pvec[i].pv_len, &size))
			return -EOVERFLOW;
	}

	*iter = (struct bvec_iter) { .bi_size = size };
	return 0;
}
EXPORT_SYMBOL_GPL(pfn_vec_iter_init);

/**
 * struct pfn_vec_region - an I/O region registered with pfn_vec
 * @ref:	held by every mapping of the accessor; dead while the region
 *		is being registered or unregistered
 * @holders:	the mappings that hold @ref, counted on the CPU that took or
 *		dropped each: percpu_ref has no count to report when
 *		unregister waits too long
 * @local:	the pfn_vec_kmap_local() mappings among them, which only
 *		CONFIG_DEBUG_PFN_VEC counts: one that is live when unregister
 *		starts breaks the accessor's contract
 * @released:	completed when the last reference is dropped after @ref
 *		was killed
 * @dying:	being unregistered; under pfn_vec_regions_mutex
 * @cpu:	mapped into the linear map, for the CPU; false for a region
 *		offered to other devices' DMA alone
 * @claim:	the region's range, and its claim in the iomem tree, under its
 *		owner's
 * @provider:	the PCI device whose BAR holds the region, referenced; %NULL
 *		for a region registered by its resource alone
 * @bus_start:	the PCI bus address of the region's first byte, at which
 *		@provider's peers reach it
 * @map_types:	how each client device reaches @provider, by the client's
 *		PCI domain, bus and devfn, as pci_p2pdma_provider_map_type()
 *		answered the first time it was asked
 */
struct pfn_vec_region {
	struct percpu_ref	ref;
	long __percpu		*holders;
	atomic_long_t		local;
	struct completion	released;
	bool			dying;
	bool			cpu;
	struct resource		claim;
	struct pci_dev		*provider;
	u64			bus_start;
	struct xarray		map_types;
};

/*
 * With CONFIG_DEBUG_PFN_VEC, report a caller that broke the accessor's
 * contract, and count it for the KUnit suite that plants such callers.
 */
static atomic_long_t pfn_vec_debug_reports;

static void pfn_vec_debug_report(const char *what, phys_addr_t phys)
{
	if (!IS_ENABLED(CONFIG_DEBUG_PFN_VEC))
		return;
	atomic_long_inc(&pfn_vec_debug_reports);
	pr_err_ratelimited("contract broken: %s [mem %pa]\n", what, &phys);
}

#if IS_ENABLED(CONFIG_KUNIT) && IS_ENABLED(CONFIG_DEBUG_PFN_VEC)
/**
 * pfn_vec_debug_caught - count the contract breaks CONFIG_DEBUG_PFN_VEC saw
 *
 * For the KUnit suite that plants them.
 *
 * Return: the breaks reported since boot.
 */
long pfn_vec_debug_caught(void)
{
	return atomic_long_read(&pfn_vec_debug_reports);
}
EXPORT_SYMBOL_IF_KUNIT(pfn_vec_debug_caught);
#endif

/*
 * Regions by page frame. Lookups run under RCU; a region found there is
 * usable only once percpu_ref_tryget_live_rcu() succeeds on it, and is freed
 * only an RCU grace period after it left the tree. A region stays in the
 * tree while it is unregistered, so that its range is refused until it is
 * unmapped. Changes are serialised by pfn_vec_regions_mutex, which covers
 * the arch mapping too; waiting for a region's holders is not.
 */
static struct maple_tree pfn_vec_regions =
	MTREE_INIT(pfn_vec_regions, MT_FLAGS_USE_RCU);
static DEFINE_MUTEX(pfn_vec_regions_mutex);

/* Woken when a region that was being unregistered has left the tree. */
static DECLARE_WAIT_QUEUE_HEAD(pfn_vec_regions_gone);

/* How long unregister waits for holders before it warns, and warns again. */
#define PFN_VEC_UNREGISTER_WARN_SECS	10

/* Regions allocated and not yet freed, with their percpu data. */
static atomic_long_t pfn_vec_regions_allocated;

static void pfn_vec_region_release(struct percpu_ref *ref)
{
	struct pfn_vec_region *region =
		container_of(ref, struct pfn_vec_region, ref);

	complete(&region->released);
}

static struct pfn_vec_region *pfn_vec_region_alloc(phys_addr_t phys,
						   size_t size,
						   struct pci_dev *provider,
						   u64 bus_start)
{
	struct pfn_vec_region *region = kzalloc(sizeof(*region), GFP_KERNEL);

	if (!region)
		return NULL;
	region->holders = alloc_percpu(long);
	if (!region->holders) {
		kfree(region);
		return NULL;
	}
	init_completion(&region->released);
	region->claim = DEFINE_RES_NAMED(phys, size, "pfn_vec",
					 IORESOURCE_MEM | IORESOURCE_BUSY);
	region->claim.desc = IORES_DESC_IO_LINEAR;
	/* Dead until registered: lookups cannot take it before then. */
	if (percpu_ref_init(&region->ref, pfn_vec_region_release,
			    PERCPU_REF_INIT_DEAD, GFP_KERNEL)) {
		free_percpu(region->holders);
		kfree(region);
		return NULL;
	}
	xa_init_flags(&region->map_types, XA_FLAGS_LOCK_IRQ);
	region->provider = pci_dev_get(provider);
	region->bus_start = bus_start;
	atomic_long_inc(&pfn_vec_regions_allocated);
	return region;
}

static void pfn_vec_region_free(struct pfn_vec_region *region)
{
	xa_destroy(&region->map_types);
	pci_dev_put(region->provider);
	percpu_ref_exit(&region->ref);
	free_percpu(region->holders);
	kfree(region);
	atomic_long_dec(&pfn_vec_regions_allocated);
}

/* The mappings that hold @region now; exact only once none are changing. */
static long pfn_vec_region_count_holders(struct pfn_vec_region *region)
{
	long n = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		/* Racing with mappings taken and dropped: a snapshot. */
		n += data_race(*per_cpu_ptr(region->holders, cpu));
	}
	return n;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * pfn_vec_regions_live - count the regions that are allocated
 *
 * For the KUnit suite, which checks that every region, registered or
 * refused, is freed with its percpu data.
 *
 * Return: the regions allocated and not yet freed.
 */
long pfn_vec_regions_live(void)
{
	return atomic_long_read(&pfn_vec_regions_allocated);
}
EXPORT_SYMBOL_IF_KUNIT(pfn_vec_regions_live);
#endif

#if defined(CONFIG_KASAN_GENERIC) || defined(CONFIG_KASAN_SW_TAGS)
/* The memory that one page of KASAN shadow describes. */
#define PFN_VEC_SHADOW_SPAN	(PAGE_SIZE << KASAN_SHADOW_SCALE_SHIFT)

/* Does a region that the CPU maps hold any page of [first, last]? */
static bool pfn_vec_regions_hold(phys_addr_t first, phys_addr_t last)
{
	struct pfn_vec_region *region;
	unsigned long index = PHYS_PFN(first);

	lockdep_assert_held(&pfn_vec_regions_mutex);
	mt_for_each(&pfn_vec_regions, region, index, PHYS_PFN(last)) {
		if (region->cpu)
			return true;
	}
	return false;
}

/*
 * The linear addresses [*start, *end) whose KASAN shadow belongs to the
 * region [phys, phys + size): those of the shadow pages that its own
 * addresses fall in, less the first or the last where another region holds
 * part of it. Only regions can share a shadow page with a region: a shadow
 * page covers PFN_VEC_SHADOW_SPAN bytes, within one SPARSEMEM subsection,
 * and a region's subsections have no struct page, so no RAM of the kernel's
 * or memory hotplug's, which have shadow of their own, is in them.
 */
static bool pfn_vec_shadow_range(phys_addr_t phys, size_t size,
				 unsigned long *start, unsigned long *end)
{
	unsigned long va = (unsigned long)__va(phys);
	unsigned long first = ALIGN_DOWN(va, PFN_VEC_SHADOW_SPAN);
	unsigned long last = ALIGN(va + size, PFN_VEC_SHADOW_SPAN);

	if (first < va && pfn_vec_regions_hold(phys - (va - first), phys - 1))
		first += PFN_VEC_SHADOW_SPAN;
	if (va + size < last &&
	    pfn_vec_regions_hold(phys + size, phys + size + (last - va - size) - 1))
		last -= PFN_VEC_SHADOW_SPAN;
	*start = first;
	*end = last;
	return first < last;
}

/*
 * KASAN has shadow for the parts of the linear map that hold memory, not
 * for the holes that regions are mapped in; an instrumented access to a
 * region would fault on its shadow (x86's memset_io() is memset(), which
 * compilers that instrument memory intrinsics check). Map the early zero
 * shadow there, as memremap_pages() does for ZONE_DEVICE: every byte
 * valid, nothing tracked. Under mem_hotplug_begin(), which serialises it
 * with memory hotplug and memremap_pages(), as the shadow's page tables can
 * be shared with theirs. Called with pfn_vec_regions_mutex held.
 * Return: 0 or -ENOMEM.
 */
static int pfn_vec_shadow_add(phys_addr_t phys, size_t size)
{
	unsigned long start, end;
	int ret;

	if (!pfn_vec_shadow_range(phys, size, &start, &end))
		return 0;
	mem_hotplug_begin();
	ret = kasan_add_zero_shadow((void *)start, end - start);
	mem_hotplug_done();
	return ret;
}

/*
 * Undo pfn_vec_shadow_add(), once nothing accesses the region any more.
 * kasan_remove_zero_shadow() clears the shadow's entries and leaves the TLB
 * to its caller: flush it, so that the shadow is gone when this returns,
 * not only once the CPUs happen to drop what they cached of it.
 */
static void pfn_vec_shadow_remove(phys_addr_t phys, size_t size)
{
	unsigned long start, end;

	if (!pfn_vec_shadow_range(phys, size, &start, &end))
		return;
	mem_hotplug_begin();
	kasan_remove_zero_shadow((void *)start, end - start);
	flush_tlb_kernel_range((unsigned long)kasan_mem_to_shadow((void *)start),
			       (unsigned long)kasan_mem_to_shadow((void *)end));
	mem_hotplug_done();
}
#else
/* Without shadow, nothing to do: not even mem_hotplug_begin(). */
static int pfn_vec_shadow_add(phys_addr_t phys, size_t size)
{
	return 0;
}

static void pfn_vec_shadow_remove(phys_addr_t phys, size_t size)
{
}
#endif /* CONFIG_KASAN_GENERIC || CONFIG_KASAN_SW_TAGS */

/*
 * Is [@phys, @phys + @size) memory that the kernel maps by its physical
 * address on its own: System RAM, or anything with struct page?
 */
static bool pfn_vec_range_unmapped(phys_addr_t phys, size_t size)
{
	return pfn_vec_range_reach(PHYS_PFN(phys), size >> PAGE_SHIFT) ==
	       BIT(PFN_VEC_NO_PAGE) &&
	       region_intersects(phys, size, IORESOURCE_SYSTEM_RAM,
				 IORES_DESC_NONE) == REGION_DISJOINT;
}

/*
 * Does @owner hold [first, last] as a claim: a busy memory resource in the
 * iomem tree, where it stays while its holder keeps it claimed?
 */
static bool pfn_vec_owns(const struct resource *owner, phys_addr_t first,
			 phys_addr_t last)
{
	const struct resource *p;

	if (!owner || resource_type(owner) != IORESOURCE_MEM ||
	    !(owner->flags & IORESOURCE_BUSY) ||
	    first < owner->start || last > owner->end)
		return false;
	for (p = owner; p->parent; p = p->parent)
		;
	return p == &iomem_resource;
}

/* Map a region for the CPU: its KASAN shadow first, as it is accessed then. */
static int pfn_vec_region_map(phys_addr_t phys, size_t size,
			      enum io_linear_type type)
{
	int ret = pfn_vec_shadow_add(phys, size);

	if (ret)
		return ret;
	ret = io_linear_map(phys, size, type);
	if (ret)
		pfn_vec_shadow_remove(phys, size);
	return ret;
}

/*
 * pfn_vec_region_register(), for part of @provider's BAR if @provider is
 * not NULL, which its peers reach at bus address @bus_start; mapped for
 * the CPU with @type if @cpu, and not mapped at all otherwise.
 */
static int __pfn_vec_region_register(struct resource *owner, phys_addr_t phys,
				     size_t size, enum io_linear_type type,
				     bool cpu, struct pci_dev *provider,
				     u64 bus_start)
{
	struct pfn_vec_region *region;
	phys_addr_t last;
	int ret;

	might_sleep();
	if (cpu && !arch_io_linear_supported())
		return -EOPNOTSUPP;
	if (!size || !PAGE_ALIGNED(phys) || !PAGE_ALIGNED(size) ||
	    check_add_overflow(phys, (phys_addr_t)size - 1, &last) ||
	    (cpu && type != IO_LINEAR_WC && type != IO_LINEAR_UC))
		return -EINVAL;
	if (!pfn_vec_range_unmapped(phys, size))
		return -EBUSY;
	if (!pfn_vec_owns(owner, phys, last))
		return -EINVAL;
	if (cpu && !io_linear_mappable(phys, size))
		return -ERANGE;

	region = pfn_vec_region_alloc(phys, size, provider, bus_start);
	if (!region)
		return -ENOMEM;
	region->cpu = cpu;

	mutex_lock(&pfn_vec_regions_mutex);
	ret = mtree_insert_range(&pfn_vec_regions, PHYS_PFN(phys),
				 PHYS_PFN(last), region, GFP_KERNEL);
	if (ret) {
		mutex_unlock(&pfn_vec_regions_mutex);
		ret = ret == -EEXIST ? -EBUSY : ret;
		goto free;
	}
	/*
	 * Claimed before it is mapped, and unmapped before it is released.
	 * Checked again and claimed under the memory hotplug lock, under
	 * which memremap_pages() and memory hot-add look for claims before
	 * they map a range: whichever comes second sees the other.
	 */
	mem_hotplug_begin();
	ret = pfn_vec_range_unmapped(phys, size) ?
	      request_resource(owner, &region->claim) : -EBUSY;
	mem_hotplug_done();
	if (ret)
		goto erase;
	if (cpu) {
		ret = pfn_vec_region_map(phys, size, type);
		if (ret)
			goto release;
	}
	percpu_ref_resurrect(&region->ref);
	mutex_unlock(&pfn_vec_regions_mutex);
	return 0;

release:
	release_resource(&region->claim);
erase:
	mtree_erase(&pfn_vec_regions, PHYS_PFN(phys));
	mutex_unlock(&pfn_vec_regions_mutex);
	/* Readers may still hold the pointer from the tree, never a reference. */
	synchronize_rcu();
free:
	pfn_vec_region_free(region);
	return ret;
}

/**
 * pfn_vec_region_register - let the CPU reach part of an I/O range it owns
 * @owner:	the caller's claim of the range, a busy memory resource, as
 *		request_mem_region() makes
 * @phys:	first byte of the region, page aligned, inside @owner
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type to map it with
 *
 * For owners of I/O memory that are not PCI devices; the driver of a PCI
 * device registers a range of its BAR with pfn_vec_region_register_bar().
 * Maps the region into the kernel's linear map (see <linux/io_linear_map.h>),
 * after which pfn_vec_kmap_local() and the copy helpers reach its PFN_DEV
 * frames. The region is claimed as a busy resource named "pfn_vec", with
 * descriptor %IORES_DESC_IO_LINEAR, under @owner, where /proc/iomem shows it
 * until it is unregistered. The caller keeps @owner claimed, and the memory
 * behind it, until it has unregistered the region.
 *
 * With KASAN (generic or software tags), the region's linear addresses get
 * the early zero shadow, as memremap_pages() gives ZONE_DEVICE memory: KASAN
 * has shadow only where the kernel manages memory, and a region lies in a
 * hole of the linear map. It is mapped before the region and removed after
 * it, in whole shadow pages, each shared with any region next to it.
 *
 * Context: may sleep.
 * Return: 0 on success. -EOPNOTSUPP if the architecture has no I/O linear
 * map, or this machine cannot keep its contract (riscv without Svpbmt);
 * -EINVAL if @size is zero, @phys or @size is not page aligned, the
 * range wraps, @type is unknown, or @owner is not a busy memory resource
 * that holds the range; -EBUSY if the range intersects System RAM, has
 * struct page (such as ZONE_DEVICE or hot-added memory), overlaps a
 * registered region, one being unregistered or another claim under
 * @owner, or is mapped, or memory-type tracked, otherwise; -ERANGE if it
 * lies outside what the linear map can hold; -ENOMEM if memory ran out,
 * for the region, the registry, the KASAN shadow or the arch's mapping. On
 * error nothing is registered, claimed or mapped, and nothing allocated is
 * kept.
 */
int pfn_vec_region_register(struct resource *owner, phys_addr_t phys,
			    size_t size, enum io_linear_type type)
{
	return __pfn_vec_region_register(owner, phys, size, type, true, NULL, 0);
}
EXPORT_SYMBOL_GPL(pfn_vec_region_register);

/*
 * The region registered at exactly @phys and @size, or NULL. Under
 * pfn_vec_regions_mutex or RCU.
 */
static struct pfn_vec_region *pfn_vec_region_find(phys_addr_t phys,
						  size_t size)
{
	struct pfn_vec_region *region = mtree_load(&pfn_vec_regions,
						   PHYS_PFN(phys));

	if (!region || region->claim.start != phys ||
	    resource_size(&region->claim) != size)
		return NULL;
	return region;
}

/* Is the region registered at exactly @phys and @size being unregistered? */
static bool pfn_vec_region_dying(phys_addr_t phys, size_t size)
{
	struct pfn_vec_region *region;
	bool dying;

	rcu_read_lock();
	region = pfn_vec_region_find(phys, size);
	dying = region && READ_ONCE(region->dying);
	rcu_read_unlock();
	return dying;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * pfn_vec_region_holders - count the mappings that hold a region
 * @phys:	first byte of the region, as registered
 * @size:	size of the region, as registered
 *
 * For the KUnit suite: the count that unregister reports when it has
 * waited too long.
 *
 * Return: the mappings that hold the region, or -ENOENT if no region is
 * registered with exactly this @phys and @size.
 */
long pfn_vec_region_holders(phys_addr_t phys, size_t size)
{
	struct pfn_vec_region *region;
	long n = -ENOENT;

	rcu_read_lock();
	region = pfn_vec_region_find(phys, size);
	if (region)
		n = pfn_vec_region_count_holders(region);
	rcu_read_unlock();
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pfn_vec_region_holders);
#endif

/**
 * pfn_vec_region_unregister - withdraw a region from pfn_vec
 * @phys:	first byte of the region, as registered
 * @size:	size of the region, as registered
 *
 * Iterators, bios and peers' DMA that look the region up fail with -ENXIO
 * from the moment this is called; it then waits for those that hold it to
 * release it, so a walk under way finishes what it maps of the region. The
 * region is then unmapped, with its page tables freed, its KASAN shadow,
 * if any, removed, and its claim released. pfn_vec_kmap_local() mappings
 * hold nothing: the caller has released them all before it unregisters,
 * as the accessor's contract says, and CONFIG_DEBUG_PFN_VEC reports one
 * that is live.
 *
 * The wait does not hold up the registry: other regions are registered and
 * unregistered meanwhile, by a holder of this one too, while the range of
 * this one is refused with -EBUSY until it is unmapped. A wait that lasts
 * longer than %PFN_VEC_UNREGISTER_WARN_SECS seconds is reported, and again
 * at that interval, as a mapping has leaked or its holder is stuck.
 *
 * Context: may sleep.
 * Return: 0 on success, with the region unmapped and its claim released;
 * -ENOENT if no region was registered with exactly this @phys and @size,
 * as when it was unregistered already. If it is being unregistered, this
 * waits until it is gone, unmapped and unclaimed, and returns -ENOENT.
 */
int pfn_vec_region_unregister(phys_addr_t phys, size_t size)
{
	struct pfn_vec_region *region;
	unsigned int waited = 0;

	might_sleep();
	mutex_lock(&pfn_vec_regions_mutex);
	region = pfn_vec_region_find(phys, size);
	if (!region) {
		mutex_unlock(&pfn_vec_regions_mutex);
		return -ENOENT;
	}
	if (region->dying) {
		mutex_unlock(&pfn_vec_regions_mutex);
		/* Gone, unmapped and unclaimed, when this returns. */
		wait_event(pfn_vec_regions_gone,
			   !pfn_vec_region_dying(phys, size));
		return -ENOENT;
	}
	WRITE_ONCE(region->dying, true);
	percpu_ref_kill(&region->ref);
	mutex_unlock(&pfn_vec_regions_mutex);
	/* Without the debug option, such a mapping would outlive the region. */
	if (atomic_long_read(&region->local))
		pfn_vec_debug_report("unregistering a region mapped by pfn_vec_kmap_local()",
				     phys);

	while (!wait_for_completion_timeout(&region->released,
					    PFN_VEC_UNREGISTER_WARN_SECS * HZ)) {
		waited += PFN_VEC_UNREGISTER_WARN_SECS;
		pr_warn("unregistering [mem %pa size %#zx]: %ld mappings still held after %us\n",
			&phys, size, pfn_vec_region_count_holders(region),
			waited);
	}

	mutex_lock(&pfn_vec_regions_mutex);
	if (region->cpu) {
		io_linear_unmap(phys, size);
		pfn_vec_shadow_remove(phys, size);
	}
	release_resource(&region->claim);
	mtree_erase(&pfn_vec_regions, PHYS_PFN(phys));
	mutex_unlock(&pfn_vec_regions_mutex);
	wake_up_all(&pfn_vec_regions_gone);

	/* Lookups that found the region in the tree are done with it. */
	synchronize_rcu();
	pfn_vec_region_free(region);
	return 0;
}
EXPORT_SYMBOL_GPL(pfn_vec_region_unregister);

#ifdef CONFIG_PCI
/* pfn_vec_region_register_bar(), mapped for the CPU only if @cpu. */
static int __pfn_vec_region_register_bar(struct pci_dev *pdev, int bar,
					 resource_size_t offset, size_t size,
					 enum io_linear_type type, bool cpu)
{
	struct resource *res, *claim;
	u16 cmd;

	might_sleep();
	if (bar < 0 || bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	res = pci_resource_n(pdev, bar);
	if (resource_type(res) != IORESOURCE_MEM || !resource_size(res) ||
	    offset >= resource_size(res) || size > resource_size(res) - offset ||
	    (cpu && type == IO_LINEAR_WC && !(res->flags & IORESOURCE_PREFETCH)))
		return -EINVAL;
	if (!pdev->dev.driver || pci_dev_is_disconnected(pdev))
		return -ENODEV;
	if (pci_read_config_word(pdev, PCI_COMMAND, &cmd) || PCI_POSSIBLE_ERROR(cmd))
		return -ENODEV;
	/* A VF decodes memory as its PF's SR-IOV control says. */
	if (!pdev->no_command_memory && !(cmd & PCI_COMMAND_MEMORY))
		return -ENXIO;
	/* pci_request_region() claims the whole BAR, under the BAR. */
	claim = lookup_resource(res, res->start);
	if (!claim || claim->end != res->end)
		return -EINVAL;
	return __pfn_vec_region_register(claim, res->start + offset, size, type,
					 cpu, pdev,
					 pci_bus_address(pdev, bar) + offset);
}

/**
 * pfn_vec_region_register_bar - let the CPU reach part of a PCI BAR
 * @pdev:	the device, bound to the caller's driver
 * @bar:	the BAR, a memory BAR
 * @offset:	offset of the region in the BAR, page aligned
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type to map it with: %IO_LINEAR_WC only if the BAR is
 *		prefetchable, as reads may be speculated
 *
 * As pfn_vec_region_register(), with the driver's claim of the whole BAR as
 * the owner. The region holds a reference to @pdev, as the provider of its
 * memory to other devices' DMA (pfn_vec_p2p_get()), until it is
 * unregistered. Before it registers, the driver claims the BAR, with
 * pci_request_region() or pcim_request_region(), and enables the device's
 * memory space, with pci_enable_device_mem() or pcim_enable_device(); it
 * unregisters the region before it gives up either, on unbind and on
 * surprise removal alike (devm_pfn_vec_region_register_bar() does that in
 * time when both were devres-managed first).
 *
 * Context: may sleep; in the driver's probe or while it is bound.
 * Return: as pfn_vec_region_register(); -EINVAL also if @bar is not a
 * memory BAR, the range is not inside it, the driver has not claimed it,
 * or @type is %IO_LINEAR_WC and the BAR is not prefetchable; -ENODEV if
 * @pdev is not bound to a driver or is disconnected; -ENXIO if it does not
 * decode memory (PCI_COMMAND_MEMORY is clear), where every read of the BAR
 * would give all-ones and every write would be lost.
 */
int pfn_vec_region_register_bar(struct pci_dev *pdev, int bar,
				resource_size_t offset, size_t size,
				enum io_linear_type type)
{
	return __pfn_vec_region_register_bar(pdev, bar, offset, size, type,
					     true);
}
EXPORT_SYMBOL_GPL(pfn_vec_region_register_bar);

/**
 * pfn_vec_region_register_p2p - offer part of a PCI BAR to peers' DMA alone
 * @pdev:	the device, bound to the caller's driver
 * @bar:	the BAR, a memory BAR
 * @offset:	offset of the region in the BAR, page aligned
 * @size:	size of the region in bytes, page aligned
 *
 * As pfn_vec_region_register_bar(), but the region is not mapped for the
 * CPU, on any architecture, the ones without the I/O linear map hook
 * included: other devices reach it by DMA (pfn_vec_p2p_get()), and the
 * accessor, the copy helpers and the block layer's bounce refuse it with
 * -ENXIO, as memory of no region. Unregistered, by the same rules, with
 * pfn_vec_region_unregister().
 *
 * Context: may sleep; in the driver's probe or while it is bound.
 * Return: as pfn_vec_region_register_bar(), never -EOPNOTSUPP or -ERANGE.
 */
int pfn_vec_region_register_p2p(struct pci_dev *pdev, int bar,
				resource_size_t offset, size_t size)
{
	return __pfn_vec_region_register_bar(pdev, bar, offset, size,
					     IO_LINEAR_UC, false);
}
EXPORT_SYMBOL_GPL(pfn_vec_region_register_p2p);

struct pfn_vec_devres {
	phys_addr_t	phys;
	size_t		size;
};

static void pfn_vec_devres_release(struct device *dev, void *res)
{
	struct pfn_vec_devres *dr = res;

	WARN_ON_ONCE(pfn_vec_region_unregister(dr->phys, dr->size));
}

static int __devm_pfn_vec_region_register_bar(struct pci_dev *pdev, int bar,
					      resource_size_t offset,
					      size_t size,
					      enum io_linear_type type,
					      bool cpu)
{
	struct pfn_vec_devres *dr;
	int ret;

	dr = devres_alloc(pfn_vec_devres_release, sizeof(*dr), GFP_KERNEL);
	if (!dr)
		return -ENOMEM;
	ret = __pfn_vec_region_register_bar(pdev, bar, offset, size, type, cpu);
	if (ret) {
		devres_free(dr);
		return ret;
	}
	dr->phys = pci_resource_start(pdev, bar) + offset;
	dr->size = size;
	devres_add(&pdev->dev, dr);
	return 0;
}

/**
 * devm_pfn_vec_region_register_bar - pfn_vec_region_register_bar(), managed
 * @pdev:	the device, bound to the caller's driver
 * @bar:	the BAR
 * @offset:	offset of the region in the BAR, page aligned
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type to map it with
 *
 * As pfn_vec_region_register_bar(), but the region is unregistered when
 * @pdev is unbound from its driver, before any devres action that was
 * added before this call, such as the release of a claim that
 * pcim_request_region() made; it must not be unregistered by hand.
 *
 * Context: may sleep; in the driver's probe or while it is bound.
 * Return: as for pfn_vec_region_register_bar().
 */
int devm_pfn_vec_region_register_bar(struct pci_dev *pdev, int bar,
				     resource_size_t offset, size_t size,
				     enum io_linear_type type)
{
	return __devm_pfn_vec_region_register_bar(pdev, bar, offset, size,
						  type, true);
}
EXPORT_SYMBOL_GPL(devm_pfn_vec_region_register_bar);

/**
 * devm_pfn_vec_region_register_p2p - pfn_vec_region_register_p2p(), managed
 * @pdev:	the device, bound to the caller's driver
 * @bar:	the BAR
 * @offset:	offset of the region in the BAR, page aligned
 * @size:	size of the region in bytes, page aligned
 *
 * As pfn_vec_region_register_p2p(), unregistered when @pdev is unbound as
 * for devm_pfn_vec_region_register_bar(): after the DMA that holds it.
 *
 * Context: may sleep; in the driver's probe or while it is bound.
 * Return: as for pfn_vec_region_register_p2p().
 */
int devm_pfn_vec_region_register_p2p(struct pci_dev *pdev, int bar,
				     resource_size_t offset, size_t size)
{
	return __devm_pfn_vec_region_register_bar(pdev, bar, offset, size,
						  IO_LINEAR_UC, false);
}
EXPORT_SYMBOL_GPL(devm_pfn_vec_region_register_p2p);
#endif /* CONFIG_PCI */

/* The live region holding @pfn, with a reference; NULL if none. */
static struct pfn_vec_region *pfn_vec_region_get(unsigned long pfn)
{
	struct pfn_vec_region *region;

	rcu_read_lock();
	region = mtree_load(&pfn_vec_regions, pfn);
	if (region && !percpu_ref_tryget_live_rcu(&region->ref))
		region = NULL;
	rcu_read_unlock();
	if (region)
		this_cpu_inc(*region->holders);
	return region;
}

static bool pfn_vec_region_holds(const struct pfn_vec_region *region,
				 unsigned long pfn)
{
	return pfn - PHYS_PFN(region->claim.start) <
	       PHYS_PFN(resource_size(&region->claim));
}

static void pfn_vec_region_put(struct pfn_vec_region *region)
{
	if (region) {
		this_cpu_dec(*region->holders);
		percpu_ref_put(&region->ref);
	}
}

/*
 * How @client reaches @region's provider: asked of PCI P2PDMA once per
 * client, with a warning if it cannot, and kept for the region's life.
 * In any context: the cache's lock is taken with interrupts off.
 */
static enum pci_p2pdma_map_type
pfn_vec_region_map_type(struct pfn_vec_region *region, struct device *client)
{
	enum pci_p2pdma_map_type type;
	struct pci_dev *pclient;
	unsigned long idx, flags;
	void *entry;

	if (!region->provider || !dev_is_pci(client))
		return PCI_P2PDMA_MAP_NOT_SUPPORTED;
	pclient = to_pci_dev(client);
	idx = (unsigned long)pci_domain_nr(pclient->bus) << 16 |
	      pci_dev_id(pclient);
	entry = xa_load(&region->map_types, idx);
	if (entry)
		return xa_to_value(entry);
	type = pci_p2pdma_provider_map_type(region->provider, client, true);
	/* If it cannot be kept, it is asked again next time. */
	xa_lock_irqsave(&region->map_types, flags);
	__xa_store(&region->map_types, idx, xa_mk_value(type), GFP_ATOMIC);
	xa_unlock_irqrestore(&region->map_types, flags);
	return type;
}

/**
 * pfn_vec_p2p_get - how a device reaches a segment by peer-to-peer DMA
 * @pv:		the segment, of memory without struct page
 * @client:	the device that is to DMA to or from the segment
 * @p2p:	receives the segment's provider, its bus address and how
 *		@client reaches it
 *
 * For a DMA mapping of a segment without struct page. The segment must lie
 * in one registered region, which this holds until pfn_vec_p2p_put(), as
 * pfn_vec_kmap_local() holds it: unregistering the region waits until then.
 * A region registered with pfn_vec_region_register_bar() has its device as
 * the provider; one registered by its resource alone has none, and no
 * device reaches it (%PCI_P2PDMA_MAP_NOT_SUPPORTED).
 *
 * Whether @client reaches the provider is decided by PCI P2PDMA's rules
 * (pci_p2pdma_provider_map_type()), the first time for each client and
 * region, which warns if it cannot; the answer is kept until the region is
 * unregistered. Only for %PCI_P2PDMA_MAP_BUS_ADDR is @p2p->bus_addr what
 * @client is given; for %PCI_P2PDMA_MAP_THRU_HOST_BRIDGE the segment's
 * physical address is mapped with dma_map_resource(). Whatever the answer,
 * the region is held, and @p2p->provider valid, until pfn_vec_p2p_put().
 *
 * Context: any context.
 * Return: 0 on success, with the region held. -EINVAL if @pv is malformed,
 * empty or of memory with struct page, which is DMA-mapped as pages;
 * -ENXIO if no registered region holds all of it, or the one that does is
 * being unregistered. On error nothing is held and @p2p is unchanged.
 */
int pfn_vec_p2p_get(const struct pfn_vec *pv, struct device *client,
		    struct pfn_vec_p2p *p2p)
{
	struct pfn_vec_region *region;
	phys_addr_t phys;

	if (!pv->pv_len || pfn_vec_has_page(pv) || !pfn_vec_valid(pv))
		return -EINVAL;
	phys = pfn_vec_phys(pv);
	region = pfn_vec_region_get(PHYS_PFN(phys));
	if (!region)
		return -ENXIO;
	if (!pfn_vec_region_holds(region, PHYS_PFN(phys + pv->pv_len - 1))) {
		pfn_vec_region_put(region);
		return -ENXIO;
	}
	p2p->region = region;
	p2p->provider = region->provider;
	p2p->bus_addr = region->provider ?
			region->bus_start + (phys - region->claim.start) : 0;
	p2p->map_type = pfn_vec_region_map_type(region, client);
	return 0;
}
EXPORT_SYMBOL_GPL(pfn_vec_p2p_get);

/**
 * pfn_vec_dma_pages - may a segment with struct page be DMA-mapped as pages?
 * @pv: the segment
 *
 * Only if it is well formed and every page frame of it is online RAM, or
 * ZONE_DEVICE memory that the kernel maps as RAM (fsdax, generic, coherent):
 * what dma_map_page_attrs() takes. Not a segment whose flags say it has no
 * struct page, P2PDMA pages, which keep the rules of pci_p2pdma
 * (pfn_vec_p2pdma_page()), device-private memory, nor RAM that is offline: for
 * those a DMA mapping of their struct page would be wrong, or read a struct
 * page that is not there. Walks the segment as pfn_vec_set_phys() does.
 *
 * Context: any context.
 * Return: true if it may.
 */
bool pfn_vec_dma_pages(const struct pfn_vec *pv)
{
	unsigned long pfn = pfn_t_to_pfn(pv->pv_pfn);
	unsigned int kinds;

	if (!pv->pv_len || !pfn_vec_has_page(pv) || !pfn_vec_valid(pv))
		return false;
	pfn += pv->pv_offset >> PAGE_SHIFT;
	kinds = pfn_vec_range_reach(pfn, PFN_UP(offset_in_page(pv->pv_offset) +
						pv->pv_len));
	return !(kinds & ~(BIT(PFN_VEC_KMAP) | BIT(PFN_VEC_DEVKMAP)));
}
EXPORT_SYMBOL_GPL(pfn_vec_dma_pages);

/**
 * pfn_vec_p2pdma_page - the first P2PDMA page of a segment of them
 * @pv: the segment
 *
 * For a DMA mapping of P2PDMA pages, which keep the rules of pci_p2pdma
 * (pci_p2pdma_state()): is @pv well formed, and every page frame of it a
 * P2PDMA page of one dev_pagemap? Asks of the first frame, as
 * pfn_vec_dma_pages() asks of each, never reading a struct page that is not
 * there, and whether that dev_pagemap, whose reference it holds meanwhile,
 * covers the last: a P2PDMA dev_pagemap has one range, so the frames between
 * are its too. The caller holds the pages, as the owner of a bio does.
 *
 * Context: any context.
 * Return: the page of @pv's first byte if so, else NULL.
 */
struct page *pfn_vec_p2pdma_page(const struct pfn_vec *pv)
{
	unsigned long pfn = pfn_t_to_pfn(pv->pv_pfn);
	unsigned long first, last;
	struct dev_pagemap *pgmap;
	bool covers;

	if (!IS_ENABLED(CONFIG_PCI_P2PDMA) || !pv->pv_len ||
	    !pfn_vec_has_page(pv) || !pfn_vec_valid(pv))
		return NULL;
	first = pfn + (pv->pv_offset >> PAGE_SHIFT);
	last = pfn + ((pv->pv_offset + pv->pv_len - 1) >> PAGE_SHIFT);
	if (!pfn_valid(first) || pfn_to_online_page(first))
		return NULL;
	pgmap = get_dev_pagemap(first, NULL);
	if (!pgmap)
		return NULL;
	covers = pgmap->type == MEMORY_DEVICE_PCI_P2PDMA &&
		 pgmap_pfn_valid(pgmap, last);
	put_dev_pagemap(pgmap);
	return covers ? pfn_to_page(first) : NULL;
}
EXPORT_SYMBOL_GPL(pfn_vec_p2pdma_page);

/**
 * pfn_vec_p2p_put - release what pfn_vec_p2p_get() holds
 * @p2p: as filled in by pfn_vec_p2p_get()
 *
 * Once the device is done with the memory: after the DMA has completed and
 * been unmapped.
 *
 * Context: any context.
 */
void pfn_vec_p2p_put(struct pfn_vec_p2p *p2p)
{
	pfn_vec_region_put(p2p->region);
}
EXPORT_SYMBOL_GPL(pfn_vec_p2p_put);

/**
 * pfn_vec_same_region - do two frames belong to one registered region?
 * @a: a page frame number
 * @b: another
 *
 * Segments of memory without struct page merge only within one region,
 * which has one owner, as pages merge only within one dev_pagemap.
 *
 * Return: true if one region holds both, false if two do, or either is in
 * none.
 */
bool pfn_vec_same_region(unsigned long a, unsigned long b)
{
	struct pfn_vec_region *region;
	bool same;

	rcu_read_lock();
	region = mtree_load(&pfn_vec_regions, a);
	same = region && region == mtree_load(&pfn_vec_regions, b);
	rcu_read_unlock();
	return same;
}

/*
 * The kinds of the frames of @nr pages from @pfn, of a segment @pv with
 * struct page, checked as pfn_vec_set_phys() checks them: -EINVAL if one
 * has no struct page, or P2PDMA pages are mixed with any other; -ENXIO if
 * one cannot be reached. *@misnamed tells whether @pv's flags misname
 * ZONE_DEVICE memory.
 */
static int pfn_vec_page_kinds(const struct pfn_vec *pv, unsigned long pfn,
			      unsigned long nr, unsigned int *kinds,
			      bool *misnamed)
{
	*kinds = pfn_vec_range_reach(pfn, nr);
	if (*kinds & BIT(PFN_VEC_NO_PAGE))
		return -EINVAL;
	if (*kinds & BIT(PFN_VEC_UNREACHABLE))
		return -ENXIO;
	*misnamed = !!(*kinds & (BIT(PFN_VEC_DEVKMAP) | BIT(PFN_VEC_IOMEM))) !=
		    (pfn_vec_kind(pv) == PFN_VEC_KIND_DEVMAP);
	/* P2PDMA pages are mapped as one piece: none of anything else. */
	if ((*kinds & BIT(PFN_VEC_IOMEM)) && *kinds != BIT(PFN_VEC_IOMEM))
		return -EINVAL;
	return 0;
}

/* The live region registered for the CPU that holds @pfn, held; or NULL. */
static struct pfn_vec_region *pfn_vec_region_get_cpu(unsigned long pfn)
{
	struct pfn_vec_region *region = pfn_vec_region_get(pfn);

	/* Offered to peers' DMA alone, it is not mapped. */
	if (region && !region->cpu) {
		pfn_vec_region_put(region);
		region = NULL;
	}
	return region;
}

/*
 * Map the first byte of @pv into @map, and say in *@len how many bytes of
 * @pv, at least one, that mapping covers: the rest of @pv within one
 * region, where the memory lies in the linear map, else the rest of its
 * page. For memory without struct page, *@held is a region the caller
 * holds, or NULL. It is kept when it holds the byte, and otherwise is
 * released and replaced by the byte's own region, which is refused if it
 * is not registered for the CPU or is being unregistered. Memory with
 * struct page is checked as pfn_vec_set_phys() does, frame by frame;
 * flags that do not say what the frames are mean a caller's bug.
 */
static int pfn_vec_map_piece(const struct pfn_vec *pv, struct iosys_map *map,
			     struct pfn_vec_region **held, unsigned int *len)
{
	phys_addr_t phys = pfn_vec_phys(pv);
	unsigned long pfn = PHYS_PFN(phys);
	unsigned int offset = offset_in_page(phys);
	struct pfn_vec_region *region;
	unsigned int kinds;
	bool misnamed;
	int ret;

	if (pfn_vec_has_page(pv)) {
		/* Without the linear map, one kmap_local_page() at a time. */
		*len = pfn_vec_ram_linear() ? pv->pv_len :
		       min_t(unsigned int, pv->pv_len, PAGE_SIZE - offset);
		ret = pfn_vec_page_kinds(pv, pfn, PFN_UP(offset + *len), &kinds,
					 &misnamed);
		if (kinds & BIT(PFN_VEC_NO_PAGE))
			pfn_vec_debug_report("flags claim a struct page", phys);
		else if (!(kinds & BIT(PFN_VEC_UNREACHABLE)) && misnamed)
			pfn_vec_debug_report("flags misname ZONE_DEVICE memory",
					     phys);
		if (ret)
			return ret;
		if (kinds == BIT(PFN_VEC_IOMEM)) {
			iosys_map_set_vaddr_iomem(map, (void __iomem __force *)
						  pfn_to_kaddr(pfn) + offset);
			return 0;
		}
		if (pfn_vec_ram_linear())
			iosys_map_set_vaddr(map, page_address(pfn_to_page(pfn)) +
						 offset);
		else
			iosys_map_set_vaddr(map, kmap_local_page(pfn_to_page(pfn)) +
						 offset);
		return 0;
	}

	region = *held;
	if (region && !pfn_vec_region_holds(region, pfn)) {
		pfn_vec_region_put(region);
		region = NULL;
	}
	if (!region)
		region = pfn_vec_region_get_cpu(pfn);
	*held = region;
	if (!region)
		return -ENXIO;
	iosys_map_set_vaddr_iomem(map, io_linear_addr(phys));
	*len = min_t(resource_size_t, pv->pv_len, region->claim.end - phys + 1);
	return 0;
}

/**
 * pfn_vec_check - may the CPU map a segment, by the accessor's contract?
 * @pv: the segment
 *
 * The checked way in, for code that takes segments from elsewhere and
 * hands them to the accessor, as the block layer does a bio's before any
 * of it moves: pfn_vec_kmap_local() and the mapping iterator believe a
 * segment's flags and map RAM without a look at its struct page. Checks
 * that @pv is well formed, that its flags say what its frames are, frame
 * by frame as pfn_vec_set_phys() does, that memory with struct page is
 * reachable, and that every byte of memory without struct page lies in a
 * region registered for the CPU, which is not being unregistered. The
 * answer holds as long as the caller keeps the memory, as the contract
 * says.
 *
 * Context: any context.
 * Return: 0 if it may. -EINVAL if @pv is malformed or its flags claim a
 * struct page that a frame does not have, or misname ZONE_DEVICE memory;
 * -ENXIO if the CPU cannot reach a byte of it.
 */
int pfn_vec_check(const struct pfn_vec *pv)
{
	phys_addr_t phys = pfn_vec_phys(pv), last;
	struct pfn_vec_region *region;
	unsigned int kinds;
	bool misnamed;
	int ret;

	if (!pfn_vec_valid(pv))
		return -EINVAL;
	if (!pv->pv_len)
		return 0;
	last = phys + pv->pv_len - 1;
	if (pfn_vec_has_page(pv)) {
		ret = pfn_vec_page_kinds(pv, PHYS_PFN(phys),
					 PHYS_PFN(last) - PHYS_PFN(phys) + 1,
					 &kinds, &misnamed);
		return ret ?: misnamed ? -EINVAL : 0;
	}
	/* Region by region: a segment may span two that are side by side. */
	for (;;) {
		resource_size_t end;

		region = pfn_vec_region_get_cpu(PHYS_PFN(phys));
		if (!region)
			return -ENXIO;
		end = region->claim.end;
		pfn_vec_region_put(region);
		if (end >= last)
			return 0;
		phys = end + 1;
	}
}
EXPORT_SYMBOL_GPL(pfn_vec_check);

/* One page of @pv, as kmap_local_page() maps, for the lone mapping. */
static int pfn_vec_kmap_page(const struct pfn_vec *pv, struct iosys_map *map,
			     struct pfn_vec_region **region)
{
	struct pfn_vec one = *pv;
	unsigned int len;

	if (!pfn_vec_valid(pv)) {
		pfn_vec_debug_report("malformed segment", pfn_vec_phys(pv));
		return -EINVAL;
	}
	one.pv_len = max_t(unsigned int, 1,
			   min_t(unsigned int, pv->pv_len,
				 PAGE_SIZE - offset_in_page(pfn_vec_phys(pv))));
	return pfn_vec_map_piece(&one, map, region, &len);
}

/*
 * pfn_vec_kmap_local() for what it does not map inline: ZONE_DEVICE pages,
 * by their dev_pagemap's rules, and memory without struct page on an
 * architecture without the I/O linear map, which is refused. Returns the
 * mapping by value, with an ERR_PTR() in its address on error, so that
 * the caller's struct pfn_vec_map never escapes its inline fast path.
 */
struct iosys_map __pfn_vec_kmap_local(const struct pfn_vec *pv)
{
	struct pfn_vec_region *region = NULL;
	struct iosys_map map;
	int ret = -ENXIO;

	/* Memory with struct page never takes a region. */
	if (pfn_vec_has_page(pv))
		ret = pfn_vec_kmap_page(pv, &map, &region);
	else if (IS_ENABLED(CONFIG_ARCH_HAS_IO_LINEAR_MAP))
		/* A caller's bug: only CONFIG_DEBUG_PFN_VEC gets here for these. */
		ret = -EINVAL;
	if (ret)
		iosys_map_set_vaddr(&map, ERR_PTR(ret));
	return map;
}
EXPORT_SYMBOL_GPL(__pfn_vec_kmap_local);

/*
 * pfn_vec_kmap_local() with CONFIG_DEBUG_PFN_VEC: every mapping is looked
 * up, and holds the region of memory without struct page, counted as a
 * local mapping, until pfn_vec_kunmap_local(). A mapping of memory no live
 * region holds is refused and reported: without the option, the caller
 * would touch memory that nothing maps.
 */
int __pfn_vec_kmap_local_debug(const struct pfn_vec *pv, struct pfn_vec_map *m)
{
	struct pfn_vec_region *region = NULL;
	struct iosys_map map;
	int ret;

	if (!pfn_vec_has_page(pv) && !IS_ENABLED(CONFIG_ARCH_HAS_IO_LINEAR_MAP))
		return -ENXIO;
	ret = pfn_vec_kmap_page(pv, &map, &region);
	if (ret) {
		if (!pfn_vec_has_page(pv))
			pfn_vec_debug_report("local mapping of no live region",
					     pfn_vec_phys(pv));
		return ret;
	}
	if (region)
		atomic_long_inc(&region->local);
	m->map = map;
	m->region = region;
	return 0;
}
EXPORT_SYMBOL_GPL(__pfn_vec_kmap_local_debug);

/* pfn_vec_kunmap_local() with CONFIG_DEBUG_PFN_VEC: release the region. */
void __pfn_vec_kunmap_local_debug(struct pfn_vec_map *m)
{
	if (m->region) {
		atomic_long_dec(&m->region->local);
		pfn_vec_region_put(m->region);
	}
}
EXPORT_SYMBOL_GPL(__pfn_vec_kunmap_local_debug);

/*
 * The rest of the segment under @iter, past any zero-length segments and
 * cut to @max bytes. @iter must have at least @max bytes left, and @max
 * must not be zero. Return: 0, or -EINVAL if the segment is malformed.
 */
static int pfn_vec_iter_view(const struct pfn_vec *pvec,
			     struct bvec_iter *iter, size_t max,
			     struct pfn_vec *pv)
{
	for (;;) {
		if (!pfn_vec_valid(__pfn_vec_iter_seg(pvec, *iter)))
			return -EINVAL;
		*pv = mp_pfn_vec_iter_pvec(pvec, *iter);
		if (pv->pv_len)
			break;
		pfn_vec_iter_advance_single(pvec, iter, 0);
	}
	pv->pv_len = min_t(size_t, pv->pv_len, max);
	return 0;
}

/**
 * pfn_vec_miter_start - start mapping a pfn_vec range piece by piece
 * @miter:	the iterator to set up
 * @pvec:	the array
 * @iter:	cursor into @pvec; advanced over each piece when the next one
 *		is mapped or the iterator is stopped
 * @len:	number of bytes to map, at most what @iter has left
 *
 * A typical user::
 *
 *	pfn_vec_miter_start(&miter, pvec, &iter, len);
 *	while (pfn_vec_miter_next(&miter))
 *		iosys_map_memcpy_to(&miter.map, 0, buf, miter.length);
 *	ret = pfn_vec_miter_stop(&miter);
 *
 * or, to copy through the iterator in steps of the caller's choosing,
 * pfn_vec_miter_memcpy_to() and pfn_vec_miter_memcpy_from().
 *
 * Context: any context. The iterator holds at most one kmap_local_page()
 * mapping at a time and must be stopped in the context that started it.
 */
void pfn_vec_miter_start(struct pfn_vec_miter *miter,
			 const struct pfn_vec *pvec, struct bvec_iter *iter,
			 size_t len)
{
	*miter = (struct pfn_vec_miter) {
		.pvec	= pvec,
		.iter	= iter,
		.left	= len,
		.error	= len > iter->bi_size ? -EINVAL : 0,
	};
}
EXPORT_SYMBOL_GPL(pfn_vec_miter_start);

/**
 * __pfn_vec_miter_next - map the next piece of the range, the long way
 * @miter: the iterator
 *
 * pfn_vec_miter_next() for every piece that it does not map inline: the
 * first piece of memory without struct page outside the region the
 * iterator holds, which is looked up here, ZONE_DEVICE pages, malformed
 * segments, and every piece with CONFIG_DEBUG_PFN_VEC.
 *
 * Return: as for pfn_vec_miter_next().
 */
bool __pfn_vec_miter_next(struct pfn_vec_miter *miter)
{
	struct pfn_vec pv;
	unsigned int len;

	__pfn_vec_miter_release(miter);
	if (miter->error || !miter->left)
		return false;

	miter->error = pfn_vec_iter_view(miter->pvec, miter->iter,
					 miter->left, &pv);
	if (!miter->error)
		miter->error = pfn_vec_map_piece(&pv, &miter->map,
						 &miter->region, &len);
	if (miter->error)
		return false;
	if (miter->region) {
		miter->region_start = miter->region->claim.start;
		miter->region_last = miter->region->claim.end;
	}
	miter->length = len;
	miter->mapped = true;
	return true;
}
EXPORT_SYMBOL_GPL(__pfn_vec_miter_next);

/**
 * pfn_vec_miter_stop - stop a pfn_vec mapping iterator
 * @miter: the iterator
 *
 * Releases the current piece, which counts as consumed unless the copy
 * helpers used part of it, and the region the iterator holds.
 *
 * Return: 0 if every piece was mapped or the caller stopped early. -EINVAL,
 * with the cursor untouched, if the range was longer than the cursor.
 * Otherwise the error that ended the range, with the cursor at the piece
 * that could not be mapped: -ENXIO for memory without struct page that no
 * region registered for the CPU holds, or whose region is being
 * unregistered, and for device-private or offline pages; -EINVAL for a
 * malformed segment.
 */
int pfn_vec_miter_stop(struct pfn_vec_miter *miter)
{
	__pfn_vec_miter_release(miter);
	pfn_vec_region_put(miter->region);
	miter->region = NULL;
	return miter->error;
}
EXPORT_SYMBOL_GPL(pfn_vec_miter_stop);

/*
 * Hand the next @len bytes of @miter's range to @step, one mapped piece,
 * or part of one, at a time. Return: 0, or -EINVAL if @len is more than
 * the range has left, with nothing handed over; otherwise the error of the
 * first piece that could not be mapped, with the bytes before it handed
 * over. Inlined into each helper, so that @step is a direct call, not an
 * indirect one through a retpoline per piece.
 */
static __always_inline int
pfn_vec_miter_walk(struct pfn_vec_miter *miter, size_t len,
		   void (*step)(struct iosys_map *map, size_t n, void *arg),
		   void *arg)
{
	if (miter->error)
		return miter->error;
	/* What is left counts all of the current piece, used or not. */
	if (len > miter->left - (miter->mapped ? miter->used : 0))
		return -EINVAL;
	while (len) {
		struct iosys_map map;
		size_t n;

		if (!miter->mapped || miter->used == miter->length) {
			if (!pfn_vec_miter_next(miter))
				return miter->error;
		}
		n = min_t(size_t, len, miter->length - miter->used);
		map = miter->map;
		iosys_map_incr(&map, miter->used);
		step(&map, n, arg);
		miter->used += n;
		len -= n;
	}
	return 0;
}

static void pfn_vec_step_to(struct iosys_map *map, size_t n, void *arg)
{
	const void **buf = arg;

	iosys_map_memcpy_to(map, 0, *buf, n);
	*buf += n;
}

static void pfn_vec_step_from(struct iosys_map *map, size_t n, void *arg)
{
	void **buf = arg;

	iosys_map_memcpy_from(*buf, map, 0, n);
	*buf += n;
}

static void pfn_vec_step_zero(struct iosys_map *map, size_t n, void *arg)
{
	iosys_map_memset(map, 0, 0, n);
}

/**
 * pfn_vec_miter_memcpy_to - copy a kernel buffer into an iterator's range
 * @miter:	the iterator, from pfn_vec_miter_start()
 * @buf:	source buffer
 * @len:	number of bytes to copy, at most what the range has left
 *
 * Copies into the next @len bytes of the range, going on from where the
 * last call stopped, so that a loop over a range looks each region up
 * once, not once per call. Do not mix with pfn_vec_miter_next() on the
 * same iterator.
 *
 * Return: 0 when all @len bytes were copied. -EINVAL, with nothing copied,
 * if @len is more than the range has left. Otherwise the error that
 * pfn_vec_miter_stop() will return for the first piece that could not be
 * mapped, with the bytes before it copied: the cursor is advanced over
 * exactly those once the iterator is stopped.
 */
int pfn_vec_miter_memcpy_to(struct pfn_vec_miter *miter, const void *buf,
			    size_t len)
{
	return pfn_vec_miter_walk(miter, len, pfn_vec_step_to, &buf);
}
EXPORT_SYMBOL_GPL(pfn_vec_miter_memcpy_to);

/**
 * pfn_vec_miter_memcpy_from - copy from an iterator's range into a buffer
 * @buf:	destination buffer
 * @miter:	the iterator, from pfn_vec_miter_start()
 * @len:	number of bytes to copy, at most what the range has left
 *
 * As pfn_vec_miter_memcpy_to(), the other way.
 *
 * Return: as for pfn_vec_miter_memcpy_to().
 */
int pfn_vec_miter_memcpy_from(void *buf, struct pfn_vec_miter *miter,
			      size_t len)
{
	return pfn_vec_miter_walk(miter, len, pfn_vec_step_from, &buf);
}
EXPORT_SYMBOL_GPL(pfn_vec_miter_memcpy_from);

/* One walk with an iterator of its own, for the helpers below. */
static __always_inline int
pfn_vec_walk(const struct pfn_vec *pvec, struct bvec_iter *iter, size_t len,
	     void (*step)(struct iosys_map *map, size_t n, void *arg),
	     void *arg)
{
	struct pfn_vec_miter miter;
	int ret;

	pfn_vec_miter_start(&miter, pvec, iter, len);
	ret = pfn_vec_miter_walk(&miter, len, step, arg);
	return pfn_vec_miter_stop(&miter) ?: ret;
}

/**
 * pfn_vec_memcpy_to - copy a kernel buffer into a pfn_vec range
 * @pvec:	destination array
 * @iter:	cursor into @pvec; advanced over the bytes copied
 * @buf:	source buffer
 * @len:	number of bytes to copy
 *
 * Each call looks up the regions it copies to; a loop that copies a range
 * in steps uses pfn_vec_miter_memcpy_to() on one iterator instead.
 *
 * Return: 0 when all @len bytes were copied. -EINVAL, with nothing copied,
 * if @len is more than @iter has left. Otherwise the copy stops before the
 * first piece it cannot map and returns that error: -ENXIO for memory
 * the CPU cannot reach (see pfn_vec_miter_stop()), -EINVAL for a
 * malformed segment.
 * @iter then stands at that piece: it was advanced over exactly the bytes
 * that were copied, and nothing at or after it was written.
 */
int pfn_vec_memcpy_to(const struct pfn_vec *pvec, struct bvec_iter *iter,
		      const void *buf, size_t len)
{
	return pfn_vec_walk(pvec, iter, len, pfn_vec_step_to, &buf);
}
EXPORT_SYMBOL_GPL(pfn_vec_memcpy_to);

/**
 * pfn_vec_memcpy_from - copy a pfn_vec range into a kernel buffer
 * @buf:	destination buffer
 * @pvec:	source array
 * @iter:	cursor into @pvec; advanced over the bytes copied
 * @len:	number of bytes to copy
 *
 * Return: as for pfn_vec_memcpy_to(); on error the first bytes of @buf
 * hold what was copied, as many as @iter was advanced over.
 */
int pfn_vec_memcpy_from(void *buf, const struct pfn_vec *pvec,
			struct bvec_iter *iter, size_t len)
{
	return pfn_vec_walk(pvec, iter, len, pfn_vec_step_from, &buf);
}
EXPORT_SYMBOL_GPL(pfn_vec_memcpy_from);

/**
 * pfn_vec_zero - zero a pfn_vec range
 * @pvec:	the array
 * @iter:	cursor into @pvec; advanced over the bytes zeroed
 * @len:	number of bytes to zero
 *
 * Return: as for pfn_vec_memcpy_to().
 */
int pfn_vec_zero(const struct pfn_vec *pvec, struct bvec_iter *iter,
		 size_t len)
{
	return pfn_vec_walk(pvec, iter, len, pfn_vec_step_zero, NULL);
}
EXPORT_SYMBOL_GPL(pfn_vec_zero);

/* Copy @n bytes between two mappings, either of which may be I/O memory. */
static void pfn_vec_map_copy(struct iosys_map *dst, const struct iosys_map *src,
			     size_t n)
{
	u8 bounce[PFN_VEC_IO_BOUNCE];
	size_t off, chunk;

	if (!src->is_iomem) {
		iosys_map_memcpy_to(dst, 0, src->vaddr, n);
		return;
	}
	if (!dst->is_iomem) {
		memcpy_fromio(dst->vaddr, src->vaddr_iomem, n);
		return;
	}
	for (off = 0; off < n; off += chunk) {
		chunk = min(n - off, sizeof(bounce));
		memcpy_fromio(bounce, src->vaddr_iomem + off, chunk);
		memcpy_toio(dst->vaddr_iomem + off, bounce, chunk);
	}
}

/**
 * pfn_vec_copy - copy from one pfn_vec range to another
 * @dst:	destination array
 * @dst_iter:	cursor into @dst; advanced over the bytes copied
 * @src:	source array
 * @src_iter:	cursor into @src; advanced over the bytes copied
 * @len:	number of bytes to copy
 *
 * The ranges must not overlap.
 *
 * Return: 0 when all @len bytes were copied. -EINVAL, with nothing copied,
 * if @len is more than either cursor has left. Otherwise the copy stops
 * before the first piece of either side that it cannot map and returns the
 * error pfn_vec_miter_stop() gives for it (-ENXIO, or -EINVAL for a
 * malformed segment); both cursors were then advanced over exactly the
 * bytes that were copied, and nothing past them was written.
 */
int pfn_vec_copy(const struct pfn_vec *dst, struct bvec_iter *dst_iter,
		 const struct pfn_vec *src, struct bvec_iter *src_iter,
		 size_t len)
{
	struct pfn_vec_region *dst_region = NULL, *src_region = NULL;
	int ret = 0;

	if (len > dst_iter->bi_size || len > src_iter->bi_size)
		return -EINVAL;

	/*
	 * Both pieces are mapped and unmapped together on every step, so that
	 * kmap_local_page() mappings nest; only the regions stay held.
	 */
	while (len) {
		struct iosys_map dst_map, src_map;
		unsigned int dn, sn, n;
		struct pfn_vec dv, sv;

		ret = pfn_vec_iter_view(dst, dst_iter, len, &dv);
		if (!ret)
			ret = pfn_vec_map_piece(&dv, &dst_map, &dst_region, &dn);
		if (ret)
			break;
		ret = pfn_vec_iter_view(src, src_iter, dn, &sv);
		if (!ret)
			ret = pfn_vec_map_piece(&sv, &src_map, &src_region, &sn);
		if (ret) {
			__pfn_vec_unmap(&dst_map);
			break;
		}

		n = min(dn, sn);
		pfn_vec_map_copy(&dst_map, &src_map, n);
		__pfn_vec_unmap(&src_map);
		__pfn_vec_unmap(&dst_map);
		pfn_vec_iter_advance_single(dst, dst_iter, n);
		pfn_vec_iter_advance_single(src, src_iter, n);
		len -= n;
	}
	pfn_vec_region_put(src_region);
	pfn_vec_region_put(dst_region);
	return ret;
}
EXPORT_SYMBOL_GPL(pfn_vec_copy);
