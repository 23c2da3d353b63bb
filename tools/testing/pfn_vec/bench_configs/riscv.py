# SPDX-License-Identifier: GPL-2.0
#
# riscv64 guest for the pfn_vec benchmarks (virt, TCG, Svpbmt on the CPU):
# the test guests' PCI devices (qemu_configs/pci_devices.py) with an 8 GiB
# ivshmem-plain BAR behind the PCIe switch, backed lazily by the host
# (reserve=off), and 2 GiB of RAM so that memremap_pages() has room for the
# 128 MiB of struct page that the BAR costs it.
#
# 8 GiB, not the 64 GiB of x86_64 and arm64: the virt machine's 64-bit PCI
# MMIO window is fixed at [0x400000000, 0x800000000), 16 GiB, and the
# switch's window must also hold nvme's, with ivshmem B beside it. The BAR
# is assigned at 0x400000000, so it is mapped with 1 GiB pages. Ratios are
# comparable; absolute setup times and metadata bytes scale with the BAR.
#
# aia=aplic-imsic: PCI MSIs. On the default PLIC, nvme has INTx only, and
# QEMU 7.2 under TCG loses one now and then behind the switch: the
# command waits for nvme's 30 s timeout ("timeout, completion polled"),
# which pfn_vec_bench_block_p2p, moving GiBs in 128 KiB bios, hit often
# enough not to finish in 17 minutes (2026-12-06); with MSIs it takes
# about a minute.
#
# riscv has MEMORY_HOTPLUG, and so ZONE_DEVICE, only with SPARSEMEM_VMEMMAP,
# and a KUnit kernel without NUMA defaults to FLATMEM: ask for SPARSEMEM.
from ..qemu_config import QemuArchParams
import os.path
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..',
				'qemu_configs'))
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
CONFIG_SPARSEMEM_MANUAL=y
CONFIG_SPARSEMEM_VMEMMAP=y''',
			   qemu_arch='riscv64',
			   kernel_path='arch/riscv/boot/Image',
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=['-machine', 'virt,aia=aplic-imsic',
					      '-cpu', 'rv64,svpbmt=on',
					      '-m', '2048', '-smp', '2',
					      *pci_devices(bar_size='8G', lazy=True),
					      '-bios', OPENSBI_PATH])
