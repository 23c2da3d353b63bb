/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __ASM_IO_LINEAR_H
#define __ASM_IO_LINEAR_H

#include <asm/memory.h>

/* The address of a byte of a region that arch_io_linear_map() mapped. */
static inline void __iomem *arch_io_linear_addr(phys_addr_t phys)
{
	return (void __force __iomem *)__va(phys);
}

#endif /* __ASM_IO_LINEAR_H */
