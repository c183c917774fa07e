/* cli-render-clip.c: inkloop-cli render CLIP: a video clip, frame by frame, to a stylized clip. */
#include "cli.h"

#include <unistd.h>

#include "export.h"
#include "ink-error.h"

int
cli_render_clip (const char *input, const char *output, const InkClipRange *range,
                 const InkStyleParams *style, const InkExportParams *export)
{
  g_autoptr (GError) error = NULL;
  InkExportResult result = { 0 };
  CliProgress progress = { .last = -1 };
  InkStylizer *stylizer = NULL;
  gboolean tty = isatty (STDERR_FILENO), done;
  int status;

  stylizer = cli_open_stylizer (&error);
  if (stylizer == NULL)
    return cli_fail (NULL, error);
  done = ink_export_clip (stylizer, input, range, style, output, export,
                          tty ? cli_progress : NULL, &progress, NULL, &result, &error);
  if (tty && progress.last >= 0)
    g_printerr ("\n");
  if (done)
    {
      g_print ("%s\n", result.summary);
      status = EXIT_SUCCESS;
    }
  else
    status = cli_fail (NULL, error);
  ink_export_result_clear (&result);
  ink_stylizer_free (&stylizer);
  return status;
}
