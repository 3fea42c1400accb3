/* log.h: the operator's log: one line per message on stderr, as text ("quoter run: ...",
 * the form the tests and operators grep) or, with --log-json, one JSON object per line:
 *   {"time":"2024-08-08T12:00:00.123Z","level":"info","source":"live","msg":"...", fields...}
 * Structured fields (an order event's cid, side, price...; the status line's numbers) are
 * keys of that object; in text mode only the message is written, byte for byte as given but
 * for control characters, escaped (a newline as \n, others as \xHH) so that one message is
 * always one line, whatever a venue's string holds.
 *
 * Messages are formatted into one buffer and written with one call, so a line is never
 * split by another writer. Nothing here knows a secret: callers never pass one (keys are
 * not logged anywhere; tests/run_keys.sh checks every output). One thread writes. */
#ifndef Q_LOG_H
#define Q_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

typedef enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;
typedef enum log_format { LOG_TEXT = 0, LOG_JSON } log_format_t;

/* a structured field: LOG_S / LOG_I / LOG_F / LOG_B build one */
typedef struct log_field {
    const char *key;
    char kind;          /* 's' string (NULL: null), 'i' integer, 'f' number (not finite: null), 'b' boolean,
                           'n' a decimal's text written as a JSON number ("61234.50": exact; not a
                           number, as "-" or "": null) */
    const char *s;
    int64_t i;
    double f;
} log_field_t;
#define LOG_S(k, v) ((log_field_t){(k), 's', (v), 0, 0})
#define LOG_I(k, v) ((log_field_t){(k), 'i', 0, (int64_t)(v), 0})
#define LOG_F(k, v) ((log_field_t){(k), 'f', 0, 0, (double)(v)})
#define LOG_B(k, v) ((log_field_t){(k), 'b', 0, !!(v), 0})
#define LOG_N(k, v) ((log_field_t){(k), 'n', (v), 0, 0})

/* The text lines' prefix ("quoter run": lines read "quoter run: message"), the format, and
   where lines go (NULL: stderr). Process-wide; set once before logging. */
void log_setup(const char *prefix, log_format_t fmt, FILE *out);
log_format_t log_format(void);

void log_msg(log_level_t lv, const char *source, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void log_vmsg(log_level_t lv, const char *source, const char *fmt, va_list ap);
/* A message with fields (the JSON object carries them; text shows the message only). */
void log_fields(log_level_t lv, const char *source, const log_field_t *f, int nf, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Writes s as a JSON string (quotes included, NUL-terminated) into out, cap >= 3 bytes:
   control characters escaped, bytes that are not UTF-8 replaced by U+FFFD; when s does not
   fit it is cut at a character, and the string is still closed. Returns the length written. */
size_t log_json_string(char *out, size_t cap, const char *s);
/* The same, whole, to a stream (the journal's and history's JSON). */
void log_json_fputs(FILE *f, const char *s);

/* libwebsockets' own log lines (lws_set_log_level's emitter), as LOG_ERROR from "lws" */
void log_lws_line(int level, const char *line);

#endif
