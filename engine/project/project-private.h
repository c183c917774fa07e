/* project-private.h: what the project's reader, writer and API share. */
#pragma once

#include <json-glib/json-glib.h>

#include "project.h"

G_BEGIN_DECLS

#define INK_PROJECT_FORMAT_NAME "inkloop-project"
#define INK_PROJECT_DAMAGED "not an Inkloop project, or the file is damaged"
#define INK_PROJECT_FIX_OR_REMOVE "fix the value, or remove it to use the default"

/* Checks every value a project holds; messages start with the key ("style.line-weight is 9"). */
gboolean ink_project_check_values (const InkProject *project, GError **error);
/* Whether ROOT says it is a project: "format": INK_PROJECT_FORMAT_NAME. */
gboolean ink_project_has_format (JsonObject *root);
/* Fills PROJECT from ROOT, the file's object; DIR is the project's folder, NAME the file's name
 * for messages. */
gboolean ink_project_read (JsonObject *root, InkProject *project, const char *dir,
                           const char *name, GError **error);

G_END_DECLS
