// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_kmemleak: after every other suite, have kmemleak scan
 * and fail on the leaks of the pfn_vec series.
 *
 * kmemleak reports only after a scan, and a KUnit boot has no userspace to
 * ask for one before it halts. This suite asks, through kmemleak's debugfs
 * file. Built-in suites run in link order; this file is linked last of
 * lib/, after the iov_iter suite, and lib/ comes after mm/ and block/, so
 * every other suite of the KUnit kernel has run by then.
 *
 * Every suspect is printed. A suspect fails the case when a frame of its
 * allocation's backtrace is a function of the series, as named by
 * pfn_vec_kmemleak_ours(); the others are kernel leaks the series did not
 * cause, left for the log.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

/*
 * kmemleak leaves objects younger than 5 s (MSECS_MIN_AGE) out of a scan,
 * lest one merely in flight be reported; the suites before this one
 * allocated up to the moment it started.
 */
#define PFN_VEC_KMEMLEAK_MIN_AGE_MS	5000

/* Room for the report of kmemleak's debugfs file. */
#define PFN_VEC_KMEMLEAK_REPORT_SIZE	SZ_1M

/*
 * The series' functions: pfn_vec_*(), blk_pfn_vec_*(), bio_alloc_pfn_vec(),
 * the drivers' *_pfn_vec*(), the arch backends' io_linear_*() and the
 * suites' own cases, which all carry one of these in their names.
 */
static const char * const pfn_vec_kmemleak_names[] = {
	"pfn_vec", "io_linear",
};

/*
 * Is @frame, a line of the backtrace in kmemleak's report, in a function of
 * the series? The line is the function, "    function+0x.../0x...", after
 * the address in brackets in kernels that print it.
 */
static bool pfn_vec_kmemleak_ours(const char *frame)
{
	const char *fn = skip_spaces(frame), *end;
	unsigned int i;

	if (*fn == '[') {
		fn = strchr(fn, ']');
		if (!fn)
			return false;
		fn = skip_spaces(fn + 1);
	}
	end = strchrnul(fn, '+');
	for (i = 0; i < ARRAY_SIZE(pfn_vec_kmemleak_names); i++)
		if (strnstr(fn, pfn_vec_kmemleak_names[i], end - fn))
			return true;
	return false;
}

KUNIT_DEFINE_ACTION_WRAPPER(pfn_vec_kmemleak_vfree, vfree, const void *);

static void pfn_vec_kmemleak_test_scan(struct kunit *test)
{
	unsigned int suspects = 0, ours = 0;
	bool in_backtrace = false, object_ours = false;
	char *report, *cursor, *line;
	ssize_t len;

	report = vzalloc(PFN_VEC_KMEMLEAK_REPORT_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, report);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   pfn_vec_kmemleak_vfree,
							   report));

	msleep(PFN_VEC_KMEMLEAK_MIN_AGE_MS + 1000);
	/*
	 * Twice, as Documentation/dev-tools/kmemleak.rst advises: an object
	 * whose only pointer was in a register or in flight during the first
	 * scan is found referenced in the second. The file lists the objects
	 * that are still unreferenced after the last one.
	 */
	KUNIT_ASSERT_EQ(test,
			pfn_vec_kunit_debugfs_write(test, "kmemleak", "scan"), 0);
	KUNIT_ASSERT_EQ(test,
			pfn_vec_kunit_debugfs_write(test, "kmemleak", "scan"), 0);
	len = pfn_vec_kunit_debugfs_read(test, "kmemleak", report,
					 PFN_VEC_KMEMLEAK_REPORT_SIZE);
	KUNIT_ASSERT_GE_MSG(test, len, 0, "reading kmemleak: %zd", len);

	/*
	 * Each suspect: "unreferenced object 0x...", its comm and hex dump,
	 * then "backtrace (crc ...):" and one frame a line.
	 */
	cursor = report;
	while ((line = strsep(&cursor, "\n"))) {
		if (!*line)
			continue;
		pr_info("%s\n", line);
		if (str_has_prefix(line, "unreferenced object ")) {
			suspects++;
			in_backtrace = false;
			object_ours = false;
		} else if (str_has_prefix(skip_spaces(line), "backtrace")) {
			in_backtrace = true;
		} else if (in_backtrace && !object_ours &&
			   pfn_vec_kmemleak_ours(line)) {
			object_ours = true;
			ours++;
		}
	}
	kunit_info(test, "kmemleak: %u suspected leaks, %u of them in pfn_vec\n",
		   suspects, ours);
	KUNIT_EXPECT_EQ(test, ours, 0);
}

static struct kunit_case pfn_vec_kmemleak_cases[] = {
	KUNIT_CASE_SLOW(pfn_vec_kmemleak_test_scan),
	{}
};

static struct kunit_suite pfn_vec_kmemleak_suite = {
	.name = "pfn_vec_kmemleak",
	.test_cases = pfn_vec_kmemleak_cases,
};

kunit_test_suite(pfn_vec_kmemleak_suite);

MODULE_DESCRIPTION("kmemleak scan after the pfn_vec KUnit suites");
MODULE_LICENSE("GPL");
