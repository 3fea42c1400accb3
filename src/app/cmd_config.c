/* cmd_config.c: `quoter config`: list the keys, or print the effective configuration. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: quoter config [--keys] [-c CONFIG] [--set section.key=value]\n"
    "\n"
    "Prints the effective configuration (defaults, then CONFIG, then --set) as INI.\n"
    "With --keys, lists every key with its default and meaning.\n";

int cmd_config(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--keys")) {
            config_print_help();
            return 0;
        }
    static cli_common_t c;
    int rc = cli_parse(&c, argc, argv, usage);
    if (rc) return rc;
    config_print(&c.cfg, stdout);
    return 0;
}
