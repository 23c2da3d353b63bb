# SPDX-License-Identifier: GPL-2.0
#
# i386 guest for the pfn_vec suites: no I/O linear-map hook on 32-bit.
#
# HIGHMEM4G so that part of the 1 GiB the kernel manages is highmem; the
# guest has 2 GiB and mem=1G, the suites use [1.25 GiB, 1.5 GiB) as RAM
# without struct page.
#
# PCI devices (pci_devices.py): nvme and, behind one PCIe switch with it,
# a real PCI BAR without struct page: ivshmem-plain's BAR2, 64-bit
# prefetchable, 256 MiB of host RAM.
#
# Two vCPUs: the kernel is SMP and fully preemptible (pfn_vec.kunitconfig).
#
# dm-0: dm-stripe of 4 KiB chunks over brd's ram1 and ram2 (1:1, 1:2, 4 MiB
# each), a stacked device that splits, for pfn_vec_block_fault.
from ..qemu_config import QemuArchParams
import os.path
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pci_devices import pci_devices  # noqa: E402

QEMU_ARCH = QemuArchParams(linux_arch='i386',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_HIGHMEM4G=y''',
			   qemu_arch='i386',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 mem=1G '
				'pfn_vec_kunit.unmanaged_base=0x50000000 '
				'pfn_vec_kunit.unmanaged_size=0x10000000 '
				'null_blk.memory_backed=1 null_blk.max_sectors=64 '
				'dm-mod.create="pfn_vec_stripe,,,rw,0 16384 striped 2 8 1:1 0 1:2 0"',
			   extra_qemu_params=['-machine', 'q35', '-m', '2048', '-smp', '2',
					      *pci_devices(bar_size='256M')])
