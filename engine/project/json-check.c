/* json-check.c: a strict, non-recursive RFC 8259 JSON check with messages that say where and what. */
/* Over 600 lines on purpose: one state machine (values, strings with their escapes and UTF-8,
 * numbers, the container stack, duplicate keys) whose states share the position and the message. */
#include "json-check.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "ink-error.h"

/* Longest number or word quoted in a message. */
#define MAX_SHOWN 40

typedef enum {
  EXPECT_VALUE,           /* the start, after ':', after ',' in a list */
  EXPECT_VALUE_OR_CLOSE,  /* after '[' */
  EXPECT_KEY,             /* after ',' in an object */
  EXPECT_KEY_OR_CLOSE,    /* after '{' */
  EXPECT_COLON,           /* after a key */
  EXPECT_NEXT,            /* after a value: ',' or the close, or the end at the top */
} Expect;

/* One open list or object. */
typedef struct {
  gboolean is_object;
  gint64 index;       /* a list: the element being read, from 0 */
  char *key;          /* an object: the key being read; NULL before the first */
  GHashTable *keys;   /* an object: every key so far (NULL until the first) */
} Frame;

typedef struct {
  const char *data;
  gsize length;
  gsize pos;
  gsize line;         /* of pos, from 1 */
  gsize line_start;   /* offset of that line's first byte */
  Frame *stack;
  int depth;
  int max_depth;
  GError **error;
} Checker;

/* The length of the well-formed UTF-8 sequence at AT (Unicode table 3-7: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. Sets *CODE to its code point. */
static gsize
utf8_sequence (const Checker *c,
               gsize at,
               gunichar *code)
{
  const guchar *s = (const guchar *) c->data + at;
  gsize left = c->length - at;
  guchar lo = 0x80, hi = 0xbf;
  gsize n;

  if (s[0] < 0x80)
    {
      *code = s[0];
      return 1;
    }
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2, *code = s[0] & 0x1f;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    {
      n = 3, *code = s[0] & 0x0f;
      if (s[0] == 0xe0)
        lo = 0xa0;
      else if (s[0] == 0xed)
        hi = 0x9f;
    }
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    {
      n = 4, *code = s[0] & 0x07;
      if (s[0] == 0xf0)
        lo = 0x90;
      else if (s[0] == 0xf4)
        hi = 0x8f;
    }
  else
    return 0;
  if (left < n)
    return 0;
  for (gsize i = 1; i < n; i++)
    {
      if (s[i] < lo || s[i] > hi)
        return 0;
      *code = (*code << 6) | (s[i] & 0x3f);
      lo = 0x80, hi = 0xbf;
    }
  return n;
}

/* The path of the value being read, from the top: "motion.frames", "hints.anchors[0][1]"; "" at
 * the top itself. */
static char *
current_path (const Checker *c)
{
  GString *path = g_string_new (NULL);

  for (int i = 0; i < c->depth; i++)
    {
      const Frame *f = &c->stack[i];

      if (!f->is_object)
        g_string_append_printf (path, "[%" G_GINT64_FORMAT "]", f->index);
      else if (f->key != NULL)
        g_string_append_printf (path, "%s%s", path->len > 0 ? "." : "", f->key);
    }
  return g_string_free (path, FALSE);
}

/* What the bytes at AT are, for messages: "'x'", "U+00A0", "the end of the file", ... */
static char *
describe (const Checker *c,
          gsize at)
{
  guchar b;
  gunichar code;

  if (at >= c->length)
    return g_strdup ("the end of the file");
  b = (guchar) c->data[at];
  if (b == '\0')
    return g_strdup ("a NUL byte (the file is binary or damaged)");
  if (b < 0x20 || b == 0x7f)
    return g_strdup_printf ("the control character U+%04X", b);
  if (b < 0x80)
    return g_strdup_printf ("'%c'", b);
  if (utf8_sequence (c, at, &code) == 0)
    return g_strdup_printf ("the byte 0x%02X, which is not UTF-8 text", b);
  if (code == 0xfeff)
    return g_strdup ("a byte order mark (U+FEFF)");
  return g_strdup_printf ("the character U+%04X", code);
}

/* Fails at byte AT: INK_ERROR_DECODE "line L, column C: WHAT". Returns FALSE. */
G_GNUC_PRINTF (3, 4) static gboolean
fail (Checker *c,
      gsize at,
      const char *format,
      ...)
{
  g_autofree char *what = NULL;
  gsize column = 1;
  va_list args;

  /* Strict JSON holds no raw line break inside a token, so AT lies on the current line. */
  g_assert (at >= c->line_start);
  for (gsize i = c->line_start; i < at && i < c->length; i++)
    if (((guchar) c->data[i] & 0xc0) != 0x80)
      column++;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (c->error, INK_ERROR, INK_ERROR_DECODE,
               "line %" G_GSIZE_FORMAT ", column %" G_GSIZE_FORMAT ": %s", c->line, column, what);
  return FALSE;
}

/* Whether a comment starts at AT: JSON has none, json-glib skips both kinds. */
static gboolean
is_comment (const Checker *c,
            gsize at)
{
  return at + 1 < c->length && c->data[at] == '/' && (c->data[at + 1] == '*' || c->data[at + 1] == '/');
}

/* "expected WHAT, found X" at AT, with the reasons people usually have for X. */
static gboolean
fail_expected (Checker *c,
               gsize at,
               const char *what)
{
  g_autofree char *found = NULL;
  const char *d = c->data;

  if (is_comment (c, at))
    return fail (c, at, "comments are not allowed in project files (JSON has none): remove it");
  if (at < c->length && d[at] == '\'')
    return fail (c, at, "strings need double quotes (\"...\"), not single quotes ('...')");
  found = describe (c, at);
  return fail (c, at, "expected %s, found %s", what, found);
}

static void
skip_space (Checker *c)
{
  for (; c->pos < c->length; c->pos++)
    {
      char b = c->data[c->pos];

      if (b == '\n')
        {
          c->line++;
          c->line_start = c->pos + 1;
        }
      else if (b != ' ' && b != '\t' && b != '\r')
        break;
    }
}

/* The value of the 4 hex digits at AT, or -1. */
static int
hex4 (const Checker *c,
      gsize at)
{
  int v = 0;

  if (c->length - at < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (c->data[at + i]);

      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* Reads the string at pos (its opening quote) up to and past its closing quote; decodes it into
 * OUT when OUT is not NULL. */
static gboolean
read_string (Checker *c,
             GString *out)
{
  gsize start = c->pos;

  for (c->pos++; c->pos < c->length;)
    {
      guchar b = (guchar) c->data[c->pos];
      gsize at = c->pos, n;
      gunichar code;

      if (b >= 0x20 && b < 0x80 && b != '"' && b != '\\')
        {
          if (out != NULL)
            g_string_append_c (out, (char) b);
          c->pos++;
          continue;
        }
      if (b == '"')
        {
          c->pos++;
          return TRUE;
        }
      if (b == '\\')
        {
          const char *simple = "\"\\/bfnrt", *decoded = "\"\\/\b\f\n\r\t";
          const char *found = at + 1 < c->length && c->data[at + 1] != '\0'
                              ? strchr (simple, c->data[at + 1]) : NULL;
          int unit, low;

          if (found != NULL)
            {
              if (out != NULL)
                g_string_append_c (out, decoded[found - simple]);
              c->pos += 2;
              continue;
            }
          if (at + 1 >= c->length || c->data[at + 1] != 'u')
            return fail (c, at, "not a valid escape in a string: after \\ comes one of \" \\ / b f "
                         "n r t or u and 4 hex digits (write \\\\ for a backslash)");
          unit = hex4 (c, at + 2);
          if (unit < 0)
            return fail (c, at, "\\u must be followed by 4 hex digits (\\u00e9)");
          if (unit == 0)
            return fail (c, at, "\\u0000 (a NUL character) is not allowed in project files");
          c->pos += 6;
          if (unit >= 0xdc00 && unit <= 0xdfff)
            return fail (c, at, "\\u%04x is the second half of a UTF-16 surrogate pair, alone", unit);
          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              low = c->length - c->pos >= 6 && c->data[c->pos] == '\\' && c->data[c->pos + 1] == 'u'
                    ? hex4 (c, c->pos + 2) : -1;
              if (low < 0xdc00 || low > 0xdfff)
                return fail (c, at, "\\u%04x is the first half of a UTF-16 surrogate pair, without "
                             "its second half (\\udc00 to \\udfff)", unit);
              c->pos += 6;
              unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
            }
          if (out != NULL)
            g_string_append_unichar (out, (gunichar) unit);
          continue;
        }
      if (b == '\0')
        return fail (c, at, "a NUL byte inside a string (the file is binary or damaged)");
      if (b == '\n' || b == '\r')
        return fail (c, start, "this string does not end on its line (a line break inside a string "
                     "is written \\n)");
      if (b < 0x20)
        return fail (c, at, "the control character U+%04X inside a string; write it as \\u%04x", b, b);
      n = utf8_sequence (c, at, &code);
      if (n == 0)
        return fail (c, at, "the byte 0x%02X in a string is not UTF-8 text; project files are UTF-8", b);
      if (out != NULL)
        g_string_append_len (out, c->data + at, (gssize) n);
      c->pos += n;
    }
  return fail (c, start, "the file ends inside this string (its closing \" is missing)");
}

/* Text from AT to END for a message, cut to MAX_SHOWN bytes. */
static char *
shown (const Checker *c,
       gsize at,
       gsize end)
{
  if (end - at <= MAX_SHOWN)
    return g_strndup (c->data + at, end - at);
  return g_strdup_printf ("%.*s...", MAX_SHOWN - 3, c->data + at);
}

/* "\"motion.frames\": " for the value being read, or "" at the top. */
static char *
path_prefix (const Checker *c)
{
  g_autofree char *path = current_path (c);

  return *path != '\0' ? g_strdup_printf ("\"%s\": ", path) : g_strdup ("");
}

/* Reads the number at pos (its '-' or first digit): strict syntax, and representable. */
static gboolean
read_number (Checker *c)
{
  const char *d = c->data;
  gsize start = c->pos, p = c->pos;
  gboolean whole = TRUE;
  g_autofree char *text = NULL, *prefix = NULL, *show = NULL;

#define DIGIT(i) ((i) < c->length && g_ascii_isdigit (d[i]))
  if (d[p] == '-')
    p++;
  if (!DIGIT (p))
    return fail (c, start, "'-' must be followed by a digit");
  if (d[p] == '0' && DIGIT (p + 1))
    {
      while (DIGIT (p))
        p++;
      show = shown (c, start, p);
      return fail (c, start, "%s: a number cannot start with 0 (leading zeros are not allowed)", show);
    }
  while (DIGIT (p))
    p++;
  if (p < c->length && d[p] == '.')
    {
      whole = FALSE;
      if (!DIGIT (p + 1))
        return fail (c, start, "a digit must follow the decimal point (write 1.0, not 1.)");
      for (p++; DIGIT (p); p++)
        ;
    }
  if (p < c->length && (d[p] == 'e' || d[p] == 'E'))
    {
      whole = FALSE;
      p++;
      if (p < c->length && (d[p] == '+' || d[p] == '-'))
        p++;
      if (!DIGIT (p))
        return fail (c, start, "a digit must follow the exponent's e (1e5, 1e-5)");
      while (DIGIT (p))
        p++;
    }
#undef DIGIT

  text = g_strndup (d + start, p - start);
  errno = 0;
  if (whole)
    (void) g_ascii_strtoll (text, NULL, 10);
  else if (isfinite (g_ascii_strtod (text, NULL)))
    errno = 0;
  else
    errno = ERANGE;
  if (errno == ERANGE)
    {
      prefix = path_prefix (c);
      show = shown (c, start, p);
      if (whole)
        return fail (c, start, "%s%s is too %s: whole numbers must be from %" G_GINT64_FORMAT
                     " to %" G_GINT64_FORMAT, prefix, show, d[start] == '-' ? "far below zero" : "large",
                     G_MININT64, G_MAXINT64);
      return fail (c, start, "%s%s is too %s: numbers must be between -1.7976931348623157e308 and "
                   "1.7976931348623157e308", prefix, show, d[start] == '-' ? "far below zero" : "large");
    }
  c->pos = p;
  return TRUE;
}

/* Reads true, false or null at pos. */
static gboolean
read_word (Checker *c)
{
  static const char *const words[] = { "true", "false", "null" };
  gsize end = c->pos;
  g_autofree char *show = NULL;

  while (end < c->length && (g_ascii_isalnum (c->data[end]) || c->data[end] == '_'))
    end++;
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (end - c->pos == strlen (words[i]) && memcmp (c->data + c->pos, words[i], end - c->pos) == 0)
      {
        c->pos = end;
        return TRUE;
      }
  show = shown (c, c->pos, end);
  return fail (c, c->pos, "'%s' is not a JSON value: text needs double quotes (\"...\"), and the "
               "only words are true, false and null", show);
}

/* Opens a list or object at pos. */
static gboolean
open_frame (Checker *c,
            gboolean is_object)
{
  if (c->depth >= c->max_depth)
    return fail (c, c->pos, "lists and objects nest more than %d deep here", c->max_depth);
  c->stack[c->depth] = (Frame) { .is_object = is_object };
  c->depth++;
  c->pos++;
  return TRUE;
}

static void
close_frame (Checker *c)
{
  Frame *f = &c->stack[--c->depth];

  g_clear_pointer (&f->key, g_free);
  g_clear_pointer (&f->keys, g_hash_table_unref);
}

/* Reads a key at pos (its opening quote) into the innermost object. */
static gboolean
read_key (Checker *c)
{
  Frame *f = &c->stack[c->depth - 1];
  GString *key = g_string_new (NULL);
  gsize start = c->pos;

  if (!read_string (c, key))
    {
      g_string_free (key, TRUE);
      return FALSE;
    }
  g_free (f->key);
  f->key = g_string_free (key, FALSE);
  if (f->keys == NULL)
    f->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!g_hash_table_add (f->keys, g_strdup (f->key)))
    {
      g_autofree char *path = current_path (c);
      return fail (c, start, "\"%s\" appears twice; remove one of them", path);
    }
  return TRUE;
}

gboolean
ink_json_check (const char *data,
                gsize length,
                int max_depth,
                GError **error)
{
  Checker c = { .data = data, .length = length, .line = 1, .max_depth = max_depth, .error = error };
  Expect expect = EXPECT_VALUE;
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (max_depth >= 1 && max_depth <= INK_JSON_CHECK_MAX_DEPTH, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  c.stack = g_new0 (Frame, max_depth);
  skip_space (&c);
  if (c.pos == length)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "the file is empty");
      goto out;
    }

  for (;;)
    {
      Frame *top;
      char b;

      skip_space (&c);
      top = c.depth > 0 ? &c.stack[c.depth - 1] : NULL;
      b = c.pos < length ? data[c.pos] : '\0';
      if (c.pos == length && top == NULL && expect == EXPECT_NEXT)
        break; /* the whole text */

      switch (expect)
        {
        case EXPECT_VALUE_OR_CLOSE:
          if (b == ']' && c.pos < length)
            {
              close_frame (&c);
              c.pos++;
              expect = EXPECT_NEXT;
              continue;
            }
          G_GNUC_FALLTHROUGH;
        case EXPECT_VALUE:
          if (c.pos < length && b == ']' && top != NULL && !top->is_object)
            {
              fail (&c, c.pos, "a comma before ']': a list cannot end with a comma");
              goto out;
            }
          if (c.pos < length && (b == '{' || b == '['))
            {
              if (!open_frame (&c, b == '{'))
                goto out;
              expect = b == '{' ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
              continue;
            }
          if (c.pos < length && b == '"')
            {
              if (!read_string (&c, NULL))
                goto out;
            }
          else if (c.pos < length && (b == '-' || g_ascii_isdigit (b)))
            {
              if (!read_number (&c))
                goto out;
            }
          else if (c.pos < length && g_ascii_isalpha (b))
            {
              if (!read_word (&c))
                goto out;
            }
          else if (c.pos < length && (b == '+' || b == '.'))
            {
              fail (&c, c.pos, "a number starts with a digit or '-' (write 5 or 0.5, not +5 or .5)");
              goto out;
            }
          else
            {
              fail_expected (&c, c.pos, "a value (a number, a string in \"double quotes\", true, "
                             "false, null, a list [...] or an object {...})");
              goto out;
            }
          expect = EXPECT_NEXT;
          break;

        case EXPECT_KEY_OR_CLOSE:
        case EXPECT_KEY:
          if (c.pos < length && b == '}')
            {
              if (expect == EXPECT_KEY)
                {
                  fail (&c, c.pos, "a comma before '}': an object cannot end with a comma");
                  goto out;
                }
              close_frame (&c);
              c.pos++;
              expect = EXPECT_NEXT;
              continue;
            }
          if (c.pos >= length || b != '"')
            {
              fail_expected (&c, c.pos, "a key in \"double quotes\"");
              goto out;
            }
          if (!read_key (&c))
            goto out;
          expect = EXPECT_COLON;
          break;

        case EXPECT_COLON:
          if (c.pos >= length || b != ':')
            {
              g_autofree char *path = current_path (&c);
              g_autofree char *what = g_strdup_printf ("':' after \"%s\"", path);
              fail_expected (&c, c.pos, what);
              goto out;
            }
          c.pos++;
          expect = EXPECT_VALUE;
          break;

        case EXPECT_NEXT:
          if (top == NULL)
            {
              g_autofree char *found = NULL;

              if (is_comment (&c, c.pos))
                fail_expected (&c, c.pos, "the end of the file"); /* says: a comment */
              else
                {
                  found = describe (&c, c.pos);
                  fail (&c, c.pos, "more text after the end of the JSON value: %s", found);
                }
              goto out;
            }
          if (c.pos < length && b == ',')
            {
              c.pos++;
              if (top->is_object)
                expect = EXPECT_KEY;
              else
                {
                  top->index++;
                  expect = EXPECT_VALUE;
                }
              continue;
            }
          if (c.pos < length && b == (top->is_object ? '}' : ']'))
            {
              close_frame (&c);
              c.pos++;
              continue;
            }
          {
            g_autofree char *path = current_path (&c);
            g_autofree char *what = g_strdup_printf ("',' or '%c' after \"%s\"",
                                                     top->is_object ? '}' : ']', path);
            fail_expected (&c, c.pos, what);
          }
          goto out;
        }
    }
  ok = TRUE;

out:
  while (c.depth > 0)
    close_frame (&c);
  g_free (c.stack);
  return ok;
}
