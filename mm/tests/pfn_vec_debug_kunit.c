// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pfn_vec_debug: CONFIG_DEBUG_PFN_VEC catches the callers that
 * break the accessor's contract. pfn_vec_kmap_local() and the mapping
 * iterator trust their caller to keep what they map alive, as
 * kmap_local_page() does; each case here breaks that trust on purpose, on
 * RAM that the kernel was told not to manage (pfn_vec_kunit_unmanaged()),
 * and checks that the option refuses the mapping with its errno, reports
 * it, and keeps a region that is still mapped until it is released.
 * Built only with the option, which the debug kernels have.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>

#define REGION_SIZE	PMD_SIZE

/* A contract break of @what, reported once while @call ran. */
#define EXPECT_CAUGHT(test, call, want, what)				\
	do {								\
		long __before = pfn_vec_debug_caught();			\
									\
		KUNIT_EXPECT_EQ_MSG(test, (call), (want), what);	\
		KUNIT_EXPECT_EQ_MSG(test, pfn_vec_debug_caught(),	\
				    __before + 1, "not reported: " what); \
	} while (0)

/* Memory without struct page that no region holds: refused, reported. */
static void pfn_vec_debug_test_no_region(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, PAGE_SIZE, NULL);
	struct pfn_vec_map m = { .map = IOSYS_MAP_INIT_VADDR(test) };
	struct pfn_vec pv;

	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, PAGE_SIZE), 0);
	EXPECT_CAUGHT(test, pfn_vec_kmap_local(&pv, &m), -ENXIO,
		      "a local mapping of no region");
	KUNIT_EXPECT_PTR_EQ(test, m.map.vaddr, (void *)test);
}

/* A region's memory after it was unregistered: refused, reported. */
static void pfn_vec_debug_test_after_unregister(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, REGION_SIZE, NULL);
	struct pfn_vec_map m;
	struct pfn_vec pv;

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register(test, base, REGION_SIZE,
						     IO_LINEAR_WC), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base + PAGE_SIZE, 8), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, &m), 0);
	KUNIT_EXPECT_TRUE(test, m.map.is_iomem &&
			  m.map.vaddr_iomem == io_linear_addr(base + PAGE_SIZE));
	pfn_vec_kunmap_local(&m);

	KUNIT_ASSERT_EQ(test, pfn_vec_region_unregister(base, REGION_SIZE), 0);
	EXPECT_CAUGHT(test, pfn_vec_kmap_local(&pv, &m), -ENXIO,
		      "a local mapping after unregister");
}

/* Flags that claim a struct page the frame does not have. */
static void pfn_vec_debug_test_bogus_page(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, PAGE_SIZE, NULL);
	struct pfn_vec pv = {
		.pv_pfn = pfn_to_pfn_t(PHYS_PFN(base)),
		.pv_len = 1,
	};
	struct pfn_vec_map m;

	EXPECT_CAUGHT(test, pfn_vec_kmap_local(&pv, &m), -EINVAL,
		      "a local mapping of a struct page that is not there");
	EXPECT_CAUGHT(test, pfn_vec_kunit_reach(&pv), -EINVAL,
		      "an iterator over a struct page that is not there");
}

KUNIT_DEFINE_ACTION_WRAPPER(kunmap_action, pfn_vec_kunmap_local,
			    struct pfn_vec_map *);

/*
 * The owner unregisters a region that a local mapping still maps. Without
 * the option the mapping would outlive the region's page tables; with it,
 * unregister reports the break at once, and waits for the mapping, which
 * holds the region, before it unmaps it.
 */
static void pfn_vec_debug_test_unregister_mapped(struct kunit *test)
{
	phys_addr_t base = pfn_vec_kunit_unmanaged(test, REGION_SIZE, NULL);
	struct pfn_vec_kunit_unregister *w =
		kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct pfn_vec_map *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct task_struct *t;
	unsigned int waited;
	struct pfn_vec pv;
	long before;
	bool waits;

	pfn_vec_kunit_require_hook(test);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_EQ(test, pfn_vec_kunit_register(test, base, REGION_SIZE,
						     IO_LINEAR_WC), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(&pv, base, PAGE_SIZE), 0);
	pfn_vec_kunit_unregister_init(w, base, REGION_SIZE);

	before = pfn_vec_debug_caught();
	KUNIT_ASSERT_EQ(test, pfn_vec_kmap_local(&pv, m), 0);
	t = pfn_vec_kunit_thread_run(test, pfn_vec_kunit_unregister_fn, w, 1,
				     "pfn_vec_unregister");
	if (IS_ERR(t))
		pfn_vec_kunmap_local(m);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	/* Released before the thread is stopped, however the case ends. */
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kunmap_action,
							   m));

	for (waited = 0; waited < 5000 && pfn_vec_debug_caught() == before;
	     waited += 20)
		msleep(20);
	KUNIT_EXPECT_EQ_MSG(test, pfn_vec_debug_caught(), before + 1,
			    "unregister of a mapped region not reported");
	msleep(50);
	waits = !completion_done(&w->done);
	/* Still mapped: the write lands, and nothing faults. */
	iosys_map_memset(&m->map, 0, 0x5a, PAGE_SIZE);
	kunit_release_action(test, kunmap_action, m);

	KUNIT_EXPECT_TRUE_MSG(test, waits,
			      "unregister did not wait for the local mapping");
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&w->done, 10 * HZ));
	KUNIT_EXPECT_EQ(test, w->ret, 0);
}

static struct kunit_case pfn_vec_debug_cases[] = {
	KUNIT_CASE(pfn_vec_debug_test_no_region),
	KUNIT_CASE(pfn_vec_debug_test_after_unregister),
	KUNIT_CASE(pfn_vec_debug_test_bogus_page),
	KUNIT_CASE(pfn_vec_debug_test_unregister_mapped),
	{}
};

static struct kunit_suite pfn_vec_debug_suite = {
	.name = "pfn_vec_debug",
	.test_cases = pfn_vec_debug_cases,
};

kunit_test_suite(pfn_vec_debug_suite);

MODULE_DESCRIPTION("KUnit tests of CONFIG_DEBUG_PFN_VEC");
MODULE_LICENSE("GPL");
