/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Circular doubly linked lists and a minimal priority list, with the
 * kernel's names and semantics (list_del poisons nothing here: a deleted
 * entry points to itself so a second deletion is harmless).
 */
#ifndef SD_LIST_H
#define SD_LIST_H

#include "sd_compiler.h"
#include "sd_events.h"

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }

/*
 * Lock discipline checks on lists (ENVIRONMENT.md "Interleavings"): in an
 * interleaved run every change to a list passes the list head it touches to
 * the build's sd_list_changing() (its devices file), which knows the lists
 * the kernel documents as locked. Outside one it is one predictable branch.
 */
static void sd_list_changing(const struct list_head *h, const char *func, int line);
static inline void sd_list_hook(const struct list_head *h, const char *func, int line)
{
	if (unlikely(sd_sched_on))
		sd_list_changing(h, func, line);
}

static inline void (INIT_LIST_HEAD)(struct list_head *l) { l->next = l->prev = l; }
#define INIT_LIST_HEAD(l) (sd_list_hook((l), __func__, __LINE__), (INIT_LIST_HEAD)(l))
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

static inline void sd_list_link(struct list_head *n, struct list_head *prev,
				struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void (list_add)(struct list_head *n, struct list_head *h) { sd_list_link(n, h, h->next); }
static inline void (list_add_tail)(struct list_head *n, struct list_head *h) { sd_list_link(n, h->prev, h); }
static inline void (list_del)(struct list_head *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	(INIT_LIST_HEAD)(e);
}
#define list_add(n, h) (sd_list_hook((h), __func__, __LINE__), (list_add)((n), (h)))
#define list_add_tail(n, h) (sd_list_hook((h), __func__, __LINE__), (list_add_tail)((n), (h)))
/* An entry's deletion changes its neighbours: either may be a list head. */
#define list_del(e)                                                        \
	({                                                                 \
		struct list_head *sd_e_ = (e);                             \
		sd_list_hook(sd_e_->prev, __func__, __LINE__);             \
		sd_list_hook(sd_e_->next, __func__, __LINE__);             \
		(list_del)(sd_e_);                                         \
	})
#define list_del_init list_del
static inline void list_move_tail(struct list_head *e, struct list_head *h)
{
	list_del(e);
	list_add_tail(e, h);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_next_entry(pos, member) list_entry((pos)->member.next, typeof(*(pos)), member)
#define list_prev_entry(pos, member) list_entry((pos)->member.prev, typeof(*(pos)), member)
#define list_for_each_entry(pos, h, member) \
	for (pos = list_first_entry(h, typeof(*pos), member); &pos->member != (h); \
	     pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, h, member) \
	for (pos = list_first_entry(h, typeof(*pos), member), n = list_next_entry(pos, member); \
	     &pos->member != (h); pos = n, n = list_next_entry(n, member))

/*
 * Priority list: kept sorted by ascending prio. The swap code only adds and
 * removes its per-node avail_lists entries, so a sorted list is enough.
 */
struct plist_head {
	struct list_head node_list;
};
struct plist_node {
	int prio;
	struct list_head node_list;
};
#define PLIST_HEAD(name) struct plist_head name = { LIST_HEAD_INIT((name).node_list) }

static inline void plist_head_init(struct plist_head *h) { INIT_LIST_HEAD(&h->node_list); }
static inline void plist_node_init(struct plist_node *n, int prio)
{
	n->prio = prio;
	INIT_LIST_HEAD(&n->node_list);
}
static inline bool plist_node_empty(const struct plist_node *n) { return list_empty(&n->node_list); }
static inline void plist_del(struct plist_node *n, struct plist_head *h)
{
	(void)h;
	list_del(&n->node_list);
}
/* lib/plist.c warns when the node is already on a list; we warn and refuse
 * instead of corrupting both lists. */
static inline void plist_add(struct plist_node *n, struct plist_head *h)
{
	struct plist_node *pos;

	if (WARN_ON(!plist_node_empty(n)))
		return;
	list_for_each_entry(pos, &h->node_list, node_list)
		if (pos->prio > n->prio)
			break;
	list_add_tail(&n->node_list, &pos->node_list);
}

#define plist_for_each_entry_safe(pos, n, head, m) \
	list_for_each_entry_safe(pos, n, &(head)->node_list, m.node_list)

/* lib/plist.c: `n` goes behind the last node of its priority. */
static inline void plist_requeue(struct plist_node *n, struct plist_head *h)
{
	struct plist_node *pos;

	if (plist_node_empty(n))
		return;
	list_del(&n->node_list);
	list_for_each_entry(pos, &h->node_list, node_list)
		if (pos->prio > n->prio)
			break;
	list_add_tail(&n->node_list, &pos->node_list);
}

#endif /* SD_LIST_H */
