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
 * Map and unmap may sleep and are serialised by the arch; the address of a
 * mapped range can be computed in any context.
 */
#ifdef CONFIG_ARCH_HAS_IO_LINEAR_MAP

bool arch_io_linear_mappable(phys_addr_t phys, size_t size);
int __must_check arch_io_linear_map(phys_addr_t phys, size_t size,
				    enum io_linear_type type);
void arch_io_linear_unmap(phys_addr_t phys, size_t size);
int arch_io_linear_query(phys_addr_t phys, size_t *page_size,
			 enum io_linear_type *type);

/* Provides: void __iomem *arch_io_linear_addr(phys_addr_t phys) */
#include <asm/io_linear.h>

#else /* !CONFIG_ARCH_HAS_IO_LINEAR_MAP */

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

static inline int arch_io_linear_query(phys_addr_t phys, size_t *page_size,
				       enum io_linear_type *type)
{
	return -EOPNOTSUPP;
}

static inline void __iomem *arch_io_linear_addr(phys_addr_t phys)
{
	return NULL;
}

#endif /* CONFIG_ARCH_HAS_IO_LINEAR_MAP */

#endif /* _LINUX_IO_LINEAR_MAP_H */
