/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O linear map: memory without struct page, such as a PCI BAR, mapped
 * into the kernel's linear map so that its address follows from its
 * physical address by arithmetic, as for RAM.
 */
#ifndef _LINUX_IO_LINEAR_MAP_H
#define _LINUX_IO_LINEAR_MAP_H

#include <linux/compiler_types.h>
#include <linux/errno.h>
#include <linux/types.h>

#include <asm/page.h>

/**
 * enum io_linear_type - memory type of an I/O linear mapping
 * @IO_LINEAR_WC: write-combining, for prefetchable BARs: reads may be
 *		  speculated and writes merged
 * @IO_LINEAR_UC: uncached, strongly ordered device memory
 */
enum io_linear_type {
	IO_LINEAR_WC,
	IO_LINEAR_UC,
};

/**
 * DOC: the I/O linear map hook
 *
 * An architecture that selects ARCH_HAS_IO_LINEAR_MAP maps I/O regions into
 * its kernel linear map, at the address __va() gives their physical address,
 * without creating struct page for them. Callers use io_linear_map() and
 * io_linear_unmap() (mm/io_linear_map.c), which keep the generic half of
 * this contract and call the arch for the rest:
 *
 * - Where: [phys, phys + size) is mapped at __va(phys), never elsewhere,
 *   and only where memory hotplug would map RAM
 *   (mhp_get_pluggable_range(true)) and inside the iomem tree, whose end
 *   is the CPU's physical address width where the arch knows it (x86).
 *   io_linear_mappable() says which ranges those are; any other is -ERANGE
 *   and never reaches the arch.
 * - What: the range is not System RAM and has no struct page; callers check
 *   that. A range of which any page is already mapped is refused with
 *   -EBUSY by the arch: a live entry is never changed in place.
 * - Type: %IO_LINEAR_WC or %IO_LINEAR_UC as the arch spells them for
 *   ioremap_wc() and ioremap(), never cacheable. Where the arch tracks
 *   memory types (x86 PAT), io_linear_map() reserves the range's type with
 *   track_pfn_remap(), as memremap_pages() does, and a range that another
 *   mapping holds with another type is -EBUSY.
 * - Size: the largest page size that alignment allows.
 * - Failure: -ENOMEM, or any error, leaves nothing mapped or reserved.
 * - Teardown: arch_io_linear_unmap() clears every entry, flushes the TLB and
 *   frees the page-table pages that only the range used, before it returns;
 *   io_linear_unmap() then releases the type. Callers guarantee that
 *   nothing accesses the range by then.
 * - Access: only through the I/O accessors (memcpy_fromio() and friends),
 *   which are safe on every memory type the backend creates.
 *
 * Map and unmap may sleep and are serialised by the arch. The address of a
 * byte of a mapped region, io_linear_addr() of its physical address, is
 * __va() of it on every backend, and can be computed in any context.
 */
#ifdef CONFIG_ARCH_HAS_IO_LINEAR_MAP

/**
 * arch_io_linear_supported - can this machine keep the contract at all?
 *
 * True unless the arch overrides it: riscv, whose page-table entries carry
 * a memory type only with Svpbmt (or XTheadMae).
 *
 * Context: any.
 * Return: false if every region would be refused with -EOPNOTSUPP.
 */
bool arch_io_linear_supported(void);

/**
 * arch_io_linear_map - map an I/O region into the linear map
 * @phys:	first byte of the region, page aligned
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type of the mapping
 *
 * Maps [@phys, @phys + @size) at __va(@phys) with @type, as the contract
 * above states. Called by io_linear_map() only, on a machine that can keep
 * the contract, for a range that io_linear_mappable() accepts, that is not
 * System RAM, has no struct page, and whose memory type is reserved.
 *
 * Context: may sleep.
 * Return: 0 on success. -EBUSY if any page of the range is mapped already;
 * -ENOMEM if memory for page tables ran out; -ERANGE, with a warning, if
 * the arch cannot hold this range after all, which is its bug. On error
 * nothing is mapped.
 */
int __must_check arch_io_linear_map(phys_addr_t phys, size_t size,
				    enum io_linear_type type);

/**
 * arch_io_linear_unmap - remove an I/O region from the linear map
 * @phys:	first byte of the region, as given to arch_io_linear_map()
 * @size:	size of the region, as given to arch_io_linear_map()
 *
 * Clears every entry of the region, flushes the TLB and frees the
 * page-table pages that only the region used, before it returns.
 *
 * Context: may sleep. Nothing may access the region any more.
 */
void arch_io_linear_unmap(phys_addr_t phys, size_t size);

bool io_linear_mappable(phys_addr_t phys, size_t size);
int __must_check io_linear_map(phys_addr_t phys, size_t size,
			       enum io_linear_type type);
void io_linear_unmap(phys_addr_t phys, size_t size);

/**
 * io_linear_addr - the address of a byte of a mapped I/O region
 * @phys:	the byte's physical address
 *
 * Where the contract puts every mapped region: at __va() of its physical
 * address, as for RAM. Meaningful only while the region is mapped.
 *
 * Context: any.
 * Return: the byte's address in the linear map, as I/O memory.
 */
static inline void __iomem *io_linear_addr(phys_addr_t phys)
{
	return (void __force __iomem *)__va(phys);
}

#else /* !CONFIG_ARCH_HAS_IO_LINEAR_MAP */

static inline bool arch_io_linear_supported(void)
{
	return false;
}

static inline bool io_linear_mappable(phys_addr_t phys, size_t size)
{
	return false;
}

static inline int __must_check io_linear_map(phys_addr_t phys, size_t size,
					     enum io_linear_type type)
{
	return -EOPNOTSUPP;
}

static inline void io_linear_unmap(phys_addr_t phys, size_t size)
{
}

static inline void __iomem *io_linear_addr(phys_addr_t phys)
{
	return NULL;
}

#endif /* CONFIG_ARCH_HAS_IO_LINEAR_MAP */

#endif /* _LINUX_IO_LINEAR_MAP_H */
