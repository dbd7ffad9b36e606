/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64 MTE as arch/arm64/mm/mteswap.c sees it: page tag flags, the
 * tag copy helpers, the run-time MTE switch and the swap hooks that
 * asm/pgtable.h defines inline (ENVIRONMENT.md "MTE and the tag store").
 */
#ifndef SD_MTE_H
#define SD_MTE_H

/* Needs struct page, struct folio and swp_entry_t: sd_kernel.h (6.12) and
 * sd_kernel72.h (7.x) include it after the headers that define them. */

/* Bit numbers in page->flags; they equal the SD_PG_* bits of swapdiff.h. */
#define PG_mte_tagged 0
#define PG_mte_lock 1

static bool sd_mte_on = true;
static inline bool system_supports_mte(void) { return sd_mte_on; }

static inline bool page_mte_tagged(struct page *page) { return test_bit(PG_mte_tagged, &page->flags); }
static inline void set_page_mte_tagged(struct page *page) { set_bit(PG_mte_tagged, &page->flags); }

/* The kernel spins while another CPU tags the page; with one thread that
 * wait cannot end, so it is a HANG (ENVIRONMENT.md "Events"). */
static inline bool try_page_mte_tagging(struct page *page)
{
	if (!test_and_set_bit(PG_mte_lock, &page->flags))
		return true;
	if (!test_bit(PG_mte_tagged, &page->flags))
		sd_trap(SD_EV_HANG, __func__, "PG_mte_lock set, PG_mte_tagged clear", __LINE__);
	return false;
}

/* The tags of a page live right after its bytes (struct sd_page_mem). */
static inline void mte_save_page_tags(const void *page_addr, void *tag_storage)
{
	memcpy(tag_storage, ((const struct sd_page_mem *)page_addr)->tags, MTE_PAGE_TAG_STORAGE);
}
static inline void mte_restore_page_tags(void *page_addr, const void *tag_storage)
{
	memcpy(((struct sd_page_mem *)page_addr)->tags, tag_storage, MTE_PAGE_TAG_STORAGE);
}

static inline swp_entry_t page_swap_entry(struct page *page)
{
	struct folio *folio = page_folio(page);

	return (swp_entry_t){ folio->swap.val + folio_page_idx(folio, page) };
}

/* Defined by mteswap.c. */
void *mte_allocate_tag_storage(void);
void mte_free_tag_storage(char *storage);
int mte_save_tags(struct page *page);
void mte_restore_tags(swp_entry_t entry, struct page *page);
void mte_invalidate_tags(int type, pgoff_t offset);
void mte_invalidate_tags_area(int type);
int arch_prepare_to_swap(struct folio *folio);
void arch_swap_restore(swp_entry_t entry, struct folio *folio);

static inline void arch_swap_invalidate_page(int type, pgoff_t offset)
{
	if (system_supports_mte())
		mte_invalidate_tags(type, offset);
}
static inline void arch_swap_invalidate_area(int type)
{
	if (system_supports_mte())
		mte_invalidate_tags_area(type);
}

#endif /* SD_MTE_H */
