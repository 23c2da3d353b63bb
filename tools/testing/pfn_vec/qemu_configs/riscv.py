# SPDX-License-Identifier: GPL-2.0
#
# riscv64 guest for the pfn_vec suites (virt, TCG, Svpbmt on the CPU).
#
# RAM starts at 0x80000000; the guest has 2 GiB and mem=1G hands the kernel
# [0x80000000, 0xc0000000), which also holds the DTB that QEMU puts just
# below 3 GiB. The suites use [0xd0000000, 0xe0000000) as RAM without
# struct page.
#
# Below RAM, [0x40000000, 0x80000000) is virt's 32-bit PCI MMIO window (the
# pci@30000000 node's 32-bit memory range): __va() does not reach it, so the
# suites claim the 2 MiB at 0x7e000000, near its end and clear of the BARs
# assigned from its start, and expect -ERANGE. It is named with
# pfn_vec_kunit.unmappable_base/size.
#
# PCI devices (pci_devices.py): nvme and, behind one PCIe switch with it,
# a real PCI BAR without struct page: ivshmem-plain's BAR2, 64-bit
# prefetchable, 1 GiB of host RAM (touched only where the tests write), so
# that it can be mapped with 1 GiB pages.
#
# SPARSEMEM, which riscv does not choose by default: memory hotplug, and so
# the hook (pfn_vec_hook.kunitconfig), need it.
#
# aia=aplic-imsic: PCI MSIs, as the other guests have. On the default PLIC,
# nvme has INTx only, and QEMU 7.2 under TCG loses one now and then behind
# the switch: the command then waits for nvme's 30 s timeout ("timeout,
# completion polled"). A machine kept on the PLIC to test INTx lost ten in
# one run (2026-12-06), 330 s instead of 36 s, a layout case 123 s of the
# 300 KUnit allows it: no riscv machine uses the PLIC.
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

# OPENSBI= in the environment names another firmware.
OPENSBI_PATH = os.environ.get('OPENSBI',
			      '/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin')

if not os.path.isfile(OPENSBI_PATH):
	sys.exit('OpenSBI not found at ' + OPENSBI_PATH +
		 ': make deps, or set OPENSBI=')

QEMU_ARCH = QemuArchParams(linux_arch='riscv',
			   kconfig='''
CONFIG_ARCH_VIRT=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SERIAL_OF_PLATFORM=y
CONFIG_RISCV_SBI_V01=y
CONFIG_SERIAL_EARLYCON_RISCV_SBI=y
CONFIG_PCI_HOST_GENERIC=y
CONFIG_SPARSEMEM_MANUAL=y''',
			   qemu_arch='riscv64',
			   kernel_path='arch/riscv/boot/Image',
			   kernel_command_line='console=ttyS0 mem=1G '
				'pfn_vec_kunit.unmanaged_base=0xd0000000 '
				'pfn_vec_kunit.unmanaged_size=0x10000000 '
				'null_blk.memory_backed=1 null_blk.max_sectors=64 '
				'pfn_vec_kunit.unmappable_base=0x7e000000 '
				'pfn_vec_kunit.unmappable_size=0x200000 '
				'dm-mod.create="pfn_vec_stripe,,,rw,0 16384 striped 2 8 1:1 0 1:2 0"',
			   extra_qemu_params=['-machine', 'virt,aia=aplic-imsic',
					      '-cpu', 'rv64,svpbmt=on',
					      '-m', '2048', '-smp', '2',
					      *pci_devices(bar_size='1G'),
					      '-bios', OPENSBI_PATH])
