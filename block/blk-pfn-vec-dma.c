// SPDX-License-Identifier: GPL-2.0
/*
 * DMA to and from pfn_vec requests, without a scatterlist of pages.
 *
 * A queue whose driver DMA-maps pfn_vec requests declares
 * %BLK_FEAT_PFN_VEC_DMA and names its DMA device. A pfn_vec bio whose every
 * segment that device reaches goes to it as it is, never bounced; any
 * other is bounced by the CPU where it can reach the memory, and refused
 * where it cannot (blk_pfn_vec_prep()).
 *
 * The driver maps a pfn_vec request segment by segment: RAM pages as pages
 * (dma_map_page_attrs()); memory without struct page, a PCI BAR, and
 * P2PDMA pages, which are a BAR's, at the bus address or through the host
 * bridge (dma_map_resource()), as PCI P2PDMA's distance rules decide for
 * the device (pfn_vec_p2p_get(), pci_p2pdma_state()). What
 * it gets is a scatterlist of DMA addresses and lengths alone, which it
 * turns into its own descriptors as it does the result of
 * dma_map_sgtable(). The regions of the BAR segments stay held until the
 * request is unmapped, so that unregistering one waits for the DMA.
 */
#include <linux/blk-integrity.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/dma-mapping.h>
#include <linux/memremap.h>
#include <linux/pfn_vec_dma.h>
#include <linux/scatterlist.h>

#include "blk.h"

/* Does [@addr, @addr + @len) fit under @mask? */
static bool blk_pfn_vec_dma_fits(u64 mask, u64 addr, unsigned int len)
{
	return addr <= mask && len - 1 <= mask - addr;
}

/*
 * Can BAR memory at @phys, which @dev reaches as @p2p says, be mapped for
 * @dev? Only where @dev's DMA ops allow PCI P2PDMA at all, as for a queue
 * with %BLK_FEAT_PCI_P2PDMA, and then: at the bus address if @dev can
 * address all @len bytes of it; through the host bridge if its DMA ops
 * map resources, which dma-direct does by the physical address as it is,
 * so that @dev must address that.
 */
static bool blk_pfn_vec_dma_p2p_ok(struct device *dev,
				   const struct pfn_vec_p2p *p2p,
				   phys_addr_t phys, unsigned int len)
{
	u64 mask = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	const struct dma_map_ops *ops = get_dma_ops(dev);

	if (!dma_pci_p2pdma_supported(dev))
		return false;
	switch (p2p->map_type) {
	case PCI_P2PDMA_MAP_THRU_HOST_BRIDGE:
		return ops ? !!ops->map_resource :
			     blk_pfn_vec_dma_fits(mask, phys, len);
	case PCI_P2PDMA_MAP_BUS_ADDR:
		return blk_pfn_vec_dma_fits(mask, p2p->bus_addr, len);
	default:
		return false;
	}
}

/*
 * How @dev reaches @pv by peer-to-peer DMA, into @p2p: P2PDMA pages of
 * one dev_pagemap as pci_p2pdma_state() tells, holding nothing, as a page
 * of a bio_vec is held by the bio's owner, and naming no provider, which
 * nothing here reads; memory without struct page as pfn_vec_p2p_get()
 * tells, holding its region.
 */
static int blk_pfn_vec_p2p_get(struct device *dev, const struct pfn_vec *pv,
			       struct pfn_vec_p2p *p2p)
{
	struct pci_p2pdma_map_state state = {};
	struct page *page;

	if (!pfn_vec_has_page(pv))
		return pfn_vec_p2p_get(pv, dev, p2p);
	page = pfn_vec_p2pdma_page(pv);
	if (!page)
		return -EREMOTEIO;
	*p2p = (struct pfn_vec_p2p){
		.map_type = pci_p2pdma_state(&state, dev, page),
	};
	p2p->bus_addr = pfn_vec_phys(pv) + state.bus_off;
	return 0;
}

/* Does the queue's device reach @pv by DMA, as the driver will map it? */
static bool blk_pfn_vec_dma_reaches(const struct queue_limits *lim,
				    const struct pfn_vec *pv)
{
	struct pfn_vec_p2p p2p;
	bool reaches;

	if (pfn_vec_dma_pages(pv))
		return true;
	/* Device-private memory and offline RAM are not reached at all. */
	if (blk_pfn_vec_p2p_get(lim->pfn_vec_dma_dev, pv, &p2p))
		return false;
	reaches = blk_pfn_vec_dma_p2p_ok(lim->pfn_vec_dma_dev, &p2p,
					 pfn_vec_phys(pv), pv->pv_len);
	pfn_vec_p2p_put(&p2p);
	return reaches;
}

/**
 * blk_pfn_vec_dma_queue - does a queue take a pfn_vec bio by DMA at all?
 * @bio: the bio
 *
 * Only if it is a blk-mq queue that declares %BLK_FEAT_PFN_VEC_DMA and not
 * %BLK_FEAT_BOUNCE_HIGH, blk-crypto will not have to encrypt @bio and the
 * block layer will not compute its protection information:
 * blk_pfn_vec_dma_native() without the walk of @bio's segments, for
 * blk_pfn_vec_resubmit(). A bio-based driver maps no request, so the
 * feature means nothing on its queue, whose pfn_vec bios are bounced.
 *
 * Context: any context.
 * Return: true if it does.
 */
bool blk_pfn_vec_dma_queue(struct bio *bio)
{
	struct request_queue *q = bdev_get_queue(bio->bi_bdev);
	const struct queue_limits *lim = &q->limits;

	return queue_is_mq(q) && (lim->features & BLK_FEAT_PFN_VEC_DMA) &&
	       !(lim->features & BLK_FEAT_BOUNCE_HIGH) &&
	       !bio_has_crypt_ctx(bio) &&
	       !blk_get_integrity(bio->bi_bdev->bd_disk);
}

/**
 * blk_pfn_vec_dma_native - may a pfn_vec bio go to its driver by DMA?
 * @bio: the bio
 *
 * Only if the queue takes it by DMA at all (blk_pfn_vec_dma_queue()), it is a
 * read or a write that blk_pfn_vec_check_rw() passes, and the queue's device
 * reaches every segment of it as blk_rq_pfn_vec_dma_map() maps them: RAM pages
 * that pfn_vec_dma_pages() passes, every one of them checked; P2PDMA pages of
 * one dev_pagemap (pfn_vec_p2pdma_page()) and memory without struct page that
 * pci_p2pdma_state() or pfn_vec_p2p_get() finds it reaches, at a bus address it
 * can address or through the host bridge. Each segment must also start on the
 * queue's DMA alignment and hold whole logical blocks, so that wherever the
 * split cuts @bio, at a gap of the virt boundary among others, it cuts between
 * blocks. Anything else is for blk_pfn_vec_prep(): bounced where the CPU
 * reaches it, refused where it does not.
 *
 * Read before @bio enters its queue, by __submit_bio(). A region
 * unregistered after that is refused when the driver maps the request.
 *
 * Context: any context.
 * Return: true if it may.
 */
bool blk_pfn_vec_dma_native(struct bio *bio)
{
	const struct queue_limits *lim = &bdev_get_queue(bio->bi_bdev)->limits;
	unsigned int lbs_mask = bdev_logical_block_size(bio->bi_bdev) - 1;
	struct bvec_iter iter = bio->bi_iter;

	if (!blk_pfn_vec_dma_queue(bio) ||
	    blk_pfn_vec_check_rw(bio) != BLK_STS_OK)
		return false;

	while (iter.bi_size) {
		struct pfn_vec pv = mp_pfn_vec_iter_pvec(bio->bi_pfn_vec, iter);

		if ((pfn_vec_phys(&pv) & lim->dma_alignment) ||
		    (pv.pv_len & lbs_mask) || !blk_pfn_vec_dma_reaches(lim, &pv))
			return false;
		pfn_vec_iter_advance(bio->bi_pfn_vec, &iter, pv.pv_len);
	}
	return true;
}

/*
 * Map @pv, of memory without struct page or of P2PDMA pages, for @dev, as
 * blk_pfn_vec_p2p_get() finds it reaches @pv; what it holds into @p2p.
 */
static int blk_pfn_vec_dma_map_p2p(struct device *dev,
				   const struct pfn_vec *pv,
				   enum dma_data_direction dir,
				   unsigned long attrs, struct pfn_vec_p2p *p2p,
				   dma_addr_t *addr)
{
	int ret;

	ret = blk_pfn_vec_p2p_get(dev, pv, p2p);
	if (ret)
		return ret;
	if (!blk_pfn_vec_dma_p2p_ok(dev, p2p, pfn_vec_phys(pv), pv->pv_len)) {
		pfn_vec_p2p_put(p2p);
		return -EREMOTEIO;
	}
	if (p2p->map_type == PCI_P2PDMA_MAP_BUS_ADDR) {
		*addr = p2p->bus_addr;
		return 0;
	}
	/* As for dma-direct, a BAR beyond the device's reach: permanent. */
	*addr = dma_map_resource(dev, pfn_vec_phys(pv), pv->pv_len, dir, attrs);
	if (dma_mapping_error(dev, *addr)) {
		pfn_vec_p2p_put(p2p);
		return -EREMOTEIO;
	}
	return 0;
}

/*
 * Map @pv for @dev: its DMA address into @sg, what it holds into @p2p.
 * blk_pfn_vec_dma_native() passed the segment of @pv: pages of it are all
 * RAM or all P2PDMA pages, and its first page tells which.
 */
static int blk_pfn_vec_dma_map_seg(struct device *dev,
				   const struct pfn_vec *pv,
				   enum dma_data_direction dir,
				   unsigned long attrs, struct scatterlist *sg,
				   struct pfn_vec_p2p *p2p)
{
	struct page *page = NULL;
	dma_addr_t addr;
	int ret;

	if (pfn_vec_has_page(pv))
		page = nth_page(pfn_t_to_page(pv->pv_pfn),
				pv->pv_offset >> PAGE_SHIFT);
	if (page && !is_pci_p2pdma_page(page)) {
		addr = dma_map_page_attrs(dev, page,
					  offset_in_page(pv->pv_offset),
					  pv->pv_len, dir, attrs);
		if (dma_mapping_error(dev, addr))
			return -ENOMEM;
		/* No region and no map type: a page, for the unmap. */
		*p2p = (struct pfn_vec_p2p){ .map_type = PCI_P2PDMA_MAP_UNKNOWN };
	} else {
		ret = blk_pfn_vec_dma_map_p2p(dev, pv, dir, attrs, p2p, &addr);
		if (ret)
			return ret;
	}
	sg_dma_address(sg) = addr;
	sg_dma_len(sg) = pv->pv_len;
	return 0;
}

static void blk_pfn_vec_dma_unmap_seg(struct device *dev,
				      struct scatterlist *sg,
				      enum dma_data_direction dir,
				      unsigned long attrs,
				      struct pfn_vec_p2p *p2p)
{
	switch (p2p->map_type) {
	case PCI_P2PDMA_MAP_UNKNOWN:
		dma_unmap_page_attrs(dev, sg_dma_address(sg), sg_dma_len(sg),
				     dir, attrs);
		return;
	case PCI_P2PDMA_MAP_THRU_HOST_BRIDGE:
		dma_unmap_resource(dev, sg_dma_address(sg), sg_dma_len(sg),
				   dir, attrs);
		break;
	default:
		break;
	}
	pfn_vec_p2p_put(p2p);
}

/**
 * blk_rq_pfn_vec_dma_map - DMA-map the segments of a pfn_vec request
 * @rq:		a request of pfn_vec bios (bio_is_pfn_vec(@rq->bio)), in a
 *		queue with %BLK_FEAT_PFN_VEC_DMA
 * @dev:	the device that does the DMA, the queue's pfn_vec_dma_dev
 * @sgl:	receives the DMA address and length of each segment, in a
 *		table of blk_rq_nr_phys_segments(@rq) entries, as set up by
 *		sg_init_table()
 * @p2p:	receives what each segment holds, an array as long as @sgl
 * @attrs:	DMA attributes, for dma_map_page_attrs() and
 *		dma_map_resource()
 *
 * Maps the physical segments of @rq, as the queue's limits cut them
 * (blk_pfn_vec_seg()), one entry of @sgl each, in order: RAM pages with
 * dma_map_page_attrs(); memory without struct page and P2PDMA pages at
 * the bus address of their PCI provider, or with dma_map_resource()
 * through the host bridge, as pfn_vec_p2p_get() and pci_p2pdma_state()
 * find @dev reaches them, holding the region of memory without struct
 * page until blk_rq_pfn_vec_dma_unmap(). P2PDMA pages are held by the
 * bio's owner, as any page of a bio is. Only sg_dma_address() and sg_dma_len()
 * of the entries are set: they name no page, and are for the driver's
 * descriptors alone, never for dma_unmap_sg() or a CPU walk.
 *
 * The block layer sends a queue with %BLK_FEAT_PFN_VEC_DMA only requests
 * whose every segment @dev reached when the bio was submitted
 * (blk_pfn_vec_dma_native()), but a region may be unregistered since.
 *
 * Context: any context; does not sleep.
 * Return: the number of entries mapped, 1 or more. On error nothing is
 * mapped or held: -EREMOTEIO if @dev cannot reach or address a segment
 * without struct page or of P2PDMA pages (dma_map_resource() failing
 * included), -ENXIO if a segment's region is gone or going, -ENOMEM if a
 * RAM page's mapping failed,
 * which may succeed later, -EINVAL if @rq has more segments than its
 * nr_phys_segments, a bug.
 */
int blk_rq_pfn_vec_dma_map(struct request *rq, struct device *dev,
			   struct scatterlist *sgl, struct pfn_vec_p2p *p2p,
			   unsigned long attrs)
{
	unsigned int max = blk_rq_nr_phys_segments(rq);
	enum dma_data_direction dir = rq_dma_dir(rq);
	struct scatterlist *sg = sgl;
	struct bio *bio;
	int nents = 0;
	int ret;

	__rq_for_each_bio(bio, rq) {
		struct bvec_iter iter = bio->bi_iter;

		while (iter.bi_size) {
			struct pfn_vec pv = blk_pfn_vec_seg(&rq->q->limits, bio,
							    iter, iter.bi_size);

			ret = -EINVAL;
			if (WARN_ON_ONCE(nents >= max))
				goto unmap;
			if (nents)
				sg = sg_next(sg);
			ret = blk_pfn_vec_dma_map_seg(dev, &pv, dir, attrs, sg,
						      &p2p[nents]);
			if (ret)
				goto unmap;
			nents++;
			pfn_vec_iter_advance(bio->bi_pfn_vec, &iter, pv.pv_len);
		}
	}
	return nents;

unmap:
	blk_rq_pfn_vec_dma_unmap(rq, dev, sgl, p2p, nents, attrs);
	return ret;
}
EXPORT_SYMBOL_GPL(blk_rq_pfn_vec_dma_map);

/**
 * blk_rq_pfn_vec_dma_unmap - undo blk_rq_pfn_vec_dma_map()
 * @rq:		the request
 * @dev:	the device it was mapped for
 * @sgl:	the table it filled
 * @p2p:	the array it filled
 * @nents:	the number of entries it mapped
 * @attrs:	the DMA attributes it was given
 *
 * Once the device is done with @rq's memory, before the request ends:
 * unmaps each segment, and releases the regions held, after which they
 * may be unregistered.
 *
 * Context: any context.
 */
void blk_rq_pfn_vec_dma_unmap(struct request *rq, struct device *dev,
			      struct scatterlist *sgl, struct pfn_vec_p2p *p2p,
			      int nents, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		blk_pfn_vec_dma_unmap_seg(dev, sg, rq_dma_dir(rq), attrs,
					  &p2p[i]);
}
EXPORT_SYMBOL_GPL(blk_rq_pfn_vec_dma_unmap);
