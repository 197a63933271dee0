/* store-util.h: helpers for the share-library suites: temporary trees, files, a library to test. */
#pragma once

#include <check.h>
#include <glib.h>

#include "share-library.h"

/* A temporary directory with a share folder inside ("share") and a state folder ("state"). */
typedef struct {
  char *root;
  char *share;
  char *state;
  char *db;
} StoreTree;

void store_tree_init (StoreTree *t);
void store_tree_clear (StoreTree *t);

/* Writes @len bytes of @data to @dir/@name (creating parents). Returns: (transfer full) the path. */
char *store_write (const char *dir, const char *name, const void *data, gsize len);
/* Writes a text file. Returns: (transfer full) the path. */
char *store_write_text (const char *dir, const char *name, const char *text);

/* Opens a library over @folders with @db (no watches, no context). */
SvShareLibrary *store_open (const char *db, const char *const *folders, const char *state);

/* Full scan, waiting (bounded) for the result. */
void store_scan (SvShareLibrary *lib);

/* Returns: the number of keyword results for @criteria. */
guint store_count_query (SvShareLibrary *lib, const char *criteria);

/* Returns: TRUE and the index if a keyword query for @criteria returns a file called @name. */
gboolean store_find (SvShareLibrary *lib, const char *criteria, const char *name, guint64 *index);

/* Returns: (transfer full) the stats. */
SvShareStats store_stats (SvShareLibrary *lib);

/* Runs Check suite @suite (tests run forked). */
int store_run (Suite *suite);
