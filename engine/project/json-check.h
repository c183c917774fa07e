/* json-check.h: a strict RFC 8259 JSON check, run over a file's bytes before json-glib reads them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether DATA (LENGTH bytes, NUL bytes included) is one strict RFC 8259 JSON text that nests at
 * most MAX_DEPTH lists and objects deep (1 .. INK_JSON_CHECK_MAX_DEPTH). Without recursion, so
 * any input is safe. Stricter than the RFC where a file would be read two ways:
 *   - no comments, single quotes, trailing commas, NaN/Infinity, leading '+', '0' or '.',
 *     bytes other than space, tab, CR and LF between tokens, or a byte order mark;
 *   - strings are valid UTF-8 with no raw control characters, no \u0000 and no unpaired
 *     UTF-16 surrogate (\ud800 alone);
 *   - no key twice in one object;
 *   - every number is representable: integers (no fraction, no exponent) within gint64, every
 *     other number finite as a double (1e999 is refused; 1e-999 reads as 0).
 * json-glib reads every text this accepts, the same way, and recurses no deeper than MAX_DEPTH.
 *
 * Refused: INK_ERROR_DECODE with "line L, column C: WHAT" (L and C from 1; C counts characters),
 * where WHAT names the key of a bad value as a path from the top: "motion.frames",
 * "hints.anchors[0][1]". The caller prefixes the file's name. */
#define INK_JSON_CHECK_MAX_DEPTH 1024

gboolean ink_json_check (const char *data, gsize length, int max_depth, GError **error);

G_END_DECLS
