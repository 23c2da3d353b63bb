# SPDX-License-Identifier: GPL-2.0
#
# arm64 guest for the pfn_vec suites (virt, TCG).
#
# RAM starts at 0x40000000; the guest has 2 GiB and mem=1G hands the kernel
# [0x40000000, 0x80000000). The suites use [0x90000000, 0xa0000000) as RAM
# without struct page.
#
# A range that the linear map cannot hold: [0x3e000000, 0x3e200000), near
# the end of virt's 32-bit PCIe MMIO window (0x10000000-0x3efeffff), clear
# of the BARs assigned from its start, below the RAM base and so below
# PHYS_OFFSET, where __va() would wrap. The suites claim it as a driver
# would before they try to register it.
#
# PCI devices (pci_devices.py): nvme and, behind one PCIe switch with it,
# a real PCI BAR without struct page: ivshmem-plain's BAR2, 64-bit
# prefetchable, 1 GiB of host RAM (touched only where the tests write), so
# that it can be mapped with 1 GiB pages.
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

QEMU_ARCH = QemuArchParams(linux_arch='arm64',
			   kconfig='''
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y
CONFIG_PCI_HOST_GENERIC=y''',
			   qemu_arch='aarch64',
			   kernel_path='arch/arm64/boot/Image.gz',
			   kernel_command_line='console=ttyAMA0 mem=1G '
				'pfn_vec_kunit.unmanaged_base=0x90000000 '
				'pfn_vec_kunit.unmanaged_size=0x10000000 '
				'null_blk.memory_backed=1 null_blk.max_sectors=64 '
				'pfn_vec_kunit.unmappable_base=0x3e000000 '
				'pfn_vec_kunit.unmappable_size=0x200000 '
				'dm-mod.create="pfn_vec_stripe,,,rw,0 16384 striped 2 8 1:1 0 1:2 0"',
			   extra_qemu_params=['-machine', 'virt', '-cpu', 'max,pauth-impdef=on',
					      '-m', '2048', '-smp', '2',
					      *pci_devices(bar_size='1G')])
