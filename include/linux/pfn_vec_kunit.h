/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pfn_vec KUnit suites (mm/pfn_vec_kunit_util.c):
 * the RAM without struct page that the boot line names, debugfs files read
 * and written from a test case, fault injection, and threads that cross
 * CPUs and never outlive their case.
 * For tests only.
 */
#ifndef _LINUX_PFN_VEC_KUNIT_H
#define _LINUX_PFN_VEC_KUNIT_H

#include <linux/sched.h>
#include <linux/types.h>

struct kunit;
struct task_struct;

int pfn_vec_kunit_debugfs_write(struct kunit *test, const char *path,
				const char *val);
ssize_t pfn_vec_kunit_debugfs_read(struct kunit *test, const char *path,
				   char *buf, size_t size);
int pfn_vec_kunit_debugfs_set(struct kunit *test, const char *path,
			      const char *val);

phys_addr_t pfn_vec_kunit_unmanaged(struct kunit *test, u64 size);

struct task_struct *pfn_vec_kunit_thread_run(struct kunit *test,
					     int (*fn)(void *data), void *data,
					     unsigned int nr, const char *name);

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

#endif /* _LINUX_PFN_VEC_KUNIT_H */
