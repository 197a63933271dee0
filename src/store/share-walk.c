/* share-walk.c: the directory walker and the rules of what a share folder exposes. */
#include "share-walk.h"

#include "share-match.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  guint64 dev;
  guint64 ino;
} DirId;

struct _SvShareWalk {
  char **roots;
  gboolean *present;
  gboolean have_exclude;
  DirId exclude;
  GHashTable *visited;   /* DirId* set */
};

static guint
dir_id_hash (gconstpointer p)
{
  const DirId *d = p;

  return (guint) (d->ino ^ (d->ino >> 32) ^ (d->dev * 31));
}

static gboolean
dir_id_equal (gconstpointer a, gconstpointer b)
{
  const DirId *x = a, *y = b;

  return x->dev == y->dev && x->ino == y->ino;
}

SvShareWalk *
sv_share_walk_new (const char *const *roots, const char *exclude_dir)
{
  SvShareWalk *walk = g_new0 (SvShareWalk, 1);
  GPtrArray *list = g_ptr_array_new ();
  struct stat st;

  for (guint i = 0; roots != NULL && roots[i] != NULL; i++)
    {
      char *real = realpath (roots[i], NULL);
      char *copy = real ? g_strdup (real) : g_canonicalize_filename (roots[i], NULL);

      free (real);
      g_ptr_array_add (list, copy);
    }
  g_ptr_array_add (list, NULL);
  walk->roots = (char **) g_ptr_array_free (list, FALSE);
  walk->present = g_new0 (gboolean, g_strv_length (walk->roots) + 1);
  if (exclude_dir != NULL && stat (exclude_dir, &st) == 0)
    {
      walk->have_exclude = TRUE;
      walk->exclude.dev = st.st_dev;
      walk->exclude.ino = st.st_ino;
    }
  walk->visited = g_hash_table_new_full (dir_id_hash, dir_id_equal, g_free, NULL);
  return walk;
}

void
sv_share_walk_free (SvShareWalk *walk)
{
  if (walk == NULL)
    return;
  g_strfreev (walk->roots);
  g_free (walk->present);
  g_hash_table_unref (walk->visited);
  g_free (walk);
}

const char *const *
sv_share_walk_roots (SvShareWalk *walk)
{
  return (const char *const *) walk->roots;
}

gboolean
sv_share_walk_root_present (SvShareWalk *walk, guint i)
{
  return walk->present[i];
}

void
sv_share_walk_reset (SvShareWalk *walk)
{
  g_hash_table_remove_all (walk->visited);
}

static gboolean
path_under (const char *path, const char *root)
{
  gsize n = strlen (root);

  if (strcmp (root, "/") == 0)
    return path[0] == '/';
  return strncmp (path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

gboolean
sv_share_walk_is_under_root (SvShareWalk *walk, const char *path)
{
  for (guint i = 0; walk->roots[i] != NULL; i++)
    if (path_under (path, walk->roots[i]))
      return TRUE;
  return FALSE;
}

/* Follows a symbolic link at @path if its target stays inside the shares. */
static gboolean
follow_link (SvShareWalk *walk, const char *path, struct stat *st)
{
  char *real = realpath (path, NULL);
  gboolean inside = real != NULL && sv_share_walk_is_under_root (walk, real);

  free (real);
  return inside && stat (path, st) == 0;
}

/* Marks a directory visited. Returns: FALSE if it already was, or is the excluded one. */
static gboolean
enter_dir (SvShareWalk *walk, const struct stat *st, SvShareWalkCounts *counts)
{
  DirId id = { st->st_dev, st->st_ino };

  if (walk->have_exclude && dir_id_equal (&id, &walk->exclude))
    {
      counts->hidden++;
      return FALSE;
    }
  if (g_hash_table_contains (walk->visited, &id))
    {
      counts->loops++;
      return FALSE;
    }
  g_hash_table_add (walk->visited, g_memdup2 (&id, sizeof id));
  return TRUE;
}

void
sv_share_walk_dir (SvShareWalk *walk, const char *dir, const SvShareWalkFuncs *funcs,
                   gpointer user_data, SvShareWalkCounts *counts)
{
  GPtrArray *stack = g_ptr_array_new_with_free_func (g_free);
  GString *path = g_string_new (NULL);
  struct stat st;

  if (stat (dir, &st) != 0 || !S_ISDIR (st.st_mode) || !enter_dir (walk, &st, counts))
    goto done;
  g_ptr_array_add (stack, g_strdup (dir));
  while (stack->len > 0)
    {
      char *cur = g_ptr_array_steal_index (stack, stack->len - 1);
      DIR *d = opendir (cur);
      struct dirent *ent;

      if (d == NULL)
        {
          counts->unreadable++;
          g_free (cur);
          continue;
        }
      if (funcs->dir != NULL)
        funcs->dir (cur, strlen (cur), user_data);
      while ((ent = readdir (d)) != NULL)
        {
          if (strcmp (ent->d_name, ".") == 0 || strcmp (ent->d_name, "..") == 0)
            continue;
          if (!sv_share_match_name_is_shared (ent->d_name))
            {
              counts->hidden++;
              continue;
            }
          g_string_assign (path, cur);
          if (path->len == 0 || path->str[path->len - 1] != '/')
            g_string_append_c (path, '/');
          g_string_append (path, ent->d_name);
          if (fstatat (dirfd (d), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            {
              if (errno != ENOENT)
                counts->unreadable++;
              continue;
            }
          if (S_ISLNK (st.st_mode) && !follow_link (walk, path->str, &st))
            {
              counts->links_outside++;
              continue;
            }
          if (S_ISDIR (st.st_mode))
            {
              if (enter_dir (walk, &st, counts))
                g_ptr_array_add (stack, g_strndup (path->str, path->len));
            }
          else if (S_ISREG (st.st_mode))
            funcs->file (path->str, path->len, &st, user_data);
          else
            counts->special++;
        }
      closedir (d);
      g_free (cur);
    }
done:
  g_string_free (path, TRUE);
  g_ptr_array_unref (stack);
}

void
sv_share_walk_run (SvShareWalk *walk, const SvShareWalkFuncs *funcs, gpointer user_data,
                   SvShareWalkCounts *counts)
{
  sv_share_walk_reset (walk);
  for (guint i = 0; walk->roots[i] != NULL; i++)
    {
      struct stat st;

      walk->present[i] = stat (walk->roots[i], &st) == 0 && S_ISDIR (st.st_mode)
                         && access (walk->roots[i], R_OK | X_OK) == 0;
      if (walk->present[i])
        sv_share_walk_dir (walk, walk->roots[i], funcs, user_data, counts);
    }
}

SvShareWalkKind
sv_share_walk_classify (SvShareWalk *walk, const char *path, struct stat *st)
{
  const char *root = NULL;
  const char *p;

  for (guint i = 0; walk->roots[i] != NULL; i++)
    if (path_under (path, walk->roots[i]) && (root == NULL || strlen (walk->roots[i]) > strlen (root)))
      root = walk->roots[i];
  if (root == NULL)
    return SV_SHARE_WALK_SKIP;
  /* Every component below the root must be a shared name. */
  p = path + strlen (root);
  while (*p == '/')
    p++;
  while (*p)
    {
      const char *end = strchr (p, '/');
      g_autofree char *name = end ? g_strndup (p, end - p) : g_strdup (p);

      if (!sv_share_match_name_is_shared (name))
        return SV_SHARE_WALK_SKIP;
      if (end == NULL)
        break;
      p = end + 1;
    }
  if (lstat (path, st) != 0)
    return SV_SHARE_WALK_GONE;
  if (S_ISLNK (st->st_mode) && !follow_link (walk, path, st))
    return SV_SHARE_WALK_SKIP;
  if (S_ISDIR (st->st_mode))
    {
      if (walk->have_exclude && (guint64) st->st_dev == walk->exclude.dev
          && (guint64) st->st_ino == walk->exclude.ino)
        return SV_SHARE_WALK_SKIP;
      return SV_SHARE_WALK_DIR;
    }
  return S_ISREG (st->st_mode) ? SV_SHARE_WALK_FILE : SV_SHARE_WALK_SKIP;
}
