/* cli-devices.c: inkloop-cli devices: the Vulkan devices, and the one that would be used. */
#include "cli.h"

#include "vk-context.h"

int
cmd_devices (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = cli_command_context ("",
    "List the Vulkan devices; * marks the one that would be used.",
    NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;

  if (!cli_parse (ctx, &argc, &argv, &error))
    return cli_fail (NULL, error);
  list = ink_vk_list_devices (cli_device_arg, &error);
  if (list == NULL)
    {
      cli_fail (NULL, error);
      g_printerr ("inkloop-cli: the CPU reference path will be used\n");
      return EXIT_FAILURE;
    }
  for (guint i = 0; i < list->len; i++)
    {
      InkVkDeviceInfo *d = g_ptr_array_index (list, i);
      g_print ("%s %u: %s (%s, Vulkan %s, %s)%s\n", d->chosen ? "*" : " ", d->index, d->name,
               d->type, d->api_version, d->driver, d->usable ? "" : " [not usable]");
    }
  return EXIT_SUCCESS;
}
