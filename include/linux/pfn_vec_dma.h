/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfn_vec segments as the target of device DMA: which PCI device provides
 * the memory of a segment without struct page, at which bus address, and
 * how another device reaches it, as PCI P2PDMA's distance rules decide.
 *
 * See Documentation/core-api/pfn_vec.rst.
 */
#ifndef _LINUX_PFN_VEC_DMA_H
#define _LINUX_PFN_VEC_DMA_H

#include <linux/dma-map-ops.h>
#include <linux/pfn_vec.h>
#include <linux/types.h>

struct device;
struct pci_dev;

/**
 * struct pfn_vec_p2p - how a device reaches a segment by peer-to-peer DMA
 * @provider:	the PCI device whose BAR holds the segment, or %NULL if its
 *		region was registered by its resource alone
 *		(pfn_vec_region_register())
 * @bus_addr:	the PCI bus address of the segment's first byte, at which
 *		the provider's peers reach it, what the client is given when
 *		@map_type is %PCI_P2PDMA_MAP_BUS_ADDR; 0 without a provider
 * @map_type:	how the client named to pfn_vec_p2p_get() reaches the
 *		segment: by @bus_addr (%PCI_P2PDMA_MAP_BUS_ADDR), through the
 *		host bridge with dma_map_resource()
 *		(%PCI_P2PDMA_MAP_THRU_HOST_BRIDGE), or not at all
 *		(%PCI_P2PDMA_MAP_NOT_SUPPORTED)
 */
struct pfn_vec_p2p {
	struct pci_dev			*provider;
	u64				bus_addr;
	enum pci_p2pdma_map_type	map_type;

	/* private: */
	struct pfn_vec_region		*region;
};

int __must_check pfn_vec_p2p_get(const struct pfn_vec *pv,
				 struct device *client,
				 struct pfn_vec_p2p *p2p);
void pfn_vec_p2p_put(struct pfn_vec_p2p *p2p);
bool pfn_vec_dma_pages(const struct pfn_vec *pv);
struct page *pfn_vec_p2pdma_page(const struct pfn_vec *pv);

#endif /* _LINUX_PFN_VEC_DMA_H */
