// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 backend of the I/O linear map (see <linux/io_linear_map.h>).
 *
 * An I/O region, such as a PCI BAR, is mapped in the linear map at
 * __va(phys), where the linear map would hold RAM at that address, with no
 * struct page. Its limits:
 *
 * - The ranges io_linear_mappable() accepts, which memory hotplug's
 *   mhp_get_pluggable_range(true) bounds: [PHYS_OFFSET, __pa(PAGE_END - 1)]
 *   within PHYSMEM_END: half the kernel VA space above PHYS_OFFSET, 128 TiB
 *   with 48-bit VAs, 256 GiB with 39-bit ones. __va() of anything below
 *   PHYS_OFFSET (memstart_addr, the RAM base rounded down) would wrap, so
 *   a BAR below the RAM base, such as one in the 32-bit PCI window of
 *   QEMU's virt machine, is -ERANGE.
 * - IO_LINEAR_WC is Normal-NC, as ioremap_wc() and pgprot_writecombine()
 *   map; IO_LINEAR_UC is Device-nGnRE, as ioremap() and pgprot_device()
 *   map (not the nGnRnE of pgprot_noncached()). Never Normal cacheable.
 *   arm64 tracks no memory type per physical range, so, as with ioremap(),
 *   the owner of the region must not alias it with another type.
 * - 1 GiB blocks (4K granule), then PMD sections (2 MiB, 32 MiB or
 *   512 MiB), then pages, wherever the alignment of the range allows;
 *   never the contiguous hint, so that teardown clears one entry at a time
 *   without breaking a contiguous run halfway.
 *
 * Why it looks like memory hotplug without __add_pages(): the page tables
 * are built by __create_pgd_mapping() and torn down by
 * __remove_pgd_mapping() (unmap_hotplug_range() then free_empty_tables()),
 * which arch_add_memory() and arch_remove_memory() use for RAM, under
 * mem_hotplug_begin(), which is what ptdump_walk_pgd() excludes with
 * get_online_mems() before walking tables that may be freed. Hence the
 * dependency on MEMORY_HOTPLUG. The differences from hotplug:
 *
 * - Block mappings even where can_set_direct_map(): rodata=full,
 *   debug_pagealloc and KFENCE need pages because set_memory_*() and
 *   set_direct_map_*() change the linear alias of individual pages of RAM
 *   in place; they only ever do so for memory with struct page, which a
 *   region has none of, and nothing else changes a region's entries before
 *   arch_io_linear_unmap().
 * - The builder cannot fail: its allocator BUGs when memory runs out. The
 *   page tables it may need are counted from the range and allocated
 *   beforehand, so that -ENOMEM is returned before any entry is written;
 *   what is left over is freed when it returns.
 * - A live entry is never changed: a range of which any page is mapped is
 *   -EBUSY, and tables left empty under the range (which nothing should
 *   leave behind) are freed first, as the builder would not replace one with
 *   a block.
 *
 * Teardown is break-before-make without the make: every entry is cleared,
 * then the range's TLB entries are flushed, then each table left empty is
 * unhooked, its walk-cache entries flushed (__flush_tlb_kernel_pgtable()),
 * and it is freed. Only tables that map nothing any more are freed, so
 * tables shared with a neighbour stay.
 *
 * The region is accessed only through the I/O accessors. On arm64,
 * memcpy_fromio(), memcpy_toio() and memset_io() (arch/arm64/kernel/io.c)
 * move single bytes until the I/O address is 8-byte aligned and aligned
 * 64-bit words after that, and readb()..readq() are single naturally
 * aligned accesses, so none of them faults on Device memory, and none uses
 * DC ZVA. The linear addresses of a region have no KASAN shadow; those
 * accessors are not instrumented, so nothing reads it.
 */
#include <linux/gfp.h>
#include <linux/io_linear_map.h>
#include <linux/list.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pgalloc.h>
#include <linux/pgtable.h>

#include <asm/mmu.h>

/* Serialises the users of io_linear_pool. */
static DEFINE_MUTEX(io_linear_mutex);

/* Page tables allocated for the mapping under construction. */
static LIST_HEAD(io_linear_pool);

/* As ioremap_wc() and ioremap() map. */
static pgprot_t io_linear_prot(enum io_linear_type type)
{
	return type == IO_LINEAR_WC ? pgprot_writecombine(PAGE_KERNEL) :
				      pgprot_device(PAGE_KERNEL);
}

/* The number of @size blocks that [start, end) touches. */
static unsigned long io_linear_spans(unsigned long start, unsigned long end,
				     unsigned long size)
{
	return (end - 1) / size - start / size + 1;
}

/*
 * The number of @size blocks that [start, end) covers whole and that can
 * be mapped as one entry: @phys and @start congruent modulo @size.
 */
static unsigned long io_linear_blocks(unsigned long start, unsigned long end,
				      phys_addr_t phys, unsigned long size)
{
	unsigned long first = ALIGN(start, size), last = ALIGN_DOWN(end, size);

	if ((start ^ phys) & (size - 1) || last <= first)
		return 0;
	return (last - first) / size;
}

/*
 * How many page tables __create_pgd_mapping() may allocate to map @phys at
 * [start, end): one per table-sized span that the range touches at each
 * level, except under the spans it maps with blocks. Tables that exist
 * already are counted too: it is a bound, not a forecast.
 */
static unsigned long io_linear_max_tables(unsigned long start,
					  unsigned long end, phys_addr_t phys)
{
	unsigned long n;

	/* PTE tables, except under PMD sections. */
	n = io_linear_spans(start, end, PMD_SIZE) -
	    io_linear_blocks(start, end, phys, PMD_SIZE);
	if (CONFIG_PGTABLE_LEVELS > 2) {
		/* PMD tables, except under PUD blocks. */
		n += io_linear_spans(start, end, PUD_SIZE);
		if (pud_sect_supported())
			n -= io_linear_blocks(start, end, phys, PUD_SIZE);
	}
	if (CONFIG_PGTABLE_LEVELS > 3)
		n += io_linear_spans(start, end, P4D_SIZE);
	if (CONFIG_PGTABLE_LEVELS > 4)
		n += io_linear_spans(start, end, PGDIR_SIZE);
	return n;
}

static void io_linear_pool_free(struct list_head *pool)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, pool, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

/* Allocate @n page tables on @pool; on failure, free them all. */
static int io_linear_pool_fill(struct list_head *pool, unsigned long n)
{
	while (n--) {
		/* init_clear_pgtable() zeroes them; as __pgd_pgtable_alloc(). */
		struct page *page = alloc_page(GFP_PGTABLE_KERNEL & ~__GFP_ZERO);

		if (!page) {
			io_linear_pool_free(pool);
			return -ENOMEM;
		}
		list_add(&page->lru, pool);
	}
	return 0;
}

/* The pgtable_alloc of __create_pgd_mapping(): take a table from the pool. */
static phys_addr_t io_linear_pgtable_alloc(int shift)
{
	struct page *page;

	lockdep_assert_held(&io_linear_mutex);

	page = list_first_entry_or_null(&io_linear_pool, struct page, lru);
	/* io_linear_max_tables() miscounted: sleep rather than BUG. */
	if (WARN_ON_ONCE(!page))
		return __pa(__get_free_page(GFP_PGTABLE_KERNEL | __GFP_NOFAIL));
	list_del(&page->lru);
	return page_to_phys(page);
}

/*
 * The descriptor that maps @addr in the kernel page table, and in *@size
 * the size of the level where the walk ended: at a block or page
 * descriptor, or at an empty entry (0).
 */
static u64 io_linear_walk(unsigned long addr, unsigned long *size)
{
	pgd_t *pgdp = pgd_offset_k(addr);
	p4d_t *p4dp;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;

	*size = PGDIR_SIZE;
	if (pgd_none(READ_ONCE(*pgdp)))
		return 0;
	p4dp = p4d_offset(pgdp, addr);
	*size = P4D_SIZE;
	if (p4d_none(READ_ONCE(*p4dp)))
		return 0;
	pudp = pud_offset(p4dp, addr);
	pud = READ_ONCE(*pudp);
	*size = PUD_SIZE;
	if (pud_none(pud) || pud_sect(pud))
		return pud_val(pud);
	pmdp = pmd_offset(pudp, addr);
	pmd = READ_ONCE(*pmdp);
	*size = PMD_SIZE;
	if (pmd_none(pmd) || pmd_sect(pmd))
		return pmd_val(pmd);
	*size = PAGE_SIZE;
	return pte_val(__ptep_get(pte_offset_kernel(pmdp, addr)));
}

/* Does any block or page descriptor of [start, end) exist already? */
static bool io_linear_range_used(unsigned long start, unsigned long end)
{
	unsigned long addr, next, size;

	for (addr = start; addr < end; addr = next) {
		if (io_linear_walk(addr, &size))
			return true;
		next = ALIGN_DOWN(addr, size) + size;
		if (next <= addr)	/* the end of the address space */
			break;
	}
	return false;
}

/**
 * arch_io_linear_map - map an I/O region into the linear map
 * @phys:	first byte of the region, page aligned
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type of the mapping
 *
 * Context: may sleep.
 * Return: 0 on success. -EBUSY if any page of the range is mapped already;
 * -ENOMEM if its page tables could not be allocated. On error nothing is
 * mapped.
 */
int arch_io_linear_map(phys_addr_t phys, size_t size, enum io_linear_type type)
{
	unsigned long start = (unsigned long)__va(phys);
	unsigned long end = start + size;
	LIST_HEAD(pool);
	int ret;

	might_sleep();
	ret = io_linear_pool_fill(&pool, io_linear_max_tables(start, end, phys));
	if (ret)
		return ret;

	mem_hotplug_begin();
	mutex_lock(&io_linear_mutex);
	if (io_linear_range_used(start, end)) {
		ret = -EBUSY;
	} else {
		io_linear_remove_pgd_mapping(phys, size);
		list_splice_init(&pool, &io_linear_pool);
		io_linear_create_pgd_mapping(phys, size, io_linear_prot(type),
					     io_linear_pgtable_alloc);
		list_splice_init(&io_linear_pool, &pool);
	}
	mutex_unlock(&io_linear_mutex);
	mem_hotplug_done();

	io_linear_pool_free(&pool);
	return ret;
}

/**
 * arch_io_linear_unmap - remove an I/O region from the linear map
 * @phys:	first byte of the region, as given to arch_io_linear_map()
 * @size:	size of the region, as given to arch_io_linear_map()
 *
 * Clears the mapping, flushes the TLB and frees the page tables that only
 * the region used.
 *
 * Context: may sleep; nothing may access the region any more.
 */
void arch_io_linear_unmap(phys_addr_t phys, size_t size)
{
	might_sleep();
	mem_hotplug_begin();
	mutex_lock(&io_linear_mutex);
	io_linear_remove_pgd_mapping(phys, size);
	mutex_unlock(&io_linear_mutex);
	mem_hotplug_done();
}
