// SPDX-License-Identifier: GPL-2.0
/*
 * The generic half of the I/O linear map (see <linux/io_linear_map.h>):
 * which physical ranges the linear map can hold, and the memory-type
 * reservation of each mapping, around the arch's hook.
 */
#define pr_fmt(fmt) "io_linear: " fmt

#include <linux/io_linear_map.h>
#include <linux/ioport.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pgtable.h>
#include <linux/range.h>

/* Every machine of the arch can keep the contract, unless it says otherwise. */
bool __weak arch_io_linear_supported(void)
{
	return true;
}

/**
 * io_linear_mappable - can the linear map hold a physical range?
 * @phys:	first byte of the range
 * @size:	size of the range in bytes
 *
 * The linear map holds what memory hotplug would map there as RAM,
 * mhp_get_pluggable_range(true), and a region must lie in the iomem tree
 * too, where it is claimed; on x86 that tree ends at the CPU's physical
 * address width.
 *
 * Context: any.
 * Return: true if the range lies in that window, where io_linear_map()
 * does not refuse it with -ERANGE (short of an arch bug, which the arch
 * warns about); false for an empty or wrapping range.
 */
bool io_linear_mappable(phys_addr_t phys, size_t size)
{
	struct range window = mhp_get_pluggable_range(true);
	phys_addr_t last;

	if (!size || check_add_overflow(phys, (phys_addr_t)size - 1, &last))
		return false;

	return phys >= window.start && last <= window.end &&
	       last <= iomem_resource.end;
}

/*
 * The protection of ioremap_wc() or ioremap(), for memory-type tracking:
 * the arch maps with the same type, spelled its own way for I/O.
 */
static pgprot_t io_linear_pgprot(enum io_linear_type type)
{
	return type == IO_LINEAR_WC ? pgprot_writecombine(PAGE_KERNEL) :
				      pgprot_device(PAGE_KERNEL);
}

/**
 * io_linear_map - map an I/O region into the linear map
 * @phys:	first byte of the region, page aligned
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type of the mapping
 *
 * Maps [@phys, @phys + @size) at __va(@phys) with @type through the arch's
 * hook, as <linux/io_linear_map.h> states. Where the arch tracks memory
 * types (x86 PAT), the range's type is reserved first, as memremap_pages()
 * reserves it: track_pfn_remap() would hand back the type of another
 * mapping of the range where they differ, and that is refused instead.
 * The caller has checked that the range is not System RAM and has no
 * struct page.
 *
 * Context: may sleep.
 * Return: 0 on success. -EOPNOTSUPP if this machine cannot keep the
 * contract (see arch_io_linear_supported()); -EINVAL if @phys or @size is
 * not page aligned or @type is unknown; -ERANGE if the linear map cannot
 * hold the range (see io_linear_mappable()); -EBUSY if any page of it is
 * mapped already, or another mapping holds it with another memory type;
 * -ENOMEM if memory ran out. On error nothing is mapped or reserved.
 */
int io_linear_map(phys_addr_t phys, size_t size, enum io_linear_type type)
{
	pgprot_t want = io_linear_pgprot(type), prot = want;
	int ret;

	might_sleep();
	if (!arch_io_linear_supported())
		return -EOPNOTSUPP;
	if (!PAGE_ALIGNED(phys) || !PAGE_ALIGNED(size) ||
	    (type != IO_LINEAR_WC && type != IO_LINEAR_UC))
		return -EINVAL;
	if (!io_linear_mappable(phys, size))
		return -ERANGE;

	ret = track_pfn_remap(NULL, &prot, PHYS_PFN(phys), 0, size);
	if (ret)
		return ret == -ENOMEM ? ret : -EBUSY;
	if (pgprot_val(prot) != pgprot_val(want)) {
		pr_info("[mem %pa size %#zx] is mapped with another memory type\n",
			&phys, size);
		ret = -EBUSY;
	} else {
		ret = arch_io_linear_map(phys, size, type);
	}
	if (ret)
		untrack_pfn(NULL, PHYS_PFN(phys), size, true);
	return ret;
}

/**
 * io_linear_unmap - remove an I/O region from the linear map
 * @phys:	first byte of the region, as given to io_linear_map()
 * @size:	size of the region, as given to io_linear_map()
 *
 * Clears the mapping, flushes the TLB and frees the page tables that only
 * the region used, then releases the region's memory type.
 *
 * Context: may sleep. Nothing may access the region any more.
 */
void io_linear_unmap(phys_addr_t phys, size_t size)
{
	might_sleep();
	if (WARN_ON_ONCE(!io_linear_mappable(phys, size)))
		return;
	arch_io_linear_unmap(phys, size);
	untrack_pfn(NULL, PHYS_PFN(phys), size, true);
}
