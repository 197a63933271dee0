/* test-batch-deflate.c: batches from the shared deflater, interleaved between two links, read
 * back by a standard zlib inflater as each link's one stream (batch-deflate.h). */
#include "check-util.h"
#include "net-util.h"
#include "batch-deflate.h"

#include <string.h>

/* Appends one batch of @text to @out, compressed at @level. */
static void
batch (GByteArray *out, const char *text, int level)
{
  z_stream *z = sv_batch_deflate_begin (level);
  guint8 buf[65536];

  ck_assert_ptr_nonnull (z);
  z->next_in = (Bytef *) text;
  z->avail_in = (uInt) strlen (text);
  z->next_out = buf;
  z->avail_out = sizeof buf;
  ck_assert_int_eq (deflate (z, Z_NO_FLUSH), Z_OK);
  ck_assert_int_eq (deflate (z, Z_SYNC_FLUSH), Z_OK);
  ck_assert_uint_eq (z->avail_in, 0);
  g_byte_array_append (out, buf, (guint) (sizeof buf - z->avail_out));
}

START_TEST (test_interleaved_links_each_one_stream)
{
  g_autoptr (GByteArray) one = g_byte_array_new ();
  g_autoptr (GByteArray) two = g_byte_array_new ();
  g_autoptr (GByteArray) got_one = NULL;
  g_autoptr (GByteArray) got_two = NULL;
  g_autoptr (GString) big = g_string_new (NULL);
  g_autofree char *want_one = NULL;

  for (int i = 0; i < 2000; i++)
    g_string_append_printf (big, "query %d for the first link; ", i % 37);
  g_byte_array_append (one, (const guint8 *) SV_BATCH_DEFLATE_HEADER, SV_BATCH_DEFLATE_HEADER_LEN);
  g_byte_array_append (two, (const guint8 *) SV_BATCH_DEFLATE_HEADER, SV_BATCH_DEFLATE_HEADER_LEN);
  batch (one, "first batch, first link. ", Z_BEST_SPEED);
  batch (two, "the second link's only batch", Z_BEST_SPEED);
  batch (one, big->str, Z_BEST_SPEED);
  batch (one, "and a last one at another level", Z_BEST_COMPRESSION);

  got_one = raw_inflate (one->data, one->len);
  got_two = raw_inflate (two->data, two->len);
  want_one = g_strconcat ("first batch, first link. ", big->str, "and a last one at another level",
                          NULL);
  ck_assert_uint_eq (got_one->len, strlen (want_one));
  ck_assert_mem_eq (got_one->data, want_one, got_one->len);
  ck_assert_uint_eq (got_two->len, strlen ("the second link's only batch"));
  ck_assert_mem_eq (got_two->data, "the second link's only batch", got_two->len);
  /* The repetitive batch was compressed within itself. */
  ck_assert_uint_lt (one->len, big->len / 4);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("batch-deflate");
  TCase *tc = tcase_create ("batch-deflate");

  tcase_add_test (tc, test_interleaved_links_each_one_stream);
  suite_add_tcase (s, tc);
  return sv_test_run (s);
}
