# SPDX-License-Identifier: GPL-2.0
#
# x86_64 guest for the pfn_vec benchmarks (q35, TCG): a 64 GiB ivshmem-plain
# BAR and a 512 GiB one, backed lazily by the host (reserve=off), in a
# 1 TiB 64-bit PCI window, which needs 42 physical address bits (QEMU's
# qemu64 has 40), and 4 GiB of RAM so that memremap_pages() has room for
# the 1 GiB of struct page that the 64 GiB BAR costs it; the 8 GiB that
# the 512 GiB BAR would cost do not fit (pfn_vec_bench_big).
# The BAR is ivshmem-plain A of the test guests' PCI devices
# (qemu_configs/pci_devices.py), behind a PCIe switch with QEMU's nvme,
# which pfn_vec_bench_block_p2p moves data to and from by P2P DMA.
from ..qemu_config import QemuArchParams
import os.path
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..',
				'qemu_configs'))
from pci_devices import pci_devices  # noqa: E402

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=['-machine', 'q35',
					      '-cpu', 'qemu64,+pdpe1gb,phys-bits=42',
					      '-m', '4096', '-smp', '2',
					      '-global', 'q35-pcihost.pci-hole64-size=1T',
					      *pci_devices(bar_size='64G', lazy=True),
					      '-object', 'memory-backend-ram,id=pvbig,size=512G,reserve=off',
					      '-device', 'ivshmem-plain,memdev=pvbig'])
