/* ink-preview.c: the looping preview: a GtkGLArea that plays a loop's frames from the frame clock, with onion skin and a compare split. */
/* Over 600 lines on purpose: the GL state (program, the frame texture array, the photo), the paced
 * upload of a new loop's frames as they arrive, the swap, and playback from the frame clock all
 * share one struct and one GL context's lifetime (realize, unrealize, re-realize); split apart,
 * each piece would reach into the others' fields. Sections: GL, playback, dragging, GObject, API. */
#include "ink-preview.h"

#include <epoxy/gl.h>
#include <math.h>
#include <string.h>

/* Host time spent uploading frames per drawn frame, so a long loop never stalls the main loop. */
#define UPLOAD_BUDGET_US 8000
#define ONION_AMOUNT 0.35f

enum { HAVE_HOST = 1, HAVE_UPLOADED = 2 };

typedef struct
{
  guint serial;             /* 0: none */
  int width, height, n_frames;
  guint8 *host;             /* N_FRAMES frames; those with HAVE_HOST arrived */
  guint8 *have;             /* per frame: HAVE_HOST, HAVE_UPLOADED (into TEX) */
  int n_host, n_uploaded;
  GBytes *bytes;            /* owns HOST once every frame arrived */
  GLuint tex;
} Loop;

struct _InkPreview
{
  GtkGLArea parent_instance;

  InkViewport *viewport;

  /* The loop on screen, and the newer one whose frames are arriving: it takes the screen once
   * its first frame is uploaded. */
  Loop shown, incoming;

  GBytes *source;
  int source_width, source_height;
  GLuint source_tex;
  gboolean source_dirty;

  GLuint program, vao;
  GLint u_rect, u_frames, u_source, u_layer, u_prev_layer, u_onion, u_split, u_split_w, u_nearest;

  double fps;
  gboolean playing;
  int frame;
  gint64 start_time;     /* frame-clock time of frame 0 of the current cycle, -1: not started */
  guint tick_id;

  gboolean onion_skin;
  gboolean compare;
  double split;
  double split_drag_start;
  double pan_cx, pan_cy;
  gboolean dragging_split;

  /* Notifications from a swap inside render, sent after the frame (never mid-snapshot). */
  guint swap_idle_id;
  gboolean notify_frame, notify_n_frames;
  int announce;            /* 1: first frame of a new loop drawn, 2: a loop's last frame */
};

G_DEFINE_FINAL_TYPE (InkPreview, ink_preview, GTK_TYPE_GL_AREA)

static void
loop_clear (Loop *loop)
{
  if (loop->bytes != NULL)
    g_bytes_unref (loop->bytes);   /* it owns HOST */
  else
    g_free (loop->host);
  g_free (loop->have);
  memset (loop, 0, sizeof *loop);
}

static gboolean
loop_complete (const Loop *loop)
{
  return loop->n_frames > 0 && loop->n_uploaded == loop->n_frames;
}

/* The frame to draw for INDEX: INDEX once uploaded, else the nearest uploaded one before it. */
static int
loop_layer (const Loop *loop, int index)
{
  for (int k = 0; k < loop->n_frames; k++)
    {
      int i = ((index - k) % loop->n_frames + loop->n_frames) % loop->n_frames;
      if (loop->have[i] & HAVE_UPLOADED)
        return i;
    }
  return 0;
}

/* Copies COUNT frames from FIRST into LOOP's host copy. */
static void
loop_take (Loop *loop, const guint8 *data, int first, int count)
{
  gsize frame_bytes = (gsize) loop->width * loop->height * 4;

  for (int i = 0; i < count; i++)
    if (!(loop->have[first + i] & HAVE_HOST))
      {
        memcpy (loop->host + frame_bytes * (first + i), data + frame_bytes * i, frame_bytes);
        loop->have[first + i] |= HAVE_HOST;
        loop->n_host++;
      }
  if (loop->n_host == loop->n_frames && loop->bytes == NULL)
    loop->bytes = g_bytes_new_take (loop->host, frame_bytes * loop->n_frames);   /* HOST stays valid */
}

enum {
  PROP_0,
  PROP_PLAYING,
  PROP_FRAME,
  PROP_N_FRAMES,
  PROP_FPS,
  PROP_ONION_SKIN,
  PROP_COMPARE,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum { FIRST_FRAME_SHOWN, LOOP_SHOWN, N_SIGNALS };
static guint signals[N_SIGNALS];

static void update_ticking (InkPreview *self);

/* GL ------------------------------------------------------------------------------------------ */

static const char *vertex_src =
  "uniform vec4 u_rect;\n"       /* the picture in NDC: left, top, right, bottom */
  "out vec2 v_uv;\n"
  "void main () {\n"
  "  vec2 c = vec2 (float (gl_VertexID & 1), float (gl_VertexID >> 1));\n"
  "  v_uv = c;\n"
  "  gl_Position = vec4 (mix (u_rect.x, u_rect.z, c.x), mix (u_rect.y, u_rect.w, c.y), 0.0, 1.0);\n"
  "}\n";

/* Straight-alpha RGBA8 frames over a checkerboard; the photo left of the split in compare mode. */
static const char *fragment_src =
  "uniform highp sampler2DArray u_frames;\n"
  "uniform highp sampler2D u_source;\n"
  "uniform float u_layer, u_prev_layer, u_onion, u_split, u_split_w;\n"
  "uniform int u_nearest;\n"
  "in vec2 v_uv;\n"
  "out vec4 o_color;\n"
  "vec4 frame (float layer) {\n"
  "  if (u_nearest != 0) {\n"
  "    ivec3 size = textureSize (u_frames, 0);\n"
  "    ivec2 p = clamp (ivec2 (v_uv * vec2 (size.xy)), ivec2 (0), size.xy - 1);\n"
  "    return texelFetch (u_frames, ivec3 (p, int (layer)), 0);\n"
  "  }\n"
  "  return texture (u_frames, vec3 (v_uv, layer));\n"
  "}\n"
  "void main () {\n"
  "  vec4 c;\n"
  "  if (v_uv.x < u_split) {\n"
  "    c = texture (u_source, v_uv);\n"
  "  } else {\n"
  "    c = frame (u_layer);\n"
  "    if (u_onion > 0.0)\n"
  "      c = mix (c, frame (u_prev_layer), u_onion);\n"
  "  }\n"
  "  vec2 cell = floor (gl_FragCoord.xy / 8.0);\n"
  "  vec3 check = mix (vec3 (0.82), vec3 (0.62), mod (cell.x + cell.y, 2.0));\n"
  "  vec3 rgb = mix (check, c.rgb, c.a);\n"
  "  if (u_split > 0.0 && abs (v_uv.x - u_split) < u_split_w)\n"
  "    rgb = vec3 (1.0);\n"
  "  o_color = vec4 (rgb, 1.0);\n"
  "}\n";

static GLuint
compile (GLenum type, const char *prefix, const char *src, GError **error)
{
  GLuint shader = glCreateShader (type);
  const char *sources[] = { prefix, src };
  GLint ok = 0;

  glShaderSource (shader, 2, sources, NULL);
  glCompileShader (shader);
  glGetShaderiv (shader, GL_COMPILE_STATUS, &ok);
  if (!ok)
    {
      char log[1024] = "";
      glGetShaderInfoLog (shader, sizeof log, NULL, log);
      g_set_error (error, GDK_GL_ERROR, GDK_GL_ERROR_COMPILATION_FAILED,
                   "the preview's shader does not compile: %s", log);
      glDeleteShader (shader);
      return 0;
    }
  return shader;
}

static gboolean
build_program (InkPreview *self, GError **error)
{
  GdkGLContext *context = gtk_gl_area_get_context (GTK_GL_AREA (self));
  const char *prefix = gdk_gl_context_get_use_es (context)
                         ? "#version 300 es\nprecision highp float;\n"
                         : "#version 150\n";
  GLuint vs = compile (GL_VERTEX_SHADER, prefix, vertex_src, error), fs = 0;
  GLint ok = 0;

  if (vs == 0 || (fs = compile (GL_FRAGMENT_SHADER, prefix, fragment_src, error)) == 0)
    {
      if (vs != 0)
        glDeleteShader (vs);
      return FALSE;
    }
  self->program = glCreateProgram ();
  glAttachShader (self->program, vs);
  glAttachShader (self->program, fs);
  glBindAttribLocation (self->program, 0, "unused");
  glLinkProgram (self->program);
  glDeleteShader (vs);
  glDeleteShader (fs);
  glGetProgramiv (self->program, GL_LINK_STATUS, &ok);
  if (!ok)
    {
      char log[1024] = "";
      glGetProgramInfoLog (self->program, sizeof log, NULL, log);
      g_set_error (error, GDK_GL_ERROR, GDK_GL_ERROR_LINK_FAILED,
                   "the preview's shaders do not link: %s", log);
      glDeleteProgram (self->program);
      self->program = 0;
      return FALSE;
    }
  self->u_rect = glGetUniformLocation (self->program, "u_rect");
  self->u_frames = glGetUniformLocation (self->program, "u_frames");
  self->u_source = glGetUniformLocation (self->program, "u_source");
  self->u_layer = glGetUniformLocation (self->program, "u_layer");
  self->u_prev_layer = glGetUniformLocation (self->program, "u_prev_layer");
  self->u_onion = glGetUniformLocation (self->program, "u_onion");
  self->u_split = glGetUniformLocation (self->program, "u_split");
  self->u_split_w = glGetUniformLocation (self->program, "u_split_w");
  self->u_nearest = glGetUniformLocation (self->program, "u_nearest");
  glGenVertexArrays (1, &self->vao);
  return TRUE;
}

static void
delete_texture (GLuint *tex)
{
  if (*tex != 0)
    glDeleteTextures (1, tex);
  *tex = 0;
}

static void
loop_forget_uploads (Loop *loop)
{
  for (int i = 0; i < loop->n_frames; i++)
    loop->have[i] &= ~HAVE_UPLOADED;
  loop->n_uploaded = 0;
}

static void
ink_preview_realize (GtkWidget *widget)
{
  InkPreview *self = INK_PREVIEW (widget);
  g_autoptr (GError) error = NULL;

  GTK_WIDGET_CLASS (ink_preview_parent_class)->realize (widget);
  gtk_gl_area_make_current (GTK_GL_AREA (self));
  if (gtk_gl_area_get_error (GTK_GL_AREA (self)) != NULL)
    return;
  if (!build_program (self, &error))
    {
      gtk_gl_area_set_error (GTK_GL_AREA (self), error);
      return;
    }
  /* The frames uploaded before an unrealize are uploaded again (unrealize forgot them). */
  self->source_dirty = self->source != NULL;
  update_ticking (self);
}

static void
ink_preview_unrealize (GtkWidget *widget)
{
  InkPreview *self = INK_PREVIEW (widget);

  gtk_gl_area_make_current (GTK_GL_AREA (self));
  if (gtk_gl_area_get_error (GTK_GL_AREA (self)) == NULL)
    {
      delete_texture (&self->shown.tex);
      delete_texture (&self->incoming.tex);
      delete_texture (&self->source_tex);
      if (self->vao != 0)
        glDeleteVertexArrays (1, &self->vao);
      if (self->program != 0)
        glDeleteProgram (self->program);
    }
  self->vao = self->program = 0;
  self->shown.tex = self->incoming.tex = self->source_tex = 0;
  loop_forget_uploads (&self->shown);
  loop_forget_uploads (&self->incoming);
  GTK_WIDGET_CLASS (ink_preview_parent_class)->unrealize (widget);
}

static void
set_filters (void)
{
  glTexParameteri (GL_TEXTURE_2D_ARRAY, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri (GL_TEXTURE_2D_ARRAY, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri (GL_TEXTURE_2D_ARRAY, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D_ARRAY, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

/* Uploads LOOP's arrived frames within the time budget from T0; FALSE when the budget ran out. */
static gboolean
upload_frames (Loop *loop, gint64 t0)
{
  gsize frame_bytes = (gsize) loop->width * loop->height * 4;

  glPixelStorei (GL_UNPACK_ALIGNMENT, 4);
  if (loop->tex == 0)
    {
      glGenTextures (1, &loop->tex);
      glBindTexture (GL_TEXTURE_2D_ARRAY, loop->tex);
      set_filters ();
      glTexImage3D (GL_TEXTURE_2D_ARRAY, 0, GL_RGBA8, loop->width, loop->height, loop->n_frames, 0,
                    GL_RGBA, GL_UNSIGNED_BYTE, NULL);
    }
  glBindTexture (GL_TEXTURE_2D_ARRAY, loop->tex);
  for (int i = 0; i < loop->n_frames && loop->n_uploaded < loop->n_host; i++)
    if (loop->have[i] == HAVE_HOST)
      {
        if (g_get_monotonic_time () - t0 > UPLOAD_BUDGET_US)
          return FALSE;
        glTexSubImage3D (GL_TEXTURE_2D_ARRAY, 0, 0, 0, i, loop->width, loop->height, 1, GL_RGBA,
                         GL_UNSIGNED_BYTE, loop->host + frame_bytes * i);
        loop->have[i] |= HAVE_UPLOADED;
        loop->n_uploaded++;
      }
  return TRUE;
}

static gboolean
has_uploads (InkPreview *self)
{
  return self->incoming.n_host > self->incoming.n_uploaded
         || self->shown.n_host > self->shown.n_uploaded;
}

/* The incoming loop takes the screen. */
static void
swap_in_incoming (InkPreview *self)
{
  gboolean new_count = self->shown.n_frames != self->incoming.n_frames;

  delete_texture (&self->shown.tex);
  loop_clear (&self->shown);
  self->shown = self->incoming;
  memset (&self->incoming, 0, sizeof self->incoming);
  if (self->frame >= self->shown.n_frames)
    {
      self->frame %= self->shown.n_frames;
      self->start_time = -1;
      self->notify_frame = TRUE;
    }
  self->notify_n_frames |= new_count;
}

/* Uploads what arrived, within the budget; the incoming loop takes the screen with its first
 * frame. Returns what became visible: 1 a new loop's first frame, 2 a loop's last frame. */
static int
upload_arrived (InkPreview *self)
{
  gint64 t0 = g_get_monotonic_time ();
  int shown = 0;

  if (self->incoming.n_host > 0)
    {
      upload_frames (&self->incoming, t0);
      if (self->incoming.n_uploaded > 0)
        {
          swap_in_incoming (self);
          shown |= 1;
        }
    }
  if (self->shown.n_host > self->shown.n_uploaded)
    {
      upload_frames (&self->shown, t0);
      if (loop_complete (&self->shown))
        shown |= 2;
    }
  return shown;
}

static gboolean
after_swap (gpointer data)
{
  InkPreview *self = data;

  self->swap_idle_id = 0;
  if (self->notify_frame)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FRAME]);
  if (self->notify_n_frames)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_FRAMES]);
  self->notify_frame = self->notify_n_frames = FALSE;
  if (self->announce & 1)
    g_signal_emit (self, signals[FIRST_FRAME_SHOWN], 0, self->shown.serial);
  if (self->announce & 2)
    g_signal_emit (self, signals[LOOP_SHOWN], 0, self->shown.serial);
  self->announce = 0;
  return G_SOURCE_REMOVE;
}

static void
upload_source (InkPreview *self)
{
  self->source_dirty = FALSE;
  delete_texture (&self->source_tex);
  if (self->source == NULL)
    return;
  glGenTextures (1, &self->source_tex);
  glBindTexture (GL_TEXTURE_2D, self->source_tex);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei (GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_RGBA8, self->source_width, self->source_height, 0, GL_RGBA,
                GL_UNSIGNED_BYTE, g_bytes_get_data (self->source, NULL));
}

static gboolean
ink_preview_render (GtkGLArea *area, GdkGLContext *context)
{
  InkPreview *self = INK_PREVIEW (area);
  GtkWidget *widget = GTK_WIDGET (area);
  int sf = gtk_widget_get_scale_factor (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  graphene_rect_t r;
  int shown_new = 0;

  (void) context;
  glViewport (0, 0, (GLsizei) (w * sf), (GLsizei) (h * sf));
  glClearColor (0.118f, 0.118f, 0.125f, 1.0f);
  glClear (GL_COLOR_BUFFER_BIT);
  if (self->program == 0)
    return TRUE;

  if (has_uploads (self))
    shown_new = upload_arrived (self);
  if (self->source_dirty)
    upload_source (self);

  if (self->shown.n_uploaded > 0 && self->viewport != NULL
      && ink_viewport_get_rect (self->viewport, w, h, &r))
    {
      const Loop *loop = &self->shown;
      double scale = ink_viewport_get_effective_scale (self->viewport, w, h);
      int layer = loop_layer (loop, self->frame);
      int prev = loop_layer (loop, self->frame - 1);
      gboolean split = self->compare && self->source_tex != 0;

      glUseProgram (self->program);
      glUniform4f (self->u_rect, (float) (r.origin.x / w * 2 - 1), (float) (1 - r.origin.y / h * 2),
                   (float) ((r.origin.x + r.size.width) / w * 2 - 1),
                   (float) (1 - (r.origin.y + r.size.height) / h * 2));
      glActiveTexture (GL_TEXTURE0);
      glBindTexture (GL_TEXTURE_2D_ARRAY, loop->tex);
      glUniform1i (self->u_frames, 0);
      glActiveTexture (GL_TEXTURE1);
      glBindTexture (GL_TEXTURE_2D, self->source_tex);
      glUniform1i (self->u_source, 1);
      glUniform1f (self->u_layer, (float) layer);
      glUniform1f (self->u_prev_layer, (float) prev);
      glUniform1f (self->u_onion, self->onion_skin && prev != layer ? ONION_AMOUNT : 0.0f);
      /* The split is a fraction of the picture: it stays on the same spot of the picture through
       * zoom, pan and Fit. */
      glUniform1f (self->u_split, split ? (float) self->split : -1.0f);
      glUniform1f (self->u_split_w, (float) (1.0 / MAX (r.size.width, 1.0f)));
      glUniform1i (self->u_nearest, scale >= 2.0);
      glBindVertexArray (self->vao);
      glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
      glBindVertexArray (0);
      glActiveTexture (GL_TEXTURE0);
      glUseProgram (0);
    }
  self->announce |= shown_new;
  if (shown_new && self->swap_idle_id == 0)
    /* Above redraw priority: continuous drawing (several playing views) must not starve it. */
    self->swap_idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, after_swap, self, NULL);
  return TRUE;
}

/* Playback from the frame clock ------------------------------------------------------------- */

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  InkPreview *self = INK_PREVIEW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  (void) data;
  if (has_uploads (self) || self->source_dirty)
    gtk_gl_area_queue_render (GTK_GL_AREA (self));
  if (self->playing && self->shown.n_frames > 0)
    {
      gint64 period = (gint64) (G_USEC_PER_SEC / self->fps);
      int frame;

      if (self->start_time < 0)
        self->start_time = now - self->frame * period;
      frame = (int) (((now - self->start_time) / period) % self->shown.n_frames);
      /* Keep the start within one cycle so long sessions never overflow or drift. */
      if (now - self->start_time >= period * self->shown.n_frames)
        self->start_time += ((now - self->start_time) / (period * self->shown.n_frames)) * period * self->shown.n_frames;
      if (frame != self->frame)
        {
          self->frame = frame;
          gtk_gl_area_queue_render (GTK_GL_AREA (self));
          g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FRAME]);
        }
    }
  if (!(self->playing && self->shown.n_frames > 0) && !has_uploads (self) && !self->source_dirty)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
update_ticking (InkPreview *self)
{
  gboolean want = (self->playing && self->shown.n_frames > 0) || has_uploads (self) || self->source_dirty;

  if (want && self->tick_id == 0 && gtk_widget_get_realized (GTK_WIDGET (self)))
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

/* Compare split dragging, or panning --------------------------------------------------------- */

/* The picture's rectangle in the widget, FALSE when there is none. */
static gboolean
picture_rect (InkPreview *self, graphene_rect_t *r)
{
  return self->viewport != NULL
         && ink_viewport_get_rect (self->viewport, gtk_widget_get_width (GTK_WIDGET (self)),
                                   gtk_widget_get_height (GTK_WIDGET (self)), r)
         && r->size.width > 0.0f;
}

static void
on_drag_begin (GtkGestureDrag *drag, double x, double y, InkPreview *self)
{
  graphene_rect_t r;

  (void) drag, (void) y;
  self->dragging_split = self->compare && picture_rect (self, &r)
                         && fabs (x - (r.origin.x + self->split * r.size.width)) < 16;
  self->split_drag_start = self->split;
  if (self->viewport != NULL)
    ink_viewport_get_center (self->viewport, &self->pan_cx, &self->pan_cy);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), self->dragging_split ? "col-resize" : "grabbing");
}

static void
on_drag_update (GtkGestureDrag *drag, double dx, double dy, InkPreview *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  graphene_rect_t r;

  (void) drag;
  if (self->dragging_split && picture_rect (self, &r))
    ink_preview_set_split (self, self->split_drag_start + dx / r.size.width);
  else if (self->viewport != NULL)
    ink_viewport_pan_from (self->viewport, self->pan_cx, self->pan_cy, dx, dy, w, h);
}

static void
on_drag_end (GtkGestureDrag *drag, double dx, double dy, InkPreview *self)
{
  (void) drag, (void) dx, (void) dy;
  self->dragging_split = FALSE;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
}

/* GObject ------------------------------------------------------------------------------------ */

static void
ink_preview_dispose (GObject *object)
{
  InkPreview *self = INK_PREVIEW (object);

  if (self->viewport != NULL)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_clear_object (&self->viewport);
  g_clear_handle_id (&self->swap_idle_id, g_source_remove);
  G_OBJECT_CLASS (ink_preview_parent_class)->dispose (object);
}

static void
ink_preview_finalize (GObject *object)
{
  InkPreview *self = INK_PREVIEW (object);

  loop_clear (&self->shown);
  loop_clear (&self->incoming);
  g_clear_pointer (&self->source, g_bytes_unref);
  G_OBJECT_CLASS (ink_preview_parent_class)->finalize (object);
}

static void
ink_preview_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  InkPreview *self = INK_PREVIEW (object);

  switch (id)
    {
    case PROP_PLAYING: g_value_set_boolean (value, self->playing); break;
    case PROP_FRAME: g_value_set_int (value, self->frame); break;
    case PROP_N_FRAMES: g_value_set_int (value, self->shown.n_frames); break;
    case PROP_FPS: g_value_set_double (value, self->fps); break;
    case PROP_ONION_SKIN: g_value_set_boolean (value, self->onion_skin); break;
    case PROP_COMPARE: g_value_set_boolean (value, self->compare); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
ink_preview_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  InkPreview *self = INK_PREVIEW (object);

  switch (id)
    {
    case PROP_PLAYING: ink_preview_set_playing (self, g_value_get_boolean (value)); break;
    case PROP_FRAME: ink_preview_set_frame (self, g_value_get_int (value)); break;
    case PROP_FPS: ink_preview_set_fps (self, g_value_get_double (value)); break;
    case PROP_ONION_SKIN: ink_preview_set_onion_skin (self, g_value_get_boolean (value)); break;
    case PROP_COMPARE: ink_preview_set_compare (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
ink_preview_class_init (InkPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkGLAreaClass *area_class = GTK_GL_AREA_CLASS (klass);

  object_class->dispose = ink_preview_dispose;
  object_class->finalize = ink_preview_finalize;
  object_class->get_property = ink_preview_get_property;
  object_class->set_property = ink_preview_set_property;
  widget_class->realize = ink_preview_realize;
  widget_class->unrealize = ink_preview_unrealize;
  area_class->render = ink_preview_render;

  props[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, TRUE,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_FRAME] = g_param_spec_int ("frame", NULL, NULL, 0, G_MAXINT, 0,
                                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_N_FRAMES] = g_param_spec_int ("n-frames", NULL, NULL, 0, G_MAXINT, 0,
                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_FPS] = g_param_spec_double ("fps", NULL, NULL, 1, 50, 12,
                                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_ONION_SKIN] = g_param_spec_boolean ("onion-skin", NULL, NULL, FALSE,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_COMPARE] = g_param_spec_boolean ("compare", NULL, NULL, FALSE,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /* The first frame of a newer loop has been uploaded and drawn. */
  signals[FIRST_FRAME_SHOWN] = g_signal_new ("first-frame-shown", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                             1, G_TYPE_UINT);
  /* Every frame of the loop on screen has been uploaded and drawn. */
  signals[LOOP_SHOWN] = g_signal_new ("loop-shown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  gtk_widget_class_set_css_name (widget_class, "inkpreview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ink_preview_init (InkPreview *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  self->fps = 12;
  self->playing = TRUE;
  self->start_time = -1;
  self->split = 0.5;
  gtk_gl_area_set_has_depth_buffer (GTK_GL_AREA (self), FALSE);
  gtk_gl_area_set_has_stencil_buffer (GTK_GL_AREA (self), FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
}

GtkWidget *
ink_preview_new (void)
{
  return g_object_new (INK_TYPE_PREVIEW, NULL);
}

/* API ---------------------------------------------------------------------------------------- */

static void
on_viewport_changed (InkViewport *viewport, InkPreview *self)
{
  (void) viewport;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

void
ink_preview_set_viewport (InkPreview *self, InkViewport *viewport)
{
  g_return_if_fail (INK_IS_PREVIEW (self));
  if (self->viewport != NULL)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_set_object (&self->viewport, viewport);
  if (viewport != NULL)
    {
      g_signal_connect (viewport, "changed", G_CALLBACK (on_viewport_changed), self);
      ink_viewport_add_controllers (viewport, GTK_WIDGET (self), FALSE);
    }
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

void
ink_preview_add_frames (InkPreview *self, guint serial, GBytes *frames, int width, int height,
                        int n_frames, int first, int count)
{
  Loop *loop;

  g_return_if_fail (INK_IS_PREVIEW (self));
  g_return_if_fail (frames != NULL && width > 0 && height > 0 && n_frames > 0 && serial > 0);
  g_return_if_fail (first >= 0 && count > 0 && first + count <= n_frames);
  g_return_if_fail (g_bytes_get_size (frames) == (gsize) width * height * 4 * count);

  if (serial == self->incoming.serial)
    loop = &self->incoming;
  else if (serial == self->shown.serial)
    loop = &self->shown;
  else if (serial > self->shown.serial && serial > self->incoming.serial)
    {
      /* A newer loop: one still arriving is dropped for it. */
      if (self->incoming.tex != 0 && gtk_widget_get_realized (GTK_WIDGET (self)))
        {
          gtk_gl_area_make_current (GTK_GL_AREA (self));
          delete_texture (&self->incoming.tex);
        }
      loop_clear (&self->incoming);
      loop = &self->incoming;
      loop->serial = serial;
      loop->width = width;
      loop->height = height;
      loop->n_frames = n_frames;
      loop->host = g_malloc ((gsize) width * height * 4 * n_frames);
      loop->have = g_malloc0 (n_frames);
    }
  else
    return;   /* older than what is on screen */
  if (loop->width != width || loop->height != height || loop->n_frames != n_frames)
    {
      g_warning ("frames of loop %u do not match its first ones", serial);
      return;
    }
  loop_take (loop, g_bytes_get_data (frames, NULL), first, count);
  update_ticking (self);
}

void
ink_preview_set_source (InkPreview *self, GBytes *rgba, int width, int height)
{
  g_return_if_fail (INK_IS_PREVIEW (self));
  g_return_if_fail (rgba == NULL || g_bytes_get_size (rgba) == (gsize) width * height * 4);
  g_clear_pointer (&self->source, g_bytes_unref);
  if (rgba != NULL)
    self->source = g_bytes_ref (rgba);
  self->source_width = width;
  self->source_height = height;
  self->source_dirty = TRUE;
  update_ticking (self);
}

void
ink_preview_clear (InkPreview *self)
{
  g_return_if_fail (INK_IS_PREVIEW (self));
  if (gtk_widget_get_realized (GTK_WIDGET (self)))
    {
      gtk_gl_area_make_current (GTK_GL_AREA (self));
      delete_texture (&self->incoming.tex);
      delete_texture (&self->shown.tex);
    }
  loop_clear (&self->incoming);
  loop_clear (&self->shown);
  self->frame = 0;
  ink_preview_set_source (self, NULL, 0, 0);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_FRAMES]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FRAME]);
}

guint
ink_preview_get_shown_serial (InkPreview *self)
{
  /* Shown once every frame is drawn and announced. */
  return loop_complete (&self->shown) && self->swap_idle_id == 0 ? self->shown.serial : 0;
}

GBytes *
ink_preview_get_loop (InkPreview *self)
{
  return self->shown.bytes;
}

int
ink_preview_get_n_frames (InkPreview *self)
{
  return self->shown.n_frames;
}

void
ink_preview_get_size (InkPreview *self, int *width, int *height)
{
  *width = self->shown.width;
  *height = self->shown.height;
}

void
ink_preview_set_fps (InkPreview *self, double fps)
{
  g_return_if_fail (INK_IS_PREVIEW (self));
  fps = CLAMP (fps, 1.0, 50.0);
  if (self->fps == fps)
    return;
  self->fps = fps;
  self->start_time = -1;   /* continue from the frame on screen at the new rate */
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FPS]);
}

double
ink_preview_get_fps (InkPreview *self)
{
  return self->fps;
}

void
ink_preview_set_playing (InkPreview *self, gboolean playing)
{
  g_return_if_fail (INK_IS_PREVIEW (self));
  playing = !!playing;
  if (self->playing == playing)
    return;
  self->playing = playing;
  self->start_time = -1;
  update_ticking (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PLAYING]);
}

gboolean
ink_preview_get_playing (InkPreview *self)
{
  return self->playing;
}

void
ink_preview_set_frame (InkPreview *self, int index)
{
  g_return_if_fail (INK_IS_PREVIEW (self));
  if (self->shown.n_frames <= 0)
    return;
  index = ((index % self->shown.n_frames) + self->shown.n_frames) % self->shown.n_frames;
  self->start_time = -1;
  if (self->frame == index)
    return;
  self->frame = index;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FRAME]);
}

int
ink_preview_get_frame (InkPreview *self)
{
  return self->frame;
}

void
ink_preview_step (InkPreview *self, int delta)
{
  ink_preview_set_playing (self, FALSE);
  ink_preview_set_frame (self, self->frame + delta);
}

void
ink_preview_set_onion_skin (InkPreview *self, gboolean onion_skin)
{
  g_return_if_fail (INK_IS_PREVIEW (self));
  onion_skin = !!onion_skin;
  if (self->onion_skin == onion_skin)
    return;
  self->onion_skin = onion_skin;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ONION_SKIN]);
}

gboolean
ink_preview_get_onion_skin (InkPreview *self)
{
  return self->onion_skin;
}

void
ink_preview_set_compare (InkPreview *self, gboolean compare)
{
  g_return_if_fail (INK_IS_PREVIEW (self));
  compare = !!compare;
  if (self->compare == compare)
    return;
  self->compare = compare;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPARE]);
}

gboolean
ink_preview_get_compare (InkPreview *self)
{
  return self->compare;
}

void
ink_preview_set_split (InkPreview *self, double split)
{
  self->split = CLAMP (split, 0.0, 1.0);
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

double
ink_preview_get_split (InkPreview *self)
{
  return self->split;
}
