/* cmd_history.c: `quoter history`: a live run's summary from its SQLite journal (journal.h):
 * orders sent, canceled, rejected, fills, volume, fees by asset, request round trips; and the
 * round trips as CSV for the backtester's latency model. The backtest report computed from
 * the journal (the same report code from either loop) is for a later session. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: quoter history [--db FILE] [--json] [--latency-csv FILE] [RUN]\n"
    "\n"
    "Summarises a `quoter run` from its journal: the last run, or run id RUN. Orders sent,\n"
    "filled, canceled, rejected and still open (as the journal knows them), fills, volume,\n"
    "fees by asset, and the measured round trip of each request kind.\n"
    "\n"
    "  --db FILE           the journal (default quoter.db)\n"
    "  --json              one JSON object\n"
    "  --latency-csv FILE  the run's measured round trips: kind,sent_ns,answered_ns,rtt_ns\n"
    "\n"
    "Exit status: 0, 1 the journal cannot be read or has no such run, 2 bad usage.\n";

static int64_t one_int(sqlite3 *db, const char *q, int64_t run) {
    sqlite3_stmt *s;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, q, -1, &s, 0) != SQLITE_OK) return -1;
    sqlite3_bind_int64(s, 1, run);
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

int cmd_history(int argc, char **argv) {
    const char *path = "quoter.db", *csv = 0;
    int json = 0;
    int64_t run = 0;
    for (int i = 1; i < argc; i++) { /* argv[0]: "history" */
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(a, "--latency-csv") && i + 1 < argc) {
            csv = argv[++i];
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (a[0] != '-' && !run && (run = strtoll(a, 0, 10)) > 0) {
        } else {
            cli_fail("history: unknown or incomplete option %s (try --help)", a);
            return 2;
        }
    }
    sqlite3 *db = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, 0) != SQLITE_OK) {
        cli_fail("history: %s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return 1;
    }
    sqlite3_busy_timeout(db, 2000);
    int rc = 1;
    sqlite3_stmt *s = 0;
    if (!run) run = one_int(db, "SELECT COALESCE(MAX(id), 0) FROM runs WHERE ?1 = ?1", 0);
    if (run <= 0 || sqlite3_prepare_v2(db, "SELECT started, ended, exit_status, symbol, prefix FROM runs WHERE id = ?1",
                                       -1, &s, 0) != SQLITE_OK) {
        cli_fail("history: %s: %s", path, run == 0 ? "no run in the journal" : sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_int64(s, 1, run);
    if (sqlite3_step(s) != SQLITE_ROW) {
        cli_fail("history: %s: no run %lld", path, (long long)run);
        goto out;
    }
    int64_t started = sqlite3_column_int64(s, 0);
    int ended_null = sqlite3_column_type(s, 1) == SQLITE_NULL;
    int64_t ended = sqlite3_column_int64(s, 1), status = sqlite3_column_int64(s, 2);
    char symbol[32], prefix[32];
    snprintf(symbol, sizeof symbol, "%s", sqlite3_column_text(s, 3) ? (const char *)sqlite3_column_text(s, 3) : "");
    snprintf(prefix, sizeof prefix, "%s", sqlite3_column_text(s, 4) ? (const char *)sqlite3_column_text(s, 4) : "");
    sqlite3_finalize(s);
    s = 0;
    int64_t sent = one_int(db, "SELECT COUNT(*) FROM orders WHERE run = ?1 AND cid IN (SELECT cid FROM order_events"
                               " WHERE event IN ('SEND', 'SEND_REPLACE'))", run);
    int64_t filled = one_int(db, "SELECT COUNT(*) FROM orders WHERE run = ?1 AND state = 'FILLED'", run);
    int64_t canceled = one_int(db, "SELECT COUNT(*) FROM orders WHERE run = ?1 AND state = 'CANCELED'", run);
    int64_t rejected = one_int(db, "SELECT COUNT(*) FROM orders WHERE run = ?1 AND state = 'REJECTED'", run);
    int64_t expired = one_int(db, "SELECT COUNT(*) FROM orders WHERE run = ?1 AND state = 'EXPIRED'", run);
    int64_t open = one_int(db, "SELECT COUNT(*) FROM orders WHERE run = ?1 AND state NOT IN ('FILLED', 'CANCELED',"
                               " 'REJECTED', 'EXPIRED')", run);
    int64_t fills = one_int(db, "SELECT COUNT(*) FROM fills WHERE run = ?1", run);
    int64_t maker = one_int(db, "SELECT COUNT(*) FROM fills WHERE run = ?1 AND maker", run);
    double vol_base = 0, vol_quote = 0, buy = 0, sell = 0;
    if (sqlite3_prepare_v2(db, "SELECT side, CAST(price AS REAL), CAST(qty AS REAL) FROM fills WHERE run = ?1", -1,
                           &s, 0) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_int64(s, 1, run);
    while (sqlite3_step(s) == SQLITE_ROW) {
        double p = sqlite3_column_double(s, 1), q = sqlite3_column_double(s, 2);
        vol_base += q;
        vol_quote += p * q;
        if (!strcmp((const char *)sqlite3_column_text(s, 0), "BUY")) buy += q;
        else sell += q;
    }
    sqlite3_finalize(s);
    s = 0;
    FILE *f = stdout;
    if (json) {
        fprintf(f, "{\"run\":%lld,\"symbol\":", (long long)run);
        json_str(f, symbol);
        fprintf(f, ",\"prefix\":");
        json_str(f, prefix);
        fprintf(f, ",\"started_ns\":%lld,\"ended_ns\":", (long long)started);
        if (ended_null) fprintf(f, "null,\"exit_status\":null");
        else fprintf(f, "%lld,\"exit_status\":%lld", (long long)ended, (long long)status);
        fprintf(f,
                ",\"orders\":{\"sent\":%lld,\"filled\":%lld,\"canceled\":%lld,\"rejected\":%lld,\"expired\":%lld,"
                "\"open\":%lld},\"fills\":%lld,\"maker_fills\":%lld,\"volume_base\":%.8f,\"volume_quote\":%.8f,"
                "\"bought\":%.8f,\"sold\":%.8f,\"fees\":{",
                (long long)sent, (long long)filled, (long long)canceled, (long long)rejected, (long long)expired,
                (long long)open, (long long)fills, (long long)maker, vol_base, vol_quote, buy, sell);
    } else {
        printf("run               %lld: %s, client ids %s...\n", (long long)run, symbol, prefix);
        if (ended_null) printf("duration          not ended (the process died: a later run reconciles it)\n");
        else printf("duration          %.1f s, exit status %lld\n", (double)(ended - started) / 1e9, (long long)status);
        printf("orders            %lld sent: %lld filled, %lld canceled, %lld rejected, %lld expired, %lld not done\n",
               (long long)sent, (long long)filled, (long long)canceled, (long long)rejected, (long long)expired,
               (long long)open);
        printf("fills             %lld (%lld maker)\n", (long long)fills, (long long)maker);
        printf("volume            %.8f base, %.8f quote (bought %.8f, sold %.8f)\n", vol_base, vol_quote, buy, sell);
        printf("fees             ");
    }
    if (sqlite3_prepare_v2(db, "SELECT fee_asset, SUM(CAST(fee AS REAL)) FROM fills WHERE run = ?1 GROUP BY fee_asset"
                               " ORDER BY fee_asset", -1, &s, 0) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_int64(s, 1, run);
    int k = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *asset = (const char *)sqlite3_column_text(s, 0);
        if (json) {
            fprintf(f, "%s", k ? "," : "");
            json_str(f, asset ? asset : "");
            fprintf(f, ":%.8f", sqlite3_column_double(s, 1));
        } else {
            printf(" %.8f %s", sqlite3_column_double(s, 1), asset ? asset : "?");
        }
        k++;
    }
    sqlite3_finalize(s);
    s = 0;
    if (json) fprintf(f, "},\"latency\":{");
    else printf("%s\n", k ? "" : " none");
    if (sqlite3_prepare_v2(db, "SELECT kind, COUNT(*), AVG(answered - sent), MIN(answered - sent), MAX(answered - sent)"
                               " FROM latency WHERE run = ?1 GROUP BY kind ORDER BY kind", -1, &s, 0) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_int64(s, 1, run);
    k = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(s, 0);
        double avg = sqlite3_column_double(s, 2) / 1e6, mn = sqlite3_column_double(s, 3) / 1e6,
               mx = sqlite3_column_double(s, 4) / 1e6;
        if (json) {
            fprintf(f, "%s", k ? "," : "");
            json_str(f, kind ? kind : "");
            fprintf(f, ":{\"count\":%lld,\"mean_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f}",
                    (long long)sqlite3_column_int64(s, 1), avg, mn, mx);
        } else {
            printf("round trip %-6s %lld: mean %.3f ms, min %.3f, max %.3f\n", kind ? kind : "?",
                   (long long)sqlite3_column_int64(s, 1), avg, mn, mx);
        }
        k++;
    }
    sqlite3_finalize(s);
    s = 0;
    if (json) fprintf(f, "}}\n");
    if (csv) {
        FILE *o = fopen(csv, "w");
        if (!o) {
            cli_fail("history: cannot write %s", csv);
            goto out;
        }
        fprintf(o, "kind,sent_ns,answered_ns,rtt_ns\n");
        if (sqlite3_prepare_v2(db, "SELECT kind, sent, answered FROM latency WHERE run = ?1 ORDER BY sent", -1, &s,
                               0) != SQLITE_OK) {
            fclose(o);
            goto sqlerr;
        }
        sqlite3_bind_int64(s, 1, run);
        while (sqlite3_step(s) == SQLITE_ROW) {
            long long a = sqlite3_column_int64(s, 1), b = sqlite3_column_int64(s, 2);
            fprintf(o, "%s,%lld,%lld,%lld\n", sqlite3_column_text(s, 0), a, b, b - a);
        }
        if (fclose(o)) {
            cli_fail("history: cannot write %s", csv);
            goto out;
        }
    }
    rc = 0;
    goto out;
sqlerr:
    cli_fail("history: %s: %s", path, sqlite3_errmsg(db));
out:
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}
