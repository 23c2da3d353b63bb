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
 * The driver maps a pfn_vec request segment by segment: memory with struct
 * page as pages (dma_map_page_attrs()), memory without it, a PCI BAR, at
 * the bus address or through the host bridge (dma_map_resource()), as PCI
 * P2PDMA's distance rules decide for the device (pfn_vec_p2p_get()). What
 * it gets is a scatterlist of DMA addresses and lengths alone, which it
 * turns into its own descriptors as it does the result of
 * dma_map_sgtable(). The regions of the BAR segments stay held until the
 * request is unmapped, so that unregistering one waits for the DMA.
 */
#include <linux/blk-integrity.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/dma-mapping.h>
#include <linux/pfn_vec_dma.h>
#include <linux/scatterlist.h>

#include "blk.h"

/*
 * Is memory without struct page that @dev reaches as @p2p says mapped for
 * it? A bus address only where @dev's DMA ops pass it through as it is,
 * and @dev can address all @len bytes of it.
 */
static bool blk_pfn_vec_dma_p2p_ok(struct device *dev,
				   const struct pfn_vec_p2p *p2p,
				   unsigned int len)
{
	u64 mask = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);

	switch (p2p->map_type) {
	case PCI_P2PDMA_MAP_THRU_HOST_BRIDGE:
		return true;
	case PCI_P2PDMA_MAP_BUS_ADDR:
		return dma_pci_p2pdma_supported(dev) &&
		       p2p->bus_addr <= mask && len - 1 <= mask - p2p->bus_addr;
	default:
		return false;
	}
}

/* Does the queue's device reach @pv by DMA, as the driver will map it? */
static bool blk_pfn_vec_dma_reaches(const struct queue_limits *lim,
				    const struct pfn_vec *pv)
{
	struct pfn_vec_p2p p2p;
	bool reaches;

	/* P2PDMA pages and device-private memory keep their own rules. */
	if (pfn_vec_has_page(pv))
		return pfn_vec_dma_pages(pv);
	if (pfn_vec_p2p_get(pv, lim->pfn_vec_dma_dev, &p2p))
		return false;
	reaches = blk_pfn_vec_dma_p2p_ok(lim->pfn_vec_dma_dev, &p2p, pv->pv_len);
	pfn_vec_p2p_put(&p2p);
	return reaches;
}

/**
 * blk_pfn_vec_dma_queue - does a queue take a pfn_vec bio by DMA at all?
 * @bio: the bio
 *
 * Only if it declares %BLK_FEAT_PFN_VEC_DMA and not %BLK_FEAT_BOUNCE_HIGH,
 * blk-crypto will not have to encrypt @bio and the block layer will not
 * compute its protection information: blk_pfn_vec_dma_native() without
 * the walk of @bio's segments, for blk_pfn_vec_resubmit().
 *
 * Context: any context.
 * Return: true if it does.
 */
bool blk_pfn_vec_dma_queue(struct bio *bio)
{
	const struct queue_limits *lim = &bdev_get_queue(bio->bi_bdev)->limits;

	return (lim->features & BLK_FEAT_PFN_VEC_DMA) &&
	       !(lim->features & BLK_FEAT_BOUNCE_HIGH) &&
	       !bio_has_crypt_ctx(bio) &&
	       !blk_get_integrity(bio->bi_bdev->bd_disk);
}

/**
 * blk_pfn_vec_dma_native - may a pfn_vec bio go to its driver by DMA?
 * @bio: the bio
 *
 * Only if the queue takes it by DMA at all (blk_pfn_vec_dma_queue()), it
 * is a read or a write that blk_pfn_vec_check_rw() passes, and the queue's
 * device reaches every segment of it as
 * blk_rq_pfn_vec_dma_map() maps them: pages that pfn_vec_dma_pages()
 * passes, every one of them checked, and memory without struct page that
 * pfn_vec_p2p_get() finds it reaches, at a bus address it can address or
 * through the host bridge. Each segment must also start on the queue's
 * DMA alignment and hold whole logical blocks, so that wherever the split
 * cuts @bio, at a gap of the virt boundary among others, it cuts between
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

/* Map @pv, of memory without struct page, for @dev; hold it in @p2p. */
static int blk_pfn_vec_dma_map_bar(struct device *dev,
				   const struct pfn_vec *pv,
				   enum dma_data_direction dir,
				   unsigned long attrs, struct pfn_vec_p2p *p2p,
				   dma_addr_t *addr)
{
	int ret;

	ret = pfn_vec_p2p_get(pv, dev, p2p);
	if (ret)
		return ret;
	if (!blk_pfn_vec_dma_p2p_ok(dev, p2p, pv->pv_len)) {
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

/* Map @pv for @dev: its DMA address into @sg, what it holds into @p2p. */
static int blk_pfn_vec_dma_map_seg(struct device *dev,
				   const struct pfn_vec *pv,
				   enum dma_data_direction dir,
				   unsigned long attrs, struct scatterlist *sg,
				   struct pfn_vec_p2p *p2p)
{
	dma_addr_t addr;
	int ret;

	if (pfn_vec_has_page(pv)) {
		struct page *page = nth_page(pfn_t_to_page(pv->pv_pfn),
					     pv->pv_offset >> PAGE_SHIFT);

		addr = dma_map_page_attrs(dev, page,
					  offset_in_page(pv->pv_offset),
					  pv->pv_len, dir, attrs);
		if (dma_mapping_error(dev, addr))
			return -ENOMEM;
		/* No region and no map type: a page, for the unmap. */
		*p2p = (struct pfn_vec_p2p){ .map_type = PCI_P2PDMA_MAP_UNKNOWN };
	} else {
		ret = blk_pfn_vec_dma_map_bar(dev, pv, dir, attrs, p2p, &addr);
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
 * (blk_pfn_vec_seg()), one entry of @sgl each, in order: memory with
 * struct page with dma_map_page_attrs(); memory without it at the bus
 * address of its PCI provider, or with dma_map_resource() through the host
 * bridge, as pfn_vec_p2p_get() finds @dev reaches it, holding the region
 * until blk_rq_pfn_vec_dma_unmap(). Only sg_dma_address() and sg_dma_len()
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
 * without struct page (dma_map_resource() failing included), -ENXIO if a
 * segment's region is gone or going, -ENOMEM if a page's mapping failed,
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
