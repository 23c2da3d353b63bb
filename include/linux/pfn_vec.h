/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfn_vec: vectors of memory with or without struct page.
 *
 * A struct pfn_vec is the bio_vec of memory that may have no struct page,
 * such as a PCI BAR: it names its memory by pfn_t instead of struct page,
 * and pfn_t_has_page() tells which kind a segment is. Iteration reuses
 * struct bvec_iter and mirrors <linux/bvec.h>: multi-page segments, a
 * single-page view for mapping, overflow-checked advance.
 *
 * See Documentation/core-api/pfn_vec.rst.
 */
#ifndef _LINUX_PFN_VEC_H
#define _LINUX_PFN_VEC_H

#include <linux/bvec.h>
#include <linux/build_bug.h>
#include <linux/highmem.h>
#include <linux/io_linear_map.h>
#include <linux/iosys-map.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/percpu-refcount.h>
#include <linux/pfn_t.h>

struct pci_dev;
struct resource;
struct folio;
struct pfn_vec_region;

/**
 * struct pfn_vec - a contiguous range of physical memory
 * @pv_pfn:	first page frame of the range, with pfn_t flags: PFN_DEV
 *		without PFN_MAP means the range has no struct page
 * @pv_len:	number of bytes in the range
 * @pv_offset:	offset of the first byte from the start of @pv_pfn; may be
 *		%PAGE_SIZE or more for a segment that starts past its first
 *		page, as for a multi-page bio_vec
 *
 * A segment is well formed when @pv_offset + @pv_len fits in 32 bits and
 * every page frame it spans is a valid physical address: pfn_vec_valid().
 * All the pages of one segment are of the same kind, with or without
 * struct page.
 */
struct pfn_vec {
	pfn_t		pv_pfn;
	unsigned int	pv_len;
	unsigned int	pv_offset;
};

/*
 * On 64-bit a pfn_vec array can live where a bio_vec array does, in the
 * same allocations. On 32-bit pfn_t stays 64 bits wide for its flags, so a
 * pfn_vec is one word larger than a bio_vec there.
 */
static_assert(!IS_ENABLED(CONFIG_64BIT) ||
	      sizeof(struct pfn_vec) == sizeof(struct bio_vec));

/**
 * pfn_vec_has_page - does a segment's memory have struct page?
 * @pv: the segment
 *
 * Return: true when the segment's pages can be reached as struct page.
 */
static inline bool pfn_vec_has_page(const struct pfn_vec *pv)
{
	return pfn_t_has_page(pv->pv_pfn);
}

/**
 * pfn_vec_phys - the physical address of a segment's first byte
 * @pv: the segment
 *
 * Return: the address.
 */
static inline phys_addr_t pfn_vec_phys(const struct pfn_vec *pv)
{
	return pfn_t_to_phys(pv->pv_pfn) + pv->pv_offset;
}

/* The highest page frame that a phys_addr_t can name. */
#define PFN_VEC_MAX_PFN		((u64)PHYS_PFN(PHYS_ADDR_MAX))

/**
 * pfn_vec_pfn_add - step a pfn_t forward by whole pages
 * @pfn:	the frame, with its flags; on success the frame @nr pages on,
 *		with the same flags
 * @nr:		how many pages
 *
 * Return: 0 on success. -EINVAL, with @pfn unchanged, if the frame @nr
 * pages on is past the last one a phys_addr_t can name: its number would
 * run into the flags.
 */
static inline int __must_check pfn_vec_pfn_add(pfn_t *pfn, unsigned long nr)
{
	u64 next;

	if (check_add_overflow((u64)pfn_t_to_pfn(*pfn), (u64)nr, &next) ||
	    next > PFN_VEC_MAX_PFN)
		return -EINVAL;
	pfn->val = (pfn->val & PFN_FLAGS_MASK) | next;
	return 0;
}

/*
 * The frame @nr pages after @pfn, for a frame of a segment that
 * pfn_vec_valid() accepts, which can never run into the flags.
 */
static inline pfn_t __pfn_vec_pfn_add(pfn_t pfn, unsigned long nr)
{
	return (pfn_t){ .val = pfn.val + nr };
}

/**
 * pfn_vec_valid - check that a segment is well formed
 * @pv: the segment
 *
 * A segment is well formed when its end offset, @pv->pv_offset +
 * @pv->pv_len, fits in 32 bits and every page frame it spans is one that a
 * phys_addr_t can name. Zero-length segments are well formed.
 *
 * Return: true if @pv is well formed.
 */
static inline bool pfn_vec_valid(const struct pfn_vec *pv)
{
	u64 pfn = pv->pv_pfn.val & ~PFN_FLAGS_MASK;
	unsigned int end, last;

	if (check_add_overflow(pv->pv_offset, pv->pv_len, &end))
		return false;
	last = pv->pv_len ? end - 1 : pv->pv_offset;
	return pfn + last / PAGE_SIZE <= PFN_VEC_MAX_PFN;
}

/*
 * The kind of a segment's memory, as its pfn_t flags say: RAM, with no
 * flag; ZONE_DEVICE pages, with PFN_DEV and PFN_MAP, as pfn_t_devmap()
 * reads them; memory without struct page, with PFN_DEV alone. The
 * constructors set them, and the accessor trusts them, as
 * kmap_local_page() trusts its page.
 */
#define PFN_VEC_KIND_MASK	(PFN_DEV | PFN_MAP)
#define PFN_VEC_KIND_RAM	0
#define PFN_VEC_KIND_DEVMAP	(PFN_DEV | PFN_MAP)
#define PFN_VEC_KIND_IO		PFN_DEV

static inline u64 pfn_vec_kind(const struct pfn_vec *pv)
{
	return pv->pv_pfn.val & PFN_VEC_KIND_MASK;
}

/**
 * pfn_vec_set_page - initialise a pfn_vec for memory with struct page
 * @pv:		pfn_vec to initialise
 * @page:	first page of the segment
 * @len:	length of the segment in bytes
 * @offset:	offset of the first byte into @page
 *
 * A ZONE_DEVICE page is marked so (PFN_DEV and PFN_MAP), as the accessor
 * maps it by its dev_pagemap's rules; every page of the segment must be
 * of the same kind, and of the same dev_pagemap, as @page.
 */
static inline void pfn_vec_set_page(struct pfn_vec *pv, struct page *page,
				    unsigned int len, unsigned int offset)
{
	pv->pv_pfn = page_to_pfn_t(page);
	if (is_zone_device_page(page))
		pv->pv_pfn.val |= PFN_VEC_KIND_DEVMAP;
	pv->pv_len = len;
	pv->pv_offset = offset;
}

/**
 * pfn_vec_set_folio - initialise a pfn_vec for a range of a folio
 * @pv:		pfn_vec to initialise
 * @folio:	folio holding the segment
 * @len:	length of the segment in bytes, at most %UINT_MAX
 * @offset:	offset of the first byte into @folio
 *
 * Return: 0 on success, with @pv set. -EINVAL, with @pv unchanged, if the
 * range is not all inside @folio or is longer than %UINT_MAX.
 */
static inline int __must_check pfn_vec_set_folio(struct pfn_vec *pv,
						 struct folio *folio,
						 size_t len, size_t offset)
{
	size_t size = folio_size(folio);

	if (offset > size || len > size - offset || len > UINT_MAX)
		return -EINVAL;
	pfn_vec_set_page(pv, folio_page(folio, offset / PAGE_SIZE), len,
			 offset % PAGE_SIZE);
	return 0;
}

int __must_check pfn_vec_set_phys(struct pfn_vec *pv, phys_addr_t phys,
				  unsigned int len);
int __must_check pfn_vec_iter_init(struct bvec_iter *iter,
				   const struct pfn_vec *pvec, unsigned int nr);

/*
 * Views of the segment under a cursor. The mp_ views cover what is left of
 * the whole (multi-page) segment; the others are cut to the page that holds
 * the cursor, which is what one kmap-like mapping can cover.
 */
static inline const struct pfn_vec *
__pfn_vec_iter_seg(const struct pfn_vec *pvec, struct bvec_iter iter)
{
	return &pvec[iter.bi_idx];
}

/**
 * mp_pfn_vec_iter_len - bytes left in the segment under a cursor
 * @pvec:	the array
 * @iter:	the cursor
 *
 * Return: the bytes from the cursor to the end of its segment, at most
 * what the cursor has left.
 */
static inline unsigned int mp_pfn_vec_iter_len(const struct pfn_vec *pvec,
					       struct bvec_iter iter)
{
	return min(iter.bi_size,
		   __pfn_vec_iter_seg(pvec, iter)->pv_len - iter.bi_bvec_done);
}

/**
 * mp_pfn_vec_iter_offset - offset of a cursor within its segment's first frame
 * @pvec:	the array
 * @iter:	the cursor
 *
 * Return: the offset of the byte under the cursor from the start of its
 * segment's @pv_pfn; may be %PAGE_SIZE or more.
 */
static inline unsigned int mp_pfn_vec_iter_offset(const struct pfn_vec *pvec,
						  struct bvec_iter iter)
{
	return __pfn_vec_iter_seg(pvec, iter)->pv_offset + iter.bi_bvec_done;
}

/**
 * mp_pfn_vec_iter_pvec - the rest of the segment under a cursor
 * @pvec:	the array
 * @iter:	the cursor
 *
 * Return: a segment from the byte under the cursor to the end of its
 * segment, possibly spanning many pages.
 */
static inline struct pfn_vec mp_pfn_vec_iter_pvec(const struct pfn_vec *pvec,
						  struct bvec_iter iter)
{
	return (struct pfn_vec) {
		.pv_pfn		= __pfn_vec_iter_seg(pvec, iter)->pv_pfn,
		.pv_len		= mp_pfn_vec_iter_len(pvec, iter),
		.pv_offset	= mp_pfn_vec_iter_offset(pvec, iter),
	};
}

/**
 * pfn_vec_iter_offset - offset of a cursor within its page
 * @pvec:	the array
 * @iter:	the cursor
 *
 * Return: the offset of the byte under the cursor within its page.
 */
static inline unsigned int pfn_vec_iter_offset(const struct pfn_vec *pvec,
					       struct bvec_iter iter)
{
	return offset_in_page(mp_pfn_vec_iter_offset(pvec, iter));
}

/**
 * pfn_vec_iter_len - bytes left in the page under a cursor
 * @pvec:	the array
 * @iter:	the cursor
 *
 * Return: the bytes from the cursor to the end of its page or segment,
 * whichever comes first, at most what the cursor has left.
 */
static inline unsigned int pfn_vec_iter_len(const struct pfn_vec *pvec,
					    struct bvec_iter iter)
{
	return min_t(unsigned int, mp_pfn_vec_iter_len(pvec, iter),
		     PAGE_SIZE - pfn_vec_iter_offset(pvec, iter));
}

/**
 * pfn_vec_iter_pfn - the frame under a cursor
 * @pvec:	the array
 * @iter:	the cursor
 *
 * Return: the pfn_t of the page that holds the byte under the cursor,
 * with its segment's flags.
 */
static inline pfn_t pfn_vec_iter_pfn(const struct pfn_vec *pvec,
				     struct bvec_iter iter)
{
	return __pfn_vec_pfn_add(__pfn_vec_iter_seg(pvec, iter)->pv_pfn,
				 mp_pfn_vec_iter_offset(pvec, iter) / PAGE_SIZE);
}

/**
 * pfn_vec_iter_pvec - the single-page view under a cursor
 * @pvec:	the array
 * @iter:	the cursor
 *
 * Return: a segment from the byte under the cursor to the end of its page
 * or segment, whichever comes first: what pfn_vec_kmap_local() can map.
 */
static inline struct pfn_vec pfn_vec_iter_pvec(const struct pfn_vec *pvec,
					       struct bvec_iter iter)
{
	return (struct pfn_vec) {
		.pv_pfn		= pfn_vec_iter_pfn(pvec, iter),
		.pv_len		= pfn_vec_iter_len(pvec, iter),
		.pv_offset	= pfn_vec_iter_offset(pvec, iter),
	};
}

/**
 * pfn_vec_iter_advance - move a cursor forward over a pfn_vec array
 * @pvec:	the array
 * @iter:	the cursor
 * @bytes:	how far to move, at most @iter->bi_size
 *
 * Zero-length segments on the way are stepped over.
 *
 * Return: true on success; false, with a warning and @iter left at its
 * end, if @bytes runs past the end of @iter.
 */
static inline bool pfn_vec_iter_advance(const struct pfn_vec *pvec,
					struct bvec_iter *iter,
					unsigned int bytes)
{
	unsigned int idx = iter->bi_idx;

	if (WARN_ONCE(bytes > iter->bi_size,
		      "pfn_vec: advance of %u bytes past the %u left\n",
		      bytes, iter->bi_size)) {
		iter->bi_size = 0;
		return false;
	}

	iter->bi_size -= bytes;
	bytes += iter->bi_bvec_done;

	while (bytes && bytes >= pvec[idx].pv_len) {
		bytes -= pvec[idx].pv_len;
		idx++;
	}

	iter->bi_idx = idx;
	iter->bi_bvec_done = bytes;
	return true;
}

/**
 * pfn_vec_iter_advance_single - move a cursor within its current segment
 * @pvec:	the array
 * @iter:	the cursor
 * @bytes:	how far to move, at most what is left of the current segment
 *
 * The cheap form of pfn_vec_iter_advance() for loops that step one view
 * at a time, such as for_each_pfn_vec().
 */
static inline void pfn_vec_iter_advance_single(const struct pfn_vec *pvec,
					       struct bvec_iter *iter,
					       unsigned int bytes)
{
	unsigned int done = iter->bi_bvec_done + bytes;

	if (done == pvec[iter->bi_idx].pv_len) {
		done = 0;
		iter->bi_idx++;
	}
	iter->bi_bvec_done = done;
	iter->bi_size -= bytes;
}

/**
 * for_each_pfn_vec - iterate over single-page views of a pfn_vec array
 * @pvl:	struct pfn_vec that receives each view
 * @pvec:	the array
 * @iter:	struct bvec_iter used as the cursor
 * @start:	where to start, usually from pfn_vec_iter_init()
 *
 * Each view lies within one page, so it can be passed to
 * pfn_vec_kmap_local().
 */
#define for_each_pfn_vec(pvl, pvec, iter, start)			\
	for (iter = (start);						\
	     (iter).bi_size &&						\
		((pvl = pfn_vec_iter_pvec((pvec), (iter))), 1);		\
	     pfn_vec_iter_advance_single((pvec), &(iter), (pvl).pv_len))

/**
 * struct pfn_vec_map - a local mapping of one page of a pfn_vec segment
 * @map: address of the segment's first byte, in system memory for RAM and
 *	 for ZONE_DEVICE pages that the kernel maps as RAM, in I/O memory
 *	 otherwise; iosys_map helpers access either correctly
 * @region: with CONFIG_DEBUG_PFN_VEC, the region that the mapping holds
 *	    until pfn_vec_kunmap_local(), or %NULL; not set without it
 */
struct pfn_vec_map {
	struct iosys_map	map;
	struct pfn_vec_region	*region;
};

int __must_check pfn_vec_region_register(struct resource *owner,
					 phys_addr_t phys, size_t size,
					 enum io_linear_type type);
int pfn_vec_region_unregister(phys_addr_t phys, size_t size);
#ifdef CONFIG_PCI
int __must_check pfn_vec_region_register_bar(struct pci_dev *pdev, int bar,
					     resource_size_t offset,
					     size_t size,
					     enum io_linear_type type);
int __must_check pfn_vec_region_register_p2p(struct pci_dev *pdev, int bar,
					     resource_size_t offset,
					     size_t size);
int __must_check devm_pfn_vec_region_register_bar(struct pci_dev *pdev,
						  int bar,
						  resource_size_t offset,
						  size_t size,
						  enum io_linear_type type);
int __must_check devm_pfn_vec_region_register_p2p(struct pci_dev *pdev,
						  int bar,
						  resource_size_t offset,
						  size_t size);
#endif

#if IS_ENABLED(CONFIG_KUNIT)
long pfn_vec_regions_live(void);
long pfn_vec_region_holders(phys_addr_t phys, size_t size);
#endif
#if IS_ENABLED(CONFIG_KUNIT) && IS_ENABLED(CONFIG_DEBUG_PFN_VEC)
long pfn_vec_debug_caught(void);
#endif

bool pfn_vec_same_region(unsigned long a, unsigned long b);

/*
 * Where kmap_local_page() is page_address(), all of RAM lies in the linear
 * map and one mapping covers a piece of RAM of many pages.
 */
static inline bool pfn_vec_ram_linear(void)
{
#if defined(CONFIG_HIGHMEM) || defined(ARCH_HAS_FLUSH_ON_KUNMAP)
	return false;
#else
	return true;
#endif
}

/*
 * Where, besides, every registered region lies in the linear map too, and
 * page_address() carries no KASAN tag, RAM and memory without struct page
 * are both mapped at __va() of their address: pfn_vec_kmap_local() tells
 * them apart from ZONE_DEVICE pages with one test.
 */
static inline bool pfn_vec_one_linear_map(void)
{
	return IS_ENABLED(CONFIG_64BIT) && pfn_vec_ram_linear() &&
	       IS_ENABLED(CONFIG_ARCH_HAS_IO_LINEAR_MAP) &&
	       !IS_ENABLED(CONFIG_KASAN_SW_TAGS) &&
	       !IS_ENABLED(CONFIG_KASAN_HW_TAGS);
}

int __must_check pfn_vec_check(const struct pfn_vec *pv);
struct iosys_map __pfn_vec_kmap_local(const struct pfn_vec *pv);
int __pfn_vec_kmap_local_debug(const struct pfn_vec *pv, struct pfn_vec_map *m);
void __pfn_vec_kunmap_local_debug(struct pfn_vec_map *m);

/* Release a mapping of the accessor's: kunmap_local() unless I/O memory. */
static inline void __pfn_vec_unmap(const struct iosys_map *map)
{
	if (!map->is_iomem)
		kunmap_local(map->vaddr);
}

/**
 * pfn_vec_kmap_local - map the first page of a segment, kmap_local style
 * @pv:	the segment; its first byte is mapped, up to the end of its page
 * @m:	receives the mapping of @pv's first byte
 *
 * RAM is mapped with kmap_local_page(), highmem included, and @m->map is in
 * system memory. Memory without struct page is reached at its address in
 * the I/O linear map, and @m->map is in I/O memory. ZONE_DEVICE pages are
 * mapped by the rules of their dev_pagemap: a P2PDMA page, which is part of
 * a BAR, in I/O memory; fsdax, generic and coherent device memory as RAM.
 *
 * The caller keeps the memory alive while it is mapped, as the caller of
 * kmap_local_page() keeps its page: memory without struct page lies in a
 * region registered for the CPU that is not unregistered before the
 * mapping is released. The region's owner keeps that rule by
 * unregistering only once its own I/O is done; anyone else holds the
 * region, with a struct pfn_vec_miter or pfn_vec_p2p_get(), for all the
 * pages it maps. So for RAM and for memory without struct page this is
 * address arithmetic, one branch more than kmap_local_page(), with no
 * lookup. CONFIG_DEBUG_PFN_VEC looks every mapping up, holds its region,
 * and reports a caller that breaks the rule.
 *
 * The mapping follows the rules of kmap_local_page(): it is usable in any
 * context, must be released with pfn_vec_kunmap_local() in the same
 * context, and nested mappings are released in reverse order.
 *
 * Return: 0 on success. -ENXIO if the CPU cannot reach the page: it has no
 * struct page and the architecture has no I/O linear map, or the segment
 * is marked ZONE_DEVICE and its page is device-private, offline, or of a
 * dev_pagemap that is going away. -EINVAL for a segment marked ZONE_DEVICE
 * whose frame has no struct page. RAM is not looked at. With
 * CONFIG_DEBUG_PFN_VEC every segment is checked: also -ENXIO for offline
 * RAM and for memory without struct page that no live region registered
 * for the CPU holds, and -EINVAL for a malformed segment or one whose
 * flags claim a struct page that its frame does not have. On error
 * nothing is mapped and @m is unchanged.
 */
static inline int __must_check pfn_vec_kmap_local(const struct pfn_vec *pv,
						  struct pfn_vec_map *m)
{
	phys_addr_t phys = pfn_vec_phys(pv);
	u64 kind = pfn_vec_kind(pv);
	struct iosys_map map;

	if (IS_ENABLED(CONFIG_DEBUG_PFN_VEC))
		return __pfn_vec_kmap_local_debug(pv, m);
	if (pfn_vec_one_linear_map() && likely(!(kind & PFN_MAP))) {
		/*
		 * RAM or memory without struct page, as the flags alone tell:
		 * vaddr and vaddr_iomem share their storage, so one store
		 * serves both, without a branch.
		 */
		m->map.vaddr = __va(phys);
		m->map.is_iomem = kind == PFN_VEC_KIND_IO;
		return 0;
	}
	if (likely(kind == PFN_VEC_KIND_RAM)) {
		iosys_map_set_vaddr(&map,
				    kmap_local_page(pfn_to_page(PHYS_PFN(phys))) +
				    offset_in_page(phys));
	} else if (kind == PFN_VEC_KIND_IO &&
		   IS_ENABLED(CONFIG_ARCH_HAS_IO_LINEAR_MAP)) {
		iosys_map_set_vaddr_iomem(&map, io_linear_addr(phys));
	} else {
		/* By value, so that @m never escapes: its fields stay in registers. */
		map = __pfn_vec_kmap_local(pv);
		if (IS_ERR(map.vaddr))
			return PTR_ERR(map.vaddr);
	}
	m->map = map;
	return 0;
}

/**
 * pfn_vec_kunmap_local - release a mapping from pfn_vec_kmap_local()
 * @m: the mapping
 */
static inline void pfn_vec_kunmap_local(struct pfn_vec_map *m)
{
	__pfn_vec_unmap(&m->map);
	if (IS_ENABLED(CONFIG_DEBUG_PFN_VEC))
		__pfn_vec_kunmap_local_debug(m);
}

/**
 * struct pfn_vec_miter - map a pfn_vec range piece by piece
 * @map:	the current piece, valid after pfn_vec_miter_next() returned
 *		true; in system or I/O memory as for struct pfn_vec_map
 * @length:	bytes in the current piece
 *
 * The pfn_vec counterpart of struct sg_mapping_iter. A piece is as much of
 * one segment as one mapping covers: where the memory lies in the linear
 * map, as every registered region does and RAM does without highmem, the
 * rest of the segment within one region; otherwise the rest of a page.
 *
 * The iterator holds each region it maps, once for all the pieces it maps
 * of it: a walk with one iterator looks a region up once, not once per
 * page, and unregistering the region waits until the iterator has moved
 * past it or is stopped. The first piece it maps of a region is where a
 * region that is not registered for the CPU, or is being unregistered, is
 * refused.
 */
struct pfn_vec_miter {
	struct iosys_map	map;
	unsigned int		length;

	/* private: */
	const struct pfn_vec	*pvec;
	struct bvec_iter	*iter;
	size_t			left;
	struct pfn_vec_region	*region;
	phys_addr_t		region_start;
	phys_addr_t		region_last;
	unsigned int		used;
	int			error;
	bool			mapped;
};

void pfn_vec_miter_start(struct pfn_vec_miter *miter,
			 const struct pfn_vec *pvec, struct bvec_iter *iter,
			 size_t len);
bool __pfn_vec_miter_next(struct pfn_vec_miter *miter);
int pfn_vec_miter_stop(struct pfn_vec_miter *miter);

/*
 * Release the current piece, if any, and step the cursor over it: over the
 * bytes the copy helpers used of it, if they used any, else over all of it.
 */
static inline void __pfn_vec_miter_release(struct pfn_vec_miter *miter)
{
	unsigned int n = miter->used ?: miter->length;

	if (!miter->mapped)
		return;
	__pfn_vec_unmap(&miter->map);
	pfn_vec_iter_advance_single(miter->pvec, miter->iter, n);
	miter->left -= n;
	miter->used = 0;
	miter->mapped = false;
}

/**
 * pfn_vec_miter_next - map the next piece of the range
 * @miter: the iterator
 *
 * Releases the current piece, if any, and maps the next one, in
 * @miter->map and @miter->length. RAM, and memory without struct page in
 * the region the iterator holds, are mapped here, by address arithmetic;
 * anything else is left to __pfn_vec_miter_next(), as is every piece with
 * CONFIG_DEBUG_PFN_VEC.
 *
 * Return: true if a piece was mapped; false at the end of the range or on
 * an error, which pfn_vec_miter_stop() then returns.
 */
static inline bool pfn_vec_miter_next(struct pfn_vec_miter *miter)
{
	struct bvec_iter *iter = miter->iter;
	const struct pfn_vec *pv;
	unsigned int done, len;
	phys_addr_t phys;

	__pfn_vec_miter_release(miter);
	if (!miter->left)
		return false;
	if (IS_ENABLED(CONFIG_DEBUG_PFN_VEC) || miter->error)
		return __pfn_vec_miter_next(miter);

	pv = __pfn_vec_iter_seg(miter->pvec, *iter);
	done = iter->bi_bvec_done;
	if (unlikely(done >= pv->pv_len || !pfn_vec_valid(pv)))
		return __pfn_vec_miter_next(miter);
	phys = pfn_vec_phys(pv) + done;
	len = min_t(size_t, pv->pv_len - done, miter->left);

	switch (pfn_vec_kind(pv)) {
	case PFN_VEC_KIND_RAM:
		if (pfn_vec_ram_linear()) {
			iosys_map_set_vaddr(&miter->map,
					    page_address(pfn_to_page(PHYS_PFN(phys))) +
					    offset_in_page(phys));
		} else {
			iosys_map_set_vaddr(&miter->map,
					    kmap_local_page(pfn_to_page(PHYS_PFN(phys))) +
					    offset_in_page(phys));
			len = min_t(unsigned int, len,
				    PAGE_SIZE - offset_in_page(phys));
		}
		break;
	case PFN_VEC_KIND_IO:
		if (!miter->region || phys < miter->region_start ||
		    phys > miter->region_last)
			return __pfn_vec_miter_next(miter);
		iosys_map_set_vaddr_iomem(&miter->map, io_linear_addr(phys));
		len = min_t(phys_addr_t, len, miter->region_last - phys + 1);
		break;
	default:
		return __pfn_vec_miter_next(miter);
	}
	miter->length = len;
	miter->mapped = true;
	return true;
}

int __must_check pfn_vec_miter_memcpy_to(struct pfn_vec_miter *miter,
					 const void *buf, size_t len);
int __must_check pfn_vec_miter_memcpy_from(void *buf,
					   struct pfn_vec_miter *miter,
					   size_t len);

int __must_check pfn_vec_memcpy_to(const struct pfn_vec *pvec,
				   struct bvec_iter *iter, const void *buf,
				   size_t len);
int __must_check pfn_vec_memcpy_from(void *buf, const struct pfn_vec *pvec,
				     struct bvec_iter *iter, size_t len);
int __must_check pfn_vec_copy(const struct pfn_vec *dst,
			      struct bvec_iter *dst_iter,
			      const struct pfn_vec *src,
			      struct bvec_iter *src_iter, size_t len);
int __must_check pfn_vec_zero(const struct pfn_vec *pvec,
			      struct bvec_iter *iter, size_t len);

#endif /* _LINUX_PFN_VEC_H */
