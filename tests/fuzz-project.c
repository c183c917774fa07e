/* fuzz-project.c: libFuzzer target for .inkloop project files (any bytes in, a project or an INK_ERROR out). */
#include <stdint.h>
#include <stdlib.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ink-error.h"
#include "json-check.h"
#include "project.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  const char *text = (const char *) data;
  GError *error = NULL;
  InkProject *project;

  /* The path ink_project_load takes once the file is read; relative names in it (the photo, a
   * mask file) resolve in a folder that does not exist. */
  project = ink_project_load_data (text, size, "fuzz.inkloop", "/nonexistent/inkloop-fuzz", &error);
  if (project != NULL)
    {
      /* A project is whole and within every range: it could be saved as it is. */
      if (error != NULL || project->source == NULL || !g_path_is_absolute (project->source)
          || project->hints == NULL || !ink_style_params_validate (&project->style, NULL)
          || !ink_motion_params_validate (&project->motion, NULL)
          || !ink_motion_hints_validate (project->hints, NULL)
          || project->size < 0 || project->size > INK_IMAGE_MAX_SIDE)
        abort ();
      ink_project_free (&project);
    }
  else if (error == NULL || error->domain != INK_ERROR
           || !g_str_has_prefix (error->message, "fuzz.inkloop")
           || !g_utf8_validate (error->message, -1, NULL))
    abort ();
  g_clear_error (&error);

  /* The strict check and json-glib agree: every text the check passes, json-glib reads. */
  if (ink_json_check (text, size, 32, NULL))
    {
      JsonParser *parser = json_parser_new_immutable ();

      if (!json_parser_load_from_data (parser, text, (gssize) size, NULL))
        abort ();
      g_object_unref (parser);
    }
  return 0;
}
