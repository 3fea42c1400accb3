/* temporary: subcommands not written yet */
#include <stdio.h>
#include <string.h>
#include "cli.h"
int cmd_synth(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) { printf("usage: quoter synth (not written yet)\n"); return 0; }
    cli_fail("synth: not written yet");
    return 2;
}
