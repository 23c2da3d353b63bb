/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pfn_vec KUnit suites of mm/, block/ and lib/
 * (mm/tests/pfn_vec_kunit_helpers.c): the memory the suites run on (RAM
 * without struct page and a range the linear map cannot hold, as the boot
 * line names them, and the BAR of QEMU's ivshmem-plain, each claimed as
 * its owner would), registration until the case ends, debugfs files read
 * and written from a case, fault injection, and threads that cross CPUs
 * and never outlive their case.
 * For tests only: built with CONFIG_PFN_VEC_KUNIT_HELPERS.
 */
#ifndef _LINUX_PFN_VEC_KUNIT_HELPERS_H
#define _LINUX_PFN_VEC_KUNIT_HELPERS_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/io_linear_map.h>
#include <linux/sched.h>
#include <linux/types.h>

struct pci_dev;
struct pfn_vec;
struct resource;
struct task_struct;

/* What a case writes around the bytes it expects to change. */
#define PFN_VEC_KUNIT_SENTINEL	0xa5

/*
 * Where the arch has no hook, or this machine cannot keep its contract
 * (riscv without Svpbmt), registration refuses every region with
 * -EOPNOTSUPP, and no region makes memory reachable: one case per refusal
 * checks it, and the cases that need a registered region skip with this
 * reason, which the harness's manifest allows.
 */
#define PFN_VEC_KUNIT_NO_HOOK	"no I/O linear map on this machine"

bool pfn_vec_kunit_have_hook(void);

/* Skip @test where there is no I/O linear map. */
static inline void pfn_vec_kunit_require_hook(struct kunit *test)
{
	if (!pfn_vec_kunit_have_hook())
		kunit_skip(test, PFN_VEC_KUNIT_NO_HOOK);
}

phys_addr_t pfn_vec_kunit_unmanaged(struct kunit *test, u64 size, void **va);
struct resource *pfn_vec_kunit_unmanaged_claim(struct kunit *test);
phys_addr_t pfn_vec_kunit_unmappable(size_t *size);
int pfn_vec_kunit_query(phys_addr_t phys, size_t *page_size,
			enum io_linear_type *type);
unsigned int pfn_vec_kunit_seed(void);
/* BAR2 of QEMU's ivshmem-plain is its shared memory, 64-bit prefetchable. */
#define PFN_VEC_KUNIT_IVSHMEM_BAR	2

struct pci_dev *pfn_vec_kunit_pci_get(struct kunit *test, unsigned int vendor,
				      unsigned int device);
/* QEMU's NVMe controller, of vendor PCI_VENDOR_ID_REDHAT */
#define PFN_VEC_KUNIT_NVME_DEVICE	0x0010
void pfn_vec_kunit_nvme_disk(struct kunit *test, char *name, size_t size);
struct resource *pfn_vec_kunit_ivshmem(struct kunit *test,
				       struct pci_dev **pdev);
struct resource *pfn_vec_kunit_ivshmem_root(struct kunit *test,
					    struct pci_dev **pdev);
struct resource *pfn_vec_kunit_ivshmem_sized(struct kunit *test,
					     resource_size_t min,
					     struct pci_dev **pdev);
phys_addr_t pfn_vec_kunit_p2pmem(struct kunit *test, bool root, size_t pool,
				 size_t size, struct pci_dev **pdev);

struct page *pfn_vec_kunit_alloc_page(struct kunit *test, gfp_t gfp);
void __iomem *pfn_vec_kunit_ioremap_wc(struct kunit *test, phys_addr_t phys,
				       size_t size);
int pfn_vec_kunit_register(struct kunit *test, phys_addr_t phys, size_t size,
			   enum io_linear_type type);
int pfn_vec_kunit_reach(const struct pfn_vec *pv);
struct pfn_vec_kunit_hold;
struct pfn_vec_kunit_hold *pfn_vec_kunit_hold(struct kunit *test,
					      const struct pfn_vec *pv);
void pfn_vec_kunit_unhold(void *hold);
int pfn_vec_kunit_register_bar(struct kunit *test, struct pci_dev *pdev,
			       resource_size_t offset, size_t size,
			       enum io_linear_type type);
void pfn_vec_kunit_register_p2p(struct kunit *test, struct pci_dev *pdev,
				resource_size_t offset, size_t size);
int pfn_vec_kunit_shadow(phys_addr_t phys);

/* Is there KASAN shadow for the linear map, that regions get their part of? */
static inline bool pfn_vec_kunit_have_shadow(void)
{
	return IS_ENABLED(CONFIG_KASAN_GENERIC) ||
	       IS_ENABLED(CONFIG_KASAN_SW_TAGS);
}

int pfn_vec_kunit_debugfs_write(struct kunit *test, const char *path,
				const char *val);
ssize_t pfn_vec_kunit_debugfs_read(struct kunit *test, const char *path,
				   char *buf, size_t size);
int pfn_vec_kunit_debugfs_set(struct kunit *test, const char *path,
			      const char *val);

struct task_struct *pfn_vec_kunit_thread_run(struct kunit *test,
					     int (*fn)(void *data), void *data,
					     unsigned int nr, const char *name);

/**
 * struct pfn_vec_kunit_unregister - a region to unregister from a thread
 * @phys:	first byte of the region, as registered
 * @size:	its size, as registered
 * @ret:	what pfn_vec_region_unregister() returned, once @done is
 *		complete
 * @done:	completed when it has returned
 *
 * Set up with pfn_vec_kunit_unregister_init(), and run as
 * pfn_vec_kunit_thread_run(test, pfn_vec_kunit_unregister_fn, w, ...).
 */
struct pfn_vec_kunit_unregister {
	phys_addr_t		phys;
	size_t			size;
	int			ret;
	struct completion	done;
};

void pfn_vec_kunit_unregister_init(struct pfn_vec_kunit_unregister *w,
				   phys_addr_t phys, size_t size);
int pfn_vec_kunit_unregister_fn(void *data);

void pfn_vec_kunit_fault_setup(struct kunit *test);
void pfn_vec_kunit_fail_always(struct kunit *test);

#ifdef CONFIG_FAULT_INJECTION
/**
 * pfn_vec_kunit_fail_nth - fail the nth allocation from here on
 * @nth: which one, counting from 1; 0 fails none
 *
 * Only allocations of the calling task count, as with
 * /proc/self/task/<tid>/fail-nth; see pfn_vec_kunit_fault_setup().
 */
static inline void pfn_vec_kunit_fail_nth(unsigned int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}

/**
 * pfn_vec_kunit_fail_consumed - did the failure of fail_nth happen?
 *
 * Clears what is left of current->fail_nth, so that nothing fails later.
 *
 * Return: true if the allocation that pfn_vec_kunit_fail_nth() chose was
 * reached, and so failed; false if fewer allocations were made.
 */
static inline bool pfn_vec_kunit_fail_consumed(void)
{
	bool consumed = !READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return consumed;
}

/**
 * pfn_vec_kunit_make_it_fail - fail every page allocation of this task
 * @fail: whether to
 *
 * Takes effect while pfn_vec_kunit_fail_always() holds for the case.
 */
static inline void pfn_vec_kunit_make_it_fail(bool fail)
{
	WRITE_ONCE(current->make_it_fail, fail);
}
#else
static inline void pfn_vec_kunit_fail_nth(unsigned int nth)
{
}

static inline bool pfn_vec_kunit_fail_consumed(void)
{
	return false;
}

static inline void pfn_vec_kunit_make_it_fail(bool fail)
{
}
#endif

/*
 * What the benchmarks (mm/pfn_vec_bench.c, block/blk-pfn-vec-bench.c)
 * share, built with CONFIG_PFN_VEC_BENCH: the BAR they run on and the way
 * they report.
 */

/* Every key is the median of at least this many rounds, and of at most... */
#define PFN_VEC_BENCH_MIN_ROUNDS	5
/* ... this many. */
#define PFN_VEC_BENCH_MAX_ROUNDS	32

/**
 * struct pfn_vec_bench_bar - the BAR the benchmarks run on
 * @pdev:	QEMU's ivshmem-plain device, bound to the suites' driver
 * @phys:	physical address of its BAR2
 * @size:	size of its BAR2 in bytes
 */
struct pfn_vec_bench_bar {
	struct pci_dev *pdev;
	phys_addr_t phys;
	resource_size_t size;
};

void pfn_vec_bench_find_bar(struct kunit *test, struct pfn_vec_bench_bar *bar,
			    resource_size_t min_size);
void pfn_vec_bench_report(struct kunit *test, const char *key,
			  const u64 *num, const u64 *den, unsigned int rounds);

#endif /* _LINUX_PFN_VEC_KUNIT_HELPERS_H */
