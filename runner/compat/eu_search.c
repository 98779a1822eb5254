// SPDX-License-Identifier: GPL-2.0
/*
 * The search-tree helpers that elfutils 0.192's static libelf.a calls but
 * does not contain (sourceware bug 32293: they live in elfutils' private
 * libeu, which is linked into libelf.so but not shipped as an archive).
 * Debian 13 ships that libelf.a, so a static link of the runner fails with
 * "undefined reference to `eu_search_tree_init'". The Makefile adds this
 * file only when the libelf.a it links has that hole.
 *
 * Only the four that libelf.a 0.192 leaves undefined are here. libelf uses
 * them on a struct whose first member is the root of a tsearch(3) tree,
 * followed by a lock that a thread-safe elfutils build takes around each
 * call. Here they are the plain tsearch(3) calls on that root, without the
 * lock: each test process of the runner uses libelf from one thread, and
 * the lock of a calloc()ed Elf is zeroed, which is glibc's
 * PTHREAD_RWLOCK_INITIALIZER, should inline code of libelf take it.
 */
#define _GNU_SOURCE
#include <search.h>
#include <stddef.h>

struct eu_search_tree {
	void *root;
	/* a lock follows in a thread-safe elfutils build: not touched */
};

typedef int (*eu_compare_fn)(const void *, const void *);

void eu_search_tree_init(struct eu_search_tree *tree);
void eu_search_tree_fini(struct eu_search_tree *tree,
			 void (*free_node)(void *));
void *eu_tsearch(const void *key, struct eu_search_tree *tree,
		 eu_compare_fn cmp);
void *eu_tdelete(const void *key, struct eu_search_tree *tree,
		 eu_compare_fn cmp);

static void keep_node(void *node)
{
}

void eu_search_tree_init(struct eu_search_tree *tree)
{
	tree->root = NULL;
}

/* Frees the nodes (with free_node, if given) and the tree's state. */
void eu_search_tree_fini(struct eu_search_tree *tree, void (*free_node)(void *))
{
	tdestroy(tree->root, free_node ? free_node : keep_node);
	tree->root = NULL;
}

void *eu_tsearch(const void *key, struct eu_search_tree *tree,
		 eu_compare_fn cmp)
{
	return tsearch(key, &tree->root, cmp);
}

void *eu_tdelete(const void *key, struct eu_search_tree *tree,
		 eu_compare_fn cmp)
{
	return tdelete(key, &tree->root, cmp);
}
