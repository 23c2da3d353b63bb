// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 backend of the I/O linear map (see <linux/io_linear_map.h>).
 *
 * An I/O region is mapped in the direct map at __va(phys), where the
 * direct map would hold RAM at that address, with no struct page. Its
 * limits:
 *
 * - the ranges io_linear_mappable() accepts: up to PHYSMEM_END, which
 *   memory hotplug's window ends at (with RANDOMIZE_MEMORY the direct map
 *   may end well before MAX_PHYSMEM_BITS, and PHYSMEM_END says where), and
 *   within the iomem tree, which ends at the CPU's physical address width;
 * - write-combining or UC-, as ioremap_wc() and ioremap() map, decrypted;
 *   io_linear_map() has reserved that type with PAT beforehand;
 * - 1 GiB pages where the CPU has GBPAGES and alignment allows, else
 *   2 MiB pages, else 4 KiB; nohugeiomap limits this as for ioremap(). A
 *   slot with a page table under it already is mapped through that table;
 * - the page tables it frees are its own only: PTE tables it recorded when
 *   vmap_page_range() added them, and PMD tables with the page-table
 *   constructor, which the direct map's, memory hotplug's and boot's lack.
 *   PUD tables stay. A PMD table that memory hot-add comes to share with
 *   a region is freed by whichever empties it last; by hot-remove, without
 *   its destructor.
 *
 * The page tables are built by vmap_page_range(), whose allocations can
 * fail cleanly, rather than by the memory-hotplug builder
 * kernel_physical_mapping_init(), which is __meminit, does not check its
 * allocations, and records the range in pfn_mapped[] as RAM. Map and unmap
 * run under mem_hotplug_begin(), which keeps memory hotplug and the ptdump
 * walker off the tables: the hook needs MEMORY_HOTPLUG.
 */
#include <linux/io.h>
#include <linux/io_linear_map.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pgalloc.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include <asm/tlbflush.h>

/* Serialises map and unmap, and with them the freeing of page tables. */
static DEFINE_MUTEX(io_linear_mutex);

/* As io_linear_map() reserved it: pgprot_writecombine() or pgprot_device(). */
static enum page_cache_mode io_linear_pcm(enum io_linear_type type)
{
	return type == IO_LINEAR_WC ? _PAGE_CACHE_MODE_WC :
				      _PAGE_CACHE_MODE_UC_MINUS;
}

/* The next address after the level of page table that maps @addr. */
static unsigned long io_linear_next(unsigned long addr, unsigned int level)
{
	unsigned long size = level == PG_LEVEL_256T ? PGDIR_SIZE :
						      page_level_size(level);

	return ALIGN_DOWN(addr, size) + size;
}

/*
 * The PUD entry that maps @addr, or NULL where no PUD table is: under a
 * PGD or P4D entry that is none or a leaf.
 */
static pud_t *io_linear_pud(unsigned long addr)
{
	pgd_t *pgd = pgd_offset_k(addr);
	p4d_t *p4d;

	if (pgd_none(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_leaf(*p4d))
		return NULL;
	return pud_offset(p4d, addr);
}

/* Does a PUD entry hold a PMD table? */
static bool io_linear_pud_table(pud_t pud)
{
	return pud_present(pud) && !pud_leaf(pud);
}

/* The end of the PUD table that maps @addr, or @end if that comes first. */
static unsigned long io_linear_pud_table_end(unsigned long addr,
					     unsigned long end)
{
	const unsigned long span = PTRS_PER_PUD * PUD_SIZE;
	unsigned long boundary = ALIGN_DOWN(addr, span) + span;

	return boundary - 1 < end - 1 ? boundary : end;
}

/*
 * The first 1 GiB-aligned address from ALIGN_DOWN(@addr, PUD_SIZE) on, and
 * before @end, whose PUD entry holds a PMD table if @table, or is not none
 * otherwise; @end if there is none. The entries of a PUD table are read in
 * a row, and where io_linear_pud() finds no PUD table, its whole span is
 * passed: a walk of a range that is not mapped yet, or mapped with 1 GiB
 * pages, costs a load per 1 GiB, not a walk from the PGD. That span is
 * passed even under a leaf P4D entry, which holds no PMD table but is not
 * none: a caller that looks for entries that are not none bounds @end to
 * one PUD table that it has walked to.
 */
static unsigned long io_linear_next_pud(unsigned long addr, unsigned long end,
					bool table)
{
	for (addr = ALIGN_DOWN(addr, PUD_SIZE); addr < end;) {
		unsigned long next = io_linear_pud_table_end(addr, end);
		pud_t *pud = io_linear_pud(addr);

		for (; pud && addr < next; addr += PUD_SIZE, pud++) {
			pud_t entry = pudp_get(pud);

			if (table ? io_linear_pud_table(entry) : !pud_none(entry))
				return addr;
		}
		addr = next;
	}
	return end;
}

#define for_each_io_linear_pmd_table(addr, start, end)			\
	for (addr = io_linear_next_pud(start, end, true); addr < (end);	\
	     addr = io_linear_next_pud(addr + PUD_SIZE, end, true))

/* Does any entry of [start, end) exist already? */
static bool io_linear_range_used(unsigned long start, unsigned long end)
{
	unsigned long addr, next;
	unsigned int level;

	for (addr = start; addr < end; addr = next) {
		pte_t *pte = lookup_address(addr, &level);

		if (pte && !pte_none(*pte))
			return true;
		next = io_linear_next(addr, level);
		/* A none PUD entry: pass those that follow it in its table. */
		if (!pte && level == PG_LEVEL_1G && next > addr)
			next = io_linear_next_pud(next,
						  io_linear_pud_table_end(addr, end),
						  false);
		if (next <= addr)
			break;
	}
	return false;
}

static pmd_t *io_linear_pmd(unsigned long addr)
{
	pud_t *pud = io_linear_pud(addr);

	if (!pud || pud_none(*pud) || pud_leaf(*pud))
		return NULL;
	return pmd_offset(pud, addr);
}

static bool io_linear_table_empty(void *table, unsigned int entries)
{
	return !memchr_inv(table, 0, entries * sizeof(unsigned long));
}

/*
 * The PTE tables that this backend allocated, by frame: the only PTE tables
 * it frees. A PTE table of the direct map (split_large_page()) or of boot
 * may be empty under a range too; boot's are reserved, but the direct
 * map's have no constructor, as vmalloc's have none, so nothing else tells
 * them apart. Under io_linear_mutex.
 */
static DEFINE_XARRAY(io_linear_tables);

/* The PTE (PMD) table under the PMD (PUD) entry of @addr, or NULL. */
static void *io_linear_pte_table(unsigned long addr)
{
	pmd_t *pmd = io_linear_pmd(addr);

	if (!pmd || !pmd_present(*pmd) || pmd_leaf(*pmd))
		return NULL;
	return (void *)pmd_page_vaddr(*pmd);
}

static void *io_linear_pmd_table(unsigned long addr)
{
	pud_t *pud = io_linear_pud(addr);

	if (!pud || !io_linear_pud_table(*pud))
		return NULL;
	return pud_pgtable(*pud);
}

/*
 * Is @table, a PMD table, one that vmap_page_range() allocated, here, as
 * nothing else allocates a PMD table in the direct map with the page-table
 * constructor (the direct map's and memory hotplug's have none, boot's are
 * reserved)? PMD tables are told apart by that alone, not recorded: memory
 * hot-add may share one with a region, and hot-remove may free it.
 */
static bool io_linear_pmd_table_ours(void *table)
{
	struct page *page = virt_to_page(table);

	return !PageReserved(page) && PageTable(page);
}

/*
 * The first PMD-aligned address in [addr, end) under which a PTE table
 * hangs, or @end if there is none, passing each run of PUD entries that
 * hold no PMD table in one step: the walks below cost little per 1 GiB of
 * a range mapped with 1 GiB pages, or not mapped yet.
 */
static unsigned long io_linear_next_pte_table(unsigned long addr,
					      unsigned long end)
{
	for (addr = ALIGN_DOWN(addr, PMD_SIZE); addr < end;) {
		if (!io_linear_pmd_table(addr)) {
			addr = io_linear_next_pud(ALIGN_DOWN(addr, PUD_SIZE) +
						  PUD_SIZE, end, true);
			continue;
		}
		if (io_linear_pte_table(addr))
			return addr;
		addr += PMD_SIZE;
	}
	return end;
}

#define for_each_io_linear_pte_table(addr, start, end)			\
	for (addr = io_linear_next_pte_table(start, end); addr < (end);	\
	     addr = io_linear_next_pte_table(addr + PMD_SIZE, end))

/*
 * The PTE tables under a range before it is mapped: few, as the range has
 * no entries, but the direct map may have left an empty one behind.
 */
struct io_linear_before {
	unsigned long	nr;
	void		**tables;
};

/* Fill @b with the PTE tables under [start, end). Return: 0 or -ENOMEM. */
static int io_linear_before_get(struct io_linear_before *b,
				unsigned long start, unsigned long end)
{
	unsigned long addr, i = 0;

	b->nr = 0;
	for_each_io_linear_pte_table(addr, start, end)
		b->nr++;
	b->tables = kvcalloc(b->nr, sizeof(*b->tables), GFP_KERNEL);
	if (b->nr && !b->tables)
		return -ENOMEM;
	for_each_io_linear_pte_table(addr, start, end)
		if (i < b->nr)
			b->tables[i++] = io_linear_pte_table(addr);
	b->nr = i;
	return 0;
}

static bool io_linear_was_there(const struct io_linear_before *b, void *table)
{
	unsigned long i;

	for (i = 0; b && i < b->nr; i++)
		if (b->tables[i] == table)
			return true;
	return false;
}

/*
 * Record the PTE tables under [start, end) that are there now and were not
 * in @before: those vmap_page_range() has just allocated. Return: 0, or
 * -ENOMEM if one could not be recorded.
 */
static int io_linear_tables_adopt(unsigned long start, unsigned long end,
				  const struct io_linear_before *before)
{
	unsigned long addr;

	for_each_io_linear_pte_table(addr, start, end) {
		void *table = io_linear_pte_table(addr);

		if (io_linear_was_there(before, table))
			continue;
		if (xa_err(xa_store(&io_linear_tables, PHYS_PFN(__pa(table)),
				    xa_mk_value(1), GFP_KERNEL)))
			return -ENOMEM;
	}
	return 0;
}

/*
 * May a PTE table under the range go, with the range unmapped? If it is
 * empty, and ours: recorded, or not in @before, the tables there before a
 * map that failed. It is not recorded any more.
 */
static bool io_linear_pte_table_release(void *table,
					const struct io_linear_before *before)
{
	if (!table || !io_linear_table_empty(table, PTRS_PER_PTE))
		return false;
	return xa_erase(&io_linear_tables, PHYS_PFN(__pa(table))) ||
	       (before && !io_linear_was_there(before, table));
}

/*
 * Clear [start, end), flush the TLB, and free the page tables that this
 * backend allocated and that no longer map anything: those of the range
 * and nobody else's. @before is NULL, or the PTE tables under the range
 * before a map that failed (io_linear_before_get()), whose new tables may
 * not be recorded yet. Each table is unlinked first, and destructed; then
 * one flush drops every cached entry and paging-structure cache entry of
 * them all; then they are freed. PUD tables are never freed, as they are
 * shared by every page table through the PGD sync.
 */
static void io_linear_clear(unsigned long start, unsigned long end,
			    const struct io_linear_before *before)
{
	struct ptdesc *ptdesc, *next;
	LIST_HEAD(tables);
	unsigned long addr;

	lockdep_assert_held(&io_linear_mutex);

	vunmap_range(start, end);

	for_each_io_linear_pte_table(addr, start, end) {
		void *table = io_linear_pte_table(addr);

		if (!io_linear_pte_table_release(table, before))
			continue;
		pmd_clear(io_linear_pmd(addr));
		list_add(&virt_to_ptdesc(table)->pt_list, &tables);
	}
	for_each_io_linear_pmd_table(addr, start, end) {
		void *table = io_linear_pmd_table(addr);

		if (!table || !io_linear_table_empty(table, PTRS_PER_PMD) ||
		    !io_linear_pmd_table_ours(table))
			continue;
		pud_clear(io_linear_pud(addr));
		/* Before pt_list is used: it shares the word the dtor checks. */
		pagetable_pmd_dtor(virt_to_ptdesc(table));
		list_add(&virt_to_ptdesc(table)->pt_list, &tables);
	}
	if (list_empty(&tables))
		return;

	flush_tlb_kernel_range(ALIGN_DOWN(start, PMD_SIZE), ALIGN(end, PMD_SIZE));
	list_for_each_entry_safe(ptdesc, next, &tables, pt_list)
		pagetable_free(ptdesc);
}

/*
 * The end of the first piece of [addr, end) that vmap_page_range() may map
 * in one call: short of the end of the first whole aligned 2 MiB (1 GiB) in
 * it under which a PTE (PMD) table is there already. vmap_page_range() would
 * map such a slot with one huge entry and free the table under it
 * (vmap_try_huge_pmd(), _pud()), whoever's it is; cut short, the slot is
 * mapped through the table instead.
 */
static unsigned long io_linear_vmap_cut(unsigned long addr, unsigned long end)
{
	unsigned long slot, cut = end, last = ALIGN_DOWN(end, PMD_SIZE);

	/* The whole 2 MiB slots: those that end by @end. */
	slot = io_linear_next_pte_table(ALIGN(addr, PMD_SIZE), last);
	if (slot < last)
		cut = slot + PMD_SIZE - PAGE_SIZE;
	/* The whole 1 GiB slots that start before the cut. */
	last = min(cut, ALIGN_DOWN(end, PUD_SIZE));
	slot = io_linear_next_pud(ALIGN(addr, PUD_SIZE), last, true);
	if (slot < last)
		cut = min(cut, slot + PUD_SIZE - PMD_SIZE);
	return cut;
}

/* vmap_page_range() of [start, end), never over a table that is there. */
static int io_linear_vmap(unsigned long start, unsigned long end,
			  phys_addr_t phys, pgprot_t prot)
{
	unsigned long addr, cut;
	int ret;

	for (addr = start; addr < end; addr = cut) {
		cut = io_linear_vmap_cut(addr, end);
		ret = vmap_page_range(addr, cut, phys + (addr - start), prot);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * arch_io_linear_map - map an I/O region into the direct map
 * @phys:	first byte of the region, page aligned
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type of the mapping, which PAT has reserved
 *
 * Context: may sleep.
 * Return: 0 on success. -EBUSY if any page of the range is mapped already;
 * -ENOMEM if a page table could not be allocated. On error nothing is
 * mapped.
 */
int arch_io_linear_map(phys_addr_t phys, size_t size, enum io_linear_type type)
{
	unsigned long start = (unsigned long)__va(phys);
	unsigned long end = start + size;
	struct io_linear_before before;
	pgprot_t prot;
	int ret;

	might_sleep();
	prot = __pgprot(pgprot_val(pgprot_decrypted(PAGE_KERNEL_IO)) |
			cachemode2protval(io_linear_pcm(type)));

	mem_hotplug_begin();
	mutex_lock(&io_linear_mutex);
	if (io_linear_range_used(start, end)) {
		ret = -EBUSY;
		goto out;
	}
	/* The tables under the range before it is mapped. */
	ret = io_linear_before_get(&before, start, end);
	if (ret)
		goto out;
	ret = io_linear_vmap(start, end, phys, prot);
	if (!ret)
		ret = io_linear_tables_adopt(start, end, &before);
	if (ret)
		io_linear_clear(start, end, &before);
	kvfree(before.tables);
out:
	mutex_unlock(&io_linear_mutex);
	mem_hotplug_done();
	return ret;
}

/**
 * arch_io_linear_unmap - remove an I/O region from the direct map
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
	unsigned long start = (unsigned long)__va(phys);

	might_sleep();
	mem_hotplug_begin();
	mutex_lock(&io_linear_mutex);
	io_linear_clear(start, start + size, NULL);
	mutex_unlock(&io_linear_mutex);
	mem_hotplug_done();
}
