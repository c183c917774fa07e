/* ink-transport.h: the transport bar under the preview: play/pause, stepping, scrubber, frame number and loop length. */
#pragma once

#include <gtk/gtk.h>

#include "ink-preview.h"

G_BEGIN_DECLS

#define INK_TYPE_TRANSPORT (ink_transport_get_type ())
G_DECLARE_FINAL_TYPE (InkTransport, ink_transport, INK, TRANSPORT, GtkWidget)

GtkWidget *ink_transport_new (void);
void ink_transport_set_preview (InkTransport *self, InkPreview *preview);
GtkWidget *ink_transport_get_scrubber (InkTransport *self);
const char *ink_transport_get_frame_text (InkTransport *self);

G_END_DECLS
