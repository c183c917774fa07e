/* project.h: .inkloop project files: the photo, every parameter, the motion hints and export settings. */
#pragma once

#include <glib.h>

#include "clip.h"
#include "ink-params.h"
#include "motion.h"

G_BEGIN_DECLS

/* The file's layout version. Bump it when a change would make older Inkloops misread a file (they
 * refuse newer versions); added keys with defaults do not need a bump. 2: the preset ("preset"); a
 * format 1 file loads with the preset "default". */
#define INK_PROJECT_VERSION 2

/* Everything that decides the rendered frames. */
typedef struct {
  char *source;              /* absolute path of the photo; NULL: none chosen yet (cannot be saved) */
  char *preset;              /* the preset the style started from (what a reset returns to), one
                              * of ink_style_presets (); never NULL */
  char *generator;           /* what wrote the file it was read from ("Inkloop 0.1.0"); NULL: new,
                              * or the file does not say */
  InkStyleParams style;
  InkMotionParams motion;
  InkMotionHints *hints;     /* never NULL */
  int size;                  /* render/export long edge in px, 0 (the photo's size) .. INK_IMAGE_MAX_SIDE */
  gboolean is_clip;          /* SOURCE is a video clip, rendered frame by frame as CLIP says */
  InkClipRange clip;         /* the part of it, its rate, loop and sound */
} InkProject;

/* The clip settings' limits: ink_clip_new checks them again against the clip. */
gboolean ink_project_clip_validate (const InkClipRange *clip, GError **error);

/* No photo, the preset "default" (the registry's defaults), the default motion, no hints, the
 * photo's size. */
InkProject *ink_project_new (void);
void ink_project_free (InkProject **project);
/* A deep copy (hints and mask included), say for a worker to save. */
InkProject *ink_project_dup (const InkProject *project);
/* Sets the style to preset NAME and records the name; an unknown name changes nothing (FALSE,
 * INK_ERROR_INVALID_PARAM). */
gboolean ink_project_set_preset (InkProject *project, const char *name, GError **error);
/* Records NAME (one of ink_style_presets ()) as the preset the style started from, leaving the
 * style as it is (unknown names: FALSE, nothing changes). */
gboolean ink_project_set_preset_name (InkProject *project, const char *name);

/* A project file is one JSON object (UTF-8):
 *   "format": "inkloop-project", "version": INK_PROJECT_VERSION, "generator": "Inkloop 0.1.0",
 *   "source": the photo, relative to the project file's folder when the two share a folder below
 *             the root on one file system ("photo.jpg", "../photos/photo.jpg"), else absolute,
 *   "style-version", "motion-version": INK_STYLE_PARAMS_VERSION, INK_MOTION_PARAMS_VERSION,
 *   "preset": the preset the style started from ("anime"; absent in format 1: "default"; a name
 *             this version does not know reads as "default"),
 *   "style", "motion": every parameter by its spec name: numbers, true/false, enum names, and the
 *             colour as "#rrggbb" when that is exact, else [r, g, b],
 *   "hints": { "arrows": [[x0, y0, x1, y1], ...], "anchors": [[x, y], ...],
 *              "mask": "data:image/png;base64,..." (a lossless PNG; a file name relative to the
 *              project's folder is read too), absent when there is none },
 *   "export": { "size": 0 },
 *   "clip": { "start": s, "duration": s (0: to the end), "fps": n (0: the clip's own), "loop":
 *             false, "audio": true }, only when the source is a video clip (absent: a photo).
 * Keys are written in that order, the parameters in their registry order, by json-glib's builder
 * and generator. A float is written as the double nearest its shortest decimal text, so it reads
 * back as the same float and a saved project renders the same frames. */

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
