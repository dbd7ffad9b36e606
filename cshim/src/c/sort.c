/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Part of the kernel_612.c translation unit: sort() for
 * swapcache_free_entries(). ENVIRONMENT.md makes it stable so that the order
 * of equal-type entries is defined (lib/sort.c is a heapsort, not stable).
 */

/* Insertion sort: stable, and n <= 64 in every caller. */
static void sd_stable_sort(void *base, size_t num, size_t size,
			   int (*cmp)(const void *, const void *))
{
	unsigned char *b = base;

	for (size_t i = 1; i < num; i++) {
		for (size_t j = i; j > 0 && cmp(b + (j - 1) * size, b + j * size) > 0; j--) {
			for (size_t k = 0; k < size; k++) {
				unsigned char t = b[(j - 1) * size + k];

				b[(j - 1) * size + k] = b[j * size + k];
				b[j * size + k] = t;
			}
		}
	}
}
