// SPDX-License-Identifier: GPL-2.0
/*
 * Plants for pfn_vec.cocci, rule 2: the address in a pfn_vec mapping used
 * as plain memory, when it may be __iomem. Not built; spatch only. Every
 * function named bad_* holds exactly the misuses that iomem.*.expected
 * lists; every ok_* function must produce nothing.
 */
#include <linux/iosys-map.h>
#include <linux/pfn_vec.h>
#include <linux/string.h>

/* memcpy() into the accessor's mapping. */
static int bad_memcpy_to(const struct pfn_vec *pv, const void *buf)
{
	struct pfn_vec_map m;
	int ret;

	ret = pfn_vec_kmap_local(pv, &m);
	if (ret)
		return ret;
	memcpy(m.map.vaddr, buf, pv->pv_len);
	pfn_vec_kunmap_local(&m);
	return 0;
}

/* memcpy() out of it, at an offset, through a pointer to the mapping. */
static void bad_memcpy_from(struct pfn_vec_map *m, void *buf, size_t off,
			    size_t len)
{
	memcpy(buf, m->map.vaddr + off, len);
}

/* memset() of the __iomem address, __force'd. */
static void bad_memset(struct pfn_vec_map *m, size_t len)
{
	memset((void __force *)m->map.vaddr_iomem, 0, len);
}

/* memset() over the pieces of an iterator. */
static int bad_miter(const struct pfn_vec *pvec, struct bvec_iter *iter,
		     size_t len)
{
	struct pfn_vec_miter miter;

	pfn_vec_miter_start(&miter, pvec, iter, len);
	while (pfn_vec_miter_next(&miter))
		memset(miter.map.vaddr, 0xff, miter.length);
	return pfn_vec_miter_stop(&miter);
}

/* memcmp() has no iosys_map form: copy out first. */
static bool bad_memcmp(struct pfn_vec_map *m, const void *buf, size_t len)
{
	return !memcmp(m->map.vaddr, buf, len);
}

/* Dereferences. */
static u32 bad_deref(struct pfn_vec_map *m)
{
	u8 b = ((u8 *)m->map.vaddr)[1];

	*(u32 *)(m->map.vaddr + 4) = b;
	return *(u32 *)m->map.vaddr;
}

/* The address kept in a local pointer, then used as memory. */
static void bad_local_pointer(struct pfn_vec_miter *miter, const u8 *buf)
{
	u8 *p = miter->map.vaddr;

	p[0] = buf[0];
	memcpy(p + 1, buf + 1, miter->length - 1);
}

/* A helper handed the mapping of an iterator, as brd and null_blk do. */
static void bad_helper(struct iosys_map *map, void *mem, size_t n, bool write)
{
	if (write)
		memcpy(mem, map->vaddr, n);
	else
		memcpy(map->vaddr, mem, n);
}

static int bad_helper_caller(const struct pfn_vec *pvec,
			     struct bvec_iter *iter, void *mem, size_t len)
{
	struct pfn_vec_miter miter;

	pfn_vec_miter_start(&miter, pvec, iter, len);
	while (pfn_vec_miter_next(&miter)) {
		bad_helper(&miter.map, mem, miter.length, true);
		mem += miter.length;
	}
	return pfn_vec_miter_stop(&miter);
}

/* The iosys_map helpers work for either kind of memory. */
static void ok_iosys(struct pfn_vec_map *m, void *buf, size_t len)
{
	iosys_map_memcpy_to(&m->map, 0, buf, len);
	iosys_map_memcpy_from(buf, &m->map, 0, len);
	iosys_map_memset(&m->map, 0, 0, len);
}

/* Plain memory once is_iomem says so, as mm/pfn_vec.c copies. */
static void ok_is_iomem(struct pfn_vec_map *m, void *buf, size_t len)
{
	if (!m->map.is_iomem) {
		memcpy(m->map.vaddr, buf, len);
		return;
	}
	memcpy_toio(m->map.vaddr_iomem, buf, len);
}

/* The _io helpers on the __iomem address. */
static void ok_io(struct pfn_vec_miter *miter, void *buf)
{
	memcpy_fromio(buf, miter->map.vaddr_iomem, miter->length);
	memset_io(miter->map.vaddr_iomem, 0, miter->length);
}

/* Memory with struct page is mapped in system memory. */
static void ok_has_page(const struct pfn_vec *pv, struct pfn_vec_map *m)
{
	if (pfn_vec_has_page(pv))
		memset(m->map.vaddr, 0, pv->pv_len);
}

/* Conditional on is_iomem in the expression itself. */
static u8 ok_conditional(struct pfn_vec_map *m)
{
	return m->map.is_iomem ? readb(m->map.vaddr_iomem) :
				 *(u8 *)m->map.vaddr;
}

/* A helper that asks, as brd would if it copied by hand. */
static void ok_helper(struct iosys_map *map, void *mem, size_t n)
{
	if (map->is_iomem)
		memcpy_fromio(mem, map->vaddr_iomem, n);
	else
		memcpy(mem, map->vaddr, n);
}

static void ok_helper_caller(struct pfn_vec_miter *miter, void *mem)
{
	while (pfn_vec_miter_next(miter))
		ok_helper(&miter->map, mem, miter->length);
}

/* An iosys_map of something else is not ours to judge. */
static void ok_other_map(struct iosys_map *map, void *buf, size_t len)
{
	memcpy(map->vaddr, buf, len);
}

/* A plain kernel buffer. */
static void ok_buffer(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}
