/* project-common.h: what the project tests share: temporary folders, files, comparisons, a project that sets every field. */
#pragma once

#include <json-glib/json-glib.h>

#include "project.h"
#include "tmp-folder.h"

/* The start of a format-1 project, for the bad-file tables. */
#define HEAD "{\"format\": \"inkloop-project\", \"version\": 1, \"source\": \"photo.png\""

void write_text (const char *path, const char *text, gssize length);

JsonObject *parse_file (JsonParser *parser, const char *path);

gsize field_size (const InkParamSpec *spec);

/* Every field of the table bit for bit; names the first that differs. */
void assert_params_equal (const InkParamSpec *specs, guint n_specs, const void *a, const void *b);

void assert_params_all_differ (const InkParamSpec *specs, guint n_specs, const void *a, const void *b);

void assert_images_equal (const InkImage *a, const InkImage *b);

void assert_projects_equal (const InkProject *a, const InkProject *b);

InkProject *save_and_load (const InkProject *project, const char *path);

/* A grey mask with values that need 16 bits. */
InkImage *make_grey_mask (int width, int height);

/* A project with every field away from its default, and awkward floats. */
InkProject *make_project (const char *source);
