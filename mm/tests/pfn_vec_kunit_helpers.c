// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the pfn_vec KUnit suites and benchmarks.
 *
 * debugfs from a test case: the suites set fault injection knobs and ask
 * kmemleak for a scan, which have no interface but their debugfs files, and
 * a KUnit boot has no userspace to write them. At its first access, a case
 * mounts debugfs privately (the superblock is the one /sys/kernel/debug
 * shows) and maps a page of its own mm with kunit_vm_mmap(); it writes the
 * files through vfs_write() from that page, as their ->write handlers take
 * only user buffers, so kernel_write() cannot reach them.
 *
 * Fault injection by current->fail_nth, as /proc/self/task/<tid>/fail-nth
 * sets it: the nth allocation that failslab or fail_page_alloc would
 * consider fails, in this task only; or by current->make_it_fail, as
 * /proc/<pid>/make-it-fail sets it: every page allocation of the task
 * fails. Both ignore allocations that may reclaim, and fail_page_alloc
 * those of order 0, by default; the suites need exactly those to fail, so
 * pfn_vec_kunit_fault_setup() clears the knobs for the case and restores
 * them after it.
 *
 * The boot line names, once for every suite:
 *
 *	pfn_vec_kunit.unmanaged_base=<phys> pfn_vec_kunit.unmanaged_size=<bytes>
 *
 * RAM without struct page: the guests are booted with more memory than mem=
 * lets the kernel use, and this is the unused part;
 *
 *	pfn_vec_kunit.unmappable_base=<phys> pfn_vec_kunit.unmappable_size=<bytes>
 *
 * a range that the arch's linear map cannot hold, such as a PCI window
 * below the RAM base; it defaults to the last GiB that phys_addr_t can
 * name; and
 *
 *	pfn_vec_kunit.seed=<seed>
 *
 * the seed of the randomised layouts, which their cases print, to run the
 * same layouts again.
 *
 * A real PCI BAR without struct page: BAR2 of QEMU's ivshmem-plain, the
 * guest's view of host RAM, 64-bit and prefetchable, bound to a driver of
 * the suites' that enables it and claims the BAR, as the registry asks of
 * a BAR's owner. The RAM without struct page is claimed for each case that
 * registers any of it, with request_mem_region(), for the same reason.
 *
 * How a region is mapped: pfn_vec_kunit_query() reads the kernel's page
 * tables itself, under get_online_mems() as ptdump does, and decodes the
 * leaf's memory type as each arch spells ioremap_wc()'s and ioremap()'s;
 * the backends are not asked.
 *
 * Threads of a case: each bound to a CPU of its own where there are enough,
 * so that concurrency cases cross CPUs, and always stopped by the case's
 * cleanup, so that none outlives the case when an assertion ends it early.
 */
#include <kunit/test.h>
#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/kasan.h>
#include <linux/kthread.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/pgtable.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "pfn_vec_kunit."

static unsigned long long unmanaged_base;
module_param(unmanaged_base, ullong, 0444);
MODULE_PARM_DESC(unmanaged_base, "start of RAM without struct page");

static unsigned long long unmanaged_size;
module_param(unmanaged_size, ullong, 0444);
MODULE_PARM_DESC(unmanaged_size, "size of RAM without struct page");

static unsigned long long unmappable_base;
module_param(unmappable_base, ullong, 0444);
MODULE_PARM_DESC(unmappable_base, "start of a range the linear map cannot hold");

static unsigned long long unmappable_size;
module_param(unmappable_size, ullong, 0444);
MODULE_PARM_DESC(unmappable_size, "size of a range the linear map cannot hold");

static unsigned int seed;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "seed of the randomised layouts (0: pick one)");

/**
 * pfn_vec_kunit_have_hook - can regions be registered on this machine?
 *
 * Where the arch has the I/O linear map hook and the CPU can keep its
 * contract: a riscv page-table entry carries a memory type only with
 * Svpbmt (or XTheadMae), and without one the backend must refuse every
 * region, as where there is no hook.
 *
 * Return: true if registration can succeed.
 */
bool pfn_vec_kunit_have_hook(void)
{
	if (!IS_ENABLED(CONFIG_ARCH_HAS_IO_LINEAR_MAP))
		return false;
#ifdef CONFIG_RISCV
	/*
	 * Asked of the CPU (<asm/cpufeature.h>, from <asm/pgtable.h>), not
	 * of the backend; QEMU has no XTheadMae.
	 */
	if (!riscv_has_extension_unlikely(RISCV_ISA_EXT_SVPBMT))
		return false;
#endif
	return true;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_have_hook);

#ifdef CONFIG_ARCH_HAS_IO_LINEAR_MAP
/*
 * The bits of a leaf entry that hold its memory type, and how each arch
 * spells IO_LINEAR_WC and IO_LINEAR_UC there: as pgprot_writecombine()
 * and pgprot_device() do, the protections of ioremap_wc() and ioremap().
 */
#if defined(CONFIG_X86)
#define PFN_VEC_KUNIT_MT_MASK	_PAGE_CACHE_MASK
#elif defined(CONFIG_ARM64)
#define PFN_VEC_KUNIT_MT_MASK	PTE_ATTRINDX_MASK
#elif defined(CONFIG_RISCV)
#define PFN_VEC_KUNIT_MT_MASK	_PAGE_MTMASK
/* riscv has no p4d_leaf(), but maps RAM with 512 GiB pages on Sv57. */
#define pfn_vec_kunit_p4d_leaf(p4d) \
	(pgtable_l4_enabled && (p4d_val(p4d) & _PAGE_LEAF))
#else
#error "pfn_vec_kunit_query() does not know this arch's memory types"
#endif
#ifndef pfn_vec_kunit_p4d_leaf
#define pfn_vec_kunit_p4d_leaf(p4d)	p4d_leaf(p4d)
#endif

/* The memory type of a leaf entry that maps @size bytes. */
static u64 pfn_vec_kunit_mt(u64 val, unsigned long size)
{
#ifdef CONFIG_X86
	/* The PAT bit of a 2 MiB or 1 GiB entry is elsewhere. */
	if (size > PAGE_SIZE)
		val = protval_large_2_4k(val);
#endif
	return val & PFN_VEC_KUNIT_MT_MASK;
}

/* The present leaf entry that maps @addr, or 0; @size gets what it maps. */
static u64 pfn_vec_kunit_leaf(unsigned long addr, unsigned long *size)
{
	pgd_t *pgdp = pgd_offset_k(addr);
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t pte;

	if (pgd_none(pgdp_get(pgdp)))
		return 0;
	p4dp = p4d_offset(pgdp, addr);
	p4d = p4dp_get(p4dp);
	if (p4d_none(p4d) || !p4d_present(p4d))
		return 0;
	if (pfn_vec_kunit_p4d_leaf(p4d)) {
		*size = P4D_SIZE;
		return p4d_val(p4d);
	}
	pudp = pud_offset(p4dp, addr);
	pud = pudp_get(pudp);
	if (pud_none(pud) || !pud_present(pud))
		return 0;
	if (pud_leaf(pud)) {
		*size = PUD_SIZE;
		return pud_val(pud);
	}
	pmdp = pmd_offset(pudp, addr);
	pmd = pmdp_get(pmdp);
	if (pmd_none(pmd) || !pmd_present(pmd))
		return 0;
	if (pmd_leaf(pmd)) {
		*size = PMD_SIZE;
		return pmd_val(pmd);
	}
	pte = ptep_get(pte_offset_kernel(pmdp, addr));
	*size = PAGE_SIZE;
	return pte_present(pte) ? pte_val(pte) : 0;
}

/**
 * pfn_vec_kunit_query - how does the linear map hold a physical address?
 * @phys:	the address
 * @page_size:	set to the size of the page or block that maps it
 * @type:	set to its memory type
 *
 * Reads the kernel's page tables at io_linear_addr(@phys), under
 * get_online_mems() as ptdump does, since the backends free tables under
 * mem_hotplug_begin(); the backends are not asked.
 *
 * Context: may sleep.
 * Return: 0 if @phys is mapped with an I/O memory type; -ENOENT if it is
 * not mapped; -EINVAL if it is mapped with another memory type.
 */
int pfn_vec_kunit_query(phys_addr_t phys, size_t *page_size,
			enum io_linear_type *type)
{
	unsigned long addr = (unsigned long)(__force void *)io_linear_addr(phys);
	unsigned long size;
	u64 val, mt;

	get_online_mems();
	val = pfn_vec_kunit_leaf(addr, &size);
	put_online_mems();
	if (!val)
		return -ENOENT;

	*page_size = size;
	mt = pfn_vec_kunit_mt(val, size);
	if (mt == (pgprot_val(pgprot_writecombine(PAGE_KERNEL)) &
		   PFN_VEC_KUNIT_MT_MASK))
		*type = IO_LINEAR_WC;
	else if (mt == (pgprot_val(pgprot_device(PAGE_KERNEL)) &
			PFN_VEC_KUNIT_MT_MASK))
		*type = IO_LINEAR_UC;
	else
		return -EINVAL;
	return 0;
}
#else
int pfn_vec_kunit_query(phys_addr_t phys, size_t *page_size,
			enum io_linear_type *type)
{
	return -ENOENT;
}
#endif /* CONFIG_ARCH_HAS_IO_LINEAR_MAP */
EXPORT_SYMBOL_GPL(pfn_vec_kunit_query);

/* QEMU's ivshmem-plain */
#define IVSHMEM_DEVICE_ID	0x1110
#define IVSHMEM_BAR		PFN_VEC_KUNIT_IVSHMEM_BAR

KUNIT_DEFINE_ACTION_WRAPPER(pfn_vec_kunit_unmount, kern_unmount,
			    struct vfsmount *);
KUNIT_DEFINE_ACTION_WRAPPER(pfn_vec_kunit_mmdrop, mmdrop, struct mm_struct *);

/*
 * What every debugfs access of a case uses, made at the first one. KUnit
 * runs a case's cleanup in a task of its own, which gets an mm of its own.
 */
struct pfn_vec_kunit_debugfs {
	struct vfsmount *mnt;	/* a private mount of debugfs */
	struct mm_struct *mm;	/* held: the mm of the task that mapped ... */
	char __user *ubuf;	/* ... this page */
};

#define PFN_VEC_KUNIT_DEBUGFS	"pfn_vec_kunit_debugfs"

static int pfn_vec_kunit_debugfs_mount(struct kunit *test,
				       struct pfn_vec_kunit_debugfs *dbg)
{
	struct file_system_type *type = get_fs_type("debugfs");

	if (!type)
		return -ENODEV;
	dbg->mnt = kern_mount(type);
	put_filesystem(type);
	if (IS_ERR(dbg->mnt))
		return PTR_ERR(dbg->mnt);
	return kunit_add_action_or_reset(test, pfn_vec_kunit_unmount, dbg->mnt);
}

/* The case's debugfs mount, and a page of the calling task's mm. */
static struct pfn_vec_kunit_debugfs *pfn_vec_kunit_debugfs(struct kunit *test)
{
	struct pfn_vec_kunit_debugfs *dbg;
	struct kunit_resource *res;
	unsigned long addr;
	int ret;

	res = kunit_find_named_resource(test, PFN_VEC_KUNIT_DEBUGFS);
	if (res) {
		dbg = res->data;
		kunit_put_resource(res);
	} else {
		dbg = kunit_kzalloc(test, sizeof(*dbg), GFP_KERNEL);
		res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
		if (!dbg || !res)
			return ERR_PTR(-ENOMEM);
		ret = pfn_vec_kunit_debugfs_mount(test, dbg);
		if (!ret)
			ret = kunit_add_named_resource(test, NULL, NULL, res,
						       PFN_VEC_KUNIT_DEBUGFS,
						       dbg);
		if (ret)
			return ERR_PTR(ret);
	}

	if (!dbg->mm || dbg->mm != current->mm) {
		/* Gives current an mm if it has none; unmapped with the case. */
		addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE,
				     PROT_READ | PROT_WRITE,
				     MAP_ANONYMOUS | MAP_PRIVATE, 0);
		if (!addr)
			return ERR_PTR(-ENOMEM);
		/* Held, so that no later mm_struct can have its address. */
		mmgrab(current->mm);
		ret = kunit_add_action_or_reset(test, pfn_vec_kunit_mmdrop,
						current->mm);
		if (ret)
			return ERR_PTR(ret);
		dbg->mm = current->mm;
		dbg->ubuf = (char __user *)addr;
	}
	return dbg;
}

/**
 * pfn_vec_kunit_debugfs_write - write a debugfs file from a test case
 * @test:	the case
 * @path:	the file, relative to the root of debugfs
 * @val:	what to write, at most PAGE_SIZE bytes
 *
 * Context: a KUnit case; it gains an mm, as kunit_vm_mmap() gives one.
 * Return: 0 if all of @val was written, else a negative errno.
 */
int pfn_vec_kunit_debugfs_write(struct kunit *test, const char *path,
				const char *val)
{
	struct pfn_vec_kunit_debugfs *dbg = pfn_vec_kunit_debugfs(test);
	size_t len = strlen(val);
	struct file *file;
	loff_t pos = 0;
	ssize_t ret;

	if (IS_ERR(dbg))
		return PTR_ERR(dbg);
	if (len > PAGE_SIZE)
		return -EINVAL;
	if (copy_to_user(dbg->ubuf, val, len))
		return -EFAULT;
	file = file_open_root_mnt(dbg->mnt, path, O_WRONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	ret = vfs_write(file, dbg->ubuf, len, &pos);
	fput(file);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EIO;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_debugfs_write);

/**
 * pfn_vec_kunit_debugfs_read - read a debugfs file from a test case
 * @test:	the case
 * @path:	the file, relative to the root of debugfs
 * @buf:	receives the file's contents, NUL-terminated
 * @size:	size of @buf, which must not be 0
 *
 * Context: as for pfn_vec_kunit_debugfs_write().
 * Return: the number of bytes read, before the NUL, or a negative errno;
 * -EFBIG if the file does not fit in @buf, which then holds its start.
 */
ssize_t pfn_vec_kunit_debugfs_read(struct kunit *test, const char *path,
				   char *buf, size_t size)
{
	struct pfn_vec_kunit_debugfs *dbg = pfn_vec_kunit_debugfs(test);
	struct file *file;
	size_t len = 0;
	loff_t pos = 0;
	ssize_t ret;

	if (IS_ERR(dbg))
		return PTR_ERR(dbg);
	file = file_open_root_mnt(dbg->mnt, path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	for (;;) {
		ret = vfs_read(file, dbg->ubuf, min(size - 1 - len, PAGE_SIZE),
			       &pos);
		if (ret <= 0)
			break;
		if (copy_from_user(buf + len, dbg->ubuf, ret)) {
			ret = -EFAULT;
			break;
		}
		len += ret;
		if (len == size - 1) {
			ret = -EFBIG;
			break;
		}
	}
	fput(file);
	buf[len] = '\0';
	return ret < 0 ? ret : len;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_debugfs_read);

/* A debugfs file's value from before pfn_vec_kunit_debugfs_set(). */
struct pfn_vec_kunit_saved {
	struct kunit *test;
	const char *path;
	char val[32];
};

static void pfn_vec_kunit_debugfs_restore(void *arg)
{
	struct pfn_vec_kunit_saved *saved = arg;
	int ret;

	ret = pfn_vec_kunit_debugfs_write(saved->test, saved->path, saved->val);
	KUNIT_EXPECT_EQ_MSG(saved->test, ret, 0, "restoring %s", saved->path);
}

/**
 * pfn_vec_kunit_debugfs_set - write a debugfs knob until the case ends
 * @test:	the case
 * @path:	the file, relative to the root of debugfs; must outlive the case
 * @val:	what to write
 *
 * Reads the knob's value first, and writes it back when the case ends.
 *
 * Context: as for pfn_vec_kunit_debugfs_write().
 * Return: 0, or a negative errno, with the knob unchanged.
 */
int pfn_vec_kunit_debugfs_set(struct kunit *test, const char *path,
			      const char *val)
{
	struct pfn_vec_kunit_saved *saved;
	ssize_t len;
	int ret;

	saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	if (!saved)
		return -ENOMEM;
	saved->test = test;
	saved->path = path;
	len = pfn_vec_kunit_debugfs_read(test, path, saved->val,
					 sizeof(saved->val));
	if (len < 0)
		return len;
	ret = pfn_vec_kunit_debugfs_write(test, path, val);
	if (ret)
		return ret;
	return kunit_add_action_or_reset(test, pfn_vec_kunit_debugfs_restore,
					 saved);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_debugfs_set);

static void pfn_vec_kunit_fail_none(void *unused)
{
	pfn_vec_kunit_fail_nth(0);
}

static void pfn_vec_kunit_set_knobs(struct kunit *test,
				    const char * const (*knobs)[2],
				    unsigned int nr)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		ret = pfn_vec_kunit_debugfs_set(test, knobs[i][0], knobs[i][1]);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "setting %s", knobs[i][0]);
	}
}

/* The knobs pfn_vec_kunit_fault_setup() sets, with the value it sets. */
static const char * const pfn_vec_kunit_fault_knobs[][2] = {
	{ "failslab/ignore-gfp-wait",		"N" },
	{ "failslab/verbose",			"0" },
	{ "fail_page_alloc/ignore-gfp-wait",	"N" },
	{ "fail_page_alloc/min-order",		"0" },
	{ "fail_page_alloc/verbose",		"0" },
};

/* Those pfn_vec_kunit_fail_always() sets too; task-filter first. */
static const char * const pfn_vec_kunit_always_knobs[][2] = {
	{ "fail_page_alloc/task-filter",	"Y" },
	{ "fail_page_alloc/interval",		"1" },
	{ "fail_page_alloc/times",		"-1" },
	{ "fail_page_alloc/probability",	"100" },
};

static void pfn_vec_kunit_fault_knobs_set(struct kunit *test, bool always)
{
	int ret;

	if (!IS_ENABLED(CONFIG_FAILSLAB) || !IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC) ||
	    !IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		kunit_skip(test, "needs FAILSLAB, FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS");

	pfn_vec_kunit_set_knobs(test, pfn_vec_kunit_fault_knobs,
				ARRAY_SIZE(pfn_vec_kunit_fault_knobs));
	if (always)
		pfn_vec_kunit_set_knobs(test, pfn_vec_kunit_always_knobs,
					ARRAY_SIZE(pfn_vec_kunit_always_knobs));
	/* Last, so that it runs first: restoring the knobs allocates. */
	ret = kunit_add_action_or_reset(test, pfn_vec_kunit_fail_none, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/**
 * pfn_vec_kunit_fault_setup - let current->fail_nth fail any allocation
 * @test: the case
 *
 * Makes failslab and fail_page_alloc consider every allocation, whatever
 * its gfp flags and order, and quiet, until the case ends, when the knobs
 * get their values back. Skips the case in a kernel without them, and
 * fails it if debugfs lacks them.
 */
void pfn_vec_kunit_fault_setup(struct kunit *test)
{
	pfn_vec_kunit_fault_knobs_set(test, false);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_fault_setup);

/**
 * pfn_vec_kunit_fail_always - fail every page allocation of chosen tasks
 * @test: the case
 *
 * As pfn_vec_kunit_fault_setup(), and further makes fail_page_alloc fail
 * every page allocation of a task that called
 * pfn_vec_kunit_make_it_fail(true), and of no other, until the case ends.
 */
void pfn_vec_kunit_fail_always(struct kunit *test)
{
	pfn_vec_kunit_fault_knobs_set(test, true);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_fail_always);

static void pfn_vec_kunit_thread_stop(void *task)
{
	kthread_stop_put(task);
}

/**
 * pfn_vec_kunit_thread_run - start a kthread of a case on a CPU of its own
 * @test: the case
 * @fn: the thread's function, which must return once kthread_should_stop()
 * @data: its argument, which must live until the case's cleanup has run
 *	(kunit_kzalloc() memory, allocated before the thread is started)
 * @nr: the thread's number in the case: it runs on the (@nr mod N)th of
 *	the N online CPUs, and is named "@name/@nr"
 * @name: the thread's name
 *
 * The case's cleanup stops the thread with kthread_stop(), and waits for
 * it, however the case ends; @fn may also return before that.
 *
 * Context: process context, in the case's task.
 * Return: the thread, or an ERR_PTR() if it could not be created.
 */
struct task_struct *pfn_vec_kunit_thread_run(struct kunit *test,
					     int (*fn)(void *data), void *data,
					     unsigned int nr, const char *name)
{
	unsigned int cpu = cpumask_nth(nr % num_online_cpus(), cpu_online_mask);
	struct task_struct *t;
	int ret;

	t = kthread_create(fn, data, "%s/%u", name, nr);
	if (IS_ERR(t))
		return t;
	get_task_struct(t);
	kthread_bind(t, cpu);
	ret = kunit_add_action_or_reset(test, pfn_vec_kunit_thread_stop, t);
	if (ret)
		return ERR_PTR(ret);
	wake_up_process(t);
	return t;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_thread_run);

/**
 * pfn_vec_kunit_unregister_init - set up a region to unregister in a thread
 * @w:		the work, from kunit_kzalloc() or its like
 * @phys:	first byte of the region, as registered
 * @size:	its size, as registered
 */
void pfn_vec_kunit_unregister_init(struct pfn_vec_kunit_unregister *w,
				   phys_addr_t phys, size_t size)
{
	w->phys = phys;
	w->size = size;
	init_completion(&w->done);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_unregister_init);

/**
 * pfn_vec_kunit_unregister_fn - unregister a region, for a case's thread
 * @data: the struct pfn_vec_kunit_unregister
 *
 * Return: 0; what pfn_vec_region_unregister() returned is in @data.
 */
int pfn_vec_kunit_unregister_fn(void *data)
{
	struct pfn_vec_kunit_unregister *w = data;

	w->ret = pfn_vec_region_unregister(w->phys, w->size);
	complete(&w->done);
	return 0;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_unregister_fn);

KUNIT_DEFINE_ACTION_WRAPPER(pfn_vec_kunit_memunmap, memunmap, void *);

/**
 * pfn_vec_kunit_unmanaged - RAM without struct page for a case
 * @test: the case
 * @size: how many bytes of it the case uses
 * @va: if not NULL, set to an independent write-back mapping of those
 *	bytes, which memremap() makes and the case's cleanup unmaps
 *
 * Skips the case if the boot line names no such RAM, and fails it if the
 * RAM named is smaller than @size or its first page has struct page.
 *
 * Return: the first byte of the RAM, page aligned.
 */
phys_addr_t pfn_vec_kunit_unmanaged(struct kunit *test, u64 size, void **va)
{
	phys_addr_t base = unmanaged_base;

	if (!unmanaged_size)
		kunit_skip(test,
			   "no RAM without struct page: boot with mem= and pfn_vec_kunit.unmanaged_base/size");
	KUNIT_ASSERT_GE(test, unmanaged_size, size);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(base));
	KUNIT_ASSERT_FALSE_MSG(test, pfn_valid(PHYS_PFN(base)),
			       "unmanaged_base %pa has a struct page", &base);
	if (va) {
		*va = memremap(base, size, MEMREMAP_WB);
		KUNIT_ASSERT_NOT_NULL(test, *va);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  pfn_vec_kunit_memunmap,
							  *va));
	}
	return base;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_unmanaged);

#define PFN_VEC_KUNIT_CLAIM	"pfn_vec_kunit_claim"

/*
 * Release the case's claim, once every region under it is unregistered: a
 * case that an assertion ended may have left some registered.
 */
static void pfn_vec_kunit_release_claim(struct kunit_resource *res)
{
	struct resource *claim = res->data;

	while (claim->child &&
	       !pfn_vec_region_unregister(claim->child->start,
					  resource_size(claim->child)))
		;
	release_mem_region(claim->start, resource_size(claim));
}

/**
 * pfn_vec_kunit_unmanaged_claim - the case's claim of RAM without struct page
 * @test: the case
 *
 * Claims all of the RAM that pfn_vec_kunit_unmanaged() gives, with
 * request_mem_region(), at the first call of a case, as the owner of such
 * memory would before it registers any of it; the case's cleanup releases
 * the claim. Skips the case as pfn_vec_kunit_unmanaged() does, and fails
 * it if the RAM is claimed already.
 *
 * Return: the claim, a busy resource, the same for every call of the case.
 */
struct resource *pfn_vec_kunit_unmanaged_claim(struct kunit *test)
{
	struct kunit_resource *res;
	struct resource *claim;
	phys_addr_t base;

	/* Checked at the first call only: the case may give it pages since. */
	res = kunit_find_named_resource(test, PFN_VEC_KUNIT_CLAIM);
	if (res) {
		claim = res->data;
		kunit_put_resource(res);
		return claim;
	}
	base = pfn_vec_kunit_unmanaged(test, 0, NULL);
	res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, res);
	claim = request_mem_region(base, unmanaged_size, "pfn_vec_kunit");
	KUNIT_ASSERT_NOT_NULL_MSG(test, claim, "%pa is claimed already", &base);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_named_resource(test, NULL,
						 pfn_vec_kunit_release_claim,
						 res, PFN_VEC_KUNIT_CLAIM,
						 claim));
	return claim;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_unmanaged_claim);

/**
 * pfn_vec_kunit_unmappable - a range the arch's linear map cannot hold
 * @size: set to its size, at least two pages
 *
 * Return: its first byte: pfn_vec_kunit.unmappable_base where the boot
 * line names one, else the last GiB that phys_addr_t can name, less its
 * first page.
 */
phys_addr_t pfn_vec_kunit_unmappable(size_t *size)
{
	if (unmappable_size) {
		*size = unmappable_size;
		return unmappable_base;
	}
	*size = 2 * PAGE_SIZE;
	return (PHYS_ADDR_MAX & PAGE_MASK) - SZ_1G + PAGE_SIZE;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_unmappable);

/**
 * pfn_vec_kunit_seed - the seed of the randomised layouts
 *
 * Return: pfn_vec_kunit.seed from the boot line, else one picked at the
 * first call, the same for every later call.
 */
unsigned int pfn_vec_kunit_seed(void)
{
	unsigned int s = READ_ONCE(seed);

	if (!s) {
		s = get_random_u32_inclusive(1, U32_MAX);
		if (cmpxchg(&seed, 0, s))
			s = READ_ONCE(seed);
	}
	return s;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_seed);

KUNIT_DEFINE_ACTION_WRAPPER(pfn_vec_kunit_pci_dev_put, pci_dev_put,
			    struct pci_dev *);

/*
 * The suites' driver of ivshmem-plain, as a driver that registers a BAR
 * with pfn_vec: enables the device's memory space and claims the BAR, both
 * devres-managed, so that they go after anything the case registers.
 */
static int pfn_vec_kunit_ivshmem_probe(struct pci_dev *pdev,
				       const struct pci_device_id *id)
{
	int ret = pcim_enable_device(pdev);

	if (ret)
		return ret;
	return pcim_request_region(pdev, IVSHMEM_BAR, "pfn_vec_kunit");
}

static const struct pci_device_id pfn_vec_kunit_ivshmem_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, IVSHMEM_DEVICE_ID) },
	{ }
};

static struct pci_driver pfn_vec_kunit_ivshmem_driver = {
	.name		= "pfn_vec_kunit_ivshmem",
	.id_table	= pfn_vec_kunit_ivshmem_ids,
	.probe		= pfn_vec_kunit_ivshmem_probe,
};

#define PFN_VEC_KUNIT_IVSHMEM	"pfn_vec_kunit_ivshmem"

static void pfn_vec_kunit_ivshmem_unbind(struct kunit_resource *res)
{
	pci_unregister_driver(&pfn_vec_kunit_ivshmem_driver);
}

/* @pdev, referenced, until the case ends; NULL stays NULL. */
static struct pci_dev *pfn_vec_kunit_pci_hold(struct kunit *test,
					      struct pci_dev *pdev)
{
	if (pdev)
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  pfn_vec_kunit_pci_dev_put,
							  pdev));
	return pdev;
}

/**
 * pfn_vec_kunit_pci_get - a PCI device of the guest, for a case
 * @test: the case
 * @vendor: its vendor ID
 * @device: its device ID
 *
 * Return: the first such device, referenced until the case ends, as it
 * is. NULL if there is none: the caller skips or fails the case, with a
 * message that says so.
 */
struct pci_dev *pfn_vec_kunit_pci_get(struct kunit *test, unsigned int vendor,
				      unsigned int device)
{
	return pfn_vec_kunit_pci_hold(test, pci_get_device(vendor, device, NULL));
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_pci_get);

#ifdef CONFIG_BLOCK
static int pfn_vec_kunit_disk_of(struct device *dev, const void *ancestor)
{
	struct device *p;

	if (bdev_is_partition(dev_to_bdev(dev)))
		return 0;
	for (p = dev->parent; p; p = p->parent)
		if (p == ancestor)
			return 1;
	return 0;
}

/* How long QEMU's nvme may take to show its namespace, in ms. */
#define PFN_VEC_KUNIT_NVME_WAIT_MS	30000

/**
 * pfn_vec_kunit_nvme_disk - the disk of QEMU's nvme, for a case
 * @test: the case
 * @name: receives the disk's name, as in /sys/block
 * @size: the size of @name, %BDEVNAME_SIZE
 *
 * The whole disk of the first namespace of the first QEMU nvme, which its
 * driver adds from an asynchronous scan after probe: waits up to 30 s for
 * it. Fails the case if there is no such device or disk.
 */
void pfn_vec_kunit_nvme_disk(struct kunit *test, char *name, size_t size)
{
	struct pci_dev *nvme;
	struct device *dev;
	unsigned int waited;

	nvme = pfn_vec_kunit_pci_get(test, PCI_VENDOR_ID_REDHAT,
				     PFN_VEC_KUNIT_NVME_DEVICE);
	KUNIT_ASSERT_NOT_NULL_MSG(test, nvme,
				  "no nvme device (see the project's qemu configs)");
	for (waited = 0; waited < PFN_VEC_KUNIT_NVME_WAIT_MS; waited += 100) {
		dev = class_find_device(&block_class, NULL, &nvme->dev,
					pfn_vec_kunit_disk_of);
		if (dev)
			break;
		msleep(100);
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, dev, "%s shows no namespace",
				  pci_name(nvme));
	strscpy(name, dev_name(dev), size);
	put_device(dev);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_nvme_disk);
#endif /* CONFIG_BLOCK */

enum pfn_vec_kunit_bus {
	PFN_VEC_KUNIT_BEHIND_BRIDGE,
	PFN_VEC_KUNIT_ROOT_BUS,
	PFN_VEC_KUNIT_ANY_BUS,
};

static bool pfn_vec_kunit_on_bus(struct pci_dev *pdev,
				 enum pfn_vec_kunit_bus bus)
{
	switch (bus) {
	case PFN_VEC_KUNIT_BEHIND_BRIDGE:
		return !pci_is_root_bus(pdev->bus);
	case PFN_VEC_KUNIT_ROOT_BUS:
		return pci_is_root_bus(pdev->bus);
	default:
		return true;
	}
}

/*
 * The first ivshmem-plain on @bus whose BAR2 has at least @min bytes,
 * referenced until the case ends; NULL if there is none.
 */
static struct pci_dev *pfn_vec_kunit_ivshmem_get(struct kunit *test,
						 enum pfn_vec_kunit_bus bus,
						 resource_size_t min)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET,
				      IVSHMEM_DEVICE_ID, pdev))) {
		if (pfn_vec_kunit_on_bus(pdev, bus) &&
		    pci_resource_len(pdev, IVSHMEM_BAR) >= min)
			break;
	}
	return pfn_vec_kunit_pci_hold(test, pdev);
}

/*
 * Binds every ivshmem-plain to the suites' driver, until the case ends or
 * releases the resource named "pfn_vec_kunit_ivshmem", and checks that
 * @pdev's BAR2 is a 64-bit prefetchable memory BAR of at least 4 MiB.
 */
static struct resource *pfn_vec_kunit_ivshmem_bind(struct kunit *test,
						   struct pci_dev *pdev)
{
	struct kunit_resource *bound;
	struct resource *res;

	bound = kunit_find_named_resource(test, PFN_VEC_KUNIT_IVSHMEM);
	if (bound) {
		kunit_put_resource(bound);
	} else {
		bound = kunit_kzalloc(test, sizeof(*bound), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, bound);
		KUNIT_ASSERT_EQ(test,
				pci_register_driver(&pfn_vec_kunit_ivshmem_driver),
				0);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_named_resource(test, NULL,
							 pfn_vec_kunit_ivshmem_unbind,
							 bound,
							 PFN_VEC_KUNIT_IVSHMEM,
							 NULL));
	}
	KUNIT_ASSERT_PTR_EQ_MSG(test, pdev->dev.driver,
				&pfn_vec_kunit_ivshmem_driver.driver,
				"%s is not bound to the suites' driver",
				pci_name(pdev));

	res = pci_resource_n(pdev, IVSHMEM_BAR);
	KUNIT_ASSERT_TRUE_MSG(test, res->flags & IORESOURCE_MEM_64,
			      "BAR%d is not a 64-bit BAR", IVSHMEM_BAR);
	KUNIT_ASSERT_TRUE_MSG(test, res->flags & IORESOURCE_PREFETCH,
			      "BAR%d is not prefetchable", IVSHMEM_BAR);
	KUNIT_ASSERT_GE(test, resource_size(res), (resource_size_t)SZ_4M);
	return res;
}

/**
 * pfn_vec_kunit_ivshmem - the BAR of QEMU's ivshmem-plain, for a case
 * @test: the case
 * @pdev: set to the device, referenced and bound to the suites' driver,
 *	which has enabled its memory space and claimed its BAR2, until the
 *	case ends; it is unbound then, or when the case releases the
 *	resource named "pfn_vec_kunit_ivshmem"
 *
 * The device is the first ivshmem-plain behind a bridge: in the suites'
 * guests, the one behind the PCIe switch, next to the nvme device. A guest
 * without one (the benchmark's) gives the first on a root bus.
 *
 * Fails the case if the driver does not bind, or BAR2 is not a 64-bit
 * prefetchable memory BAR of at least 4 MiB.
 *
 * Return: the BAR's resource, or NULL if there is no such device: the
 * caller skips or fails the case, with a message that says so.
 */
struct resource *pfn_vec_kunit_ivshmem(struct kunit *test,
				       struct pci_dev **pdev)
{
	*pdev = pfn_vec_kunit_ivshmem_get(test, PFN_VEC_KUNIT_BEHIND_BRIDGE, 0);
	if (!*pdev)
		*pdev = pfn_vec_kunit_ivshmem_get(test, PFN_VEC_KUNIT_ROOT_BUS,
						  0);
	if (!*pdev)
		return NULL;
	return pfn_vec_kunit_ivshmem_bind(test, *pdev);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_ivshmem);

/**
 * pfn_vec_kunit_ivshmem_root - the BAR of the ivshmem-plain on a root bus
 * @test: the case
 * @pdev: set to the device, as for pfn_vec_kunit_ivshmem()
 *
 * In the suites' guests, the second ivshmem-plain: on the root bus, so
 * that a path from a device behind the switch to it goes through the host
 * bridge.
 *
 * Return: as pfn_vec_kunit_ivshmem().
 */
struct resource *pfn_vec_kunit_ivshmem_root(struct kunit *test,
					    struct pci_dev **pdev)
{
	*pdev = pfn_vec_kunit_ivshmem_get(test, PFN_VEC_KUNIT_ROOT_BUS, 0);
	if (!*pdev)
		return NULL;
	return pfn_vec_kunit_ivshmem_bind(test, *pdev);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_ivshmem_root);

/**
 * pfn_vec_kunit_ivshmem_sized - the BAR of an ivshmem-plain of a least size
 * @test: the case
 * @min: the least size of its BAR2
 * @pdev: set to the device, as for pfn_vec_kunit_ivshmem()
 *
 * The first ivshmem-plain, on any bus, whose BAR2 is at least @min bytes:
 * in the x86_64 benchmark's guest, the one of 512 GiB.
 *
 * Return: as pfn_vec_kunit_ivshmem().
 */
struct resource *pfn_vec_kunit_ivshmem_sized(struct kunit *test,
					     resource_size_t min,
					     struct pci_dev **pdev)
{
	*pdev = pfn_vec_kunit_ivshmem_get(test, PFN_VEC_KUNIT_ANY_BUS, min);
	if (!*pdev)
		return NULL;
	return pfn_vec_kunit_ivshmem_bind(test, *pdev);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_ivshmem_sized);

struct pfn_vec_kunit_p2pmem {
	struct pci_dev *pdev;
	void *addr;
	size_t size;
};

static void pfn_vec_kunit_p2pmem_free(void *data)
{
	struct pfn_vec_kunit_p2pmem *p = data;

	pci_free_p2pmem(p->pdev, p->addr, p->size);
}

/**
 * pfn_vec_kunit_p2pmem - P2PDMA pages of an ivshmem-plain BAR, for a case
 * @test: the case
 * @root: of B, on the root bus, rather than of A, behind a bridge
 * @pool: bytes of the BAR, from its start, that become P2PDMA pages
 *	(pci_p2pdma_add_resource()): whole subsections
 * @size: bytes of them to allocate
 * @pdev: set to the device, as pfn_vec_kunit_ivshmem() sets it
 *
 * Binds the suites' driver to the device (pfn_vec_kunit_ivshmem() or
 * pfn_vec_kunit_ivshmem_root()), whose unbinding at the end of the case
 * takes the pages back, once the allocation is freed. Skips the case
 * without PCI_P2PDMA; fails it if the device is not where the suites'
 * guests have it.
 *
 * Return: the physical address of the allocation, of P2PDMA pages.
 */
phys_addr_t pfn_vec_kunit_p2pmem(struct kunit *test, bool root, size_t pool,
				 size_t size, struct pci_dev **pdev)
{
	struct pfn_vec_kunit_p2pmem *p;
	struct resource *res;

	if (!IS_ENABLED(CONFIG_PCI_P2PDMA))
		kunit_skip(test, "no PCI_P2PDMA");
	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	res = root ? pfn_vec_kunit_ivshmem_root(test, &p->pdev) :
		     pfn_vec_kunit_ivshmem(test, &p->pdev);
	KUNIT_ASSERT_NOT_NULL_MSG(test, res,
				  "no ivshmem-plain device (see the project's qemu configs)");
	KUNIT_ASSERT_EQ_MSG(test, pci_is_root_bus(p->pdev->bus), root,
			    "ivshmem-plain %s not where the qemu configs put it",
			    pci_name(p->pdev));
	*pdev = p->pdev;
	KUNIT_ASSERT_EQ(test, pci_p2pdma_add_resource(p->pdev,
						      PFN_VEC_KUNIT_IVSHMEM_BAR,
						      pool, 0), 0);
	p->size = size;
	p->addr = pci_alloc_p2pmem(p->pdev, size);
	KUNIT_ASSERT_NOT_NULL(test, p->addr);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pfn_vec_kunit_p2pmem_free,
						  p));
	KUNIT_ASSERT_TRUE(test, is_pci_p2pdma_page(virt_to_page(p->addr)));
	return virt_to_phys(p->addr);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_p2pmem);

KUNIT_DEFINE_ACTION_WRAPPER(pfn_vec_kunit_free_page, __free_page,
			    struct page *);

/**
 * pfn_vec_kunit_alloc_page - a page for a case, freed when it ends
 * @test: the case
 * @gfp: how to allocate it; the case fails if it cannot
 *
 * Return: the page.
 */
struct page *pfn_vec_kunit_alloc_page(struct kunit *test, gfp_t gfp)
{
	struct page *page = alloc_page(gfp);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pfn_vec_kunit_free_page,
						  page));
	return page;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_alloc_page);

static void pfn_vec_kunit_iounmap(void *io)
{
	iounmap((void __force __iomem *)io);
}

/**
 * pfn_vec_kunit_ioremap_wc - an independent mapping, to check the accessor
 * @test: the case; it fails if the mapping cannot be made
 * @phys: where
 * @size: how many bytes
 *
 * Write-combining, as the suites register their regions: PAT refuses an
 * alias of another type.
 *
 * Return: the mapping, which the case's cleanup unmaps.
 */
void __iomem *pfn_vec_kunit_ioremap_wc(struct kunit *test, phys_addr_t phys,
				       size_t size)
{
	void __iomem *io = ioremap_wc(phys, size);
	void *cookie = (__force void *)io;

	KUNIT_ASSERT_NOT_NULL(test, cookie);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pfn_vec_kunit_iounmap,
						  cookie));
	return io;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_ioremap_wc);

struct pfn_vec_kunit_region {
	phys_addr_t phys;
	size_t size;
};

static void pfn_vec_kunit_unregister(void *data)
{
	struct pfn_vec_kunit_region *r = data;

	pfn_vec_region_unregister(r->phys, r->size);
}

/* Unregister [phys, phys + size), registered, when the case ends, unless it has. */
static void pfn_vec_kunit_keep(struct kunit *test, phys_addr_t phys,
			       size_t size)
{
	struct pfn_vec_kunit_region *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	if (!r)
		pfn_vec_region_unregister(phys, size);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->phys = phys;
	r->size = size;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pfn_vec_kunit_unregister,
						  r));
}

/*
 * What registration of [phys, phys + size) returned, @ret, checked: where
 * the arch has no hook, -EOPNOTSUPP; elsewhere 0, and the region is
 * unregistered by the case's cleanup, unless the case has.
 */
static int pfn_vec_kunit_registered(struct kunit *test, int ret,
				    phys_addr_t phys, size_t size)
{
	if (!pfn_vec_kunit_have_hook()) {
		KUNIT_ASSERT_EQ(test, ret, -EOPNOTSUPP);
		return ret;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	pfn_vec_kunit_keep(test, phys, size);
	return 0;
}

/**
 * pfn_vec_kunit_reach - can the CPU map a segment, by the checked way in?
 * @pv: the segment
 *
 * pfn_vec_kmap_local() trusts its caller to map only memory that is alive;
 * a mapping iterator looks memory without struct page up on the first
 * piece it maps of a region, and refuses one that is not registered for
 * the CPU or is going. This walks @pv with one, touching nothing.
 *
 * Return: 0 if every piece was mapped, else the error
 * pfn_vec_miter_stop() gave.
 */
int pfn_vec_kunit_reach(const struct pfn_vec *pv)
{
	struct bvec_iter iter = { .bi_size = pv->pv_len };
	struct pfn_vec_miter miter;

	pfn_vec_miter_start(&miter, pv, &iter, pv->pv_len);
	while (pfn_vec_miter_next(&miter))
		;
	return pfn_vec_miter_stop(&miter);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_reach);

struct pfn_vec_kunit_hold {
	struct pfn_vec		pv;
	struct bvec_iter	iter;
	struct pfn_vec_miter	miter;
};

/**
 * pfn_vec_kunit_hold - hold the region of a segment, as a walk under way does
 * @test: the case, which owns the hold's memory
 * @pv: the segment, of memory without struct page
 *
 * Maps the first piece of @pv with a mapping iterator, which holds its
 * region until pfn_vec_kunit_unhold(). A case that unregisters the region
 * on another thread releases the hold with a KUnit action added after that
 * thread's, so that it runs first.
 *
 * Return: the hold, or %NULL if the iterator refused the region.
 */
struct pfn_vec_kunit_hold *pfn_vec_kunit_hold(struct kunit *test,
					      const struct pfn_vec *pv)
{
	struct pfn_vec_kunit_hold *h = kunit_kzalloc(test, sizeof(*h),
						     GFP_KERNEL);

	if (!h)
		return NULL;
	h->pv = *pv;
	h->iter = (struct bvec_iter) { .bi_size = pv->pv_len };
	pfn_vec_miter_start(&h->miter, &h->pv, &h->iter, pv->pv_len);
	if (!pfn_vec_miter_next(&h->miter)) {
		pfn_vec_miter_stop(&h->miter);
		return NULL;
	}
	return h;
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_hold);

/**
 * pfn_vec_kunit_unhold - release a hold from pfn_vec_kunit_hold()
 * @hold: the hold; a second release finds nothing to release
 */
void pfn_vec_kunit_unhold(void *hold)
{
	struct pfn_vec_kunit_hold *h = hold;

	pfn_vec_miter_stop(&h->miter);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_unhold);

/**
 * pfn_vec_kunit_register - register RAM without struct page for a case
 * @test: the case
 * @phys: the region's first byte, in pfn_vec_kunit_unmanaged()'s RAM
 * @size: its size in bytes
 * @type: its memory type
 *
 * Registers the region under the case's claim of that RAM,
 * pfn_vec_kunit_unmanaged_claim(). Where the arch has no hook, checks that
 * registration refuses the region with -EOPNOTSUPP. Elsewhere the case
 * fails if registration does; the case's cleanup unregisters the region,
 * unless the case has.
 *
 * Return: 0 if the region is registered, -EOPNOTSUPP if the arch has no
 * hook.
 */
int pfn_vec_kunit_register(struct kunit *test, phys_addr_t phys, size_t size,
			   enum io_linear_type type)
{
	struct resource *owner = pfn_vec_kunit_unmanaged_claim(test);

	return pfn_vec_kunit_registered(test,
					pfn_vec_region_register(owner, phys,
								size, type),
					phys, size);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_register);

/**
 * pfn_vec_kunit_register_bar - register part of ivshmem's BAR for a case
 * @test: the case
 * @pdev: the device, from pfn_vec_kunit_ivshmem()
 * @offset: the region's offset in BAR2
 * @size: its size in bytes
 * @type: its memory type
 *
 * As pfn_vec_kunit_register(), by pfn_vec_region_register_bar().
 *
 * Return: 0 if the region is registered, -EOPNOTSUPP if the arch has no
 * hook.
 */
int pfn_vec_kunit_register_bar(struct kunit *test, struct pci_dev *pdev,
			       resource_size_t offset, size_t size,
			       enum io_linear_type type)
{
	int ret = pfn_vec_region_register_bar(pdev, IVSHMEM_BAR, offset, size,
					      type);

	return pfn_vec_kunit_registered(test, ret,
					pci_resource_start(pdev, IVSHMEM_BAR) +
					offset, size);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_register_bar);

/**
 * pfn_vec_kunit_shadow - the KASAN shadow of a region's first byte
 * @phys: the byte, in a region or where one may be registered
 *
 * Read without KASAN's checks, as the shadow may be unmapped.
 *
 * Return: 0 if the shadow of @phys's linear-map address is mapped with the
 * early shadow's value, -EFAULT if it is unmapped, -EINVAL otherwise;
 * -EOPNOTSUPP without generic or software-tag KASAN.
 */
int pfn_vec_kunit_shadow(phys_addr_t phys)
{
#if defined(CONFIG_KASAN_GENERIC) || defined(CONFIG_KASAN_SW_TAGS)
	void *va = (__force void *)io_linear_addr(phys);
	u8 shadow;

	if (copy_from_kernel_nofault(&shadow, kasan_mem_to_shadow(va), 1))
		return -EFAULT;
	return shadow == KASAN_SHADOW_INIT ? 0 : -EINVAL;
#else
	return -EOPNOTSUPP;
#endif
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_shadow);

/**
 * pfn_vec_kunit_register_p2p - offer part of ivshmem's BAR to DMA for a case
 * @test: the case
 * @pdev: the device, from pfn_vec_kunit_ivshmem() or _root()
 * @offset: the region's offset in BAR2
 * @size: its size in bytes
 *
 * Registers the region with pfn_vec_region_register_p2p(), which succeeds
 * on every arch, hook or not: the case fails if it does not. The case's
 * cleanup unregisters the region, unless the case has.
 */
void pfn_vec_kunit_register_p2p(struct kunit *test, struct pci_dev *pdev,
				resource_size_t offset, size_t size)
{
	KUNIT_ASSERT_EQ(test, pfn_vec_region_register_p2p(pdev, IVSHMEM_BAR,
							  offset, size), 0);
	pfn_vec_kunit_keep(test, pci_resource_start(pdev, IVSHMEM_BAR) + offset,
			   size);
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_register_p2p);

/*
 * KUnit prints its results once every initcall has run, but drivers that
 * probe asynchronously, as nvme does, may still be logging from their
 * probes then: a line of theirs between KTAP lines makes kunit.py give up
 * on the run. The last initcalls wait for those probes first, where KUnit
 * is to run. Lines logged later from work that a probe queued and did not
 * wait for are not covered; nvme's probe waits for its namespace scan.
 */
static int __init pfn_vec_kunit_settle(void)
{
	if (kunit_enabled())
		wait_for_device_probe();
	return 0;
}
late_initcall_sync(pfn_vec_kunit_settle);
