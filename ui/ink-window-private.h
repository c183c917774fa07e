/* ink-window-private.h: the window's struct and what its pieces (ink-window*.c, ink-session.c) share. */
#pragma once

#include "ink-window.h"

#include "ink-loop-worker.h"
#include "ink-session.h"
#include "ink-viewport.h"

G_BEGIN_DECLS

/* A slider held this long without a change gets its whole loop (drafts before), ms. */
#define INK_WINDOW_SETTLE_MS 400

/* What is being opened (ink-window-open.c). */
typedef struct
{
  GCancellable *cancellable;      /* a photo or project is loading; NULL when none is */
  char *path;                     /* the project being opened */
  gboolean relocated;             /* ... with its photo located by hand */
  gboolean restoring;             /* ... and it is the autosave */
} InkWindowOpening;

/* The project file and its saves (ink-window-save.c). */
typedef struct
{
  char *path;                     /* the .inkloop file, NULL until saved or opened */
  guint saving;                   /* saves in flight */
  gboolean closing;               /* the user chose to close without saving */
  char *open_after;               /* a file to open once the unsaved-changes question is answered */
} InkWindowProject;

struct _InkWindow
{
  AdwApplicationWindow parent_instance;

  GtkWidget *toast_overlay;       /* around everything: "Exported ..." */
  GtkWidget *header_bar;
  GtkWidget *open_button;
  GtkWidget *recent_button;
  GtkWidget *title_label;
  GtkWidget *subtitle_label;
  GtkWidget *flap_button;         /* shows and hides the panel (the flap's reveal-flap) */
  GtkWidget *menu_button;
  GtkWidget *export_button;
  GtkWidget *spinner;
  GtkWidget *banner_revealer;
  GtkWidget *banner;
  GtkWidget *banner_icon;
  GtkWidget *banner_label;
  GtkWidget *banner_button;
  GtkWidget *stack;
  GtkWidget *view_toolbar;
  GtkWidget *side_button;
  GtkWidget *compare_button;
  GtkWidget *info_label;
  GtkWidget *zoom_label;
  GtkWidget *views;
  GtkWidget *source_overlay;
  GtkWidget *source_view;
  GtkWidget *preview_overlay;
  GtkWidget *preview;
  GtkWidget *preview_caption;
  GtkWidget *transport;
  GtkWidget *flap;                /* the panel beside the views, folded over them when narrow */
  GtkWidget *controls;
  GtkWidget *tool_bar;
  GtkWidget *clip_bar;        /* InkClipBar, below the tool bar; shown for a clip instead of it */
  GtkWidget *brush_label;   /* sensitive with the scale: greyed only while no brush tool is on */
  GtkWidget *brush_scale;
  GtkWidget *arrow_kind;    /* the selected arrow's kind and the arrow tool's */
  GtkWidget *reach_label;
  GtkWidget *reach_scale;   /* percent of the height: the selected arrow's reach, or flow-reach */
  gboolean syncing_arrow;   /* the arrow controls are being set from the document */
  gboolean refit_views;     /* the views' layout changed: fit the picture on the next frame */
  guint arrange_id;         /* the pending arrange_views tick, 0: none */
  GtkWidget *source_canvas;
  GtkWidget *preview_canvas;

  GSettings *settings;
  InkDocument *document;
  InkViewport *viewport;
  InkLoopWorker *worker;
  InkHistory *history;
  InkExportDialog *export_dialog;
  GtkWidget *dialog;              /* the question on screen, if any */
  char *banner_uri;               /* what the banner's button opens, or */
  char *banner_action;            /* the action it activates */

  InkWindowOpening opening;
  InkWindowProject project;
  InkSession session;

  guint request_serial;
  gint64 request_time;
  gboolean draft_requested;   /* the last request was a draft (a slider held) */
  guint settle_id;            /* after a draft: the whole loop if the slider rests */
  guint lead_serial;          /* the draft asked for ahead of the last loop, 0: none */
  guint latency_serial;       /* measured already */
  gboolean first_frame_pending;   /* the last change's first frame is not on screen yet */
  double last_latency_ms;
  double last_first_frame_ms;
  int preview_width, preview_height;
};

/* ink-window.c: the banner, the title and the views. */
typedef enum { MESSAGE_INFO, MESSAGE_ERROR } MessageKind;

/* Shows TEXT in the banner; BUTTON_LABEL and URI add a button that opens URI. */
void ink_window_show_message (InkWindow *self, MessageKind kind, const char *text,
                              const char *button_label, const char *uri);
/* The same with a button that activates ACTION (a window action, no parameter). */
void ink_window_show_message_action (InkWindow *self, MessageKind kind, const char *text,
                                     const char *button_label, const char *action);
void ink_window_hide_message (InkWindow *self);
/* The title: the project's (or photo's) name, "• " first while there are unsaved changes. */
void ink_window_update_title (InkWindow *self);
/* The views and labels for the document's photo, after a photo or a project was opened. */
void ink_window_show_source (InkWindow *self);

/* ink-window-open.c */
/* Opens PATH for the user: with unsaved changes, asks first (Save, Discard, Cancel). */
void ink_window_request_open (InkWindow *self, const char *path);

/* ink-window-save.c */
/* Saves a copy of the project to PATH in a worker; CLOSE_AFTER closes the window once saved;
 * AUTOSAVE: the autosave, which leaves the history and the banner alone. */
void ink_window_start_save (InkWindow *self, const char *path, gboolean close_after, gboolean autosave);
/* Asks where to save the project, then saves it. */
void ink_window_save_as (InkWindow *self, gboolean close_after);
/* Unsaved changes: Save, Discard or Cancel. */
void ink_window_ask_before_closing (InkWindow *self);

/* ink-window-actions.c */
/* Installs the window's actions and their keys. */
void ink_window_actions_class_init (GtkWidgetClass *widget_class);
/* Adds the stateful actions (view mode, onion skin, tool, hints). */
void ink_window_actions_init (InkWindow *self);

/* ink-window-dnd.c */
/* Opens photos and projects dropped on the window. */
void ink_window_dnd_init (InkWindow *self);
/* ink-window-arrow.c: the tool bar's arrow kind and reach, for the selected arrow or new ones;
 * sync sets them from the document, the selection and the tool. */
void ink_window_arrow_init (InkWindow *self);
/* Destroys the export window if there is one (ink-window.c). */
void ink_window_drop_export_dialog (InkWindow *self);
void ink_window_arrow_sync (InkWindow *self);

G_END_DECLS
