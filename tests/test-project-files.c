/* test-project-files.c: bad and hostile .inkloop files: each refused with a message naming the key, the strict JSON check agreeing with json-glib. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "image-save-private.h"
#include "ink-error.h"
#include "json-check.h"
#include "project.h"
#include "project-common.h"

static void
test_bad_files (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
  g_autofree char *good_path = g_build_filename (tmp, "good.inkloop", NULL);
  g_autofree char *good = NULL;
  g_autofree char *deep = NULL;
  g_autofree char *many = NULL;
  g_autofree char *not_image = g_base64_encode ((const guchar *) "hello, world", 12);
  g_autofree char *not_image_json = NULL;
  InkProject *project = make_project ("/photos/photo.jpg");
  gsize good_length = 0;
  GString *anchors = g_string_new (HEAD ", \"hints\": {\"anchors\": [");
  struct {
    const char *name, *text, *says;
    int code;
  } cases[] = {
    { "empty", "", "not a valid project: the file is empty", INK_ERROR_DECODE },
    { "blank", " \n\t\n", "not a valid project: the file is empty", INK_ERROR_DECODE },
    { "truncated", NULL, "not a valid project: line", INK_ERROR_DECODE },
    { "not-json", "hello, world", "line 1, column 1: 'hello' is not a JSON value", INK_ERROR_DECODE },
    { "png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "line 1, column 1: expected a value", INK_ERROR_DECODE },
    { "array", "[1, 2, 3]", "JSON list", INK_ERROR_DECODE },
    { "number", "42", "damaged", INK_ERROR_DECODE },
    { "no-format", "{\"version\": 1, \"source\": \"a.png\"}", "not an Inkloop project", INK_ERROR_DECODE },
    { "format", "{\"format\": \"krita\", \"version\": 1}", "not an Inkloop project", INK_ERROR_DECODE },
    { "format-type", "{\"format\": 1, \"version\": 1}", "not an Inkloop project", INK_ERROR_DECODE },
    { "version-3", "{\"format\": \"inkloop-project\", \"version\": 3, \"source\": \"a.png\", \"new\": 1}",
      "saved by a newer Inkloop (project format 3); this version reads format 2: update Inkloop",
      INK_ERROR_DECODE },
    { "preset-type", HEAD ", \"preset\": 2}", "preset: expected a preset's name in quotes, found a number",
      INK_ERROR_DECODE },
    { "version-0", "{\"format\": \"inkloop-project\", \"version\": 0}", "\"version\"", INK_ERROR_DECODE },
    { "version-text", "{\"format\": \"inkloop-project\", \"version\": \"1\"}", "\"version\"", INK_ERROR_DECODE },
    { "version-missing", "{\"format\": \"inkloop-project\"}", "\"version\"", INK_ERROR_DECODE },
    { "style-version", HEAD ", \"style-version\": 2}", "newer Inkloop (style-version 2)", INK_ERROR_DECODE },
    { "no-source", "{\"format\": \"inkloop-project\", \"version\": 1}", "\"source\"", INK_ERROR_DECODE },
    { "source-type", "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": 3}", "\"source\"", INK_ERROR_DECODE },
    { "number-type", HEAD ", \"style\": {\"line-weight\": \"2\"}}",
      "style.line-weight: expected a number, found a string", INK_ERROR_DECODE },
    { "bool-type", HEAD ", \"style\": {\"mono\": 1}}", "style.mono: expected true or false", INK_ERROR_DECODE },
    { "enum-type", HEAD ", \"motion\": {\"camera\": 2}}", "motion.camera: expected", INK_ERROR_DECODE },
    { "null-value", HEAD ", \"motion\": {\"fps\": null}}", "motion.fps: expected a number, found null", INK_ERROR_DECODE },
    { "string-for-object", HEAD ", \"style\": \"anime\"}", "style: expected an object", INK_ERROR_DECODE },
    { "list-for-object", HEAD ", \"hints\": []}", "hints: expected an object", INK_ERROR_DECODE },
    { "export-type", HEAD ", \"export\": 640}", "export.size", INK_ERROR_DECODE },
    { "range", HEAD ", \"style\": {\"line-weight\": 9}}", "style.line-weight is 9; it must be between 0 and 8",
      INK_ERROR_DECODE },
    { "range-seed", HEAD ", \"motion\": {\"seed\": -1}}", "motion.seed is -1", INK_ERROR_DECODE },
    { "huge", HEAD ", \"motion\": {\"fps\": 1e999}}", "\"motion.fps\": 1e999 is too large", INK_ERROR_DECODE },
    { "whole", HEAD ", \"motion\": {\"frames\": 24.5}}", "motion.frames: '24.5' is not a valid whole number",
      INK_ERROR_DECODE },
    { "cel-tones", HEAD ", \"style\": {\"cel-tones\": 1}}", "style.cel-tones is 1", INK_ERROR_DECODE },
    { "enum", HEAD ", \"motion\": {\"camera\": \"dolly\"}}", "motion.camera: 'dolly' is not one of none, breathe",
      INK_ERROR_DECODE },
    { "colour", HEAD ", \"style\": {\"line-color\": \"red\"}}", "style.line-color: 'red' is not a valid colour",
      INK_ERROR_DECODE },
    { "colour-range", HEAD ", \"style\": {\"line-color\": [0, 2, 0]}}", "style.line-color is 2", INK_ERROR_DECODE },
    { "colour-short", HEAD ", \"style\": {\"line-color\": [0, 1]}}", "style.line-color: expected a colour",
      INK_ERROR_DECODE },
    { "size", HEAD ", \"export\": {\"size\": 20000}}", "export.size", INK_ERROR_DECODE },
    { "size-negative", HEAD ", \"export\": {\"size\": -1}}", "export.size", INK_ERROR_DECODE },
    { "arrow-short", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1]]}}", "hints.arrows: item 1 is not a list of 4",
      INK_ERROR_DECODE },
    { "arrow-type", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1, \"1\"]]}}", "hints.arrows: item 1", INK_ERROR_DECODE },
    { "arrows-type", HEAD ", \"hints\": {\"arrows\": {}}}", "hints.arrows: expected a list", INK_ERROR_DECODE },
    { "arrow-kind", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1, 1, {\"kind\": \"wobble\"}]]}}",
      "hints.arrows: item 1: kind must be", INK_ERROR_DECODE },
    { "arrow-kind-type", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1, 1, {\"kind\": 1}]]}}",
      "hints.arrows: item 1: kind must be", INK_ERROR_DECODE },
    { "arrow-reach", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1, 1, {\"reach\": 7}]]}}",
      "hints.arrows: item 1: reach must be a number from 0.05 to 1", INK_ERROR_DECODE },
    { "arrow-reach-zero", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1, 1, {\"reach\": 0}]]}}",
      "hints.arrows: item 1: reach must be", INK_ERROR_DECODE },
    { "arrow-options", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1, 1, 0.3]]}}",
      "hints.arrows: item 1 is not a list of 4 numbers [x0, y0, x1, y1], maybe followed by", INK_ERROR_DECODE },
    { "anchor-options", HEAD ", \"hints\": {\"anchors\": [[0, 0, {\"reach\": 0.3}]]}}",
      "hints.anchors: item 1 is not a list of 2", INK_ERROR_DECODE },
    { "arrow-off", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1, 1], [0, 0, 5, 1]]}}", "hints: arrow 2",
      INK_ERROR_DECODE },
    { "anchor-huge", HEAD ", \"hints\": {\"anchors\": [[1e300, 0]]}}", "hints: anchor 1", INK_ERROR_DECODE },
    { "too-many", NULL, "at most 256", INK_ERROR_DECODE },
    { "base64", HEAD ", \"hints\": {\"mask\": \"data:image/png;base64,iVBOR*w0KGgo=\"}}", "not valid base64",
      INK_ERROR_DECODE },
    { "base64-length", HEAD ", \"hints\": {\"mask\": \"data:image/png;base64,iVBORw0KGgo\"}}",
      "not valid base64", INK_ERROR_DECODE },
    { "data-uri", HEAD ", \"hints\": {\"mask\": \"data:text/plain,hello\"}}", "not valid base64",
      INK_ERROR_DECODE },
    { "not-image", NULL, "hints.mask", INK_ERROR_DECODE },
    { "mask-type", HEAD ", \"hints\": {\"mask\": 1}}", "hints.mask: expected an image", INK_ERROR_DECODE },
    { "mask-missing", HEAD ", \"hints\": {\"mask\": \"no-such-mask.png\"}}", "no-such-mask.png: no such file",
      INK_ERROR_NOT_FOUND },
    { "deep", NULL, "nest more than 32 deep", INK_ERROR_DECODE },
    { "bad-utf8", HEAD ", \"x\": \"\xff\xfe\"}", "the byte 0xFF in a string is not UTF-8", INK_ERROR_DECODE },
    { "colour-huge", HEAD ", \"style\": {\"line-color\": [0, 1e300, 0]}}", "style.line-color is 1e+300; it must be between 0 and 1",
      INK_ERROR_DECODE },
  };

  /* A real file cut in the middle. */
  g_assert_true (ink_project_save (project, good_path, NULL));
  g_assert_true (g_file_get_contents (good_path, &good, &good_length, NULL));
  good[good_length / 2] = '\0';
  cases[2].text = good;

  for (int i = 0; i <= INK_MAX_HINTS; i++)
    g_string_append_printf (anchors, "%s[0.5, 0.5]", i > 0 ? ", " : "");
  g_string_append (anchors, "]}}");
  many = g_string_free (anchors, FALSE);
  not_image_json = g_strdup_printf (HEAD ", \"hints\": {\"mask\": \"data:image/png;base64,%s\"}}", not_image);
  deep = g_strnfill (200000, '[');
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (g_str_equal (cases[i].name, "too-many"))
      cases[i].text = many;
    else if (g_str_equal (cases[i].name, "not-image"))
      cases[i].text = not_image_json;
    else if (g_str_equal (cases[i].name, "deep"))
      cases[i].text = deep;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.inkloop", cases[i].name);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      g_autoptr (GError) error = NULL;
      InkProject *loaded;
      gssize length = g_str_equal (cases[i].name, "png") ? 16 : -1;

      write_text (path, cases[i].text, length);
      loaded = ink_project_load (path, &error);
      g_test_message ("%s: %s", cases[i].name, error != NULL ? error->message : "(loaded)");
      g_assert_null (loaded);
      g_assert_error (error, INK_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, name));
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("%s: \"%s\" does not say \"%s\"", cases[i].name, error->message, cases[i].says);
    }

  /* Not there, or a folder. */
  {
    g_autofree char *missing = g_build_filename (tmp, "missing.inkloop", NULL);
    g_autoptr (GError) error = NULL;

    g_assert_null (ink_project_load (missing, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "missing.inkloop"));
    g_clear_error (&error);
    g_assert_null (ink_project_load (tmp, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_READ);
    g_clear_error (&error);
  }

  /* Far too large (a sparse file: no disk space used); refused before it is read. */
  {
    g_autofree char *huge = g_build_filename (tmp, "huge.inkloop", NULL);
    g_autoptr (GError) error = NULL;
    FILE *file = g_fopen (huge, "wb");

    g_assert_nonnull (file);
    g_assert_cmpint (fseek (file, 200 << 20, SEEK_SET), ==, 0);
    g_assert_cmpint (fputc ('}', file), ==, '}');
    g_assert_cmpint (fclose (file), ==, 0);
    g_assert_null (ink_project_load (huge, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "huge.inkloop: the file is 200 MiB; Inkloop reads project "
                                              "(.inkloop) files of at most 128 MiB"));
  }

  /* 64 MiB of zero bytes (sparse), under the limit: read, and refused at the first byte. */
  {
    g_autofree char *zeros = g_build_filename (tmp, "zeros.inkloop", NULL);
    g_autoptr (GError) error = NULL;
    FILE *file = g_fopen (zeros, "wb");

    g_assert_nonnull (file);
    g_assert_cmpint (fseek (file, (64 << 20) - 1, SEEK_SET), ==, 0);
    g_assert_cmpint (fputc ('\0', file), ==, '\0');
    g_assert_cmpint (fclose (file), ==, 0);
    g_assert_null (ink_project_load (zeros, &error));
    g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
    g_assert_cmpstr (error->message, ==, "zeros.inkloop: not a valid project: line 1, column 1: expected "
                     "a value (a number, a string in \"double quotes\", true, false, null, a list [...] "
                     "or an object {...}), found a NUL byte (the file is binary or damaged)");
  }

  ink_project_free (&project);
  test_tmp_folder_remove (tmp);
}

/* Text the strict check (json-check.c) refuses before json-glib reads it: one row per hostile text,
 * what the message says (with its line and column where that matters). Rows with a NULL text are
 * made below; LENGTH 0 is strlen. */
static void
test_hostile (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
  g_autofree char *bomb = NULL, *line_bomb = NULL, *quote_bomb = NULL, *deep_arrays = NULL;
  g_autofree char *deep_objects = NULL, *deep_33 = NULL;
  GString *text;
  struct {
    const char *name, *text;
    gsize length;
    const char *says;
  } cases[] = {
    /* Comments, of both kinds, anywhere; a 100 000-bracket bomb in one (made below). */
    { "comment-block", HEAD ", /* note */ \"x\": 1}", 0, "line 1, column 68: comments are not allowed" },
    { "comment-line", HEAD ",\n// note\n\"x\": 1}", 0, "line 2, column 1: comments are not allowed" },
    { "comment-first", "/* project */" HEAD "}", 0, "line 1, column 1: comments are not allowed" },
    { "comment-after", HEAD "}\n// the end\n", 0, "line 2, column 1: comments are not allowed" },
    { "comment-value", HEAD ", \"x\": /* 1 */ 2}", 0, "comments are not allowed" },
    { "comment-bomb", NULL, 0, "line 1, column 2: comments are not allowed" },
    { "comment-line-bomb", NULL, 0, "line 1, column 2: comments are not allowed" },
    { "hash-comment", HEAD "}\n# the end\n", 0, "line 2, column 1: more text after the end of the JSON value: '#'" },
    /* Not JSON's strings. */
    { "single-quotes", "{'format': 'inkloop-project'}", 0, "line 1, column 2: strings need double quotes" },
    { "single-quote-bomb", NULL, 0, "strings need double quotes" },
    { "bad-escape", HEAD ", \"x\": \"C:\\photos\"}", 0, "line 1, column 76: not a valid escape in a string" },
    { "short-u-escape", HEAD ", \"x\": \"\\u12\"}", 0, "\\u must be followed by 4 hex digits" },
    { "u0000", HEAD ", \"x\": \"a\\u0000b\"}", 0, "\\u0000 (a NUL character) is not allowed" },
    { "lone-high-surrogate", HEAD ", \"x\": \"\\ud83d\"}", 0, "\\ud83d is the first half of a UTF-16 surrogate pair" },
    { "lone-low-surrogate", HEAD ", \"x\": \"\\ude00\"}", 0, "\\ude00 is the second half" },
    { "tab-in-string", HEAD ", \"x\": \"a\tb\"}", 0, "the control character U+0009 inside a string; write it as \\u0009" },
    { "newline-in-string", HEAD ", \"x\": \"a\nb\"}", 0, "line 1, column 73: this string does not end on its line" },
    { "unterminated", HEAD ", \"x\": \"abc", 0, "line 1, column 73: the file ends inside this string" },
    /* Bytes: NUL, not UTF-8 (outside and inside strings), a BOM that is not at the start. */
    { "nul-after", HEAD "}\0", sizeof (HEAD "}\0") - 1, "line 1, column 67: more text after the end of the JSON value: a NUL byte" },
    { "nul-in-string", HEAD ", \"x\": \"a\0b\"}", sizeof (HEAD ", \"x\": \"a\0b\"}") - 1, "a NUL byte inside a string" },
    { "nul-first", "\0" HEAD "}", sizeof ("\0" HEAD "}") - 1, "line 1, column 1: expected a value" },
    { "latin1", HEAD ", \"x\": \"caf\xe9\"}", 0, "line 1, column 77: the byte 0xE9 in a string is not UTF-8" },
    { "overlong", HEAD ", \"x\": \"\xc0\xaf\"}", 0, "the byte 0xC0 in a string is not UTF-8" },
    { "utf8-surrogate", HEAD ", \"x\": \"\xed\xa0\x80\"}", 0, "the byte 0xED in a string is not UTF-8" },
    { "utf8-cut", HEAD ", \"x\": \"\xe6\x97", 0, "the byte 0xE6 in a string is not UTF-8" },
    { "above-unicode", HEAD ", \"x\": \"\xf4\x90\x80\x80\"}", 0, "the byte 0xF4 in a string is not UTF-8" },
    { "byte-outside", HEAD ", \xff\"x\": 1}", 0, "found the byte 0xFF, which is not UTF-8 text" },
    { "bom-inside", "{\xef\xbb\xbf\"format\": 1}", 0, "line 1, column 2: expected a key in \"double quotes\", found a byte order mark" },
    { "nbsp", HEAD ",\xc2\xa0\"x\": 1}", 0, "found the character U+00A0" },
    { "form-feed", HEAD ",\f\"x\": 1}", 0, "found the control character U+000C" },
    /* Structure. */
    { "trailing-comma", HEAD ",}", 0, "line 1, column 67: a comma before '}'" },
    { "trailing-comma-list", HEAD ", \"hints\": {\"anchors\": [[0.5, 0.5],]}}", 0, "a comma before ']'" },
    { "missing-comma", HEAD " \"x\": 1}", 0, "expected ',' or '}' after \"source\", found '\"'" },
    { "missing-colon", HEAD ", \"x\" 1}", 0, "expected ':' after \"x\", found '1'" },
    { "mismatched", HEAD ", \"x\": [1}}", 0, "expected ',' or ']' after \"x[0]\", found '}'" },
    { "bare-key", "{format: \"inkloop-project\"}", 0, "line 1, column 2: expected a key in \"double quotes\", found 'f'" },
    { "duplicate-key", HEAD ", \"source\": \"other.png\"}", 0, "\"source\" appears twice" },
    { "duplicate-nested", HEAD ", \"motion\": {\"frames\": 24, \"frames\": 99}}", 0, "\"motion.frames\" appears twice" },
    { "trailing-garbage", HEAD "} {}", 0, "more text after the end of the JSON value: '{'" },
    { "two-roots", HEAD "}" HEAD "}", 0, "more text after the end of the JSON value" },
    { "truncated-object", HEAD ", \"style\": {\"mono\": true", 0, "expected ',' or '}' after \"style.mono\", found the end of the file" },
    { "truncated-key", HEAD ",", 0, "expected a key in \"double quotes\", found the end of the file" },
    { "words", HEAD ", \"style\": {\"mono\": True}}", 0, "'True' is not a JSON value" },
    { "nan", HEAD ", \"motion\": {\"fps\": NaN}}", 0, "'NaN' is not a JSON value" },
    { "infinity", HEAD ", \"motion\": {\"fps\": -Infinity}}", 0, "'-' must be followed by a digit" },
    /* Deep nesting, in lists and in objects; 33 deep inside a project. */
    { "deep-arrays", NULL, 0, "line 1, column 33: lists and objects nest more than 32 deep" },
    { "deep-objects", NULL, 0, "lists and objects nest more than 32 deep" },
    { "deep-33", NULL, 0, "line 1, column 104: lists and objects nest more than 32 deep" },
    /* Numbers: JSON's syntax, and nothing json-glib cannot hold (it reads too large integers as -1);
     * the message names the key. */
    { "int-frames", HEAD ", \"motion\": {\"frames\": 99999999999999999999999}}", 0,
      "\"motion.frames\": 99999999999999999999999 is too large" },
    { "int-seed", HEAD ", \"motion\": {\"seed\": 18446744073709551615}}", 0, "\"motion.seed\": 18446744073709551615 is too large" },
    { "int-int64-max+1", HEAD ", \"motion\": {\"seed\": 9223372036854775808}}", 0, "\"motion.seed\": 9223372036854775808 is too large" },
    { "int-negative", HEAD ", \"style\": {\"colors\": -99999999999999999999999}}", 0, "\"style.colors\": -99999999999999999999999 is too far below zero" },
    { "int-version", "{\"format\": \"inkloop-project\", \"version\": 100000000000000000001}", 0,
      "\"version\": 100000000000000000001 is too large" },
    { "int-size", HEAD ", \"export\": {\"size\": 99999999999999999999999}}", 0, "\"export.size\": 99999999999999999999999" },
    { "int-colour", HEAD ", \"style\": {\"line-color\": [0, 99999999999999999999999, 0]}}", 0, "\"style.line-color[1]\": 99999999999999999999999" },
    { "int-anchor", HEAD ", \"hints\": {\"anchors\": [[0, 0], [0.5, 99999999999999999999999]]}}", 0,
      "\"hints.anchors[1][1]\": 99999999999999999999999 is too large" },
    { "int-long", HEAD ", \"x\": 1234567890123456789012345678901234567890123456789}", 0,
      "\"x\": 1234567890123456789012345678901234567... is too large" },
    { "int-top", "99999999999999999999999", 0, "line 1, column 1: 99999999999999999999999 is too large" },
    { "double-fps", HEAD ", \"motion\": {\"fps\": 1e999}}", 0, "\"motion.fps\": 1e999 is too large" },
    { "double-negative", HEAD ", \"motion\": {\"speed-angle\": -1.5e309}}", 0, "\"motion.speed-angle\": -1.5e309 is too far below zero" },
    { "double-arrow", HEAD ", \"hints\": {\"arrows\": [[0, 0, 1e999, 1]]}}", 0, "\"hints.arrows[0][2]\": 1e999" },
    { "double-digits", HEAD ", \"x\": 1.8e308}", 0, "\"x\": 1.8e308 is too large" },
    { "leading-zero", HEAD ", \"motion\": {\"frames\": 012}}", 0, "012: a number cannot start with 0" },
    { "plus", HEAD ", \"motion\": {\"frames\": +12}}", 0, "a number starts with a digit or '-'" },
    { "dot-first", HEAD ", \"style\": {\"flatten\": .5}}", 0, "a number starts with a digit or '-'" },
    { "dot-last", HEAD ", \"style\": {\"flatten\": 1.}}", 0, "a digit must follow the decimal point" },
    { "exponent-empty", HEAD ", \"style\": {\"flatten\": 1e+}}", 0, "a digit must follow the exponent" },
    { "hex", HEAD ", \"motion\": {\"frames\": 0x10}}", 0, "expected ',' or '}' after \"motion.frames\", found 'x'" },
    { "minus-space", HEAD ", \"motion\": {\"seed\": - 1}}", 0, "'-' must be followed by a digit" },
  };

  /* The bomb: 100 000 brackets in a comment (and in a // comment, which the old guard read
   * as the start of a string), and in a single-quoted string. */
  text = g_string_new ("{/*");
  for (int i = 0; i < 100000; i++)
    g_string_append (text, "[[[[[[[[");
  g_string_append (text, "*/" "\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"a.png\"}");
  bomb = g_string_free (text, FALSE);
  text = g_string_new ("{// \"\n");
  for (int i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  g_string_append (text, "\n\"\n}");
  line_bomb = g_string_free (text, FALSE);
  text = g_string_new ("{'");
  for (int i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  g_string_append (text, "': 1}");
  quote_bomb = g_string_free (text, FALSE);
  deep_arrays = g_strnfill (100000, '[');
  text = g_string_new (NULL);
  for (int i = 0; i < 100000; i++)
    g_string_append (text, "{\"a\": ");
  deep_objects = g_string_free (text, FALSE);
  text = g_string_new (HEAD ", \"x\": ");
  for (int i = 0; i < 32; i++)
    g_string_append_c (text, '[');
  for (int i = 0; i < 32; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  deep_33 = g_string_free (text, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (cases[i].text == NULL)
      cases[i].text = g_str_equal (cases[i].name, "comment-bomb") ? bomb
                      : g_str_equal (cases[i].name, "comment-line-bomb") ? line_bomb
                      : g_str_equal (cases[i].name, "single-quote-bomb") ? quote_bomb
                      : g_str_equal (cases[i].name, "deep-arrays") ? deep_arrays
                      : g_str_equal (cases[i].name, "deep-objects") ? deep_objects : deep_33;
  g_assert_cmpuint (strlen (bomb), >, 800000);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.inkloop", cases[i].name);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      gsize length = cases[i].length > 0 ? cases[i].length : strlen (cases[i].text);
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) data_error = NULL;
      InkProject *loaded;

      write_text (path, cases[i].text, (gssize) length);
      loaded = ink_project_load (path, &error);
      g_test_message ("%s: %s", cases[i].name, error != NULL ? error->message : "(loaded)");
      g_assert_null (loaded);
      g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
      g_assert_true (g_str_has_prefix (error->message, name));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("%s: \"%s\" does not say \"%s\"", cases[i].name, error->message, cases[i].says);

      /* The bytes already read: the same answer. */
      loaded = ink_project_load_data (cases[i].text, length, name, tmp, &data_error);
      g_assert_null (loaded);
      g_assert_error (data_error, INK_ERROR, INK_ERROR_DECODE);
      g_assert_cmpstr (data_error->message, ==, error->message);
    }
  test_tmp_folder_remove (tmp);
}

/* Strict JSON that looks hostile loads: brackets, comment marks and quotes inside strings, a BOM,
 * CRLF, escapes, -0, 1e-999, int64's ends, nesting at the limit. PARAM, when set, is the
 * parameter to check and VALUE its ink_params_format text after loading; SOURCE the end of the
 * photo's path. */
static void
test_strict_valid (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
  g_autofree char *deep_32 = NULL, *string_bomb = NULL;
  GString *text;
  struct {
    const char *name, *text, *param, *value, *source;
  } cases[] = {
    { "string-brackets", HEAD ", \"note\": \"[[[[ {{{{ /* // # ' \\\" ]]]] }}}} */\"}", NULL, NULL, "/photo.png" },
    { "source-brackets", "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"[[[[ /* x */ {.png\"}",
      NULL, NULL, "/[[[[ /* x */ {.png" },
    { "string-bomb", NULL, NULL, NULL, "/photo.png" },
    { "bom", "\xef\xbb\xbf" HEAD "}", NULL, NULL, "/photo.png" },
    { "crlf", "{\r\n  \"format\": \"inkloop-project\",\r\n  \"version\": 1,\r\n  \"source\": \"photo.png\"\r\n}\r\n",
      NULL, NULL, "/photo.png" },
    { "escapes", "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"\\u00e9\\ud83d\\ude00\\t\\\\\\/\\\"\\u0001.png\"}",
      NULL, NULL, "/\xc3\xa9\xf0\x9f\x98\x80\t\\/\"\x01.png" },
    { "utf8", "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"\xe6\x97\xa5\xe6\x9c\xac \xf4\x8f\xbf\xbf\x7f.png\"}",
      NULL, NULL, "/\xe6\x97\xa5\xe6\x9c\xac \xf4\x8f\xbf\xbf\x7f.png" },
    { "minus-zero", HEAD ", \"motion\": {\"seed\": -0}}", "seed", "0", NULL },
    { "minus-zero-float", HEAD ", \"style\": {\"flatten\": -0.0}}", "flatten", "-0", NULL },
    { "tiny", HEAD ", \"motion\": {\"boil\": 1e-999}}", "boil", "0", NULL },
    { "exponent", HEAD ", \"motion\": {\"frames\": 1E+1}}", "frames", "10", NULL },
    { "exponent-zeros", HEAD ", \"style\": {\"flatten\": 5e-0001}}", "flatten", "0.5", NULL },
    { "whole-float", HEAD ", \"motion\": {\"frames\": 48.000}}", "frames", "48", NULL },
    { "int64-ends", HEAD ", \"x\": [9223372036854775807, -9223372036854775808, 1.7976931348623157e308, -4.9e-324]}",
      NULL, NULL, NULL },
    { "long-digits", HEAD ", \"x\": 0.00000000000000000000000000000000000000000000000000000000000000000001}",
      NULL, NULL, NULL },
    { "empty-key", HEAD ", \"\": {\"\": []}, \"y\": {}, \"z\": [[], {}]}", NULL, NULL, NULL },
    { "same-key-apart", HEAD ", \"a\": {\"k\": 1}, \"b\": {\"k\": 2}, \"c\": [{\"k\": 1}, {\"k\": 2}]}", NULL, NULL, NULL },
    { "deep-32", NULL, NULL, NULL, NULL },
    { "spaces", " \t\r\n" HEAD " \t\r\n} \t\r\n", NULL, NULL, NULL },
  };

  text = g_string_new (HEAD ", \"x\": ");
  for (int i = 0; i < 31; i++)
    g_string_append_c (text, '[');
  for (int i = 0; i < 31; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  deep_32 = g_string_free (text, FALSE);
  text = g_string_new (HEAD ", \"x\": \"");
  for (int i = 0; i < 100000; i++)
    g_string_append (text, "[{/*");
  g_string_append (text, "\"}");
  string_bomb = g_string_free (text, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (cases[i].text == NULL)
      cases[i].text = g_str_equal (cases[i].name, "deep-32") ? deep_32 : string_bomb;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.inkloop", cases[i].name);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      g_autoptr (GError) error = NULL;
      InkProject *loaded;

      write_text (path, cases[i].text, -1);
      loaded = ink_project_load (path, &error);
      if (error != NULL)
        g_error ("%s: %s", cases[i].name, error->message);
      g_assert_nonnull (loaded);
      if (cases[i].source != NULL)
        g_assert_true (g_str_has_suffix (loaded->source, cases[i].source));
      if (cases[i].param != NULL)
        {
          const InkParamSpec *spec = ink_style_param_find (cases[i].param);
          const void *params = &loaded->style;
          g_autofree char *value = NULL;
          guint n_motion;
          const InkParamSpec *motion = ink_motion_param_specs (&n_motion);

          for (guint k = 0; k < n_motion && spec == NULL; k++)
            if (g_str_equal (motion[k].name, cases[i].param))
              {
                spec = &motion[k];
                params = &loaded->motion;
              }
          g_assert_nonnull (spec);
          value = ink_params_format (spec, params);
          g_assert_cmpstr (value, ==, cases[i].value);
        }
      ink_project_free (&loaded);
    }
  test_tmp_folder_remove (tmp);
}

/* The strict check on its own: every file Inkloop writes passes it; columns count characters. */
static void
test_json_check (void)
{
  g_autofree char *tmp = test_tmp_folder_new ();
  g_autofree char *path = g_build_filename (tmp, "p.inkloop", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  InkProject *project = make_project ("/photos/\xc3\xa9t\xc3\xa9 \"1\"\t\\.jpg");
  gsize length = 0;

  g_assert_true (ink_project_save (project, path, &error));
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (ink_json_check (contents, length, 5, &error));   /* an arrow's options */
  g_assert_no_error (error);
  g_assert_false (ink_json_check (contents, length, 4, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
  g_clear_error (&error);

  g_assert_true (ink_json_check ("[]", 2, 1, NULL));
  g_assert_false (ink_json_check ("[[]]", 4, 1, NULL));
  g_assert_true (ink_json_check ("\"\"", 2, 1, NULL));
  g_assert_true (ink_json_check ("-0", 2, 1, NULL));
  g_assert_false (ink_json_check ("1 2", 3, 1, NULL));
  g_assert_false (ink_json_check ("[1]", 2, 1, NULL)); /* LENGTH counts, not the NUL */
  g_assert_false (ink_json_check (NULL, 0, 1, &error));
  g_assert_error (error, INK_ERROR, INK_ERROR_DECODE);
  g_assert_cmpstr (error->message, ==, "the file is empty");
  g_clear_error (&error);
  g_assert_false (ink_json_check ("{\"\xc3\xa9\xe6\x97\xa5\": /* */}", 16, 8, &error));
  g_assert_true (g_str_has_prefix (error->message, "line 1, column 8: comments"));
  g_clear_error (&error);
  g_assert_false (ink_json_check ("[\n\n  1,\r\n  x]", 13, 8, &error));
  g_assert_true (g_str_has_prefix (error->message, "line 4, column 3: 'x' is not a JSON value"));
  g_clear_error (&error);

  ink_project_free (&project);
  test_tmp_folder_remove (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/project/bad-files", test_bad_files);
  g_test_add_func ("/project/hostile", test_hostile);
  g_test_add_func ("/project/strict-valid", test_strict_valid);
  g_test_add_func ("/project/json-check", test_json_check);
  return g_test_run ();
}
