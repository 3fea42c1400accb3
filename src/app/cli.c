/* cli.c: shared option parsing for the subcommands. */
#include "cli.h"

#include "../core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Under --log-json (a command that set the log up so: quoter run) the line is a JSON object
   like every other, errors in the config file and the command line included, so stderr stays
   one object per line; else the text line as always. */
void cli_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (log_format() == LOG_JSON) {
        log_vmsg(LOG_ERROR, "cli", fmt, ap);
    } else {
        fputs("quoter: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    va_end(ap);
}

static int plain_load(void *ctx, config_t *cfg, const char *path, char *err, int errcap) {
    (void)ctx;
    return config_load(cfg, path, err, errcap);
}

int cli_parse(cli_common_t *c, int argc, char **argv, const char *usage) {
    return cli_parse_with(c, argc, argv, usage, plain_load, 0);
}

static int parse(cli_common_t *c, int argc, char **argv, const char *usage, cli_loader_fn load, void *ctx,
                 int resolve);

int cli_parse_with(cli_common_t *c, int argc, char **argv, const char *usage, cli_loader_fn load, void *ctx) {
    return parse(c, argc, argv, usage, load, ctx, 1);
}

int cli_parse_unresolved(cli_common_t *c, int argc, char **argv, const char *usage) {
    return parse(c, argc, argv, usage, plain_load, 0, 0);
}

void cli_fail_config(const cli_common_t *c, const char *err) {
    /* the key the message starts with, and the last --set of it (the one in effect) */
    size_t kl = strcspn(err, " =:");
    for (int i = c->nsets - 1; i >= 0 && kl; i--)
        if (!strncmp(c->sets[i], err, kl) && c->sets[i][kl] == '=') {
            cli_fail("--set %s: %s", c->sets[i], err);
            return;
        }
    cli_fail("%s%s%s", c->config_path ? c->config_path : "", c->config_path ? ": " : "", err);
}

int cli_resolve(cli_common_t *c) {
    char err[512];
    if (config_resolve(&c->cfg, &c->x, err, sizeof err)) {
        cli_fail_config(c, err);
        return 2;
    }
    return 0;
}

static int parse(cli_common_t *c, int argc, char **argv, const char *usage, cli_loader_fn load, void *ctx,
                 int resolve) {
    char err[512];
    memset(c, 0, sizeof *c);
    config_defaults(&c->cfg);
    /* the config file first, so --set overrides it whatever the order on the line */
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            c->config_path = argv[++i];
            if (load(ctx, &c->cfg, c->config_path, err, sizeof err)) {
                cli_fail("%s", err);
                return 2;
            }
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            exit(0);
        } else if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
            if (i + 1 >= argc) { cli_fail("%s needs a file", a); return 2; }
            i++;
        } else if (!strcmp(a, "--set")) {
            if (i + 1 >= argc) { cli_fail("--set needs section.key=value"); return 2; }
            if (config_set(&c->cfg, argv[++i], err, sizeof err)) { cli_fail("%s", err); return 2; }
            if (c->nsets < (int)(sizeof c->sets / sizeof c->sets[0])) c->sets[c->nsets++] = argv[i];
        } else if (!strcmp(a, "--json")) {
            c->json = 1;
        } else if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
            if (i + 1 >= argc) { cli_fail("%s needs a directory", a); return 2; }
            c->out_dir = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            cli_fail("unknown option %s (try --help)", a);
            return 2;
        } else {
            if (c->nfiles == CLI_MAX_FILES) { cli_fail("too many files (at most %d)", CLI_MAX_FILES); return 2; }
            c->files[c->nfiles++] = argv[i];
        }
    }
    return resolve ? cli_resolve(c) : 0;
}
