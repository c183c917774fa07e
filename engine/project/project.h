/* project.h: .inkloop project files: the photo, every parameter, the motion hints and export settings. */
#pragma once

#include <glib.h>

#include "ink-params.h"
#include "motion.h"

G_BEGIN_DECLS

/* The file's layout version. Bump it when a change would make older Inkloops misread a file (they
 * refuse newer versions); added keys with defaults do not need a bump. */
#define INK_PROJECT_VERSION 1

/* Everything that decides the rendered frames. */
typedef struct {
  char *source;              /* absolute path of the photo; NULL: none chosen yet (cannot be saved) */
  InkStyleParams style;
  InkMotionParams motion;
  InkMotionHints *hints;     /* never NULL */
  int size;                  /* render/export long edge in px, 0 (the photo's size) .. INK_IMAGE_MAX_SIDE */
} InkProject;

/* No photo, INK_STYLE_PARAMS_DEFAULT, INK_MOTION_PARAMS_DEFAULT, no hints, the photo's size. */
InkProject *ink_project_new (void);
void ink_project_free (InkProject **project);

/* A project file is one JSON object (UTF-8):
 *   "format": "inkloop-project", "version": INK_PROJECT_VERSION, "generator": "Inkloop 0.1.0",
 *   "source": the photo, relative to the project file's folder when the two share a folder below
 *             the root on one file system ("photo.jpg", "../photos/photo.jpg"), else absolute,
 *   "style-version", "motion-version": INK_STYLE_PARAMS_VERSION, INK_MOTION_PARAMS_VERSION,
 *   "style", "motion": every parameter by its spec name: numbers, true/false, enum names, and the
 *             colour as "#rrggbb" when that is exact, else [r, g, b],
 *   "hints": { "arrows": [[x0, y0, x1, y1], ...], "anchors": [[x, y], ...],
 *              "mask": "data:image/png;base64,..." (a lossless PNG; a file name relative to the
 *              project's folder is read too), absent when there is none },
 *   "export": { "size": 0 }.
 * Numbers are the shortest text that reads back as the same float, so a saved project renders the
 * same frames. */

/* Reads and checks a project file. Missing keys keep the defaults and unknown ones are ignored (so
 * older and newer files of the same version load); a file that is not strict JSON (RFC 8259: no
 * comments, trailing commas or single quotes; see json-check.h), nests more than 32 deep, holds a
 * number no double or gint64 can hold, is not a project, is from a newer version, or holds a wrong
 * type or a value out of range is refused with INK_ERROR_DECODE; messages give the line and column
 * or the key ("motion.frames"). A leading UTF-8 byte order mark is skipped.
 * INK_ERROR_NOT_FOUND / INK_ERROR_READ / INK_ERROR_TOO_LARGE (over 128 MiB): the file (or a mask
 * file it names) cannot be read. The photo is not opened: a missing photo is reported by whoever
 * loads it. Messages name the file. */
InkProject *ink_project_load (const char *path, GError **error);

/* ink_project_load on a file's LENGTH bytes already read (NUL bytes included: refused). NAME names
 * the file in messages; relative paths in it (the photo, a mask file) are taken from the folder
 * DIR (NULL: the working folder). ink_project_load reads the file and calls this. */
InkProject *ink_project_load_data (const char *data, gsize length, const char *name,
                                   const char *dir, GError **error);

/* Whether a project may be written to PATH without destroying anything else: TRUE when nothing is
 * there, an empty file is there, or a regular file that is strict JSON holding "format":
 * "inkloop-project" (a project that does not load, say its photo or mask is gone or a value is out
 * of range, is still a project). Otherwise FALSE with INK_ERROR_WRITE: "PATH: exists and is not an
 * Inkloop project (...); refusing to write a project over it" ("is a folder", "is not a regular
 * file", "cannot be read" likewise). Messages name PATH as given. */
gboolean ink_project_check_replaceable (const char *path, GError **error);

/* Writes PROJECT to PATH whole or not at all (INK_ERROR_WRITE naming PATH); a project with no
 * source or a value out of range is refused with INK_ERROR_INVALID_PARAM and nothing is written. */
gboolean ink_project_save (const InkProject *project, const char *path, GError **error);

G_END_DECLS
