// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the pfn_vec KUnit suites.
 *
 * debugfs from a test case: the suites set fault injection knobs and ask
 * kmemleak for a scan, which have no interface but their debugfs files, and
 * a KUnit boot has no userspace to write them. A case mounts debugfs
 * privately (the superblock is the one /sys/kernel/debug shows) and writes
 * the file through vfs_write() from a page of its own mm, which
 * kunit_vm_mmap() gives it: the files' ->write handlers take only user
 * buffers, so kernel_write() cannot reach them.
 *
 * Fault injection by current->fail_nth, as /proc/self/task/<tid>/fail-nth
 * sets it: the nth allocation that failslab or fail_page_alloc would
 * consider fails, in this task only. Both ignore allocations that may
 * reclaim, and fail_page_alloc those of order 0, by default; the suites
 * need exactly those to fail, so pfn_vec_kunit_fault_setup() clears the
 * knobs for the case and restores them after it.
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/pfn_vec_kunit.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

KUNIT_DEFINE_ACTION_WRAPPER(pfn_vec_kunit_unmount, kern_unmount,
			    struct vfsmount *);

/* A private mount of debugfs, released with the case. */
static struct vfsmount *pfn_vec_kunit_debugfs(struct kunit *test)
{
	struct file_system_type *type = get_fs_type("debugfs");
	struct vfsmount *mnt;

	if (!type)
		return ERR_PTR(-ENODEV);
	mnt = kern_mount(type);
	put_filesystem(type);
	if (IS_ERR(mnt))
		return mnt;
	if (kunit_add_action_or_reset(test, pfn_vec_kunit_unmount, mnt))
		return ERR_PTR(-ENOMEM);
	return mnt;
}

/* A page of the case's own mm, for the user buffers of vfs_read/write(). */
static char __user *pfn_vec_kunit_user_page(struct kunit *test)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	return addr ? (char __user *)addr : NULL;
}

static struct file *pfn_vec_kunit_debugfs_open(struct kunit *test,
					       const char *path, int flags)
{
	struct vfsmount *mnt = pfn_vec_kunit_debugfs(test);

	if (IS_ERR(mnt))
		return ERR_CAST(mnt);
	return file_open_root_mnt(mnt, path, flags, 0);
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
	size_t len = strlen(val);
	char __user *ubuf;
	struct file *file;
	loff_t pos = 0;
	ssize_t ret;

	if (len > PAGE_SIZE)
		return -EINVAL;
	ubuf = pfn_vec_kunit_user_page(test);
	if (!ubuf)
		return -ENOMEM;
	if (copy_to_user(ubuf, val, len))
		return -EFAULT;
	file = pfn_vec_kunit_debugfs_open(test, path, O_WRONLY);
	if (IS_ERR(file))
		return PTR_ERR(file);
	ret = vfs_write(file, ubuf, len, &pos);
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
	char __user *ubuf = pfn_vec_kunit_user_page(test);
	struct file *file;
	size_t len = 0;
	loff_t pos = 0;
	ssize_t ret;

	if (!ubuf)
		return -ENOMEM;
	file = pfn_vec_kunit_debugfs_open(test, path, O_RDONLY);
	if (IS_ERR(file))
		return PTR_ERR(file);
	for (;;) {
		ret = vfs_read(file, ubuf, min(size - 1 - len, PAGE_SIZE), &pos);
		if (ret <= 0)
			break;
		if (copy_from_user(buf + len, ubuf, ret)) {
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

/* The knobs pfn_vec_kunit_fault_setup() sets, with the value it sets. */
static const struct {
	const char *path;
	const char *val;
} pfn_vec_kunit_fault_knobs[] = {
	{ "failslab/ignore-gfp-wait",		"N" },
	{ "failslab/verbose",			"0" },
	{ "fail_page_alloc/ignore-gfp-wait",	"N" },
	{ "fail_page_alloc/min-order",		"0" },
	{ "fail_page_alloc/verbose",		"0" },
};

struct pfn_vec_kunit_fault_saved {
	struct kunit *test;
	char val[ARRAY_SIZE(pfn_vec_kunit_fault_knobs)][32];
};

static void pfn_vec_kunit_fault_restore(void *arg)
{
	struct pfn_vec_kunit_fault_saved *saved = arg;
	unsigned int i;
	int ret;

	pfn_vec_kunit_fail_nth(0);
	for (i = 0; i < ARRAY_SIZE(pfn_vec_kunit_fault_knobs); i++) {
		const char *path = pfn_vec_kunit_fault_knobs[i].path;

		ret = pfn_vec_kunit_debugfs_write(saved->test, path,
						  saved->val[i]);
		KUNIT_EXPECT_EQ_MSG(saved->test, ret, 0, "restoring %s", path);
	}
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
	struct pfn_vec_kunit_fault_saved *saved;
	const char *path;
	unsigned int i;
	ssize_t len;
	int ret;

	if (!IS_ENABLED(CONFIG_FAILSLAB) || !IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC) ||
	    !IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		kunit_skip(test, "needs FAILSLAB, FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS");

	saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, saved);
	saved->test = test;
	for (i = 0; i < ARRAY_SIZE(pfn_vec_kunit_fault_knobs); i++) {
		path = pfn_vec_kunit_fault_knobs[i].path;
		len = pfn_vec_kunit_debugfs_read(test, path, saved->val[i],
						 sizeof(saved->val[i]));
		KUNIT_ASSERT_GT_MSG(test, len, 0, "reading %s", path);
	}
	ret = kunit_add_action_or_reset(test, pfn_vec_kunit_fault_restore,
					saved);
	KUNIT_ASSERT_EQ(test, ret, 0);
	for (i = 0; i < ARRAY_SIZE(pfn_vec_kunit_fault_knobs); i++) {
		path = pfn_vec_kunit_fault_knobs[i].path;
		ret = pfn_vec_kunit_debugfs_write(test, path,
						  pfn_vec_kunit_fault_knobs[i].val);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "writing %s", path);
	}
}
EXPORT_SYMBOL_GPL(pfn_vec_kunit_fault_setup);
