/* cmd_sweep.c: `quoter sweep`: every combination of a grid of config values, backtested on
 * one decode of the data per group of engines (backtest.h's bt_group_t), results.csv, the
 * best rows, a heatmap; --shard for a part of the grid, --merge to join the parts. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../backtest/backtest.h"
#include "../proto/params.h" /* proto_parse_i64: a number read whole */
#include "cli.h"
#include "recsym.h"

static const char usage[] =
    "usage: quoter sweep -c CONFIG --grid S.K=V1,V2,... [--grid ...] [--set S.K=V]... [--jobs N]\n"
    "                    [--shard I/N] [--split F] [--out DIR] [--rank [-]KEY] [--top N]\n"
    "                    [--heatmap KEY[:S.K1,S.K2]] [--reports] [--quiet] FILE...\n"
    "       quoter sweep --merge DIR... [--out DIR] [--rank [-]KEY] [--top N] [--heatmap ...]\n"
    "\n"
    "Backtests every combination of the grid's values on the recordings. The data is read and\n"
    "decoded once for a whole group of engines, each with its own simulated venue (our orders do\n"
    "not move the replayed market), so a combination costs its engine only; each combination's\n"
    "report is byte for byte what `quoter backtest --json` with the same --set options prints.\n"
    "\n"
    "  -c, --config FILE   the base config; --set S.K=V overrides it for every combination\n"
    "  --grid S.K=V1,V2,.. a key (as --set names it) and its values; several --grid multiply.\n"
    "                      Unknown keys, bad values, empty lists and [market] keys (one decode\n"
    "                      serves every combination) stop the sweep before any work\n"
    "  --jobs N            run the engines on N threads (default 1); each thread decodes the data\n"
    "                      once for its share of the grid\n"
    "  --shard I/N         run only combinations c with c % N == I-1 (I from 1 to N): a part of\n"
    "                      a big grid for another machine; `--merge` joins the parts' folders\n"
    "  --split F           in-sample: the data's first fraction F (0 < F < 1) of its time span;\n"
    "                      out-of-sample: the rest, each engine warmed up on the in-sample book;\n"
    "                      results.csv has both side by side (is.KEY, oos.KEY)\n"
    "  --out DIR           where results.csv, sweep.txt and heatmap PNGs go (default: sweep)\n"
    "  --rank [-]KEY       the column the best rows are chosen by (default return_vs_hold, with\n"
    "                      --split oos.return_vs_hold); -KEY: the smallest is best\n"
    "                      (a numeric column; --rank and --heatmap are checked before any work)\n"
    "  --top N             best rows printed (default 10)\n"
    "  --heatmap KEY[:S.K1,S.K2]  DIR/heatmap-KEY.png: KEY over two grid keys (default the first\n"
    "                      two), each cell the best over the other keys (gnuplot, pngcairo).\n"
    "                      With two or more grid keys one is drawn for --rank's key unasked\n"
    "  --reports           also write DIR/reports/C.json (C-is.json, C-oos.json with --split):\n"
    "                      each combination's report as `quoter backtest --json` prints it\n"
    "  -q, --quiet         no progress line on stderr\n"
    "  --merge DIR...      join the results.csv of shards of one grid into --out's results.csv,\n"
    "                      equal to what one run of the whole grid writes; shards of another\n"
    "                      grid, split, effective config or data (sweep.txt; each row's start_ns,\n"
    "                      end_ns, events), rows not of their shard and missing rows are refused\n"
    "\n"
    "results.csv: one row per combination: combo (its index in the grid, the last --grid varying\n"
    "fastest), the grid's keys, then the report's keys (docs/backtest-report.md), nested ones\n"
    "joined by dots (markouts.1s.mean_bps).\n"
    "\n"
    "Exit status: 0 done, 2 bad usage, grid, config or data.\n";

#define MAX_GRID 16
#define MAX_VALUES 256

typedef struct grid {
    int nkeys;
    char key[MAX_GRID][64];
    int nv[MAX_GRID];
    char *v[MAX_GRID][MAX_VALUES];
    int64_t total;
} grid_t;

typedef struct opts {
    grid_t g;
    int jobs, shard_i, shard_n, reports, quiet, top, merge;
    double split;
    const char *out, *rank, *heatmap;
    char *merge_dirs[CLI_MAX_FILES];
    int nmerge;
    const char *sets[CLI_MAX_FILES]; /* the --set values, for sweep.txt */
    int nsets;
} opts_t;

/* ---- the grid ------------------------------------------------------------------------- */

static int parse_grid(grid_t *g, const char *arg) {
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        cli_fail("--grid %s: want section.key=v1,v2,...", arg);
        return 2;
    }
    if (g->nkeys == MAX_GRID) {
        cli_fail("--grid: at most %d keys", MAX_GRID);
        return 2;
    }
    int k = g->nkeys;
    if ((size_t)(eq - arg) >= sizeof g->key[k]) {
        cli_fail("--grid %s: key too long", arg);
        return 2;
    }
    snprintf(g->key[k], sizeof g->key[k], "%.*s", (int)(eq - arg), arg);
    if (!strchr(g->key[k], '.')) {
        cli_fail("--grid %s: the key wants its section, as --set names it (strategy.%s)", arg, g->key[k]);
        return 2;
    }
    if (!strncmp(g->key[k], "market.", 7)) {
        cli_fail("--grid %s: [market] keys cannot vary in a sweep (one decode of the data serves every "
                 "combination); sweep each symbol or rule set apart", g->key[k]);
        return 2;
    }
    for (int j = 0; j < k; j++)
        if (!strcmp(g->key[j], g->key[k])) {
            cli_fail("--grid %s given twice: give all its values in one --grid", g->key[k]);
            return 2;
        }
    const char *p = eq + 1;
    if (!*p) {
        cli_fail("--grid %s: empty list of values", g->key[k]);
        return 2;
    }
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (!n) {
            cli_fail("--grid %s: an empty value in %s", g->key[k], eq + 1);
            return 2;
        }
        if (g->nv[k] == MAX_VALUES) {
            cli_fail("--grid %s: at most %d values", g->key[k], MAX_VALUES);
            return 2;
        }
        g->v[k][g->nv[k]++] = strndup(p, n);
        if (!c) break;
        p = c + 1;
    }
    g->nkeys++;
    return 0;
}

/* combination c's value index of key k: the last key varies fastest */
static int value_of(const grid_t *g, int64_t c, int k) {
    for (int j = g->nkeys - 1; j > k; j--) c /= g->nv[j];
    return (int)(c % g->nv[k]);
}

static int combo_config(const grid_t *g, const config_t *base, int64_t c, config_t *out, config_exact_t *x,
                        char *err, int errcap) {
    *out = *base;
    for (int k = 0; k < g->nkeys; k++) {
        char a[512];
        snprintf(a, sizeof a, "%s=%s", g->key[k], g->v[k][value_of(g, c, k)]);
        if (config_set(out, a, err, errcap)) return 2;
    }
    return config_resolve(out, x, err, errcap) ? 2 : 0;
}

static int same_rules(const symbol_rules_t *a, const symbol_rules_t *b) {
    return !strcmp(a->symbol, b->symbol) && a->tick.scale == b->tick.scale && a->tick.mult == b->tick.mult &&
           a->lot.scale == b->lot.scale && a->lot.mult == b->lot.mult && a->step_lots == b->step_lots;
}

/* every key, every value and every combination, before any work */
static int check_grid(const opts_t *o, const config_t *base, const config_exact_t *bx) {
    const grid_t *g = &o->g;
    char err[512];
    for (int k = 0; k < g->nkeys; k++)
        for (int i = 0; i < g->nv[k]; i++) {
            static config_t t;
            t = *base;
            char a[512];
            snprintf(a, sizeof a, "%s=%s", g->key[k], g->v[k][i]);
            if (config_set(&t, a, err, sizeof err)) {
                cli_fail("--grid %s: %s", g->key[k], err);
                return 2;
            }
        }
    for (int64_t c = 0; c < g->total; c++) {
        static config_t t;
        static config_exact_t x;
        if (combo_config(g, base, c, &t, &x, err, sizeof err)) {
            cli_fail("--grid: combination %" PRId64 " (", c);
            for (int k = 0; k < g->nkeys; k++)
                fprintf(stderr, "%s%s=%s", k ? " " : "", g->key[k], g->v[k][value_of(g, c, k)]);
            fprintf(stderr, "): %s\n", err);
            return 2;
        }
        if (!same_rules(&x.rules, &bx->rules)) {
            cli_fail("--grid: combination %" PRId64 " changes the symbol's rules; they cannot vary in a sweep", c);
            return 2;
        }
    }
    return 0;
}

/* ---- flattening a report's JSON into columns, its values as printed ------------------- */

typedef struct kv {
    char (*key)[96];
    char **val;
    unsigned char *str;       /* the value was a JSON string (symbol, strategy): not a number */
    int n, cap;
} kv_t;

static void kv_add(kv_t *t, const char *key, const char *v, size_t vn) {
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 128;
        t->key = realloc(t->key, (size_t)t->cap * sizeof *t->key);
        t->val = realloc(t->val, (size_t)t->cap * sizeof *t->val);
        t->str = realloc(t->str, (size_t)t->cap);
        if (!t->key || !t->val || !t->str) abort();
    }
    snprintf(t->key[t->n], sizeof t->key[0], "%s", key);
    t->str[t->n] = 0;
    t->val[t->n++] = strndup(v, vn);
}

static void kv_free(kv_t *t) {
    for (int i = 0; i < t->n; i++) free(t->val[i]);
    free(t->key);
    free(t->val);
    free(t->str);
    memset(t, 0, sizeof *t);
}

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
    return p;
}

/* a string at p (after its quote): its end quote */
static const char *str_end(const char *p) {
    while (*p && *p != '"') p += *p == '\\' && p[1] ? 2 : 1;
    return p;
}

/* the report's object (no arrays in it): numbers, true/false/null and strings kept as
   written (a string without its quotes) */
static const char *flatten(const char *p, const char *prefix, kv_t *out) {
    p = skip_ws(p);
    if (*p != '{') return 0;
    p = skip_ws(p + 1);
    if (*p == '}') return p + 1;
    for (;;) {
        if (*p != '"') return 0;
        const char *ke = str_end(p + 1);
        if (!*ke) return 0;
        char key[96];
        snprintf(key, sizeof key, "%s%s%.*s", prefix, *prefix ? "." : "", (int)(ke - p - 1), p + 1);
        p = skip_ws(ke + 1);
        if (*p != ':') return 0;
        p = skip_ws(p + 1);
        if (*p == '{') {
            if (!(p = flatten(p, key, out))) return 0;
        } else if (*p == '"') {
            const char *e = str_end(p + 1);
            if (!*e) return 0;
            kv_add(out, key, p + 1, (size_t)(e - p - 1));
            out->str[out->n - 1] = 1;
            p = e + 1;
        } else {
            const char *e = p;
            while (*e && *e != ',' && *e != '}' && *e != ' ' && *e != '\n') e++;
            if (e == p) return 0;
            kv_add(out, key, p, (size_t)(e - p));
            p = e;
        }
        p = skip_ws(p);
        if (*p == ',') { p = skip_ws(p + 1); continue; }
        if (*p == '}') return p + 1;
        return 0;
    }
}

/* ---- running the lanes ---------------------------------------------------------------- */

typedef struct job {
    int64_t combo;            /* index in the whole grid */
    config_t cfg;
    config_exact_t x;
    char *json[2];            /* the report (is, oos with --split) */
} job_t;

typedef struct work {
    const opts_t *o;
    cli_common_t *c;
    job_t *jobs;
    int njobs, ngroups, lanes_per_job;
    int64_t from_cut;         /* --split: the cut, local ns */
    atomic_int next_group;
    atomic_int groups_done;
    atomic_llong events;      /* summed over groups, for progress */
    atomic_llong data_ns;     /* the furthest data time reached */
    int64_t first_ns, last_ns;
    int failed;
    char err[600];
    replay_symbols_t syms;    /* the first group's, for recsym_check */
    pthread_mutex_t mu;
    pthread_cond_t ended;     /* a worker ended (with mu): the main thread stops waiting at once */
    int workers_left;         /* with mu */
} work_t;

static char *report_json(const report_t *r) {
    char *buf = 0;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return 0;
    report_print_json(r, f);
    fclose(f);
    return buf;
}

typedef struct tickctx {
    work_t *w;
    int64_t last_events;
} tickctx_t;

static void on_tick(void *ctx, const bt_group_t *g) {
    tickctx_t *t = ctx;
    atomic_fetch_add(&t->w->events, g->events - t->last_events);
    t->last_events = g->events;
    int64_t now = g->feed->q[g->feed->qhead % BT_QUEUE].ev.local_ns;
    long long seen = atomic_load(&t->w->data_ns);
    while (now > seen && !atomic_compare_exchange_weak(&t->w->data_ns, &seen, now)) {}
}

static int run_group(work_t *w, int gi) {
    /* group gi takes jobs gi, gi + ngroups, ...: every group a fair share of the grid's corners */
    int n = 0;
    for (int j = gi; j < w->njobs; j += w->ngroups) n++;
    bt_group_t g;
    int rc = bt_group_open(&g, w->c->files, w->c->nfiles, &w->c->x.rules, n * w->lanes_per_job);
    backtest_t *lanes = rc ? 0 : calloc((size_t)n * (size_t)w->lanes_per_job, sizeof *lanes);
    char err[600] = "";
    if (rc) snprintf(err, sizeof err, "%s", g.err);
    else if (!lanes) snprintf(err, sizeof err, "sweep: out of memory for %d engines", n * w->lanes_per_job);
    int nl = 0;
    for (int j = gi; lanes && !err[0] && j < w->njobs; j += w->ngroups) {
        for (int s = 0; s < w->lanes_per_job; s++) {
            backtest_t *l = &lanes[nl++];
            if (bt_lane_open(&g, l, &w->jobs[j].cfg, &w->jobs[j].x, 0)) {
                snprintf(err, sizeof err, "combination %" PRId64 ": %s", w->jobs[j].combo, l->err);
                break;
            }
            if (w->lanes_per_job == 2) {
                if (s == 0) l->to_ns = w->from_cut;
                else l->from_ns = w->from_cut;
            }
        }
    }
    tickctx_t tc = {w, 0};
    if (!err[0] && bt_group_run(&g, on_tick, &tc)) snprintf(err, sizeof err, "%s", g.err);
    if (!err[0]) {
        on_tick(&tc, &g);
        nl = 0;
        for (int j = gi; j < w->njobs; j += w->ngroups)
            for (int s = 0; s < w->lanes_per_job; s++)
                if (!(w->jobs[j].json[s] = report_json(&lanes[nl++].rep))) snprintf(err, sizeof err, "out of memory");
        if (gi == 0) w->syms = g.feed->rp.syms;
    }
    for (int i = 0; lanes && i < nl; i++) backtest_free(&lanes[i]);
    free(lanes);
    bt_group_free(&g);
    if (err[0]) {
        pthread_mutex_lock(&w->mu);
        if (!w->failed) snprintf(w->err, sizeof w->err, "%s", err);
        __atomic_store_n(&w->failed, 1, __ATOMIC_RELEASE); /* (read without the lock by the others) */
        pthread_mutex_unlock(&w->mu);
        return 1;
    }
    atomic_fetch_add(&w->groups_done, 1);
    return 0;
}

static void *worker(void *arg) {
    work_t *w = arg;
    for (;;) {
        int gi = atomic_fetch_add(&w->next_group, 1);
        if (gi >= w->ngroups || __atomic_load_n(&w->failed, __ATOMIC_ACQUIRE)) break;
        run_group(w, gi);
    }
    pthread_mutex_lock(&w->mu);
    w->workers_left--;
    pthread_cond_broadcast(&w->ended);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(work_t *w, double t0, int final) {
    int tty = isatty(2);
    double el = mono_s() - t0;
    long long at = atomic_load(&w->data_ns);
    double span = (double)(w->last_ns - w->first_ns) / 1e9;
    double in = at > w->first_ns ? (double)(at - w->first_ns) / 1e9 : 0;
    if (final) in = span;
    /* every group reads the whole data, so the work done is each group's share of it */
    double done = span > 0 ? in / span : 0;
    fprintf(stderr, "%ssweep: %d engines, %d/%d groups done, data %.0f of %.0f s (%.0f%%), %.1f M events, %.1f s%s",
            tty ? "\r" : "", w->njobs * w->lanes_per_job, atomic_load(&w->groups_done), w->ngroups, in, span,
            done * 100, (double)atomic_load(&w->events) / 1e6, el, tty && !final ? "   " : "\n");
    fflush(stderr);
}

/* ---- results.csv ------------------------------------------------------------------------ */

static void csv_field(FILE *f, const char *s) {
    if (strpbrk(s, ",\"\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

static int mkdir_p(const char *dir) {
    if (mkdir(dir, 0755) && errno != EEXIST) {
        cli_fail("%s: %s", dir, strerror(errno));
        return 2;
    }
    return 0;
}

/* the table: a header and rows of fields (strings) */
typedef struct table {
    char **head;
    int ncol;
    char ***row;
    int64_t nrow;
} table_t;

static void table_free(table_t *t) {
    for (int i = 0; t->head && i < t->ncol; i++) free(t->head[i]);
    for (int64_t r = 0; r < t->nrow; r++) {
        for (int i = 0; i < t->ncol; i++) free(t->row[r][i]);
        free(t->row[r]);
    }
    free(t->head);
    free(t->row);
    memset(t, 0, sizeof *t);
}

static int col_of(const table_t *t, const char *name) {
    for (int i = 0; i < t->ncol; i++)
        if (!strcmp(t->head[i], name)) return i;
    return -1;
}

/* the results of the run as a table: combo, the grid's keys, the report's keys (is., oos.) */
static int build_table(const work_t *w, table_t *t) {
    const grid_t *g = &w->o->g;
    kv_t *flat = calloc((size_t)w->njobs * 2, sizeof *flat);
    if (!flat) return 2;
    /* columns: the union of every report's keys, in the order first seen (a chaos venue adds
       keys only to the combinations that have it) */
    kv_t cols = {0};
    for (int j = 0; j < w->njobs; j++)
        for (int s = 0; s < w->lanes_per_job; s++) {
            kv_t *kv = &flat[j * 2 + s];
            if (!flatten(w->jobs[j].json[s], "", kv)) {
                cli_fail("combination %" PRId64 ": a report this command cannot read", w->jobs[j].combo);
                return 2;
            }
            for (int i = 0; i < kv->n; i++) {
                char name[110];
                snprintf(name, sizeof name, "%s%s", w->lanes_per_job == 2 ? (s ? "oos." : "is.") : "", kv->key[i]);
                int found = 0;
                for (int k = 0; k < cols.n && !found; k++) found = !strcmp(cols.key[k], name);
                if (!found) kv_add(&cols, name, "", 0);
            }
        }
    t->ncol = 1 + g->nkeys + cols.n;
    t->head = calloc((size_t)t->ncol, sizeof *t->head);
    t->row = calloc((size_t)w->njobs + 1, sizeof *t->row);
    t->head[0] = strdup("combo");
    for (int k = 0; k < g->nkeys; k++) t->head[1 + k] = strdup(g->key[k]);
    for (int k = 0; k < cols.n; k++) t->head[1 + g->nkeys + k] = strdup(cols.key[k]);
    for (int j = 0; j < w->njobs; j++) {
        char **r = t->row[t->nrow++] = calloc((size_t)t->ncol, sizeof *r);
        char b[32];
        snprintf(b, sizeof b, "%" PRId64, w->jobs[j].combo);
        r[0] = strdup(b);
        for (int k = 0; k < g->nkeys; k++) r[1 + k] = strdup(g->v[k][value_of(g, w->jobs[j].combo, k)]);
        for (int s = 0; s < w->lanes_per_job; s++) {
            kv_t *kv = &flat[j * 2 + s];
            for (int i = 0; i < kv->n; i++) {
                char name[110];
                snprintf(name, sizeof name, "%s%s", w->lanes_per_job == 2 ? (s ? "oos." : "is.") : "", kv->key[i]);
                int c = col_of(t, name);
                if (c >= 0 && !r[c]) r[c] = strdup(kv->val[i]);
            }
        }
        for (int c = 0; c < t->ncol; c++)
            if (!r[c]) r[c] = strdup("");
    }
    for (int j = 0; j < w->njobs * 2; j++) kv_free(&flat[j]);
    free(flat);
    kv_free(&cols);
    return 0;
}

static int write_table(const table_t *t, const char *dir) {
    char path[1100];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_fail("%s: %s", path, strerror(errno));
        return 2;
    }
    for (int i = 0; i < t->ncol; i++) {
        if (i) fputc(',', f);
        csv_field(f, t->head[i]);
    }
    fputc('\n', f);
    for (int64_t r = 0; r < t->nrow; r++) {
        for (int i = 0; i < t->ncol; i++) {
            if (i) fputc(',', f);
            csv_field(f, t->row[r][i]);
        }
        fputc('\n', f);
    }
    if (fclose(f)) {
        cli_fail("%s: %s", path, strerror(errno));
        return 2;
    }
    return 0;
}

/* one CSV line into fields (quotes as csv_field writes them); returns the count */
static int csv_split(char *line, char ***out) {
    int n = 0, cap = 64;
    char **f = malloc((size_t)cap * sizeof *f);
    char *p = line;
    for (;;) {
        if (n == cap) f = realloc(f, (size_t)(cap *= 2) * sizeof *f);
        char *w = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '"' && p[1] == '"') { *w++ = '"'; p += 2; }
                else if (*p == '"') { p++; break; }
                else if (!*p) break;
                else *w++ = *p++;
            }
        } else {
            while (*p && *p != ',') *w++ = *p++;
        }
        char end = *p;
        *w = 0;
        f[n++] = strdup(start);
        if (end != ',') break;
        p++;
    }
    *out = f;
    return n;
}

static int read_table(const char *dir, table_t *t, char *err, size_t errcap) {
    char path[1100];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return 2;
    }
    char *line = 0;
    size_t cap = 0;
    ssize_t n;
    memset(t, 0, sizeof *t);
    int64_t rcap = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') line[--n] = 0;
        char **fl;
        int nf = csv_split(line, &fl);
        if (!t->head) {
            t->head = fl;
            t->ncol = nf;
            continue;
        }
        if (nf != t->ncol) {
            snprintf(err, errcap, "%s: a row of %d fields under a header of %d", path, nf, t->ncol);
            for (int i = 0; i < nf; i++) free(fl[i]);
            free(fl);
            free(line);
            fclose(f);
            table_free(t);
            return 2;
        }
        if (t->nrow == rcap) t->row = realloc(t->row, (size_t)(rcap = rcap ? rcap * 2 : 256) * sizeof *t->row);
        t->row[t->nrow++] = fl;
    }
    free(line);
    fclose(f);
    if (!t->head || t->ncol < 1 || strcmp(t->head[0], "combo")) {
        snprintf(err, errcap, "%s: not a sweep's results.csv", path);
        table_free(t);
        return 2;
    }
    return 0;
}

/* --heatmap's KEY[:S.K1,S.K2] into its metric and its two keys (default: the first two grid
   keys, head[1] and head[2] of results.csv's header) */
static int heat_spec(const char *spec, const char *const *head, int nkeys, char metric[128], char kx[96],
                     char ky[96]) {
    const char *colon = strchr(spec, ':');
    snprintf(metric, 128, "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
    if (colon) {
        const char *comma = strchr(colon + 1, ',');
        if (!comma) {
            cli_fail("--heatmap %s: want KEY:S.K1,S.K2", spec);
            return 2;
        }
        snprintf(kx, 96, "%.*s", (int)(comma - colon - 1), colon + 1);
        snprintf(ky, 96, "%s", comma + 1);
    } else {
        if (nkeys < 2) {
            cli_fail("--heatmap %s: the grid has fewer than two keys; name them (KEY:S.K1,S.K2)", spec);
            return 2;
        }
        snprintf(kx, 96, "%s", head[1]);
        snprintf(ky, 96, "%s", head[2]);
    }
    return 0;
}

/* ---- --rank and --heatmap, checked before any work (a typo found after hours of engines
   would cost the run's summary) --------------------------------------------------------- */

/* results.csv's columns as the run will write them, and which hold numbers (what --rank and a
   heatmap can order; symbol, strategy and kill_switch do not) */
typedef struct colset {
    char **name;
    unsigned char *num;
    int n, nkeys;
} colset_t;

static void colset_add(colset_t *cs, const char *name, int num) {
    for (int i = 0; i < cs->n; i++)
        if (!strcmp(cs->name[i], name)) {
            cs->num[i] &= (unsigned char)num;
            return;
        }
    cs->name = realloc(cs->name, (size_t)(cs->n + 1) * sizeof *cs->name);
    cs->num = realloc(cs->num, (size_t)(cs->n + 1));
    if (!cs->name || !cs->num) abort();
    cs->name[cs->n] = strdup(name);
    cs->num[cs->n++] = (unsigned char)num;
}

static void colset_free(colset_t *cs) {
    for (int i = 0; i < cs->n; i++) free(cs->name[i]);
    free(cs->name);
    free(cs->num);
    memset(cs, 0, sizeof *cs);
}

static int colset_of(const colset_t *cs, const char *name) {
    for (int i = 0; i < cs->n; i++)
        if (!strcmp(cs->name[i], name)) return i;
    return -1;
}

static int is_number(const char *s) {
    char *e;
    if (!*s || !strcmp(s, "null")) return 1; /* a figure not known in this row (orders_per_fill) */
    double v = strtod(s, &e);
    (void)v;
    return *e == 0;
}

static int check_column(const colset_t *cs, const char *opt, const char *arg, const char *key) {
    int c = colset_of(cs, key);
    if (c < 0) {
        cli_fail("%s %s: results.csv will have no column %s (its columns: combo, the grid's keys and the "
                 "report's, such as return_vs_hold, fills, markouts.1s.mean_bps%s)",
                 opt, arg, key, colset_of(cs, "oos.events") >= 0 ? ", each as is.KEY and oos.KEY" : "");
        return 2;
    }
    if (!cs->num[c]) {
        cli_fail("%s %s: column %s holds no numbers to order by", opt, arg, key);
        return 2;
    }
    return 0;
}

static int check_outputs(const opts_t *o, const colset_t *cs, int split) {
    const char *rank = o->rank ? o->rank : split ? "oos.return_vs_hold" : "return_vs_hold";
    if (check_column(cs, "--rank", rank, rank + (rank[0] == '-'))) return 2;
    if (!o->heatmap) return 0;
    char metric[128], kx[96], ky[96];
    if (heat_spec(o->heatmap, (const char *const *)cs->name, cs->nkeys, metric, kx, ky)) return 2;
    if (check_column(cs, "--heatmap", o->heatmap, metric + (metric[0] == '-'))) return 2;
    int cx = colset_of(cs, kx), cy = colset_of(cs, ky);
    const char *bad = cx < 1 || cx > cs->nkeys ? kx : cy < 1 || cy > cs->nkeys ? ky : 0;
    if (bad) {
        cli_fail("--heatmap %s: %s is not a grid key (the grid's: %s%s%s)", o->heatmap, bad,
                 cs->nkeys ? cs->name[1] : "", cs->nkeys > 1 ? ", " : "", cs->nkeys > 1 ? cs->name[2] : "");
        return 2;
    }
    if (cx == cy) {
        cli_fail("--heatmap %s: want two different grid keys", o->heatmap);
        return 2;
    }
    return 0;
}

/* a run's columns: combo, the grid's keys, then the report's keys from the same source as
   build_table's: the JSON of engines set up on the data (not run), flattened. A chaos venue
   adds keys, so a combination with it (if any) and one without are both asked. */
static int run_columns(const opts_t *o, cli_common_t *c, colset_t *cs) {
    const grid_t *g = &o->g;
    cs->nkeys = g->nkeys;
    colset_add(cs, "combo", 1);
    for (int k = 0; k < g->nkeys; k++) {
        int num = 1;
        for (int i = 0; i < g->nv[k]; i++) num &= is_number(g->v[k][i]) && strcmp(g->v[k][i], "null");
        colset_add(cs, g->key[k], num);
    }
    static config_t cfg[2];
    static config_exact_t x[2];
    char err[512];
    int n = 1;
    if (combo_config(g, &c->cfg, 0, &cfg[0], &x[0], err, sizeof err)) return 2; /* checked */
    for (int k = 0; k < g->nkeys && n == 1; k++)
        if (!strcmp(g->key[k], "sim.chaos"))
            for (int64_t cb = 1; cb < g->total; cb++) {
                if (combo_config(g, &c->cfg, cb, &cfg[1], &x[1], err, sizeof err)) return 2;
                if ((cfg[1].chaos > 0) != (cfg[0].chaos > 0)) {
                    n = 2;
                    break;
                }
            }
    bt_group_t grp;
    int rc = bt_group_open(&grp, c->files, c->nfiles, &c->x.rules, n);
    backtest_t *lanes = rc ? 0 : calloc((size_t)n, sizeof *lanes);
    int nl = 0;
    if (rc) cli_fail("%s", grp.err);
    else if (!lanes) rc = 2;
    for (; !rc && nl < n; nl++)
        if (bt_lane_open(&grp, &lanes[nl], &cfg[nl], &x[nl], 0)) {
            cli_fail("%s", lanes[nl].err);
            rc = 2;
        }
    for (int i = 0; !rc && i < n; i++) {
        kv_t kv = {0};
        char *json = report_json(&lanes[i].rep);
        if (!json || !flatten(json, "", &kv)) rc = 2;
        for (int s = 0; s < (o->split > 0 ? 2 : 1); s++)
            for (int j = 0; j < kv.n; j++) {
                char name[110];
                snprintf(name, sizeof name, "%s%s", o->split > 0 ? (s ? "oos." : "is.") : "", kv.key[j]);
                colset_add(cs, name, !kv.str[j] && strcmp(kv.val[j], "true") && strcmp(kv.val[j], "false"));
            }
        free(json);
        kv_free(&kv);
    }
    for (int i = 0; i < nl; i++) backtest_free(&lanes[i]);
    free(lanes);
    bt_group_free(&grp);
    return rc ? 2 : 0;
}

/* a merge's columns: the shards' header, a column numeric when every row's value is */
static void table_columns(const table_t *t, int nkeys, colset_t *cs) {
    cs->nkeys = nkeys;
    for (int i = 0; i < t->ncol; i++) {
        int num = 1;
        for (int64_t r = 0; r < t->nrow && num; r++) num = is_number(t->row[r][i]);
        colset_add(cs, t->head[i], num);
    }
}

/* ---- the best rows and the heatmap ------------------------------------------------------- */

typedef struct ranked {
    int64_t row;
    double v;
} ranked_t;

static int rank_desc(const void *a, const void *b) {
    const ranked_t *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? 1 : -1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int value_at(const table_t *t, int64_t r, int c, double *v) {
    const char *s = t->row[r][c];
    char *e;
    if (!*s || !strcmp(s, "null")) return 0;
    *v = strtod(s, &e);
    return *e == 0 && isfinite(*v);
}

static void print_best(const table_t *t, int nkeys, const char *rank, int top) {
    int neg = rank[0] == '-';
    const char *key = rank + neg;
    int c = col_of(t, key);
    if (c < 0) {
        fprintf(stderr, "quoter: --rank %s: results.csv has no such column (see its header)\n", key);
        return;
    }
    ranked_t *rk = malloc((size_t)(t->nrow ? t->nrow : 1) * sizeof *rk);
    int64_t n = 0;
    for (int64_t r = 0; r < t->nrow; r++) {
        double v;
        if (!value_at(t, r, c, &v)) continue;
        rk[n].row = r;
        rk[n++].v = neg ? -v : v;
    }
    qsort(rk, (size_t)n, sizeof *rk, rank_desc);
    /* what a trader reads first next to the ranked key */
    static const char *const also[] = {"return_vs_hold", "total_pnl", "fills", "maker_share", "orders_per_fill",
                                       "unfilled_orders_per_day", "breakeven_maker_fee_bps", "oos.return_vs_hold",
                                       "oos.fills", "oos.unfilled_orders_per_day"};
    int show[16], ns = 0;
    show[ns++] = c;
    for (size_t i = 0; i < sizeof also / sizeof *also && ns < 8; i++) {
        int k = col_of(t, also[i]);
        if (k < 0) {
            char is[64];
            snprintf(is, sizeof is, "is.%s", also[i]);
            k = col_of(t, is);
        }
        int dup = 0;
        for (int j = 0; j < ns; j++) dup |= show[j] == k;
        if (k >= 0 && !dup) show[ns++] = k;
    }
    printf("best %d of %" PRId64 " by %s%s:\n", top < n ? top : (int)n, t->nrow, key,
           neg ? " (smallest first)" : "");
    printf("%6s", "combo");
    for (int k = 0; k < nkeys; k++) printf("  %s", t->head[1 + k]);
    for (int j = 0; j < ns; j++) printf("  %s", t->head[show[j]]);
    printf("\n");
    for (int64_t i = 0; i < n && i < top; i++) {
        char **r = t->row[rk[i].row];
        printf("%6s", r[0]);
        for (int k = 0; k < nkeys; k++) printf("  %*s", (int)strlen(t->head[1 + k]), r[1 + k]);
        for (int j = 0; j < ns; j++) printf("  %*s", (int)strlen(t->head[show[j]]), r[show[j]]);
        printf("\n");
    }
    free(rk);
}

/* distinct values of column c, in the order first seen (the grid's order) */
static int distinct(const table_t *t, int c, char **out, int cap) {
    int n = 0;
    for (int64_t r = 0; r < t->nrow; r++) {
        int found = 0;
        for (int i = 0; i < n && !found; i++) found = !strcmp(out[i], t->row[r][c]);
        if (!found && n < cap) out[n++] = t->row[r][c];
    }
    return n;
}

/* DIR/heatmap-KEY.png: KEY over two parameter columns, each cell the best row's value */
static int heatmap(const table_t *t, int nkeys, const char *spec, const char *dir, const char *rank) {
    char metric[128], kx[96], ky[96];
    if (heat_spec(spec, (const char *const *)t->head, nkeys, metric, kx, ky)) return 2;
    int neg = metric[0] == '-' || (rank && rank[0] == '-' && !strcmp(rank + 1, metric));
    const char *mname = metric + (metric[0] == '-');
    int cm = col_of(t, mname), cx = col_of(t, kx), cy = col_of(t, ky);
    if (cm < 0 || cx < 0 || cy < 0 || cx > nkeys || cy > nkeys || cx == cy) {
        cli_fail("--heatmap %s: want a column of results.csv over two different grid keys", spec);
        return 2;
    }
    char *xs[MAX_VALUES], *ys[MAX_VALUES];
    int nx = distinct(t, cx, xs, MAX_VALUES), ny = distinct(t, cy, ys, MAX_VALUES);
    char path[1300], png[1300], safe[128];
    snprintf(safe, sizeof safe, "%s", mname);
    for (char *p = safe; *p; p++)
        if (*p == '/' || *p == ' ') *p = '_';
    snprintf(path, sizeof path, "%s/heatmap-%s.dat", dir, safe);
    snprintf(png, sizeof png, "%s/heatmap-%s.png", dir, safe);
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_fail("%s: %s", path, strerror(errno));
        return 2;
    }
    fprintf(f, "# %s by %s (x) and %s (y), the best over the other keys%s\n", mname, kx, ky,
            neg ? " (smallest)" : "");
    for (int iy = 0; iy < ny; iy++) {
        for (int ix = 0; ix < nx; ix++) {
            double best = NAN;
            for (int64_t r = 0; r < t->nrow; r++) {
                double v;
                if (strcmp(t->row[r][cx], xs[ix]) || strcmp(t->row[r][cy], ys[iy]) || !value_at(t, r, cm, &v)) continue;
                if (isnan(best) || (neg ? v < best : v > best)) best = v;
            }
            if (isnan(best)) fprintf(f, "%d %d NaN\n", ix, iy);
            else fprintf(f, "%d %d %.10g\n", ix, iy, best);
        }
        fprintf(f, "\n");
    }
    fclose(f);
    char gp[1400];
    snprintf(gp, sizeof gp, "%s/heatmap-%s.gp", dir, safe);
    if (!(f = fopen(gp, "w"))) return 2;
    fprintf(f, "set terminal pngcairo size 900,700 font ',10' noenhanced\nset output '%s'\n", png);
    fprintf(f, "set title '%s (the best over the other keys)'\nset xlabel '%s'\nset ylabel '%s'\n", mname, kx, ky);
    fprintf(f, "set palette defined (0 'dark-red', 0.5 'white', 1 'dark-green')\nset view map\nset xtics (");
    for (int i = 0; i < nx; i++) fprintf(f, "%s'%s' %d", i ? ", " : "", xs[i], i);
    fprintf(f, ")\nset ytics (");
    for (int i = 0; i < ny; i++) fprintf(f, "%s'%s' %d", i ? ", " : "", ys[i], i);
    fprintf(f, ")\nset xrange [-0.5:%d.5]\nset yrange [-0.5:%d.5]\n", nx - 1, ny - 1);
    fprintf(f, "plot '%s' using 1:2:3 with image notitle, '' using 1:2:(sprintf('%%.4g', $3)) with labels notitle\n", path);
    fclose(f);
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "gnuplot '%s' 2>'%s/heatmap.log'", gp, dir);
    if (system(cmd)) {
        fprintf(stderr, "quoter: %s not written (is gnuplot installed? see %s/heatmap.log)\n", png, dir);
        return 0;
    }
    printf("heatmap           %s\n", png);
    return 0;
}

/* rows ordered by every grid key but one (inert_skip), then by the report: rows that differ
   in that key alone sit together */
static const table_t *inert_t;
static int inert_nkeys, inert_skip;
static int cmp_others(const void *a, const void *b) {
    char **x = inert_t->row[*(const int64_t *)a], **y = inert_t->row[*(const int64_t *)b];
    for (int j = 1; j <= inert_nkeys; j++) {
        if (j == inert_skip) continue;
        int c = strcmp(x[j], y[j]);
        if (c) return c;
    }
    return 0;
}

/* A grid key whose values changed nothing: every two rows that differ in it alone have the same
   report (a key the strategy does not read, say: avellaneda ignores strategy.spread). Said on
   stderr, so that nobody tunes a knob that is not connected. */
static void warn_inert_keys(const table_t *t, int nkeys) {
    int64_t *ix = malloc((size_t)(t->nrow ? t->nrow : 1) * sizeof *ix);
    if (!ix) return;
    inert_t = t;
    inert_nkeys = nkeys;
    for (int k = 1; k <= nkeys; k++) {
        for (int64_t r = 0; r < t->nrow; r++) ix[r] = r;
        inert_skip = k;
        qsort(ix, (size_t)t->nrow, sizeof *ix, cmp_others);
        int64_t pairs = 0, differ = 0;
        for (int64_t r = 1; r < t->nrow && !differ; r++) {
            char **a = t->row[ix[r - 1]], **b = t->row[ix[r]];
            if (cmp_others(&ix[r - 1], &ix[r]) || !strcmp(a[k], b[k])) continue;
            pairs++;
            for (int j = nkeys + 1; j < t->ncol && !differ; j++) differ = strcmp(a[j], b[j]) != 0;
        }
        if (pairs && !differ)
            fprintf(stderr, "quoter: sweep: %s changed nothing: each of its values gave the same results (does the "
                            "strategy read it? `quoter config --keys` says which strategies do)\n",
                    t->head[k]);
    }
    free(ix);
}

static void finish(const table_t *t, int nkeys, const opts_t *o, int split) {
    const char *rank = o->rank ? o->rank : split ? "oos.return_vs_hold" : "return_vs_hold";
    warn_inert_keys(t, nkeys);
    print_best(t, nkeys, rank, o->top);
    if (o->heatmap) heatmap(t, nkeys, o->heatmap, o->out, rank);
    else if (nkeys >= 2) heatmap(t, nkeys, rank, o->out, rank);
    printf("results           %s/results.csv (%" PRId64 " rows)\n", o->out, t->nrow);
}

/* ---- sweep.txt: what a shard ran, so --merge joins only parts of one grid ---------------- */

/* FNV-1a, 64 bits: the effective config's fingerprint in sweep.txt */
static uint64_t fnv1a(const char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

static int write_meta(const opts_t *o, const cli_common_t *c) {
    char path[1100];
    snprintf(path, sizeof path, "%s/sweep.txt", o->out);
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_fail("%s: %s", path, strerror(errno));
        return 2;
    }
    fprintf(f, "combinations %" PRId64 "\n", o->g.total);
    for (int k = 0; k < o->g.nkeys; k++) {
        fprintf(f, "grid %s=", o->g.key[k]);
        for (int i = 0; i < o->g.nv[k]; i++) fprintf(f, "%s%s", i ? "," : "", o->g.v[k][i]);
        fprintf(f, "\n");
    }
    fprintf(f, "split %g\n", o->split);
    /* the config's path and --set options say where it came from, for the reader; what the
       merge compares is the base config in effect (file, --set and defaults): every key as
       `quoter config` prints it, fingerprinted, so shards on two machines with the config in
       other places still merge, and one edited value does not */
    fprintf(f, "config %s\n", c->config_path ? c->config_path : "(defaults)");
    for (int i = 0; i < o->nsets; i++) fprintf(f, "set %s\n", o->sets[i]);
    char *ini = 0;
    size_t n = 0;
    FILE *m = open_memstream(&ini, &n);
    if (m) {
        config_print(&c->cfg, m);
        fclose(m);
    }
    if (!ini) {
        fclose(f);
        cli_fail("sweep.txt: out of memory");
        return 2;
    }
    fprintf(f, "effective-config fnv1a=%016" PRIx64 "\n", fnv1a(ini, n));
    free(ini);
    /* the data by name and size; its times are in every row (start_ns, end_ns, events), which
       the merge compares too */
    for (int i = 0; i < c->nfiles; i++) {
        const char *b = strrchr(c->files[i], '/');
        struct stat st;
        fprintf(f, "data %s %lld\n", b ? b + 1 : c->files[i], stat(c->files[i], &st) ? -1LL : (long long)st.st_size);
    }
    fprintf(f, "shard %d/%d\n", o->shard_i, o->shard_n);
    if (fclose(f)) {
        cli_fail("%s: %s", path, strerror(errno));
        return 2;
    }
    return 0;
}

/* sweep.txt's lines that must agree between shards: all but the shard's own, the config's
   path and the --set options (the effective config's fingerprint stands for those) */
static char *read_meta(const char *dir, int *si, int *sn, int64_t *total, int *nkeys) {
    char path[1100], line[8192];
    snprintf(path, sizeof path, "%s/sweep.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t cap = 1 << 16, len = 0;
    char *m = calloc(1, cap);
    *nkeys = 0;
    while (m && fgets(line, sizeof line, f)) {
        if (sscanf(line, "shard %d/%d", si, sn) == 2) continue;
        if (!strncmp(line, "config ", 7) || !strncmp(line, "set ", 4)) continue;
        if (sscanf(line, "combinations %" SCNd64, total) == 1) {}
        if (!strncmp(line, "grid ", 5)) (*nkeys)++;
        size_t n = strlen(line);
        if (len + n + 1 > cap) { /* grown, never cut: two grids differing late must not compare equal */
            char *g = realloc(m, cap * 2 + n + 1);
            if (!g) {
                free(m);
                m = 0;
                break;
            }
            m = g;
            cap = cap * 2 + n + 1;
        }
        memcpy(m + len, line, n + 1);
        len += n;
    }
    fclose(f);
    return m;
}

/* the first line where two sweep.txt differ, each (a missing line as "nothing") */
static void meta_diff(const char *a, const char *b, char *da, char *db, int cap) {
    while (*a || *b) {
        size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
        if (na != nb || memcmp(a, b, na)) {
            if (*a) snprintf(da, (size_t)cap, "'%.*s'", (int)na, a);
            else snprintf(da, (size_t)cap, "nothing");
            if (*b) snprintf(db, (size_t)cap, "'%.*s'", (int)nb, b);
            else snprintf(db, (size_t)cap, "nothing");
            return;
        }
        a += na + (a[na] == '\n');
        b += nb + (b[nb] == '\n');
    }
    snprintf(da, (size_t)cap, "?");
    snprintf(db, (size_t)cap, "?");
}

/* combination k is shard i/n's (i from 1): the run and the merge agree on it */
static int in_shard(int64_t k, int i, int n) { return k % n == i - 1; }

/* (the rows' combo fields are checked whole when a shard is read: atoll reads digits only) */
static int cmp_combo(const void *a, const void *b) {
    long long x = atoll((*(char ***)a)[0]), y = atoll((*(char ***)b)[0]);
    return x < y ? -1 : x > y;
}

/* what every row of every shard saw of the data: the same for every combination of one run */
static const char *const data_cols[] = {"start_ns", "end_ns", "events", "is.start_ns", "is.end_ns", "is.events",
                                         "oos.start_ns", "oos.end_ns", "oos.events"};
#define NDATA_COLS (int)(sizeof data_cols / sizeof *data_cols)

static int merge(const opts_t *o) {
    table_t all = {0}, t = {0};
    colset_t cols = {0};
    char *meta0 = 0, *meta = 0, err[1300];
    int64_t total = 0, rcap = 0;
    int nkeys = 0, seen_shard[1024] = {0}, nshards = 0, rc = 2;
    const char *shard_dir[1024] = {0};
    /* the first shard's data columns (where in its header, the first row's value, and whose) */
    int dcol[NDATA_COLS];
    char *dval[NDATA_COLS] = {0}, *dcombo = 0;
    for (int d = 0; d < o->nmerge; d++) {
        const char *dir = o->merge_dirs[d];
        int si = 0, sn = 0, nk = 0;
        int64_t tot = 0;
        if (!(meta = read_meta(dir, &si, &sn, &tot, &nk))) {
            cli_fail("--merge %s: no sweep.txt (not a sweep's folder)", dir);
            goto out;
        }
        if (!meta0) {
            meta0 = meta;
            meta = 0;
            total = tot;
            nkeys = nk;
            nshards = sn;
        } else {
            if (strcmp(meta, meta0)) {
                char a[300], b[300];
                meta_diff(meta, meta0, a, b, sizeof a);
                cli_fail("--merge %s: another grid, config, split or data than %s: its sweep.txt has %s where "
                         "that one's has %s",
                         dir, o->merge_dirs[0], a, b);
                goto out;
            }
            free(meta);
            meta = 0;
        }
        if (total < 1 || sn != nshards || si < 1 || si > sn || sn > 1024) {
            cli_fail("--merge %s: shard %d/%d does not belong with %s's shards of %d", dir, si, sn,
                     o->merge_dirs[0], nshards);
            goto out;
        }
        if (seen_shard[si - 1]++) {
            cli_fail("--merge: shard %d/%d given twice (%s and %s)", si, sn, shard_dir[si - 1], dir);
            goto out;
        }
        shard_dir[si - 1] = dir;
        if (read_table(dir, &t, err, sizeof err)) {
            cli_fail("--merge: %s", err);
            goto out;
        }
        if (!all.head) {
            all.head = t.head;
            all.ncol = t.ncol;
            t.head = 0; /* all's now (t.ncol stays: its rows' width, for table_free) */
            for (int i = 0; i < NDATA_COLS; i++) dcol[i] = col_of(&all, data_cols[i]);
        } else {
            int same = t.ncol == all.ncol;
            for (int i = 0; same && i < t.ncol; i++) same = !strcmp(t.head[i], all.head[i]);
            if (!same) {
                cli_fail("--merge %s: results.csv's columns differ from %s's (a key only some reports have, "
                         "such as venue_events with sim.chaos: keep such keys the same in every shard)",
                         dir, o->merge_dirs[0]);
                goto out;
            }
        }
        for (int64_t r = 0; r < t.nrow; r++) {
            char **row = t.row[r];
            int64_t cb;
            /* a row that is not this shard's would take another's place (or fall outside the
               grid) and leave a combination unseen */
            if (proto_parse_i64(row[0], &cb) || cb < 0 || cb >= total || !in_shard(cb, si, sn)) {
                cli_fail("--merge %s: a row of combination '%s', which is not one of shard %d/%d's of %" PRId64
                         " combinations",
                         dir, row[0], si, sn, total);
                goto out;
            }
            for (int i = 0; i < NDATA_COLS; i++) {
                if (dcol[i] < 0) continue;
                if (!dval[i]) {
                    dval[i] = strdup(row[dcol[i]]);
                    if (!dcombo) dcombo = strdup(row[0]);
                } else if (strcmp(dval[i], row[dcol[i]])) {
                    cli_fail("--merge %s: combination %s has %s %s where %s's combination %s has %s: shards run "
                             "on other data",
                             dir, row[0], data_cols[i], row[dcol[i]], o->merge_dirs[0], dcombo, dval[i]);
                    goto out;
                }
            }
        }
        for (int64_t r = 0; r < t.nrow; r++) {
            if (all.nrow == rcap) all.row = realloc(all.row, (size_t)(rcap = rcap ? rcap * 2 : 256) * sizeof *all.row);
            all.row[all.nrow++] = t.row[r];
        }
        t.nrow = 0; /* the rows are all's now */
        table_free(&t);
    }
    qsort(all.row, (size_t)all.nrow, sizeof *all.row, cmp_combo);
    for (int64_t r = 1; r < all.nrow; r++)
        if (!strcmp(all.row[r][0], all.row[r - 1][0])) {
            cli_fail("--merge: combination %s twice", all.row[r][0]);
            goto out;
        }
    if (total - all.nrow) {
        /* every row is a distinct combination below total: the first gap is the first missing */
        int64_t first = 0;
        while (first < all.nrow && atoll(all.row[first][0]) == first) first++;
        int s = (int)(first % nshards);
        if (shard_dir[s])
            cli_fail("--merge: %" PRId64 " of %" PRId64 " combinations missing; the first, combination %" PRId64
                     ", is shard %d/%d's, whose %s/results.csv has no row of it",
                     total - all.nrow, total, first, s + 1, nshards, shard_dir[s]);
        else
            cli_fail("--merge: %" PRId64 " of %" PRId64 " combinations missing; the first, combination %" PRId64
                     ", is shard %d/%d's, not given",
                     total - all.nrow, total, first, s + 1, nshards);
        goto out;
    }
    table_columns(&all, nkeys, &cols);
    if (check_outputs(o, &cols, col_of(&all, "oos.events") >= 0)) goto out;
    if (mkdir_p(o->out)) goto out;
    /* the merged folder is the whole grid's, as one run's would be */
    char path[1100];
    snprintf(path, sizeof path, "%s/sweep.txt", o->out);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(meta0, f);
        fprintf(f, "shard 1/1\n");
        fclose(f);
    }
    int split = col_of(&all, "oos.events") >= 0;
    rc = write_table(&all, o->out);
    if (!rc) finish(&all, nkeys, o, split);
out:
    table_free(&t);
    table_free(&all);
    colset_free(&cols);
    for (int i = 0; i < NDATA_COLS; i++) free(dval[i]);
    free(dcombo);
    free(meta);
    free(meta0);
    return rc;
}

/* ---- the command ------------------------------------------------------------------------- */

static int take_opts(opts_t *o, int argc, char **argv, char **rest, int *nrest) {
    o->jobs = 1;
    o->shard_i = o->shard_n = 1;
    o->top = 10;
    o->out = "sweep";
    *nrest = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (i == 0) { rest[(*nrest)++] = argv[i]; continue; }
        if (!strcmp(a, "--grid")) {
            if (!has) { cli_fail("--grid needs section.key=v1,v2,..."); return 2; }
            if (parse_grid(&o->g, argv[++i])) return 2;
        } else if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) {
            char *e;
            if (!has || (o->jobs = (int)strtol(argv[++i], &e, 10)) < 1 || *e || o->jobs > 1024) {
                cli_fail("--jobs wants a number of threads from 1 to 1024");
                return 2;
            }
        } else if (!strcmp(a, "--shard")) {
            char tail;
            if (!has || sscanf(argv[++i], "%d/%d%c", &o->shard_i, &o->shard_n, &tail) != 2 || o->shard_n < 1 ||
                o->shard_i < 1 || o->shard_i > o->shard_n) {
                cli_fail("--shard wants I/N with 1 <= I <= N (e.g. 3/8: the third of eight parts)");
                return 2;
            }
        } else if (!strcmp(a, "--split")) {
            char *e;
            if (!has || !((o->split = strtod(argv[++i], &e)) > 0 && o->split < 1) || *e) {
                cli_fail("--split wants a fraction between 0 and 1 (0.7: the first 70%% in-sample)");
                return 2;
            }
        } else if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
            if (!has) { cli_fail("%s needs a directory", a); return 2; }
            o->out = argv[++i];
        } else if (!strcmp(a, "--rank")) {
            if (!has) { cli_fail("--rank needs a column of results.csv"); return 2; }
            o->rank = argv[++i];
        } else if (!strcmp(a, "--top")) {
            int64_t top;
            if (!has || proto_parse_i64(argv[++i], &top) || top < 1 || top > 1000000) {
                cli_fail("--top wants a number of rows");
                return 2;
            }
        } else if (!strcmp(a, "--heatmap")) {
            if (!has) { cli_fail("--heatmap needs KEY[:S.K1,S.K2]"); return 2; }
            o->heatmap = argv[++i];
        } else if (!strcmp(a, "--reports")) {
            o->reports = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--merge")) {
            o->merge = 1;
        } else if (!strcmp(a, "--json")) {
            cli_fail("sweep has no --json: results.csv holds every report's keys (--reports: the reports themselves)");
            return 2;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            exit(0);
        } else {
            if (!strcmp(a, "--set") && has && o->nsets < CLI_MAX_FILES) o->sets[o->nsets++] = argv[i + 1];
            rest[(*nrest)++] = argv[i];
        }
    }
    return 0;
}

int cmd_sweep(int argc, char **argv) {
    static opts_t o;
    static cli_common_t c;
    /* static, as o and c: the many error returns below leave it for the exit (reachable,
       so no leak under the sanitizers' leak check) */
    static char **rest;
    rest = calloc((size_t)argc + 1, sizeof *rest);
    int nrest, rc;
    if (!rest) return 2;
    memset(&o, 0, sizeof o);
    if ((rc = take_opts(&o, argc, argv, rest, &nrest))) return rc;
    if (o.merge) {
        /* every other word is a shard's folder */
        for (int i = 1; i < nrest; i++) {
            if (rest[i][0] == '-') {
                cli_fail("--merge takes folders, --out, --rank, --top and --heatmap only (not %s)", rest[i]);
                return 2;
            }
            if (o.nmerge < CLI_MAX_FILES) o.merge_dirs[o.nmerge++] = rest[i];
        }
        if (!o.nmerge) {
            cli_fail("--merge needs the shards' folders");
            return 2;
        }
        free(rest);
        return merge(&o);
    }
    if (!o.g.nkeys) {
        cli_fail("sweep needs at least one --grid section.key=v1,v2,... (try --help)");
        return 2;
    }
    recsym_t rs;
    if ((rc = recsym_parse(&c, &rs, nrest, rest, usage, "sweep"))) return rc;
    if (c.out_dir) o.out = c.out_dir; /* cli's --out, had it been given before ours */
    o.g.total = 1;
    for (int k = 0; k < o.g.nkeys; k++) {
        if (o.g.total > 10000000 / o.g.nv[k]) {
            cli_fail("--grid: more than 10,000,000 combinations");
            return 2;
        }
        o.g.total *= o.g.nv[k];
    }
    if ((rc = check_grid(&o, &c.cfg, &c.x))) return rc;
    colset_t cols = {0};
    rc = run_columns(&o, &c, &cols);
    if (!rc) rc = check_outputs(&o, &cols, o.split > 0);
    colset_free(&cols);
    if (rc) return rc;
    /* this shard's combinations (static, as rest above: an error return leaves it reachable) */
    static work_t *w;
    w = calloc(1, sizeof *w);
    if (!w) return 2;
    w->o = &o;
    w->c = &c;
    w->lanes_per_job = o.split > 0 ? 2 : 1;
    for (int64_t k = 0; k < o.g.total; k++)
        if (in_shard(k, o.shard_i, o.shard_n)) w->njobs++;
    if (!w->njobs) {
        cli_fail("--shard %d/%d: no combination of the %" PRId64 " falls in it", o.shard_i, o.shard_n, o.g.total);
        return 2;
    }
    if (!(w->jobs = calloc((size_t)w->njobs, sizeof *w->jobs))) return 2;
    char err[512];
    for (int64_t k = 0, j = 0; k < o.g.total; k++) {
        if (!in_shard(k, o.shard_i, o.shard_n)) continue;
        w->jobs[j].combo = k;
        if (combo_config(&o.g, &c.cfg, k, &w->jobs[j].cfg, &w->jobs[j].x, err, sizeof err)) return 2; /* checked */
        j++;
    }
    char span_err[300];
    /* the data's span is for --split and the progress line: a pass over all the data that a
       quiet sweep without --split does not need */
    if ((o.split > 0 || !o.quiet) && bt_span(c.files, c.nfiles, &w->first_ns, &w->last_ns, span_err, sizeof span_err)) {
        cli_fail("%s", span_err);
        return 2;
    }
    if (o.split > 0) {
        w->from_cut = w->first_ns + (int64_t)((double)(w->last_ns - w->first_ns) * o.split);
        if (w->from_cut <= w->first_ns || w->from_cut >= w->last_ns) {
            cli_fail("--split %g: the data spans %.3f s, too little to cut", o.split,
                     (double)(w->last_ns - w->first_ns) / 1e9);
            return 2;
        }
    }
    /* groups: at least one per thread, at most 128 engines in one (memory: each engine's
       venue and oms hold a few MB once touched) */
    int lanes = w->njobs * w->lanes_per_job;
    int ng = (lanes + 127) / 128;
    if (ng < o.jobs) ng = o.jobs;
    if (ng > w->njobs) ng = w->njobs;
    w->ngroups = ng;
    if (mkdir_p(o.out)) return 2;
    if (o.reports) {
        char d[1100];
        snprintf(d, sizeof d, "%s/reports", o.out);
        if (mkdir_p(d)) return 2;
    }
    pthread_mutex_init(&w->mu, 0);
    pthread_cond_init(&w->ended, 0);
    int nth = o.jobs < ng ? o.jobs : ng;
    w->workers_left = nth;
    pthread_t *th = calloc((size_t)nth, sizeof *th);
    double t0 = mono_s();
    for (int i = 0; i < nth; i++)
        if (pthread_create(&th[i], 0, worker, w)) {
            cli_fail("cannot start thread %d of %d", i + 1, nth);
            return 2;
        }
    /* the progress line, until every worker ended (every group done, or one failed); the
       wait ends as the last worker does, not at the next 50 ms step */
    double last = 0;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        if (w->workers_left > 0) {
            struct timespec dl;
            clock_gettime(CLOCK_REALTIME, &dl);
            dl.tv_nsec += 50000000;
            if (dl.tv_nsec >= 1000000000) { dl.tv_sec++; dl.tv_nsec -= 1000000000; }
            pthread_cond_timedwait(&w->ended, &w->mu, &dl);
        }
        int left = w->workers_left;
        pthread_mutex_unlock(&w->mu);
        if (!left) break;
        double now = mono_s();
        if (!o.quiet && now - last >= (isatty(2) ? 0.25 : 10.0)) {
            if (last > 0 || now - t0 > 1) progress(w, t0, 0);
            if (now - t0 > 1) last = now;
        }
    }
    for (int i = 0; i < nth; i++) pthread_join(th[i], 0);
    free(th);
    if (w->failed) {
        if (!o.quiet && isatty(2)) fputc('\n', stderr);
        cli_fail("%s", w->err);
        return 2;
    }
    if (!o.quiet) progress(w, t0, 1);
    if (recsym_check(&c, &rs, &w->syms)) return 2;
    if (o.reports)
        for (int j = 0; j < w->njobs; j++)
            for (int s = 0; s < w->lanes_per_job; s++) {
                char path[1200];
                snprintf(path, sizeof path, "%s/reports/%" PRId64 "%s.json", o.out, w->jobs[j].combo,
                         w->lanes_per_job == 2 ? (s ? "-oos" : "-is") : "");
                FILE *f = fopen(path, "w");
                if (!f || fputs(w->jobs[j].json[s], f) < 0 || fclose(f)) {
                    cli_fail("%s: %s", path, strerror(errno));
                    return 2;
                }
            }
    table_t t = {0};
    if ((rc = build_table(w, &t)) || (rc = write_table(&t, o.out)) ||
        (rc = write_meta(&o, &c)))
        return rc;
    finish(&t, o.g.nkeys, &o, o.split > 0);
    table_free(&t);
    for (int j = 0; j < w->njobs; j++) {
        free(w->jobs[j].json[0]);
        free(w->jobs[j].json[1]);
    }
    free(w->jobs);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->ended);
    free(w);
    free(rest);
    return 0;
}
