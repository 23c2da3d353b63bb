# SPDX-License-Identifier: GPL-2.0
#
# x86_64 guest for the pfn_vec suites (q35, TCG).
#
# RAM without struct page: the guest has 2 GiB, mem=1G hands the kernel only
# [0, 1 GiB); the suites use [1.25 GiB, 1.5 GiB), clear of the firmware's
# tables at the top of RAM.
#
# The CPU has 1 GiB pages (pdpe1gb), which qemu64 lacks by default.
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

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 mem=1G '
				'pfn_vec_kunit.unmanaged_base=0x50000000 '
				'pfn_vec_kunit.unmanaged_size=0x10000000 '
				'null_blk.memory_backed=1 null_blk.max_sectors=64 '
				'dm-mod.create="pfn_vec_stripe,,,rw,0 16384 striped 2 8 1:1 0 1:2 0"',
			   extra_qemu_params=['-machine', 'q35', '-cpu', 'qemu64,+pdpe1gb',
					      '-m', '2048', '-smp', '2',
					      *pci_devices(bar_size='1G')])
