/* ink-document.h: the editable state (one InkProject and its photo); every edit goes through it and it says what changed. */
#pragma once

#include <gio/gio.h>

#include "ink-image.h"
#include "project.h"

G_BEGIN_DECLS

/* A decoded photo, or a clip's first frame and its timing, shared, read-only, between the main
 * loop and the workers. */
typedef struct
{
  char *path;           /* absolute */
  InkImage *image;      /* full size (a clip: its first frame) */
  InkImage *display;    /* at most INK_SOURCE_DISPLAY_EDGE on its long edge; may be IMAGE itself */
  gboolean is_clip;     /* a video clip (ink_video_sniff) */
  double clip_seconds;  /* a clip's length from its first frame */
  double clip_fps;      /* a clip's own frame rate */
  double clip_start_s;  /* a clip's first frame's time (InkVideoInfo.start_s) */
} InkSource;

#define INK_SOURCE_DISPLAY_EDGE 2048

InkSource *ink_source_ref (InkSource *source);
void ink_source_unref (InkSource *source);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InkSource, ink_source_unref)

typedef enum
{
  INK_CHANGE_SOURCE = 1 << 0,    /* a new photo */
  INK_CHANGE_STYLE = 1 << 1,     /* stylizer parameters */
  INK_CHANGE_MOTION = 1 << 2,    /* motion parameters that change the frames */
  INK_CHANGE_PLAYBACK = 1 << 3,  /* INK_CHANGE_CLASS_PLAYBACK: the same frames, played at another rate */
  INK_CHANGE_HINTS = 1 << 4,     /* arrows, anchors, mask */
  INK_CHANGE_PRESET = 1 << 5,    /* the preset the style starts from */
  INK_CHANGE_CLIP = 1 << 6,      /* a clip's part, rate or loop */
} InkChange;

#define INK_TYPE_DOCUMENT (ink_document_get_type ())
G_DECLARE_FINAL_TYPE (InkDocument, ink_document, INK, DOCUMENT, GObject)

InkDocument *ink_document_new (void);

/* The photo, NULL before one is opened. */
InkSource *ink_document_get_source (InkDocument *self);
const char *ink_document_get_path (InkDocument *self);
/* Everything that decides the frames (source path, style, motion, hints, size). */
const InkProject *ink_document_get_project (InkDocument *self);

/* Decodes PATH (a photo, or a clip's first frame and timing) in a worker thread; on success the document takes the photo and emits "changed"
 * (INK_CHANGE_SOURCE). On failure the document keeps what it had; the error names the file. */
void ink_document_load_async (InkDocument *self, const char *path, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean ink_document_load_finish (InkDocument *self, GAsyncResult *result, GError **error);

/* Style and motion values by their registry key ("line-weight", "frames", "camera" ...), as
 * numbers (booleans 0/1, enums their index): ink_param_get_number / ink_param_set_number. Setting
 * clamps to the range, rounds integers, and emits "changed" with the flag of the parameter's
 * change class (INK_CHANGE_CLASS_PLAYBACK: INK_CHANGE_PLAYBACK ...) when the value moved. */
gboolean ink_document_has_value (const char *name);
double ink_document_get_value (InkDocument *self, const char *name);
gboolean ink_document_set_value (InkDocument *self, const char *name, double value);
/* What a reset returns to: the preset's value for style, the default for motion. */
double ink_document_get_base_value (InkDocument *self, const char *name);
void ink_document_reset_value (InkDocument *self, const char *name);

/* The project's preset: one of ink_style_presets () ("default": the engine's defaults). A new
 * document starts from INK_STYLE_PRESET_INITIAL. Setting one replaces the style. */
const char *ink_document_get_preset (InkDocument *self);
gboolean ink_document_set_preset (InkDocument *self, const char *preset);

/* Parameters as "name=value" (as inkloop-cli reads them), for settings; restoring ignores
 * entries that do not apply. */
char **ink_document_dup_settings (InkDocument *self, gboolean motion);
void ink_document_restore_settings (InkDocument *self, const char *preset,
                                    const char *const *style, const char *const *motion);

/* Opens a project: PROJECT (taken) was read with ink_project_load; its photo (PHOTO, or
 * PROJECT->source when NULL) is decoded in a worker, then the document takes the project whole
 * (style, motion, hints, size and its preset) and emits "changed" with every
 * flag. On failure the document keeps what it had; the error names the photo. */
void ink_document_open_project_async (InkDocument *self, InkProject *project, const char *photo,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean ink_document_open_project_finish (InkDocument *self, GAsyncResult *result, GError **error);

/* A deep copy of the project (ink_project_dup), for a worker to save. */
InkProject *ink_document_dup_project (InkDocument *self);

/* Replaces the preset name, style, motion and hints (HINTS taken; NULL: none) at once, as undo
 * does; emits "changed" with every flag but SOURCE. */
void ink_document_restore (InkDocument *self, const char *preset, const InkStyleParams *style,
                           const InkMotionParams *motion, InkMotionHints *hints);

/* Hints, in picture fractions (0,0 top left .. 1,1 bottom right). Each edit emits "changed"
 * (INK_CHANGE_HINTS). Adding fails (FALSE) when INK_MAX_HINTS arrows and anchors exist. */
typedef enum { INK_HINT_NONE, INK_HINT_ARROW, INK_HINT_ANCHOR } InkHintKind;
const InkMotionHints *ink_document_get_hints (InkDocument *self);
gboolean ink_document_add_arrow (InkDocument *self, const InkArrow *arrow);
gboolean ink_document_add_anchor (InkDocument *self, const InkAnchor *anchor);
void ink_document_set_arrow (InkDocument *self, guint index, const InkArrow *arrow);
/* The same for one of the arrow's options, WHAT ("kind", "reach"): changes of one option of one
 * arrow in quick succession (a slider drag) are one step of the history. */
void ink_document_edit_arrow (InkDocument *self, guint index, const InkArrow *arrow,
                              const char *what);
void ink_document_set_anchor (InkDocument *self, guint index, const InkAnchor *anchor);
void ink_document_remove_hint (InkDocument *self, InkHintKind kind, guint index);
/* The focus-lines centre: moves it to (X, Y) and turns focus lines on (INK_CHANGE_MOTION). */
void ink_document_set_focus (InkDocument *self, float x, float y);

/* Paints the freeze mask with round dabs of RADIUS (a fraction of the picture's width) from
 * (X0, Y0) to (X1, Y1): FREEZE raises it to frozen, otherwise it is erased. The mask is created
 * at the photo's shape (long edge at most INK_MASK_EDGE) on first use. Returns whether any pixel
 * changed (and "changed" was emitted). */
#define INK_MASK_EDGE 1024
gboolean ink_document_paint_mask (InkDocument *self, float x0, float y0, float x1, float y1,
                                  float radius, gboolean freeze);
/* Grows by one with every change of the mask (paint, undo, a new photo or project). */
guint ink_document_get_mask_serial (InkDocument *self);

/* A clip's part, rate, loop and sound (the project's "clip"); NULL for a photo. Setting it
 * (clamped into the clip) emits "changed" (INK_CHANGE_CLIP) when it moved. */
const InkClipRange *ink_document_get_clip (InkDocument *self);
/* A longer clip opens with its first this many seconds. */
#define INK_DOCUMENT_CLIP_SECONDS 10.0
void ink_document_set_clip (InkDocument *self, const InkClipRange *range);

G_END_DECLS
