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
 * without creating struct page for them. Every backend keeps this contract:
 *
 * - Where: [phys, phys + size) is mapped at __va(phys), never elsewhere. A
 *   range that the linear map cannot hold (below its base, past its window,
 *   past the CPU's physical address width) is refused with -ERANGE, and
 *   arch_io_linear_mappable() says so beforehand.
 * - What: the range is not System RAM and has no struct page; callers check
 *   that. A range of which any page is already mapped is refused with
 *   -EBUSY: a live entry is never changed in place.
 * - Type: %IO_LINEAR_WC or %IO_LINEAR_UC as the arch spells them for
 *   ioremap_wc() and ioremap(), never cacheable, and consistent with every
 *   other mapping of the range the arch tracks; a conflict is -EBUSY.
 * - Size: the largest page size that alignment allows.
 * - Failure: -ENOMEM, or any error, leaves nothing mapped.
 * - Teardown: arch_io_linear_unmap() clears every entry, flushes the TLB and
 *   frees the page-table pages that only the range used, before it returns.
 *   Callers guarantee that nothing accesses the range by then.
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
 * arch_io_linear_mappable - can the linear map hold a physical range?
 * @phys:	first byte of the range
 * @size:	size of the range in bytes
 *
 * Context: any.
 * Return: true if arch_io_linear_map() of the range cannot fail with
 * -ERANGE; false for an empty or wrapping range.
 */
bool arch_io_linear_mappable(phys_addr_t phys, size_t size);

/**
 * arch_io_linear_map - map an I/O region into the linear map
 * @phys:	first byte of the region, page aligned
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type of the mapping
 *
 * Maps [@phys, @phys + @size) at __va(@phys) with @type, as the contract
 * above states. The caller has checked that the range is not System RAM and
 * has no struct page.
 *
 * Context: may sleep.
 * Return: 0 on success. -EOPNOTSUPP if this machine cannot keep the
 * contract at all (see arch_io_linear_supported()); -ERANGE if the linear map cannot
 * hold the range; -EBUSY if any page of it is mapped already or tracked
 * with another memory type; -ENOMEM if memory for page tables ran out. On
 * error nothing is mapped.
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

static inline bool arch_io_linear_mappable(phys_addr_t phys, size_t size)
{
	return false;
}

static inline int __must_check arch_io_linear_map(phys_addr_t phys,
						  size_t size,
						  enum io_linear_type type)
{
	return -EOPNOTSUPP;
}

static inline void arch_io_linear_unmap(phys_addr_t phys, size_t size)
{
}

static inline void __iomem *io_linear_addr(phys_addr_t phys)
{
	return NULL;
}

#endif /* CONFIG_ARCH_HAS_IO_LINEAR_MAP */

#endif /* _LINUX_IO_LINEAR_MAP_H */
