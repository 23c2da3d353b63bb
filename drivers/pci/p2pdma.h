/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For p2pdma.c: the distance and mapping type between two PCI devices,
 * from p2pdma-distance.c (CONFIG_PCI_P2PDMA_DISTANCE).
 */
#ifndef DRIVERS_PCI_P2PDMA_H
#define DRIVERS_PCI_P2PDMA_H

#include <linux/dma-map-ops.h>

struct pci_dev;

enum pci_p2pdma_map_type
pci_p2pdma_calc_map_type(struct pci_dev *provider, struct pci_dev *client,
			 int *dist, bool verbose);

#endif /* DRIVERS_PCI_P2PDMA_H */
