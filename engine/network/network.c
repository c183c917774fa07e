/* network.c: a network model read from safetensors (its graph in the metadata), checked whole when
 * opened, and run layer by layer with nn-layers.c. */
#include "network.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "color.h"
#include "ink-error.h"
#include "json-check.h"
#include "nn-layers.h"
#include "safetensors.h"

typedef enum {
  OP_CONV, OP_ACTIVATION, OP_ADD, OP_CONCAT, OP_UPSAMPLE, OP_WARP, OP_BOX, OP_GUIDED, OP_NORM,
  OP_COUNT
} Op;

static const char *const op_names[] = {
  "conv2d", "activation", "add", "concat", "upsample", "warp", "box_filter", "guided_filter",
  "group_norm",
};
static const int op_inputs[] = { 1, 1, 2, 2, 1, 2, 1, 2, 1 };
static const char *const act_names[] = { "none", "relu", "leaky_relu", "tanh", "sigmoid" };

/* A named value of the graph: channels and size divisor. A value that a concatenation puts
 * first or second is kept in place in the concatenation's own buffer (PARENT), from its plane
 * PLANE on, so the concatenation costs nothing. */
typedef struct {
  char *name;
  int c, scale;
  int parent, plane;      /* set by fuse (); PARENT -1: its own buffer */
} Value;

typedef struct {
  Op op;
  int in[2];              /* value indices */
  int out;
  InkConvSpec conv;       /* OP_CONV */
  InkAct act;
  float alpha, eps;
  int radius, groups;
  gboolean bilinear;
  const InkTensorInfo *weight, *bias;   /* OP_CONV, OP_NORM (NULL: none) */
  gsize w_off;            /* in the packed weights */
  /* An upsampling or a convolution whose result only the next layer, a sum, reads: both run
   * as one pass, adding value ADD_WITH into the sum's output ADD_OUT, and the sum is SKIPPED
   * (and FUSED: it runs after all where the caller keeps the value it would have read). -1: not
   * fused. A concatenation whose inputs are made in place (Value.parent) is SKIPPED too. */
  int add_with, add_out;
  gboolean skipped, fused;
} Layer;

struct InkNetwork {
  char *path;
  char *name;
  InkSafetensors *file;
  GArray *values;         /* Value; the inputs first */
  guint n_inputs;
  int output;
  GArray *layers;         /* Layer */
  gsize packed;           /* floats of packed weights */
  int multiple;
  gboolean tileable;      /* no layer needs the whole picture (group_norm does) */
};

struct InkNetworkRunner {
  InkNetwork *net;
  InkCompute *compute;
  InkBuffer *weights;
  gboolean half;          /* values kept as halves (ink_network_runner_set_half) */
  gboolean half_math;     /* and convolutions computed in halves (ink_network_runner_set_half_math) */
  int built_h, built_w;   /* the size whose pipelines were built together (build_pipelines) */
};

static gboolean
fail (GError **error, InkNetwork *net, int layer, const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError **error, InkNetwork *net, int layer, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;
  g_autofree char *where = layer >= 0 ? g_strdup_printf ("layer %d: ", layer + 1) : g_strdup ("");

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, INK_ERROR, INK_ERROR_DECODE, "%s is not a usable Inkloop network: %s%s",
               net->path, where, what);
  return FALSE;
}

static int
find_value (InkNetwork *net, const char *name)
{
  for (guint i = 0; i < net->values->len; i++)
    if (g_str_equal (g_array_index (net->values, Value, i).name, name))
      return i;
  return -1;
}

static Value *
value_at (InkNetwork *net, int i)
{
  return &g_array_index (net->values, Value, i);
}

/* An integer member in LO .. HI, or DEFAULT when absent (-1: required). */
static gboolean
get_int (InkNetwork *net, int layer, JsonObject *o, const char *key, gint64 fallback, gint64 lo,
         gint64 hi, int *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, key);
  gint64 v = fallback;

  if (n != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
        return fail (error, net, layer, "\"%s\" is not an integer", key);
      v = json_node_get_int (n);
    }
  else if (fallback == -1)
    return fail (error, net, layer, "\"%s\" is missing", key);
  if (v < lo || v > hi)
    return fail (error, net, layer, "\"%s\" is %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT
                 " .. %" G_GINT64_FORMAT, key, v, lo, hi);
  *out = v;
  return TRUE;
}

static gboolean
get_float (InkNetwork *net, int layer, JsonObject *o, const char *key, double fallback,
           double lo, double hi, float *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, key);
  double v = fallback;

  if (n != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (n) || (json_node_get_value_type (n) != G_TYPE_DOUBLE
                                         && json_node_get_value_type (n) != G_TYPE_INT64))
        return fail (error, net, layer, "\"%s\" is not a number", key);
      v = json_node_get_double (n);
    }
  if (!(v >= lo && v <= hi))
    return fail (error, net, layer, "\"%s\" is %g, not %g .. %g", key, v, lo, hi);
  *out = v;
  return TRUE;
}

/* A string member; FALLBACK when absent (NULL: required). */
static const char *
get_string (InkNetwork *net, int layer, JsonObject *o, const char *key, const char *fallback,
            GError **error)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL)
    {
      if (fallback == NULL)
        fail (error, net, layer, "\"%s\" is missing", key);
      return fallback;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      fail (error, net, layer, "\"%s\" is not a string", key);
      return NULL;
    }
  return json_node_get_string (n);
}

/* A string among NAMES (N of them); its index, or -1. */
static int
get_choice (InkNetwork *net, int layer, JsonObject *o, const char *key, const char *fallback,
            const char *const *names, int n, GError **error)
{
  const char *s = get_string (net, layer, o, key, fallback, error);

  if (s == NULL)
    return -1;
  for (int i = 0; i < n; i++)
    if (g_str_equal (s, names[i]))
      return i;
  fail (error, net, layer, "\"%s\" is \"%s\", which is not known here", key, s);
  return -1;
}

/* A weight tensor by the name in member KEY, of RANK dimensions SHAPE, F32 or F16; *OUT NULL when
 * the member is absent and OPTIONAL. */
static gboolean
get_weight (InkNetwork *net, int layer, JsonObject *o, const char *key, gboolean optional,
            int rank, const gint64 *shape, const InkTensorInfo **out, GError **error)
{
  const char *name = get_string (net, layer, o, key, optional ? "" : NULL, error);
  const InkTensorInfo *t;

  *out = NULL;
  if (name == NULL)
    return FALSE;
  if (*name == '\0' && optional)
    return TRUE;
  t = ink_safetensors_find (net->file, name);
  if (t == NULL)
    return fail (error, net, layer, "the weights have no tensor \"%s\"", name);
  if (t->dtype != INK_DTYPE_F32 && t->dtype != INK_DTYPE_F16)
    return fail (error, net, layer, "tensor \"%s\" is %s, not F32 or F16", name,
                 ink_dtype_name (t->dtype));
  if (t->rank != rank || memcmp (t->shape, shape, rank * sizeof (gint64)) != 0)
    {
      GString *want = g_string_new (NULL);
      for (int i = 0; i < rank; i++)
        g_string_append_printf (want, "%s%" G_GINT64_FORMAT, i ? " x " : "", shape[i]);
      fail (error, net, layer, "tensor \"%s\" should be %s", name, want->str);
      g_string_free (want, TRUE);
      return FALSE;
    }
  *out = t;
  return TRUE;
}

/* The layer's inputs: "in" names N values already defined. */
static gboolean
read_inputs (InkNetwork *net, int index, JsonObject *o, int n, Layer *layer, GError **error)
{
  JsonNode *in = json_object_get_member (o, "in");
  const char *names[2] = { NULL, NULL };

  if (in != NULL && n == 1 && JSON_NODE_HOLDS_VALUE (in)
      && json_node_get_value_type (in) == G_TYPE_STRING)
    names[0] = json_node_get_string (in);
  else if (in != NULL && JSON_NODE_HOLDS_ARRAY (in)
           && json_array_get_length (json_node_get_array (in)) == (guint) n)
    for (int i = 0; i < n; i++)
      {
        JsonNode *e = json_array_get_element (json_node_get_array (in), i);
        if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
          names[i] = json_node_get_string (e);
      }
  for (int i = 0; i < n; i++)
    {
      if (names[i] == NULL)
        return fail (error, net, index, "\"in\" should name %d value%s", n, n > 1 ? "s" : "");
      layer->in[i] = find_value (net, names[i]);
      if (layer->in[i] < 0)
        return fail (error, net, index, "\"%s\" is not an input or an earlier layer's output",
                     names[i]);
    }
  return TRUE;
}

/* Reads one layer, checks it against its inputs and weights, and defines its output. */
static gboolean
read_layer (InkNetwork *net, int index, JsonNode *node, GError **error)
{
  JsonObject *o;
  Layer layer = { .in = { -1, -1 } };
  Value out = { 0 };
  const Value *a, *b = NULL;
  const char *out_name;
  int op;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, net, index, "not an object");
  o = json_node_get_object (node);
  op = get_choice (net, index, o, "op", NULL, op_names, OP_COUNT, error);
  if (op < 0)
    return FALSE;
  layer.op = op;
  if (!read_inputs (net, index, o, op_inputs[op], &layer, error))
    return FALSE;
  out_name = get_string (net, index, o, "out", NULL, error);
  if (out_name == NULL)
    return FALSE;
  if (find_value (net, out_name) >= 0)
    return fail (error, net, index, "\"%s\" is defined twice", out_name);
  a = value_at (net, layer.in[0]);
  if (op_inputs[op] == 2)
    b = value_at (net, layer.in[1]);
  out = (Value) { .c = a->c, .scale = a->scale };

  if (op == OP_CONV || op == OP_ACTIVATION || op == OP_ADD || op == OP_NORM)
    {
      int act = get_choice (net, index, o, "activation", "none", act_names,
                            G_N_ELEMENTS (act_names), error);
      if (act < 0 || !get_float (net, index, o, "alpha", 0.2, -1e3, 1e3, &layer.alpha, error))
        return FALSE;
      layer.act = act;
    }
  if (b != NULL && (a->scale != b->scale))
    return fail (error, net, index, "its inputs are of different sizes");

  switch (layer.op)
    {
    case OP_CONV:
      {
        InkConvSpec *s = &layer.conv;
        int pad;
        const char *why;
        if (!get_int (net, index, o, "kernel", -1, 1, 7, &s->kernel, error)
            || !get_int (net, index, o, "stride", 1, 1, 2, &s->stride, error)
            || !get_int (net, index, o, "dilation", 1, 1, 2, &s->dilation, error)
            || !get_int (net, index, o, "groups", 1, 1, 4096, &s->groups, error))
          return FALSE;
        pad = get_choice (net, index, o, "padding", "zero", (const char *[]) { "zero", "reflect" },
                          2, error);
        if (pad < 0)
          return FALSE;
        s->reflect = pad == 1;
        s->in_c = a->c;
        s->act = layer.act;
        s->alpha = layer.alpha;
        {
          const InkTensorInfo *w = ink_safetensors_find (net->file,
                                     get_string (net, index, o, "weight", "", NULL));
          s->out_c = w != NULL && w->rank == 4 ? (int) MIN (w->shape[0], 65536) : 0;
        }
        why = ink_conv_spec_check (s);
        if (why != NULL && s->out_c > 0)
          return fail (error, net, index, "%s", why);
        if (!get_weight (net, index, o, "weight", FALSE, 4,
                         (gint64[]) { MAX (s->out_c, 1), a->c / s->groups, s->kernel, s->kernel },
                         &layer.weight, error)
            || !get_weight (net, index, o, "bias", TRUE, 1, (gint64[]) { s->out_c }, &layer.bias,
                            error))
          return FALSE;
        s->bias = layer.bias != NULL;
        out.c = s->out_c;
        out.scale = a->scale * s->stride;
        layer.w_off = net->packed;
        net->packed += ink_conv_packed_size (s);
      }
      break;
    case OP_ADD:
      if (a->c != b->c)
        return fail (error, net, index, "it adds %d channels to %d", a->c, b->c);
      break;
    case OP_CONCAT:
      out.c = a->c + b->c;
      break;
    case OP_UPSAMPLE:
      {
        int mode = get_choice (net, index, o, "mode", NULL,
                               (const char *[]) { "nearest", "bilinear" }, 2, error);
        if (mode < 0)
          return FALSE;
        if (a->scale % 2 != 0)
          return fail (error, net, index, "it would make a value larger than the picture");
        layer.bilinear = mode == 1;
        out.scale = a->scale / 2;
      }
      break;
    case OP_WARP:
      if (b->c != 2)
        return fail (error, net, index, "the flow has %d channels, not 2", b->c);
      break;
    case OP_BOX:
      if (!get_int (net, index, o, "radius", -1, 0, 64, &layer.radius, error))
        return FALSE;
      break;
    case OP_GUIDED:
      if (!get_int (net, index, o, "radius", -1, 0, 64, &layer.radius, error)
          || !get_float (net, index, o, "eps", -1.0, 1e-12, 1e6, &layer.eps, error))
        return FALSE;
      if (a->c != 1 && a->c != b->c)
        return fail (error, net, index, "the guide has %d channels, not 1 or %d", a->c, b->c);
      out.c = b->c;
      break;
    case OP_NORM:
      if (!get_int (net, index, o, "groups", -1, 1, a->c, &layer.groups, error)
          || !get_float (net, index, o, "eps", 1e-5, 1e-12, 1.0, &layer.eps, error))
        return FALSE;
      if (a->c % layer.groups != 0)
        return fail (error, net, index, "%d channels do not divide into %d groups", a->c,
                     layer.groups);
      if (!get_weight (net, index, o, "weight", TRUE, 1, (gint64[]) { a->c }, &layer.weight, error)
          || !get_weight (net, index, o, "bias", layer.weight == NULL, 1, (gint64[]) { a->c },
                          &layer.bias, error))
        return FALSE;
      if (layer.weight == NULL && layer.bias != NULL)
        return fail (error, net, index, "a bias without a weight");
      net->tileable = FALSE;
      if (layer.weight != NULL)
        {
          layer.w_off = net->packed;
          net->packed += 2 * a->c;
        }
      break;
    default:
      break;
    }
  if (out.scale > 64)
    return fail (error, net, index, "more than 6 halvings of the picture");
  if (net->packed > (gsize) G_MAXINT32 / 2)
    return fail (error, net, index, "too many weights");
  out.name = g_strdup (out_name);
  layer.out = net->values->len;
  g_array_append_val (net->values, out);
  g_array_append_val (net->layers, layer);
  net->multiple = MAX (net->multiple, out.scale);
  return TRUE;
}

/* The list in member KEY, of 1 to MAX entries; NULL (and an error) when it is not one. */
static JsonArray *
get_list (InkNetwork *net, JsonObject *o, const char *key, guint max, GError **error)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n)
      || json_array_get_length (json_node_get_array (n)) < 1
      || json_array_get_length (json_node_get_array (n)) > max)
    {
      fail (error, net, -1, "\"%s\" is not a list of 1 to %u %s", key, max, key);
      return NULL;
    }
  return json_node_get_array (n);
}

static gboolean
read_graph (InkNetwork *net, const char *text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  JsonObject *o;
  JsonNode *n;
  JsonArray *inputs, *layers;
  const char *s;
  int version;

  if (!ink_json_check (text, strlen (text), 64, &local))
    return fail (error, net, -1, "the graph: %s", local->message);
  if (!json_parser_load_from_data (parser, text, -1, &local))
    return fail (error, net, -1, "the graph: %s", local->message);
  n = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (n))
    return fail (error, net, -1, "the graph is not an object");
  o = json_node_get_object (n);
  s = get_string (net, -1, o, "format", "", error);
  if (s == NULL || !g_str_equal (s, "inkloop-network"))
    return fail (error, net, -1, "the graph's format is not \"inkloop-network\"");
  if (!get_int (net, -1, o, "version", -1, 1, 1, &version, error))
    return FALSE;
  s = get_string (net, -1, o, "name", "unnamed", error);
  if (s == NULL)
    return FALSE;
  net->name = g_strdup (s);

  inputs = get_list (net, o, "inputs", INK_NETWORK_MAX_INPUTS, error);
  if (inputs == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (inputs); i++)
    {
      JsonNode *e = json_array_get_element (inputs, i);
      Value v = { 0 };
      if (!JSON_NODE_HOLDS_OBJECT (e))
        return fail (error, net, -1, "input %u is not an object", i + 1);
      s = get_string (net, -1, json_node_get_object (e), "name", NULL, error);
      if (s == NULL
          || !get_int (net, -1, json_node_get_object (e), "channels", -1, 1, 4096, &v.c, error)
          || !get_int (net, -1, json_node_get_object (e), "scale", 1, 1, 64, &v.scale, error))
        return FALSE;
      if (find_value (net, s) >= 0)
        return fail (error, net, -1, "input \"%s\" is defined twice", s);
      if (i == 0 && v.scale != 1)
        return fail (error, net, -1, "the first input (the picture) must have scale 1");
      v.name = g_strdup (s);
      g_array_append_val (net->values, v);
      net->multiple = MAX (net->multiple, v.scale);
    }
  net->n_inputs = net->values->len;

  layers = get_list (net, o, "layers", INK_NETWORK_MAX_LAYERS, error);
  if (layers == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (layers); i++)
    if (!read_layer (net, i, json_array_get_element (layers, i), error))
      return FALSE;

  s = get_string (net, -1, o, "output", NULL, error);
  if (s == NULL)
    return FALSE;
  net->output = find_value (net, s);
  if (net->output < (int) net->n_inputs)
    return fail (error, net, -1, "the output \"%s\" is no layer's output", s);
  if (value_at (net, net->output)->scale != 1)
    return fail (error, net, -1, "the output is not of the picture's size");
  return TRUE;
}

static void
clear_value (gpointer p)
{
  g_free (((Value *) p)->name);
}

/* The network of FILE (taken), named PATH in messages. */
/* Whether a layer from FROM on, or the output, reads VALUE. */
static gboolean
read_from (InkNetwork *net, guint from, int value)
{
  if (value == net->output)
    return TRUE;
  for (guint i = from; i < net->layers->len; i++)
    {
      const Layer *l = &g_array_index (net->layers, Layer, i);
      if (l->in[0] == value || l->in[1] == value)
        return TRUE;
    }
  return FALSE;
}

/* Marks the upsamplings that run with the sum after them (Layer.add_with), and the
 * concatenations whose inputs can be made in place (Value.parent): both inputs made by layers
 * (the network's inputs are uploaded on their own), different, and neither already placed in
 * another concatenation or holding values of its own. */
static void
fuse (InkNetwork *net)
{
  g_autofree gboolean *holds = g_new0 (gboolean, net->values->len);

  for (guint i = 0; i < net->values->len; i++)
    g_array_index (net->values, Value, i).parent = -1;
  for (guint i = 0; i < net->layers->len; i++)
    {
      Layer *l = &g_array_index (net->layers, Layer, i);
      l->add_with = l->add_out = -1;
      l->skipped = l->fused = FALSE;
    }
  for (guint i = 0; i + 1 < net->layers->len; i++)
    {
      Layer *l = &g_array_index (net->layers, Layer, i);
      Layer *n = &g_array_index (net->layers, Layer, i + 1);

      if ((l->op != OP_UPSAMPLE && l->op != OP_CONV) || n->op != OP_ADD
          || n->act != INK_ACT_NONE || (n->in[0] == l->out) == (n->in[1] == l->out)
          || read_from (net, i + 2, l->out))
        continue;
      l->add_with = n->in[0] == l->out ? n->in[1] : n->in[0];
      l->add_out = n->out;
      n->skipped = n->fused = TRUE;
    }
  for (guint i = 0; i < net->layers->len; i++)
    {
      Layer *l = &g_array_index (net->layers, Layer, i);
      Value *a, *b;

      if (l->op != OP_CONCAT || l->in[0] == l->in[1] || l->in[0] < (int) net->n_inputs
          || l->in[1] < (int) net->n_inputs || holds[l->in[0]] || holds[l->in[1]])
        continue;
      a = &g_array_index (net->values, Value, l->in[0]);
      b = &g_array_index (net->values, Value, l->in[1]);
      if (a->parent >= 0 || b->parent >= 0)
        continue;
      a->parent = b->parent = l->out;
      a->plane = 0;
      b->plane = a->c;
      holds[l->out] = TRUE;
      l->skipped = TRUE;
    }
}

static InkNetwork *
network_new (InkSafetensors *file, const char *path, GError **error)
{
  InkNetwork *net = g_new0 (InkNetwork, 1);
  const char *graph;

  net->path = g_strdup (path);
  net->multiple = 1;
  net->tileable = TRUE;
  net->values = g_array_new (FALSE, TRUE, sizeof (Value));
  g_array_set_clear_func (net->values, clear_value);
  net->layers = g_array_new (FALSE, TRUE, sizeof (Layer));
  net->file = file;
  if (net->file == NULL)
    goto error;
  graph = ink_safetensors_metadata (net->file, "inkloop.graph");
  if (graph == NULL)
    {
      fail (error, net, -1, "its metadata has no \"inkloop.graph\"");
      goto error;
    }
  if (!read_graph (net, graph, error))
    goto error;
  fuse (net);
  return net;

error:
  ink_network_free (&net);
  return NULL;
}

InkNetwork *
ink_network_open (const char *path, GError **error)
{
  return network_new (ink_safetensors_open (path, error), path, error);
}

InkNetwork *
ink_network_new_from_data (const guint8 *data, gsize length, const char *name, GError **error)
{
  return network_new (ink_safetensors_new_from_data (data, length, name, error), name, error);
}

void
ink_network_free (InkNetwork **pnet)
{
  InkNetwork *net = *pnet;

  if (net == NULL)
    return;
  ink_safetensors_free (&net->file);
  g_array_free (net->values, TRUE);
  g_array_free (net->layers, TRUE);
  g_free (net->name);
  g_free (net->path);
  g_free (net);
  *pnet = NULL;
}

const char *
ink_network_name (InkNetwork *net)
{
  return net->name;
}

guint
ink_network_n_inputs (InkNetwork *net)
{
  return net->n_inputs;
}

const char *
ink_network_metadata (InkNetwork *net, const char *key)
{
  return ink_safetensors_metadata (net->file, key);
}

int
ink_network_value_index (InkNetwork *net, const char *name)
{
  for (guint i = 0; i < net->values->len; i++)
    if (g_strcmp0 (value_at (net, i)->name, name) == 0)
      return (int) i;
  return -1;
}

int
ink_network_value_channels (InkNetwork *net, int value)
{
  g_return_val_if_fail (value >= 0 && (guint) value < net->values->len, 0);
  return value_at (net, value)->c;
}

int
ink_network_value_scale (InkNetwork *net, int value)
{
  g_return_val_if_fail (value >= 0 && (guint) value < net->values->len, 1);
  return value_at (net, value)->scale;
}

int
ink_network_input_channels (InkNetwork *net, guint i)
{
  g_return_val_if_fail (i < net->n_inputs, 0);
  return value_at (net, i)->c;
}

int
ink_network_input_scale (InkNetwork *net, guint i)
{
  g_return_val_if_fail (i < net->n_inputs, 0);
  return value_at (net, i)->scale;
}

int
ink_network_output_channels (InkNetwork *net)
{
  return value_at (net, net->output)->c;
}

int
ink_network_multiple (InkNetwork *net)
{
  return net->multiple;
}

guint
ink_network_n_layers (InkNetwork *net)
{
  return net->layers->len;
}

static const Layer *
layer_at (InkNetwork *net, guint i)
{
  return &g_array_index (net->layers, Layer, i);
}

const char *
ink_network_layer_op (InkNetwork *net, guint i)
{
  g_return_val_if_fail (i < net->layers->len, NULL);
  return op_names[layer_at (net, i)->op];
}

const char *
ink_network_layer_name (InkNetwork *net, guint i)
{
  g_return_val_if_fail (i < net->layers->len, NULL);
  return value_at (net, layer_at (net, i)->out)->name;
}

double
ink_network_layer_macs (InkNetwork *net, guint i, int h, int w)
{
  const Layer *l = layer_at (net, i);
  const Value *a = value_at (net, l->in[0]);

  return l->op == OP_CONV ? ink_conv_macs (&l->conv, h / a->scale, w / a->scale) : 0.0;
}

gsize
ink_network_parameters (InkNetwork *net)
{
  gsize n = 0;

  for (guint i = 0; i < net->layers->len; i++)
    {
      const Layer *l = layer_at (net, i);
      if (l->weight != NULL)
        n += l->weight->size / ink_dtype_size (l->weight->dtype);
      if (l->bias != NULL)
        n += l->bias->size / ink_dtype_size (l->bias->dtype);
    }
  return n;
}

/* Running ---------------------------------------------------------------------------------------- */

/* A tensor's values as floats (F32 or F16, little-endian, unaligned). */
static float *
read_floats (InkNetwork *net, const InkTensorInfo *t)
{
  const guint8 *data = ink_safetensors_data (net->file, t);
  gsize n = t->size / ink_dtype_size (t->dtype);
  float *v = g_new (float, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    if (t->dtype == INK_DTYPE_F16)
      v[i] = ink_half_to_float (GUINT16_FROM_LE (((guint16) data[2 * i + 1] << 8) | data[2 * i]));
    else
      {
        guint32 bits = GUINT32_FROM_LE ((guint32) data[4 * i] | (guint32) data[4 * i + 1] << 8
                                        | (guint32) data[4 * i + 2] << 16
                                        | (guint32) data[4 * i + 3] << 24);
        memcpy (&v[i], &bits, 4);
      }
  return v;
}

InkNetworkRunner *
ink_network_runner_new (InkNetwork *net, InkCompute *compute, GError **error)
{
  InkNetworkRunner *r = g_new0 (InkNetworkRunner, 1);
  g_autofree float *packed = g_new0 (float, MAX (net->packed, 1));

  r->net = net;
  r->compute = compute;
  for (guint i = 0; i < net->layers->len; i++)
    {
      const Layer *l = layer_at (net, i);
      g_autofree float *w = l->weight != NULL ? read_floats (net, l->weight) : NULL;
      g_autofree float *b = l->bias != NULL ? read_floats (net, l->bias) : NULL;

      if (l->op == OP_CONV)
        ink_conv_pack (&l->conv, w, b, packed + l->w_off);
      else if (l->op == OP_NORM && w != NULL)
        {
          int c = value_at (net, l->in[0])->c;
          memcpy (packed + l->w_off, w, c * sizeof (float));
          for (int k = 0; k < c; k++)
            packed[l->w_off + c + k] = b != NULL ? b[k] : 0.0f;
        }
    }
  r->weights = ink_buffer_new (compute, MAX (net->packed, 1) * sizeof (float), "network weights",
                               error);
  if (r->weights == NULL || !ink_compute_begin (compute, error)
      || !ink_compute_upload (compute, r->weights, packed, net->packed * sizeof (float), error)
      || !ink_compute_finish (compute, error))
    ink_network_runner_free (&r);
  return r;
}

void
ink_network_runner_free (InkNetworkRunner **pr)
{
  InkNetworkRunner *r = *pr;

  if (r == NULL)
    return;
  ink_buffer_free (&r->weights);
  g_free (r);
  *pr = NULL;
}

/* Runs layer L on the values T; UNFUSED: each layer on its own (the value a fused pass skips is
 * wanted). */
static gboolean
run_layer (InkNetworkRunner *r, const Layer *l, InkTensor *t, gboolean unfused, GError **error)
{
  InkCompute *c = r->compute;
  InkTensor *a = &t[l->in[0]], *b = l->in[1] >= 0 ? &t[l->in[1]] : NULL, *out = &t[l->out];
  gboolean with_add = l->add_with >= 0 && !unfused;

  /* Done by the layer before it, or by its inputs in place. */
  if (l->skipped && !(l->fused && unfused))
    return TRUE;
  switch (l->op)
    {
    case OP_CONV:
      if (with_add)
        return ink_nn_conv2d_add (c, &l->conv, a, r->weights, l->w_off, &t[l->add_with],
                                  &t[l->add_out], error);
      return ink_nn_conv2d (c, &l->conv, a, r->weights, l->w_off, out, error);
    case OP_ACTIVATION:
      return ink_nn_copy (c, l->act, l->alpha, a, out, error);
    case OP_ADD:
      return ink_nn_add (c, l->act, l->alpha, a, b, out, error);
    case OP_CONCAT:
      return ink_nn_concat (c, a, b, out, error);
    case OP_UPSAMPLE:
      if (with_add)
        return ink_nn_upsample2x_add (c, l->bilinear, a, &t[l->add_with], &t[l->add_out], error);
      return ink_nn_upsample2x (c, l->bilinear, a, out, error);
    case OP_WARP:
      return ink_nn_warp (c, a, b, out, error);
    case OP_BOX:
      return ink_nn_box (c, l->radius, a, out, error);
    case OP_GUIDED:
      return ink_nn_guided (c, l->radius, l->eps, a, b, out, error);
    case OP_NORM:
      return ink_nn_group_norm (c, l->groups, l->eps, l->weight != NULL ? r->weights : NULL,
                                l->w_off, l->act, l->alpha, a, out, error);
    default:
      g_assert_not_reached ();
    }
}

gboolean
ink_network_runner_set_half (InkNetworkRunner *r, gboolean half, GError **error)
{
  if (half && !ink_compute_has_half_texels (r->compute))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DEVICE,
                   "%s keeps no half-precision texel buffers; run the network in fp32",
                   ink_compute_device_name (r->compute));
      return FALSE;
    }
  r->half = half;
  return TRUE;
}

gboolean
ink_network_runner_is_half (InkNetworkRunner *r)
{
  return r->half;
}

gboolean
ink_network_runner_set_half_math (InkNetworkRunner *r, gboolean half_math, GError **error)
{
  if (half_math && !ink_compute_has_half_math (r->compute))
    {
      g_set_error (error, INK_ERROR, INK_ERROR_DEVICE,
                   "%s does not compute in half precision (no shaderFloat16); run the network "
                   "in fp16 storage or fp32", ink_compute_device_name (r->compute));
      return FALSE;
    }
  r->half_math = half_math;
  return TRUE;
}

gboolean
ink_network_runner_is_half_math (InkNetworkRunner *r)
{
  return r->half && r->half_math;
}

/* Halves for a buffer of halves: F's N floats, rounded to nearest. */
static guint16 *
to_halves (const float *f, gsize n)
{
  guint16 *h = g_try_new (guint16, n);

  if (h != NULL)
    for (gsize i = 0; i < n; i++)
      h[i] = ink_float_to_half (f[i]);
  return h;
}

/* Value V (-1: none) not packed, *CHANGED set where it was. */
static void
unpack_value (gboolean *packed, int v, gboolean *changed)
{
  if (v >= 0 && packed[v])
    packed[v] = FALSE, *changed = TRUE;
}

/* Both A and B unpacked where they differ. */
static void
pack_alike (gboolean *packed, int a, int b, gboolean *changed)
{
  if (packed[a] != packed[b])
    {
      unpack_value (packed, a, changed);
      unpack_value (packed, b, changed);
    }
}

/* Which values the layers hand each other packed by 4 channels (InkTensor.packed), on a device
 * where they run so (ink_nn_packs): values of a multiple of 4 channels that convolutions,
 * upsamplings, warps and concatenations made in place pass among themselves, each able to take
 * them packed. A convolution reads its input packed where it runs packed (it packs one that is
 * not); the rest read and write packed values only together: an upsampling's or a warp's input
 * and output (not the flow), a fused sum's addend and output, a concatenation's parts and whole.
 * The network's inputs are uploaded packed where their readers want them so. Not its output or
 * KEEP. UNFUSED: the sums run on their own (Layer.fused). */
static gboolean *
packed_values (InkNetworkRunner *r, int keep, gboolean unfused)
{
  InkNetwork *net = r->net;
  gboolean *packed = g_new0 (gboolean, net->values->len);
  gboolean changed = TRUE;

  if (!ink_nn_packs (r->compute))
    return packed;
  /* Every value of whole texels, to start with: the network's inputs, and what a convolution
   * that can write packed, an upsampling, a warp or a concatenation in place makes; then struck
   * out until every layer reads and writes what it can. */
  for (guint v = 0; v < net->values->len; v++)
    packed[v] = v < net->n_inputs;
  for (guint i = 0; i < net->layers->len; i++)
    {
      const Layer *l = layer_at (net, i);
      gboolean runs = !l->skipped || (l->fused && unfused);

      if ((runs && (l->op == OP_UPSAMPLE || l->op == OP_WARP
                    || (l->op == OP_CONV && ink_nn_conv_writes_packed (r->compute, &l->conv))))
          || (l->op == OP_CONCAT && !runs))
        packed[l->add_with >= 0 && !unfused ? l->add_out : l->out] = TRUE;
    }
  for (guint v = 0; v < net->values->len; v++)
    packed[v] = packed[v] && (int) v != net->output && (int) v != keep
                && value_at (net, v)->c % 4 == 0;
  while (changed)
    {
      changed = FALSE;
      for (guint v = 0; v < net->values->len; v++)
        if (value_at (net, v)->parent >= 0)
          pack_alike (packed, v, value_at (net, v)->parent, &changed);
      for (guint i = 0; i < net->layers->len; i++)
        {
          const Layer *l = layer_at (net, i);
          int add = l->add_with >= 0 && !unfused ? l->add_with : -1;
          int out = add >= 0 ? l->add_out : l->out;

          if (l->skipped && !(l->fused && unfused))
            continue;
          if (l->op == OP_CONV && packed[l->in[0]] && !ink_nn_conv_packs (r->compute, &l->conv))
            unpack_value (packed, l->in[0], &changed);
          if (l->op == OP_UPSAMPLE || l->op == OP_WARP)
            pack_alike (packed, l->in[0], out, &changed);
          if (add >= 0)
            pack_alike (packed, add, out, &changed);
          if (l->op == OP_WARP)
            unpack_value (packed, l->in[1], &changed);
          if (l->op != OP_CONV && l->op != OP_UPSAMPLE && l->op != OP_WARP)
            {
              unpack_value (packed, l->in[0], &changed);
              unpack_value (packed, l->in[1], &changed);
              unpack_value (packed, out, &changed);
            }
        }
    }
  return packed;
}

/* One run over the whole of an H x W picture; KEEP >= 0: value KEEP also fetched into KEPT. */
static gboolean run_whole (InkNetworkRunner *r, const float *const *inputs, int h, int w,
                           float *output, int keep, float *kept, double *layer_ms,
                           GError **error);

/* The first run at a size builds the pipelines it needs all at once, on two threads, in a run
 * that dispatches nothing (ink_compute_collect); otherwise each layer's would be built as it is
 * recorded, one after another: lavapipe took about 300 ms so for the bundled generator's 15 (160 ms together),
 * on the first frame of every CLI run and the editor's first learned preview. */
static gboolean
build_pipelines (InkNetworkRunner *r, const float *const *inputs, int h, int w, float *output,
                 int keep, float *kept, GError **error)
{
  gboolean ok;

  if ((r->built_h == h && r->built_w == w) || !ink_compute_collect (r->compute))
    return TRUE;
  r->built_h = h, r->built_w = w;   /* before the run: it comes back here */
  ok = run_whole (r, inputs, h, w, output, keep, kept, NULL, error);
  return ink_compute_prepare_collected (r->compute, ok ? error : NULL) && ok;
}

static gboolean
run_whole (InkNetworkRunner *r, const float *const *inputs, int h, int w, float *output,
           int keep, float *kept, double *layer_ms, GError **error)
{
  InkNetwork *net = r->net;
  InkCompute *c = r->compute;
  g_autofree InkTensor *t = g_new0 (InkTensor, net->values->len);
  g_autofree guint *first = g_new0 (guint, net->layers->len + 1);
  gsize element = r->half ? 2 : sizeof (float);
  /* With halves, the output and the kept value come back as halves first. */
  g_autofree guint16 *out_h = NULL, *kept_h = NULL;
  gsize out_n, kept_n = 0;
  gboolean unfused = FALSE;
  g_autofree gboolean *packed = NULL;

  if (!build_pipelines (r, inputs, h, w, output, keep, kept, error)
      || !ink_compute_begin (c, error))
    return FALSE;
  ink_compute_set_half_math (c, r->half && r->half_math);
  /* A value kept that a fused pass would skip: every layer runs on its own. */
  for (guint i = 0; i < net->layers->len && keep >= 0; i++)
    unfused = unfused || (layer_at (net, i)->add_with >= 0 && layer_at (net, i)->out == keep);
  packed = packed_values (r, keep, unfused);
  for (guint i = 0; i < net->values->len; i++)
    {
      const Value *v = value_at (net, i);
      t[i] = (InkTensor) { .c = v->c, .h = h / v->scale, .w = w / v->scale, .packed = packed[i] };
      if (v->parent >= 0)
        continue;   /* placed below, in its concatenation's buffer */
      t[i].buffer = ink_compute_scratch (c, ink_tensor_count (&t[i]) * element, v->name, error);
      if (t[i].buffer == NULL)
        return FALSE;   /* the next begin frees what this recording made */
      ink_buffer_set_half (t[i].buffer, r->half);
      if (i < net->n_inputs && !ink_compute_is_collecting (c))   /* nothing to upload then */
        {
          gsize n = ink_tensor_count (&t[i]);
          g_autofree float *texels = NULL;
          const float *values = inputs[i];
          g_autofree guint16 *halves = NULL;

          /* Packed by 4 channels where its readers take it so. */
          if (t[i].packed)
            {
              InkPackPush pack = { .plane = t[i].w * t[i].h, .c = t[i].c };

              values = texels = g_try_new (float, n);
              if (texels == NULL)
                {
                  g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                               "out of memory for the network's input %s", v->name);
                  return FALSE;
                }
              ink_nn_ref_pack ((const void *[]) { inputs[i] }, texels, &pack);
            }
          halves = r->half ? to_halves (values, n) : NULL;
          if ((r->half && halves == NULL)
              || !ink_compute_upload (c, t[i].buffer, r->half ? (const void *) halves : values,
                                      n * element, error))
            {
              if (r->half && halves == NULL)
                g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE,
                             "out of memory for the network's input %s", v->name);
              return FALSE;
            }
        }
    }
  for (guint i = 0; i < net->values->len; i++)
    {
      const Value *v = value_at (net, i);
      if (v->parent >= 0)
        {
          t[i].buffer = t[v->parent].buffer;
          t[i].offset = t[v->parent].offset + (gsize) v->plane * t[i].h * t[i].w;
        }
    }
  for (guint i = 0; i < net->layers->len; i++)
    {
      first[i] = ink_compute_n_recorded (c);
      if (!run_layer (r, layer_at (net, i), t, unfused, error))
        return FALSE;
    }
  first[net->layers->len] = ink_compute_n_recorded (c);
  out_n = ink_tensor_count (&t[net->output]);
  if (keep >= 0)
    kept_n = ink_tensor_count (&t[keep]);
  if (r->half)
    {
      out_h = g_try_new (guint16, out_n);
      kept_h = g_try_new (guint16, MAX (kept_n, 1));
      if (out_h == NULL || kept_h == NULL)
        {
          g_set_error (error, INK_ERROR, INK_ERROR_TOO_LARGE, "out of memory for the network's output");
          return FALSE;
        }
    }
  if (!ink_compute_download_at (c, t[net->output].buffer, t[net->output].offset * element,
                                r->half ? (void *) out_h : output, out_n * element, error)
      || (keep >= 0
          && !ink_compute_download_at (c, t[keep].buffer, t[keep].offset * element,
                                       r->half ? (void *) kept_h : kept, kept_n * element, error))
      || !ink_compute_finish (c, error))
    return FALSE;
  for (gsize i = 0; r->half && i < out_n; i++)
    output[i] = ink_half_to_float (out_h[i]);
  for (gsize i = 0; r->half && i < kept_n; i++)
    kept[i] = ink_half_to_float (kept_h[i]);
  if (layer_ms != NULL)
    {
      const GArray *times = ink_compute_timings (c);
      for (guint i = 0; i < net->layers->len; i++)
        for (guint k = first[i]; k < first[i + 1] && k < times->len; k++)
          layer_ms[i] += g_array_index (times, InkTiming, k).ms;
    }
  return TRUE;
}

/* How far (picture px) an output value can depend on input values, given the largest flow
 * value in the inputs (FLOW_MAX, at each flow's own scale). */
static int
reach (InkNetwork *net, double flow_max)
{
  g_autofree double *r = g_new0 (double, net->values->len);

  for (guint i = 0; i < net->layers->len; i++)
    {
      const Layer *l = layer_at (net, i);
      const Value *a = value_at (net, l->in[0]);
      double ra = r[l->in[0]], rb = l->in[1] >= 0 ? r[l->in[1]] : 0.0, out = MAX (ra, rb);

      switch (l->op)
        {
        case OP_CONV:
          out = ra + (l->conv.dilation * (l->conv.kernel - 1) / 2.0 + 1.0) * a->scale
                * l->conv.stride;
          break;
        case OP_UPSAMPLE:
          out = ra + a->scale;
          break;
        case OP_WARP:
          out = MAX (ra + (flow_max + 1.0) * a->scale, rb);
          break;
        case OP_BOX:
          out = ra + l->radius * a->scale;
          break;
        case OP_GUIDED:
          out = MAX (ra, rb) + 2.0 * l->radius * a->scale;
          break;
        default:
          break;
        }
      r[l->out] = out;
    }
  return (int) ceil (r[net->output]);
}

/* The largest absolute value of the inputs that warps read as flows. */
static double
largest_flow (InkNetwork *net, const float *const *inputs, int h, int w)
{
  double max = 0.0;

  for (guint i = 0; i < net->layers->len; i++)
    {
      const Layer *l = layer_at (net, i);
      if (l->op == OP_WARP && l->in[1] < (int) net->n_inputs)
        {
          const Value *f = value_at (net, l->in[1]);
          gsize n = (gsize) f->c * (h / f->scale) * (w / f->scale);
          for (gsize k = 0; k < n; k++)
            max = MAX (max, fabs (inputs[l->in[1]][k]));
        }
    }
  return max;
}

/* The core of each of the fewest tiles of at most TILE (a multiple of M) that split N evenly,
 * rounded up to a multiple of M. */
static int
even_split (int n, int tile, int m)
{
  int tiles = (n + tile - 1) / tile;

  return ((n + tiles - 1) / tiles + m - 1) / m * m;
}

gboolean
ink_network_run_tiled (InkNetworkRunner *r, const float *const *inputs, int h, int w,
                       float *output, int tile, double *layer_ms, GError **error)
{
  InkNetwork *net = r->net;
  int m = net->multiple, halo, tile_h, tile_w, out_c = value_at (net, net->output)->c;

  if (h <= 0 || w <= 0 || h % m != 0 || w % m != 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s runs on sizes that are multiples of %d, not %d x %d", net->path, m, w, h);
      return FALSE;
    }
  if (layer_ms != NULL)
    memset (layer_ms, 0, net->layers->len * sizeof (double));
  tile = tile / m * m;
  if (!net->tileable || tile <= 0 || (h <= tile && w <= tile))
    return run_whole (r, inputs, h, w, output, -1, NULL, layer_ms, error);

  /* Tiles of at most TILE with a halo of the network's reach, so each tile's core is computed
   * from everything it depends on, as in one run over the whole picture. The cores split each
   * side evenly, so the tiles are all about one size and reuse each other's buffers
   * (ink_compute_scratch): a thin last row of tiles asked for new ones every run. */
  halo = (reach (net, largest_flow (net, inputs, h, w)) + m - 1) / m * m;
  tile_h = even_split (h, tile, m);
  tile_w = even_split (w, tile, m);
  for (int ty = 0; ty < h; ty += tile_h)
    for (int tx = 0; tx < w; tx += tile_w)
      {
        int y0 = MAX (ty - halo, 0), y1 = MIN (ty + tile_h + halo, h);
        int x0 = MAX (tx - halo, 0), x1 = MIN (tx + tile_w + halo, w);
        int th = y1 - y0, tw = x1 - x0;
        const float *part[INK_NETWORK_MAX_INPUTS];
        float *crops[INK_NETWORK_MAX_INPUTS] = { NULL };
        g_autofree float *out = g_new (float, (gsize) out_c * th * tw);
        gboolean ok;

        for (guint i = 0; i < net->n_inputs; i++)
          {
            const Value *v = value_at (net, i);
            int s = v->scale, cw = tw / s, ch = th / s;
            crops[i] = g_new (float, (gsize) v->c * ch * cw);
            for (int c = 0; c < v->c; c++)
              for (int y = 0; y < ch; y++)
                memcpy (crops[i] + ((gsize) c * ch + y) * cw,
                        inputs[i] + ((gsize) c * (h / s) + y0 / s + y) * (w / s) + x0 / s,
                        cw * sizeof (float));
            part[i] = crops[i];
          }
        ok = run_whole (r, part, th, tw, out, -1, NULL, layer_ms, error);
        for (guint i = 0; i < net->n_inputs; i++)
          g_free (crops[i]);
        if (!ok)
          return FALSE;
        for (int c = 0; c < out_c; c++)
          for (int y = ty; y < MIN (ty + tile_h, h); y++)
            memcpy (output + ((gsize) c * h + y) * w + tx,
                    out + ((gsize) c * th + (y - y0)) * tw + (tx - x0),
                    (MIN (tx + tile_w, w) - tx) * sizeof (float));
      }
  return TRUE;
}

gboolean
ink_network_run_keeping (InkNetworkRunner *r, const float *const *inputs, int h, int w,
                         float *output, int keep, float *kept, GError **error)
{
  InkNetwork *net = r->net;

  g_return_val_if_fail (keep >= 0 && (guint) keep < net->values->len, FALSE);
  if (h <= 0 || w <= 0 || h % net->multiple != 0 || w % net->multiple != 0)
    {
      g_set_error (error, INK_ERROR, INK_ERROR_INVALID_PARAM,
                   "%s runs on sizes that are multiples of %d, not %d x %d", net->path,
                   net->multiple, w, h);
      return FALSE;
    }
  return run_whole (r, inputs, h, w, output, keep, kept, NULL, error);
}

gboolean
ink_network_run (InkNetworkRunner *r, const float *const *inputs, int h, int w, float *output,
                 double *layer_ms, GError **error)
{
  /* Values of up to 2^24 floats (64 MB) a tensor: 4K pictures run in tiles. */
  int widest = 1;

  for (guint i = 0; i < r->net->values->len; i++)
    {
      const Value *v = value_at (r->net, i);
      widest = MAX (widest, v->c / (v->scale * v->scale));
    }
  return ink_network_run_tiled (r, inputs, h, w, output,
                                (int) sqrt ((double) (1 << 24) / widest), layer_ms, error);
}
