/* cli.h: what every subcommand shares: `-c FILE`, `--set section.key=value`, positional
 * recording files, and a uniform way to fail with a message. */
#ifndef Q_CLI_H
#define Q_CLI_H

#include "../config/config.h"

#define CLI_MAX_FILES 256

typedef struct cli_common {
    config_t cfg;
    config_exact_t x;
    char *files[CLI_MAX_FILES];
    int nfiles;
    int json;            /* --json */
    const char *out_dir; /* --out DIR */
    const char *config_path;
    const char *sets[64]; /* the --set arguments, for naming where a bad value came from */
    int nsets;
} cli_common_t;

/* Parses the shared options; `extra` handles subcommand options it does not know
 * (returns 1 when it took the option, 0 when unknown). Prints errors, returns 0 or 2. */
int cli_parse(cli_common_t *c, int argc, char **argv, const char *usage);
/* The same, with `load` reading the -c file in place of config_load (the exchange's file
   holds accounts too). */
typedef int (*cli_loader_fn)(void *ctx, config_t *cfg, const char *path, char *err, int errcap);
int cli_parse_with(cli_common_t *c, int argc, char **argv, const char *usage, cli_loader_fn load, void *ctx);
/* cli_parse without the config's resolution, for a command that settles the symbol first
   (backtest and verify take it from the recording); then cli_resolve (prints, returns 0 or 2). */
int cli_parse_unresolved(cli_common_t *c, int argc, char **argv, const char *usage);
int cli_resolve(cli_common_t *c);
/* Prints a config resolution error (err: "section.key = ..."), prefixed by where the key's
   value came from: the --set that gave it, else the -c file. */
void cli_fail_config(const cli_common_t *c, const char *err);
void cli_fail(const char *fmt, ...);

int cmd_verify(int argc, char **argv);
int cmd_backtest(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_exchange(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_record(int argc, char **argv);

#endif
