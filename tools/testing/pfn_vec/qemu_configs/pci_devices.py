# SPDX-License-Identifier: GPL-2.0
#
# The PCI devices of every pfn_vec guest, as QEMU arguments; imported by
# each arch's config.
#
#   root bus -+- pcie-root-port - x3130-upstream -+- xio3130-downstream
#             |                                   |   \- ivshmem-plain A
#             |                                   \- xio3130-downstream
#             |                                       \- nvme
#             +- ivshmem-plain B
#             \- pci-testdev
#
# ivshmem-plain A: BAR2 is a real PCI BAR without struct page, 64-bit
# prefetchable, of bar_size bytes of host RAM (touched only where the
# tests write). It and nvme are peers behind one PCIe switch, as PCI
# P2PDMA expects: nvme reaches A's BAR by its bus address.
#
# ivshmem-plain B, 64 MiB, on the root bus: nvme reaches it only through
# the host bridge, which QEMU's (q35, gpex) is not one that P2PDMA allows.
#
# nvme: its drive is a raw file that the harness creates for each run and
# names in $PFN_VEC_NVME_IMG (kunit.sh); build/nvme/pfn_vec.img otherwise.
#
# pci-testdev: a 4 KiB non-prefetchable memory BAR and no driver, on
# which pfn_vec_bar checks the refusals of BAR registration.
import os.path

NVME_IMG = os.environ.get('PFN_VEC_NVME_IMG') or os.path.join(
	os.path.dirname(__file__), '..', '..', '..', '..', 'build', 'nvme',
	'pfn_vec.img')


def pci_devices(bar_size, lazy=False):
	"""lazy: the host backs A's memory only where the guest touches it"""
	return ['-device', 'pcie-root-port,id=pvrp,chassis=1,slot=1',
		'-device', 'x3130-upstream,id=pvup,bus=pvrp',
		'-device', 'xio3130-downstream,id=pvdp0,bus=pvup,chassis=2,slot=0',
		'-device', 'xio3130-downstream,id=pvdp1,bus=pvup,chassis=3,slot=0',
		'-object', 'memory-backend-ram,id=pvbar,size=' + bar_size +
		(',reserve=off' if lazy else ''),
		'-device', 'ivshmem-plain,memdev=pvbar,bus=pvdp0',
		'-drive', 'file=%s,if=none,id=pvnvme,format=raw' %
		os.path.abspath(NVME_IMG),
		'-device', 'nvme,serial=pfn_vec,drive=pvnvme,bus=pvdp1',
		'-object', 'memory-backend-ram,id=pvbarhb,size=64M',
		'-device', 'ivshmem-plain,memdev=pvbarhb',
		'-device', 'pci-testdev']
