// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 backend of the I/O linear map (see <linux/io_linear_map.h>).
 *
 * An I/O region is mapped in the direct map at __va(phys), where the
 * direct map would hold RAM at that address, with no struct page. Its
 * limits:
 *
 * - ranges up to PHYSMEM_END and within the CPU's physical address width;
 *   with RANDOMIZE_MEMORY the direct map may end well before that, and
 *   PHYSMEM_END says where;
 * - write-combining or UC-, with a PAT memtype reservation of exactly that
 *   type: a range that another mapping holds with another type is -EBUSY;
 * - 1 GiB pages where the CPU has GBPAGES and alignment allows, else
 *   2 MiB pages, else 4 KiB; nohugeiomap limits this as for ioremap().
 *
 * The page tables are built by vmap_page_range(), whose allocations can
 * fail cleanly, rather than by the memory-hotplug builder
 * kernel_physical_mapping_init(), which is __meminit, does not check its
 * allocations, and records the range in pfn_mapped[] as RAM.
 */
#include <linux/io.h>
#include <linux/io_linear_map.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/vmalloc.h>

#include <asm/memtype.h>
#include <asm/tlbflush.h>

/* Serialises map and unmap, and with them the freeing of page tables. */
static DEFINE_MUTEX(io_linear_mutex);

static enum page_cache_mode io_linear_pcm(enum io_linear_type type)
{
	return type == IO_LINEAR_WC ? _PAGE_CACHE_MODE_WC :
				      _PAGE_CACHE_MODE_UC_MINUS;
}

/**
 * arch_io_linear_mappable - can the direct map hold a physical range?
 * @phys:	first byte of the range
 * @size:	size of the range in bytes
 *
 * Return: true if [@phys, @phys + @size) lies within the direct map's
 * window and the CPU's physical address width.
 */
bool arch_io_linear_mappable(phys_addr_t phys, size_t size)
{
	phys_addr_t last;

	if (!size || check_add_overflow(phys, (phys_addr_t)size - 1, &last))
		return false;

	return last <= PHYSMEM_END && !(last >> boot_cpu_data.x86_phys_bits);
}

/* The next address after the level of page table that maps @addr. */
static unsigned long io_linear_next(unsigned long addr, unsigned int level)
{
	unsigned long size = level == PG_LEVEL_256T ? PGDIR_SIZE :
						      page_level_size(level);

	return ALIGN_DOWN(addr, size) + size;
}

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
		if (next <= addr)
			break;
	}
	return false;
}

/* The PMD and PUD entries that map @addr, or NULL where there are none. */
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
 * Clear [start, end), flush the TLB, and free the page tables that no
 * longer map anything: those of the range and nobody else's. Tables shared
 * with a neighbouring mapping are not empty and stay. PUD tables are never
 * freed, as they are shared by every page table through the PGD sync.
 */
static void io_linear_clear(unsigned long start, unsigned long end)
{
	unsigned long addr;

	lockdep_assert_held(&io_linear_mutex);

	vunmap_range(start, end);

	for (addr = ALIGN_DOWN(start, PMD_SIZE); addr < end; addr += PMD_SIZE) {
		pmd_t *pmd = io_linear_pmd(addr);

		if (pmd && pmd_present(*pmd) && !pmd_leaf(*pmd) &&
		    io_linear_table_empty((void *)pmd_page_vaddr(*pmd),
					  PTRS_PER_PTE))
			pmd_free_pte_page(pmd, addr);
	}
	for (addr = ALIGN_DOWN(start, PUD_SIZE); addr < end; addr += PUD_SIZE) {
		pud_t *pud = io_linear_pud(addr);

		if (pud && pud_present(*pud) && !pud_leaf(*pud) &&
		    io_linear_table_empty(pud_pgtable(*pud), PTRS_PER_PMD))
			pud_free_pmd_page(pud, addr);
	}
}

/**
 * arch_io_linear_map - map an I/O region into the direct map
 * @phys:	first byte of the region, page aligned
 * @size:	size of the region in bytes, page aligned
 * @type:	memory type of the mapping
 *
 * Context: may sleep.
 * Return: 0 on success. -ERANGE if the direct map cannot hold the range;
 * -EBUSY if any page of it is mapped already or PAT tracks it with another
 * memory type; -ENOMEM if a page table could not be allocated. On error
 * nothing is mapped and no memory type is reserved.
 */
int arch_io_linear_map(phys_addr_t phys, size_t size, enum io_linear_type type)
{
	enum page_cache_mode pcm = io_linear_pcm(type);
	unsigned long start = (unsigned long)__va(phys);
	unsigned long end = start + size;
	pgprot_t prot;
	int ret;

	might_sleep();
	if (!arch_io_linear_mappable(phys, size))
		return -ERANGE;

	/* Without a new_type to adopt, any other type already there is -EBUSY. */
	ret = memtype_reserve(phys, phys + size, pcm, NULL);
	if (ret)
		return ret;

	prot = __pgprot(pgprot_val(pgprot_decrypted(PAGE_KERNEL_IO)) |
			cachemode2protval(pcm));

	mem_hotplug_begin();
	mutex_lock(&io_linear_mutex);
	if (io_linear_range_used(start, end)) {
		ret = -EBUSY;
	} else {
		ret = vmap_page_range(start, end, phys, prot);
		if (ret)
			io_linear_clear(start, end);
	}
	mutex_unlock(&io_linear_mutex);
	mem_hotplug_done();

	if (ret)
		memtype_free(phys, phys + size);
	return ret;
}

/**
 * arch_io_linear_unmap - remove an I/O region from the direct map
 * @phys:	first byte of the region, as given to arch_io_linear_map()
 * @size:	size of the region, as given to arch_io_linear_map()
 *
 * Clears the mapping, flushes the TLB, frees the page tables that only the
 * region used and releases its memory type.
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

	memtype_free(phys, phys + size);
}

/**
 * arch_io_linear_query - how is a physical address mapped in the direct map?
 * @phys:	the address
 * @page_size:	receives the size of the page that maps it
 * @type:	receives its memory type
 *
 * For tests and debugging: reads the page tables as they are.
 *
 * Return: 0 if @phys is mapped with an I/O memory type. -ENOENT if it is
 * not mapped; -EINVAL if it is mapped with another memory type.
 */
int arch_io_linear_query(phys_addr_t phys, size_t *page_size,
			 enum io_linear_type *type)
{
	unsigned long addr = (unsigned long)__va(phys);
	enum page_cache_mode pcm;
	pteval_t flags = 0;
	unsigned int level;
	pte_t *pte;

	mutex_lock(&io_linear_mutex);
	pte = lookup_address(addr, &level);
	if (pte && pte_present(*pte)) {
		/* The PAT bit sits elsewhere in large entries. */
		if (level == PG_LEVEL_4K)
			flags = pte_flags(*pte);
		else if (level == PG_LEVEL_2M)
			flags = protval_large_2_4k(pmd_flags(*(pmd_t *)pte));
		else if (level == PG_LEVEL_1G)
			flags = protval_large_2_4k(pud_flags(*(pud_t *)pte));
	}
	mutex_unlock(&io_linear_mutex);
	if (!flags)
		return -ENOENT;

	*page_size = page_level_size(level);
	pcm = pgprot2cachemode(__pgprot(flags));

	if (pcm == io_linear_pcm(IO_LINEAR_WC))
		*type = IO_LINEAR_WC;
	else if (pcm == io_linear_pcm(IO_LINEAR_UC))
		*type = IO_LINEAR_UC;
	else
		return -EINVAL;
	return 0;
}
