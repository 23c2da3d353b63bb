// SPDX-License-Identifier: GPL-2.0
/*
 * Fixtures of the pfn_vec_block suites: memory, devices and bios.
 *
 * Memory without struct page is the RAM above mem= that the boot line
 * names for every pfn_vec suite (pfn_vec_kunit_unmanaged()), and BAR2 of
 * QEMU's ivshmem-plain (pfn_vec_kunit_ivshmem()). Every byte is checked
 * through a path independent of the one under test: device contents
 * through bio_vec bios of RAM pages, memory through its kernel address or
 * ioremap_wc().
 */
#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blk-integrity.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/pci.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/t10-pi.h>
#include <linux/vmalloc.h>

#include "../blk.h"
#include "pfn_vec_block_kunit.h"

const char * const pvb_mem_names[MEM_KINDS] = {
	"RAM", "unmanaged", "BAR"
};

const char * const pvb_dev_names[TEST_DEVS] = { "ram0", "nullb0" };

static void fput_action(void *file)
{
	fput(file);
}

static void free_pages_action(void *pages)
{
	__free_pages(pages, get_order(MEM_SIZE));
}

/**
 * pvb_mem_init - MEM_SIZE of one kind of memory, for a case
 * @test: the case
 * @m: filled in
 * @kind: which kind
 *
 * Memory without struct page is registered with pfn_vec where the arch
 * can (@m->mapped says whether the CPU reaches it), and mapped
 * independently, write-combining as registered, since PAT refuses a
 * conflicting alias. Skips the case if the kind does not exist here.
 */
void pvb_mem_init(struct kunit *test, struct test_mem *m,
		  enum mem_kind kind)
{
	struct resource *res;
	struct pci_dev *pdev;

	m->kind = kind;
	switch (kind) {
	case MEM_RAM:
		m->pages = alloc_pages(GFP_KERNEL, get_order(MEM_SIZE));
		KUNIT_ASSERT_NOT_NULL(test, m->pages);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, free_pages_action,
							  m->pages));
		m->phys = page_to_phys(m->pages);
		m->va = page_address(m->pages);
		m->mapped = true;
		return;
	case MEM_UNMANAGED:
		m->phys = pfn_vec_kunit_unmanaged(test, MEM_SIZE, NULL);
		m->io = pfn_vec_kunit_ioremap_wc(test, m->phys, MEM_SIZE);
		m->mapped = !pfn_vec_kunit_register(test, m->phys, MEM_SIZE,
						    IO_LINEAR_WC);
		return;
	default:
		res = pfn_vec_kunit_ivshmem(test, &pdev);
		if (!res)
			kunit_skip(test, "no ivshmem-plain device: see the qemu configs");
		KUNIT_ASSERT_GE(test, resource_size(res), (resource_size_t)MEM_SIZE);
		m->phys = res->start;
		m->io = pfn_vec_kunit_ioremap_wc(test, m->phys, MEM_SIZE);
		m->mapped = !pfn_vec_kunit_register_bar(test, pdev, 0, MEM_SIZE,
							IO_LINEAR_WC);
		return;
	}
}

KUNIT_DEFINE_ACTION_WRAPPER(kvfree_action, kvfree, const void *);

/* A zeroed buffer of @size bytes, virtually contiguous, until the case ends. */
void *pvb_kvzalloc(struct kunit *test, size_t size)
{
	void *p = kvzalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kvfree_action, p));
	return p;
}

/* Fill or check memory through the independent mapping. */
void pvb_mem_fill(struct test_mem *m, size_t off, size_t len,
		  unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (m->io)
			writeb(pvb_pattern(seed, i), m->io + off + i);
		else
			((u8 *)m->va)[off + i] = pvb_pattern(seed, i);
	}
}

void pvb_mem_set(struct test_mem *m, size_t off, size_t len, u8 c)
{
	if (m->io)
		memset_io(m->io + off, c, len);
	else
		memset(m->va + off, c, len);
}

/*
 * The first byte at which @m differs from bytes @first to @first + @len of
 * the pattern, or @len.
 */
size_t pvb_mem_check_from(struct test_mem *m, size_t off, size_t len,
			  unsigned int seed, size_t first)
{
	size_t i;

	for (i = 0; i < len; i++) {
		u8 c = m->io ? readb(m->io + off + i) : ((u8 *)m->va)[off + i];

		if (c != pvb_pattern(seed, first + i))
			break;
	}
	return i;
}

/* The first byte at which @m differs from the pattern, or @len. */
size_t pvb_mem_check(struct test_mem *m, size_t off, size_t len,
		     unsigned int seed)
{
	return pvb_mem_check_from(m, off, len, seed, 0);
}

bool pvb_mem_is(struct test_mem *m, size_t off, size_t len, u8 c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((m->io ? readb(m->io + off + i) : ((u8 *)m->va)[off + i]) != c)
			return false;
	return true;
}

void pvb_mem_pv(struct kunit *test, struct test_mem *m, size_t off,
		unsigned int len, struct pfn_vec *pv)
{
	KUNIT_ASSERT_LE(test, off + len, (size_t)MEM_SIZE);
	KUNIT_ASSERT_EQ(test, pfn_vec_set_phys(pv, m->phys + off, len), 0);
	KUNIT_ASSERT_EQ(test, pfn_vec_has_page(pv), m->kind == MEM_RAM);
}

/*
 * The device through bio_vec bios of RAM pages: the path that checks the
 * one under test. @buf is any kernel buffer of @len bytes.
 */
int pvb_dev_rw(struct test_ctx *ctx, blk_opf_t op, sector_t sector,
	       void *buf, size_t len)
{
	struct page **pages;
	unsigned int nr, i;
	struct bio *bio;
	size_t chunk;
	int ret = 0;

	pages = kcalloc(BIO_MAX_VECS, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	for (; !ret && len; len -= chunk, buf += chunk,
	     sector += chunk >> SECTOR_SHIFT) {
		chunk = min_t(size_t, len, BIO_MAX_VECS * PAGE_SIZE);
		nr = DIV_ROUND_UP(chunk, PAGE_SIZE);
		bio = bio_alloc(ctx->bdev, nr, op, GFP_KERNEL);
		if (!bio) {
			ret = -ENOMEM;
			break;
		}
		bio->bi_iter.bi_sector = sector;
		for (i = 0; i < nr; i++) {
			size_t n = min_t(size_t, chunk - i * PAGE_SIZE, PAGE_SIZE);

			pages[i] = alloc_page(GFP_KERNEL);
			if (!pages[i]) {
				ret = -ENOMEM;
				break;
			}
			if (op == REQ_OP_WRITE)
				memcpy_to_page(pages[i], 0, buf + i * PAGE_SIZE, n);
			__bio_add_page(bio, pages[i], n, 0);
		}
		if (!ret)
			ret = submit_bio_wait(bio);
		for (i = 0; i < nr && pages[i]; i++) {
			if (!ret && op == REQ_OP_READ)
				memcpy_from_page(buf + i * PAGE_SIZE, pages[i], 0,
						 min_t(size_t, chunk - i * PAGE_SIZE,
						       PAGE_SIZE));
			__free_page(pages[i]);
			pages[i] = NULL;
		}
		bio_put(bio);
	}
	kfree(pages);
	return ret;
}

/* A bio of the one segment @pv, to @sector of the device in use. */
struct bio *pvb_pv_bio(struct kunit *test, blk_opf_t op, sector_t sector,
		       const struct pfn_vec *pv)
{
	struct test_ctx *ctx = test->priv;
	struct bio *bio;
	int ret;

	bio = bio_alloc_pfn_vec(ctx->bdev, 1, op, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bio);
	bio->bi_iter.bi_sector = sector;
	ret = bio_add_pfn_vec(bio, pv);
	if (ret != pv->pv_len)
		bio_put(bio);
	KUNIT_ASSERT_EQ(test, ret, (int)pv->pv_len);
	return bio;
}

/* Submit a bio of the one segment @pv and wait: its errno. */
int pvb_pv_rw(struct kunit *test, blk_opf_t op, sector_t sector,
	      const struct pfn_vec *pv)
{
	struct bio *bio = pvb_pv_bio(test, op, sector, pv);
	int ret = submit_bio_wait(bio);

	bio_put(bio);
	return ret;
}

/* Make @bdev's queue take pfn_vec bios as they are, or bounce them. */
void pvb_set_native(struct kunit *test, struct block_device *bdev,
		    bool native)
{
	struct request_queue *q = bdev_get_queue(bdev);
	struct queue_limits lim = queue_limits_start_update(q);

	if (native)
		lim.features |= BLK_FEAT_PFN_VEC;
	else
		lim.features &= ~BLK_FEAT_PFN_VEC;
	KUNIT_ASSERT_EQ(test, queue_limits_commit_update_frozen(q, &lim), 0);
}

/* Do I/O to @dev from now on, on the native path or the bounce path. */
void pvb_use_dev(struct kunit *test, enum test_dev dev, bool native)
{
	struct test_ctx *ctx = test->priv;

	ctx->bdev = ctx->devs[dev];
	pvb_set_native(test, ctx->bdev, native);
}

/* Open @devt for reading and writing until the test ends. */
static struct block_device *open_devt(struct kunit *test, dev_t devt,
				      const char *name)
{
	struct file *file = bdev_file_open_by_dev(devt, BLK_OPEN_READ | BLK_OPEN_WRITE,
						  NULL, NULL);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "cannot open %s: %pe",
			       name, file);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, fput_action,
							   file));
	return file_bdev(file);
}

/**
 * pvb_open_disk - open a disk by name until the case ends
 * @test: the case
 * @name: as in /sys/block, "ram0" for instance
 *
 * Fails the case if there is no such disk, or if it is smaller than
 * MEM_SIZE: the kunitconfig and the qemu configs make those the cases use.
 *
 * Return: the disk, open for reading and writing.
 */
struct block_device *pvb_open_disk(struct kunit *test, const char *name)
{
	struct device *dev = class_find_device_by_name(&block_class, name);
	struct block_device *bdev;
	dev_t devt;

	KUNIT_ASSERT_NOT_NULL_MSG(test, dev,
				  "no %s: see the kunitconfig and the qemu configs",
				  name);
	devt = dev->devt;
	put_device(dev);
	bdev = open_devt(test, devt, name);
	KUNIT_ASSERT_GE(test, bdev_nr_bytes(bdev), (loff_t)MEM_SIZE);
	return bdev;
}

int pvb_init(struct kunit *test)
{
	struct test_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	for (i = 0; i < TEST_DEVS; i++)
		ctx->devs[i] = pvb_open_disk(test, pvb_dev_names[i]);
	ctx->bdev = ctx->devs[DEV_BRD];
	return 0;
}

/*
 * fail_pfn_vec_bounce: every page allocation behind the bounce pool fails,
 * in any task, until the case ends, so that bounces run on the pool's
 * reserve alone; times counts the failures down from PVB_POOL_FAILS.
 */
#define PVB_POOL_FAILS	"1000000000"

static const char * const pvb_pool_knobs[][2] = {
	{ "fail_pfn_vec_bounce/task-filter",	"N" },
	{ "fail_pfn_vec_bounce/interval",	"1" },
	{ "fail_pfn_vec_bounce/times",		PVB_POOL_FAILS },
	{ "fail_pfn_vec_bounce/probability",	"100" },
};

/* Bounce on the pool's reserve alone until the case ends; skip without. */
void pvb_fail_pool(struct kunit *test)
{
	unsigned int i;
	int ret;

	if (!IS_ENABLED(CONFIG_FAIL_PFN_VEC_BOUNCE))
		kunit_skip(test, "needs FAIL_PFN_VEC_BOUNCE");
	for (i = 0; i < ARRAY_SIZE(pvb_pool_knobs); i++) {
		ret = pfn_vec_kunit_debugfs_set(test, pvb_pool_knobs[i][0],
						pvb_pool_knobs[i][1]);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "setting %s",
				    pvb_pool_knobs[i][0]);
	}
}

/* How many page allocations behind the pool failed since pvb_fail_pool(). */
long pvb_pool_fails(struct kunit *test)
{
	long fails, left;
	char buf[32];
	ssize_t len;

	len = pfn_vec_kunit_debugfs_read(test, "fail_pfn_vec_bounce/times",
					 buf, sizeof(buf));
	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_ASSERT_EQ(test, kstrtol(strim(buf), 10, &left), 0);
	KUNIT_ASSERT_EQ(test, kstrtol(PVB_POOL_FAILS, 10, &fails), 0);
	return fails - left;
}

/* Every test leaves the queues as their drivers set them up. */
void pvb_exit(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; ctx && i < TEST_DEVS; i++)
		if (ctx->devs[i])
			pvb_set_native(test, ctx->devs[i], true);
}

#ifdef CONFIG_BLK_DEV_INTEGRITY
static void tdisk_transfer_pi(struct tdisk *td, struct bio *bio)
{
	struct bio_integrity_payload *bip = bio_integrity(bio);
	unsigned int len;
	u8 *pi;

	if (!bip)
		return;
	len = bio_integrity_bytes(blk_get_integrity(td->disk), bio_sectors(bio));
	pi = pvb_tdisk_pi(td, bio->bi_iter.bi_sector);
	/* bio_integrity_prep() put it all in one physically contiguous buffer. */
	if (op_is_write(bio_op(bio)))
		memcpy(pi, bvec_virt(bip->bip_vec), len);
	else
		memcpy(bvec_virt(bip->bip_vec), pi, len);
}
#else
static void tdisk_transfer_pi(struct tdisk *td, struct bio *bio)
{
}
#endif

static void tdisk_submit_bio(struct bio *bio)
{
	struct tdisk *td = bio->bi_bdev->bd_disk->private_data;
	u8 *p = td->data + (bio->bi_iter.bi_sector << SECTOR_SHIFT);
	struct bvec_iter iter;
	struct bio_vec bv;

	atomic_inc(&td->bios);
	WRITE_ONCE(td->last_opf, bio->bi_opf);
	/* The queue has no BLK_FEAT_PFN_VEC: such a bio is a block layer bug. */
	if (WARN_ON_ONCE(bio_is_pfn_vec(bio)) ||
	    (bio_op(bio) != REQ_OP_READ && bio_op(bio) != REQ_OP_WRITE)) {
		bio->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bio);
		return;
	}
	if (td->bad >= bio->bi_iter.bi_sector && td->bad < bio_end_sector(bio)) {
		bio_io_error(bio);
		return;
	}
	if (!bio_integrity_prep(bio))
		return;

	bio_for_each_segment(bv, bio, iter) {
		/* What a driver that sends pages without copying checks. */
		if (!sendpage_ok(bv.bv_page))
			atomic_inc(&td->unref);
		if (op_is_write(bio_op(bio)))
			memcpy_from_bvec(p, &bv);
		else
			memcpy_to_bvec(&bv, p);
		p += bv.bv_len;
	}
	tdisk_transfer_pi(td, bio);
	if (td->async || READ_ONCE(td->hold)) {
		bool hold;

		spin_lock(&td->lock);
		bio_list_add(&td->done, bio);
		hold = td->hold;
		spin_unlock(&td->lock);
		if (!hold)
			queue_delayed_work(system_wq, &td->end_work,
					   td->async ? 1 : 0);
		return;
	}
	bio_endio(bio);
}

/* Let the bios that @td holds end, and end those it is given from now on. */
void pvb_tdisk_release(struct tdisk *td)
{
	spin_lock(&td->lock);
	td->hold = false;
	spin_unlock(&td->lock);
	queue_delayed_work(system_wq, &td->end_work, 0);
}

/* Remove @td as hot-unplug does; the case still holds it open. */
void pvb_tdisk_remove(struct tdisk *td)
{
	del_gendisk(td->disk);
	td->removed = true;
}

static void tdisk_end_work(struct work_struct *work)
{
	struct tdisk *td = container_of(to_delayed_work(work), struct tdisk,
					end_work);
	struct bio_list done;
	struct bio *bio;

	spin_lock(&td->lock);
	done = td->done;
	bio_list_init(&td->done);
	spin_unlock(&td->lock);
	while ((bio = bio_list_pop(&done)))
		bio_endio(bio);
}

static const struct block_device_operations tdisk_fops = {
	.owner		= THIS_MODULE,
	.submit_bio	= tdisk_submit_bio,
};

static void vfree_action(void *addr)
{
	vfree(addr);
}

static void tdisk_destroy_action(void *data)
{
	struct tdisk *td = data;

	/* Every bio ended before its submitter let the disk go. */
	cancel_delayed_work_sync(&td->end_work);
	WARN_ON_ONCE(!bio_list_empty(&td->done));
	if (!td->removed)
		del_gendisk(td->disk);
	put_disk(td->disk);
}

/*
 * Make a tdisk, with an integrity profile (T10 CRC guard and reference tag
 * per sector) if @integrity, the device in use from now on.
 */
struct tdisk *pvb_tdisk_create(struct kunit *test, bool integrity)
{
	struct queue_limits lim = { .logical_block_size = SECTOR_SIZE };
	struct test_ctx *ctx = test->priv;
	struct tdisk *td;

	td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, td);
	td->bad = NO_BAD_SECTOR;
	spin_lock_init(&td->lock);
	bio_list_init(&td->done);
	INIT_DELAYED_WORK(&td->end_work, tdisk_end_work);
	td->data = vzalloc(TDISK_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, td->data);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vfree_action, td->data));
#ifdef CONFIG_BLK_DEV_INTEGRITY
	if (integrity) {
		lim.integrity.csum_type = BLK_INTEGRITY_CSUM_CRC;
		lim.integrity.tuple_size = sizeof(struct t10_pi_tuple);
		lim.integrity.flags = BLK_INTEGRITY_REF_TAG;
		td->pi = kunit_kzalloc(test, (TDISK_SIZE >> SECTOR_SHIFT) *
				       sizeof(struct t10_pi_tuple), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, td->pi);
	}
#else
	KUNIT_ASSERT_FALSE(test, integrity);
#endif

	td->disk = blk_alloc_disk(&lim, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(td->disk), "%pe", td->disk);
	td->disk->fops = &tdisk_fops;
	td->disk->private_data = td;
	strscpy(td->disk->disk_name, "pfn_vec_test", DISK_NAME_LEN);
	set_capacity(td->disk, TDISK_SIZE >> SECTOR_SHIFT);
	if (add_disk(td->disk)) {
		put_disk(td->disk);
		KUNIT_FAIL_AND_ABORT(test, "add_disk() failed");
	}
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, tdisk_destroy_action, td));

	td->bdev = open_devt(test, disk_devt(td->disk), td->disk->disk_name);
	ctx->bdev = td->bdev;
	return td;
}
