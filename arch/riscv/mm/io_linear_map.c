// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64 backend of the I/O linear map (see <linux/io_linear_map.h>).
 *
 * An I/O region is mapped in the linear map at __va(phys), where the linear
 * map would hold RAM at that address, with no struct page. Its limits:
 *
 * - the ranges io_linear_mappable() accepts: memory hotplug's window,
 *   from phys_ram_base to the end of the linear map, which the paging mode
 *   chosen at boot sizes (Sv39 128 GiB, Sv48 64 TiB, Sv57 31.75 PiB,
 *   where the KASAN shadow takes the rest of 32 PiB:
 *   Documentation/arch/riscv/vm-layout.rst), within the 56 bits a PTE can
 *   address. __va() of an address below phys_ram_base is not in the
 *   linear map at all, so such a range, like a BAR in a 32-bit PCI window
 *   below RAM, is -ERANGE;
 * - only under top-level page-table entries that exist already: rv64 copies
 *   the kernel half of swapper_pg_dir into each new mm and never syncs it
 *   again, so a top-level entry created now would be missing from every
 *   running mm. With MEMORY_HOTPLUG, which the hook depends on, boot
 *   preallocates all of them for the linear map;
 * - with Svpbmt (or XTheadMae), IO_LINEAR_WC is PBMT=NC, as
 *   pgprot_writecombine() spells it, and IO_LINEAR_UC is PBMT=IO, as
 *   ioremap() does. riscv's ioremap_wc() is ioremap(): an NC mapping and an
 *   IO alias of the same BAR are both non-cacheable, which Svpbmt keeps
 *   coherent, and only their ordering differs, which the I/O accessors
 *   fence. riscv tracks no memory types, so there is no other alias to
 *   check against;
 * - without Svpbmt (or XTheadMae), a PTE carries no memory type: the
 *   platform's PMAs would decide it, which the hook cannot check, so
 *   arch_io_linear_supported() is false and io_linear_map() refuses every
 *   region with -EOPNOTSUPP, as if there were no hook;
 * - 1 GiB pages where vmalloc allows them (Sv48 and Sv57: on Sv39 they
 *   would be top-level entries) and alignment does, else 2 MiB, else 4 KiB;
 *   nohugeiomap limits this as for ioremap().
 *
 * The page tables are built by vmap_page_range(), whose allocations can fail
 * cleanly, rather than by create_linear_mapping_range(), which is __meminit,
 * BUG()s when an allocation fails, and whose removal path frees a table
 * before it clears the entry above it and flushes the TLB.
 */
#include <linux/io.h>
#include <linux/io_linear_map.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pgalloc.h>
#include <linux/pgtable.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <asm/tlbflush.h>

/* Serialises map and unmap, and with them the freeing of page tables. */
static DEFINE_MUTEX(io_linear_mutex);

/* Is the top-level entry for @addr there, whichever level the mode folds? */
static bool io_linear_top_present(unsigned long addr)
{
	return pgd_val(pgdp_get(pgd_offset_k(addr))) & _PAGE_PRESENT;
}

/* riscv has no p4d_leaf(), but it maps RAM with 512 GiB pages on Sv57. */
static bool io_linear_p4d_leaf(p4d_t p4d)
{
	return pgtable_l4_enabled && (p4d_val(p4d) & _PAGE_LEAF);
}

static pgprot_t io_linear_prot(enum io_linear_type type)
{
	return type == IO_LINEAR_WC ? pgprot_writecombine(PAGE_KERNEL) :
				      PAGE_KERNEL_IO;
}

/**
 * arch_io_linear_supported - can this machine keep the hook's contract?
 *
 * Only where a PTE carries a memory type, with Svpbmt or XTheadMae: without
 * one, the platform's PMAs would decide it, which the hook cannot check.
 *
 * Return: true if the CPU has Svpbmt or XTheadMae.
 */
bool arch_io_linear_supported(void)
{
	return _PAGE_MTMASK;
}

/* Are the top-level entries over [start, end) there? They are never freed. */
static bool io_linear_tops_present(unsigned long start, unsigned long end)
{
	unsigned long addr;

	for (addr = ALIGN_DOWN(start, PGDIR_SIZE); addr < end; addr += PGDIR_SIZE)
		if (!io_linear_top_present(addr))
			return false;
	return true;
}

/*
 * The kernel page-table entry that maps @addr: its value, or 0 where there is
 * none. @size receives the size of what the entry maps, or of the hole.
 */
static unsigned long io_linear_lookup(unsigned long addr, unsigned long *size)
{
	pgd_t *pgdp = pgd_offset_k(addr);
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;

	*size = PGDIR_SIZE;
	if (pgd_none(pgdp_get(pgdp)))
		return 0;

	p4dp = p4d_offset(pgdp, addr);
	p4d = p4dp_get(p4dp);
	*size = P4D_SIZE;
	if (p4d_none(p4d) || io_linear_p4d_leaf(p4d))
		return p4d_val(p4d);

	pudp = pud_offset(p4dp, addr);
	pud = pudp_get(pudp);
	*size = PUD_SIZE;
	if (pud_none(pud) || pud_leaf(pud))
		return pud_val(pud);

	pmdp = pmd_offset(pudp, addr);
	pmd = pmdp_get(pmdp);
	*size = PMD_SIZE;
	if (pmd_none(pmd) || pmd_leaf(pmd))
		return pmd_val(pmd);

	*size = PAGE_SIZE;
	return pte_val(ptep_get(pte_offset_kernel(pmdp, addr)));
}

/* Does any entry of [start, end) exist already? */
static bool io_linear_range_used(unsigned long start, unsigned long end)
{
	unsigned long addr, size;

	for (addr = start; addr < end; addr = ALIGN_DOWN(addr, size) + size)
		if (io_linear_lookup(addr, &size))
			return true;
	return false;
}

/* The entry that points to @addr's PMD (PUD) table, or NULL if none does. */
static pud_t *io_linear_pud(unsigned long addr)
{
	pgd_t *pgdp = pgd_offset_k(addr);
	p4d_t *p4dp;
	p4d_t p4d;

	if (pgd_none(pgdp_get(pgdp)))
		return NULL;
	p4dp = p4d_offset(pgdp, addr);
	p4d = p4dp_get(p4dp);
	if (p4d_none(p4d) || io_linear_p4d_leaf(p4d))
		return NULL;
	return pud_offset(p4dp, addr);
}

static pmd_t *io_linear_pmd(unsigned long addr)
{
	pud_t *pudp = io_linear_pud(addr);
	pud_t pud;

	if (!pudp)
		return NULL;
	pud = pudp_get(pudp);
	if (pud_none(pud) || pud_leaf(pud))
		return NULL;
	return pmd_offset(pudp, addr);
}

/*
 * Does no entry of @table map anything? Tables that boot took from memblock
 * are never freed here: memory hotplug frees those its own way.
 */
static bool io_linear_table_empty(const void *table)
{
	return !PageReserved(virt_to_page(table)) &&
	       !memchr_inv(table, 0, PAGE_SIZE);
}

/*
 * Free the page tables under [start, end) that map nothing any more, deepest
 * level first, so that unlinking PTE tables can empty a PMD table, and so
 * on. An empty table is one that only the range used: tables shared with a
 * neighbouring mapping are not empty and stay. Tables whose parent is a
 * top-level entry stay too (see io_linear_top_present()): the PMD tables of
 * Sv39, the PUD tables of Sv48, the P4D tables of Sv57.
 *
 * Every empty table is unlinked and destructed first; then one flush makes
 * sure that no hart still caches an entry above one (an sfence.vma for an
 * address only drops leaf entries, so it flushes everything); then they
 * are freed. The destructors run before the tables go on the list, whose
 * link shares a word with what pagetable_pmd_dtor() checks.
 */
static void io_linear_free_tables(unsigned long start, unsigned long end)
{
	struct ptdesc *ptdesc, *next;
	unsigned long addr;
	LIST_HEAD(freed);

	lockdep_assert_held(&io_linear_mutex);

	for (addr = ALIGN_DOWN(start, PMD_SIZE); addr < end; addr += PMD_SIZE) {
		pmd_t *pmdp = io_linear_pmd(addr);
		pmd_t pmd;

		if (!pmdp)
			continue;
		pmd = pmdp_get(pmdp);
		if (!pmd_present(pmd) || pmd_leaf(pmd) ||
		    !io_linear_table_empty((void *)pmd_page_vaddr(pmd)))
			continue;
		pmd_clear(pmdp);
		ptdesc = virt_to_ptdesc((void *)pmd_page_vaddr(pmd));
		list_add(&ptdesc->pt_list, &freed);
	}

	for (addr = ALIGN_DOWN(start, PUD_SIZE);
	     pgtable_l4_enabled && addr < end; addr += PUD_SIZE) {
		pud_t *pudp = io_linear_pud(addr);
		pud_t pud;

		if (!pudp)
			continue;
		pud = pudp_get(pudp);
		if (!pud_present(pud) || pud_leaf(pud) ||
		    !io_linear_table_empty(pud_pgtable(pud)))
			continue;
		pud_clear(pudp);
		ptdesc = virt_to_ptdesc(pud_pgtable(pud));
		pagetable_pmd_dtor(ptdesc);
		list_add(&ptdesc->pt_list, &freed);
	}

	for (addr = ALIGN_DOWN(start, P4D_SIZE);
	     pgtable_l5_enabled && addr < end; addr += P4D_SIZE) {
		p4d_t *p4dp = p4d_offset(pgd_offset_k(addr), addr);
		p4d_t p4d = p4dp_get(p4dp);

		if (!p4d_present(p4d) || io_linear_p4d_leaf(p4d) ||
		    !io_linear_table_empty(p4d_pgtable(p4d)))
			continue;
		p4d_clear(p4dp);
		ptdesc = virt_to_ptdesc(p4d_pgtable(p4d));
		pagetable_pud_dtor(ptdesc);
		list_add(&ptdesc->pt_list, &freed);
	}

	if (list_empty(&freed))
		return;
	flush_tlb_all();
	list_for_each_entry_safe(ptdesc, next, &freed, pt_list)
		pagetable_free(ptdesc);
}

/* Clear [start, end), flush the TLB and free the tables only it used. */
static void io_linear_clear(unsigned long start, unsigned long end)
{
	lockdep_assert_held(&io_linear_mutex);

	vunmap_range(start, end);
	io_linear_free_tables(start, end);
}

/**
 * arch_io_linear_map - map an I/O region into the linear map
 * @phys:	first byte of the region, page aligned
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type of the mapping
 *
 * Context: may sleep.
 * Return: 0 on success. -ERANGE, with a warning, if a top-level entry over
 * the range is missing, which boot's preallocation should have made;
 * -EBUSY if any page of it is mapped already; -ENOMEM if a page table
 * could not be allocated. On error nothing is mapped.
 */
int arch_io_linear_map(phys_addr_t phys, size_t size, enum io_linear_type type)
{
	unsigned long start = (unsigned long)__va(phys);
	unsigned long end = start + size;
	int ret;

	might_sleep();
	if (WARN_ON_ONCE(!io_linear_tops_present(start, end)))
		return -ERANGE;

	mem_hotplug_begin();
	mutex_lock(&io_linear_mutex);
	if (io_linear_range_used(start, end)) {
		ret = -EBUSY;
	} else {
		ret = vmap_page_range(start, end, phys, io_linear_prot(type));
		if (ret)
			io_linear_clear(start, end);
		else
			/*
			 * A hart may have cached the entries as invalid, and
			 * flush_cache_vmap() marks new mappings for the
			 * exception entry to fence only in vmalloc space.
			 */
			flush_tlb_kernel_range(start, end);
	}
	mutex_unlock(&io_linear_mutex);
	mem_hotplug_done();
	return ret;
}

/**
 * arch_io_linear_unmap - remove an I/O region from the linear map
 * @phys:	first byte of the region, as given to arch_io_linear_map()
 * @size:	size of the region, as given to arch_io_linear_map()
 *
 * Clears the mapping, flushes the TLB and frees the page tables that only the
 * region used.
 *
 * Context: may sleep; nothing may access the region any more.
 */
void arch_io_linear_unmap(phys_addr_t phys, size_t size)
{
	unsigned long start = (unsigned long)__va(phys);

	might_sleep();
	mem_hotplug_begin();
	mutex_lock(&io_linear_mutex);
	io_linear_clear(start, start + size);
	mutex_unlock(&io_linear_mutex);
	mem_hotplug_done();
}
