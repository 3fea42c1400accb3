/* temporary: subcommands not written yet */
#include <stdio.h>
#include <string.h>
#include "cli.h"
static int stub(int argc, char **argv, const char *name) {
    if (argc > 1 && !strcmp(argv[1], "--help")) { printf("usage: quoter %s (not written yet)\n", name); return 0; }
    cli_fail("%s: not written yet", name);
    return 2;
}
int cmd_backtest(int argc, char **argv) { return stub(argc, argv, "backtest"); }
int cmd_synth(int argc, char **argv) { return stub(argc, argv, "synth"); }
