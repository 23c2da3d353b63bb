/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pfn_vec_block suites share (pfn_vec_block_kunit_helpers.c, all
 * named pvb_): the kinds of memory a bio is made of, each with a mapping
 * independent of the path under test; the devices (brd, a memory-backed
 * null_blk, and a disk of the tests' own, struct tdisk); and the bios and
 * the checks.
 */
#ifndef _BLOCK_TESTS_PFN_VEC_BLOCK_KUNIT_H
#define _BLOCK_TESTS_PFN_VEC_BLOCK_KUNIT_H

#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blk-integrity.h>
#include <linux/blkdev.h>
#include <linux/pfn_vec.h>
#include <linux/pfn_vec_kunit_helpers.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#define MEM_SIZE	SZ_4M		/* of each kind of memory used */
#define SENTINEL	PFN_VEC_KUNIT_SENTINEL

enum mem_kind { MEM_RAM, MEM_UNMANAGED, MEM_BAR, MEM_KINDS };

extern const char * const pvb_mem_names[MEM_KINDS];

/* MEM_SIZE of one kind of memory, and an independent mapping of it. */
struct test_mem {
	enum mem_kind kind;
	phys_addr_t phys;
	struct page *pages;		/* MEM_RAM */
	void *va;			/* MEM_RAM */
	void __iomem *io;		/* MEM_UNMANAGED, MEM_BAR */
	bool mapped;			/* registered, or RAM */
};

/* brd, and a memory-backed null_blk, whose queue is blk-mq. */
enum test_dev { DEV_BRD, DEV_NULLB, TEST_DEVS };

extern const char * const pvb_dev_names[TEST_DEVS];

/* A case's devices, opened by pvb_init(); test->priv. */
struct test_ctx {
	struct block_device *devs[TEST_DEVS];
	struct block_device *bdev;	/* the one in use */
	struct test_mem mem[MEM_KINDS];
};

#define TDISK_SIZE	SZ_4M
#define NO_BAD_SECTOR	((sector_t)-1)

/*
 * A bio-based disk in vmalloc() memory that takes no pfn_vec bios, so that
 * they reach it bounced, and that fails, before moving any of it, every
 * bio touching sector @bad. With an integrity profile it keeps the
 * protection information of each sector as a disk with metadata does: the
 * block layer generates it for writes and verifies it after reads. If
 * @async, it ends bios a tick after it moved their data, from a work item,
 * as a disk that interrupts would.
 */
struct tdisk {
	struct gendisk *disk;
	struct block_device *bdev;
	u8 *data;
	u8 *pi;
	sector_t bad;
	bool async;
	bool hold;			/* bios until pvb_tdisk_release() */
	bool removed;			/* by pvb_tdisk_remove() */
	atomic_t bios;			/* it was given */
	atomic_t unref;			/* pages of them that cannot be referenced */
	blk_opf_t last_opf;		/* of the last of them */
	spinlock_t lock;		/* protects done */
	struct bio_list done;
	struct delayed_work end_work;	/* ends the bios of done */
};

/* Pieces the bounce path copies at a time. */
#define PIECE		(BLK_PFN_VEC_BOUNCE_PAGES * PAGE_SIZE)
#define PIECE_SECTORS	(PIECE >> SECTOR_SHIFT)

/* The bytes the cases write: a pattern that @seed chooses. */
static inline u8 pvb_pattern(unsigned int seed, size_t i)
{
	return seed + i * 7 + (i >> 9);
}

#ifdef CONFIG_BLK_DEV_INTEGRITY
/* Where the protection information of @sector is kept. */
static inline u8 *pvb_tdisk_pi(struct tdisk *td, sector_t sector)
{
	struct blk_integrity *bi = blk_get_integrity(td->disk);

	return td->pi + bio_integrity_bytes(bi, sector);
}
#endif

int pvb_init(struct kunit *test);
void pvb_exit(struct kunit *test);
void pvb_set_native(struct kunit *test, struct block_device *bdev,
		    bool native);
void pvb_use_dev(struct kunit *test, enum test_dev dev, bool native);
struct block_device *pvb_open_disk(struct kunit *test, const char *name);
struct tdisk *pvb_tdisk_create(struct kunit *test, bool integrity);
void pvb_tdisk_release(struct tdisk *td);
void pvb_tdisk_remove(struct tdisk *td);
void pvb_fail_pool(struct kunit *test);
long pvb_pool_fails(struct kunit *test);

void *pvb_kvzalloc(struct kunit *test, size_t size);
void pvb_mem_init(struct kunit *test, struct test_mem *m,
		  enum mem_kind kind);
void pvb_mem_fill(struct test_mem *m, size_t off, size_t len,
		  unsigned int seed);
void pvb_mem_set(struct test_mem *m, size_t off, size_t len, u8 c);
size_t pvb_mem_check_from(struct test_mem *m, size_t off, size_t len,
			  unsigned int seed, size_t first);
size_t pvb_mem_check(struct test_mem *m, size_t off, size_t len,
		     unsigned int seed);
bool pvb_mem_is(struct test_mem *m, size_t off, size_t len, u8 c);
void pvb_mem_pv(struct kunit *test, struct test_mem *m, size_t off,
		unsigned int len, struct pfn_vec *pv);

int pvb_dev_rw(struct test_ctx *ctx, blk_opf_t op, sector_t sector,
	       void *buf, size_t len);
struct bio *pvb_pv_bio(struct kunit *test, blk_opf_t op,
		       sector_t sector, const struct pfn_vec *pv);
int pvb_pv_rw(struct kunit *test, blk_opf_t op, sector_t sector,
	      const struct pfn_vec *pv);

#endif /* _BLOCK_TESTS_PFN_VEC_BLOCK_KUNIT_H */
