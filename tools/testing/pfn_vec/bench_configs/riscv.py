# SPDX-License-Identifier: GPL-2.0
#
# riscv64 guest for the pfn_vec benchmarks (virt, TCG, Svpbmt on the CPU): a
# 16 GiB ivshmem-plain BAR, backed lazily by the host (reserve=off), and
# 2 GiB of RAM so that memremap_pages() has room for the 256 MiB of struct
# page that the BAR costs it.
#
# 16 GiB, not the 64 GiB of x86_64: the virt machine's 64-bit PCI MMIO window
# is fixed at [0x400000000, 0x800000000), 16 GiB, and the BAR, a power of
# two, is the largest that fits it (assigned at 0x400000000, so that it is
# mapped with 1 GiB pages). Ratios are comparable; absolute setup times and
# metadata bytes scale with the BAR.
#
# riscv has MEMORY_HOTPLUG, and so ZONE_DEVICE, only with SPARSEMEM_VMEMMAP,
# and a KUnit kernel without NUMA defaults to FLATMEM: ask for SPARSEMEM.
#
# No PCIe switch and no nvme here yet, unlike the other arches: behind the
# switch, beside the test guests' second ivshmem, a 16 GiB BAR no longer
# fits the 16 GiB window; with an 8 GiB one, pfn_vec_bench_block_p2p had
# not finished after 17 minutes under TCG (2026-12-06). So that case fails
# here on its first check, and riscv has no p2p_* keys yet.
from ..qemu_config import QemuArchParams
import os.path
import sys

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
			   extra_qemu_params=['-machine', 'virt', '-cpu', 'rv64,svpbmt=on',
					      '-m', '2048', '-smp', '2',
					      '-object', 'memory-backend-ram,id=pvbar,size=16G,reserve=off',
					      '-device', 'ivshmem-plain,memdev=pvbar',
					      '-bios', OPENSBI_PATH])
