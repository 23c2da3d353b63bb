# SPDX-License-Identifier: GPL-2.0
#
# arm64 guest for the pfn_vec benchmarks (virt, TCG): a 64 GiB ivshmem-plain
# BAR, backed lazily by the host (reserve=off), in virt's 512 GiB high PCIe
# MMIO window (0x8000000000-0xffffffffff, where the guest assigns it at
# 0x8000000000, 1 GiB aligned), and 4 GiB of RAM so that memremap_pages()
# has room for the 1 GiB of struct page that the BAR costs it.
# The BAR is ivshmem-plain A of the test guests' PCI devices
# (qemu_configs/pci_devices.py), behind a PCIe switch with QEMU's nvme,
# which pfn_vec_bench_block_p2p moves data to and from by P2P DMA.
from ..qemu_config import QemuArchParams
import os.path
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..',
				'qemu_configs'))
from pci_devices import pci_devices  # noqa: E402

QEMU_ARCH = QemuArchParams(linux_arch='arm64',
			   kconfig='''
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y
CONFIG_PCI_HOST_GENERIC=y''',
			   qemu_arch='aarch64',
			   kernel_path='arch/arm64/boot/Image.gz',
			   kernel_command_line='console=ttyAMA0',
			   extra_qemu_params=['-machine', 'virt', '-cpu', 'max,pauth-impdef=on',
					      '-m', '4096', '-smp', '2',
					      *pci_devices(bar_size='64G', lazy=True)])
