/* recording.h: reads recordings in the collector format, `<local ns> <raw JSON>` a line,
 * gzip-compressed (or plain text), several files replayed as one stream in the order given.
 *
 * A file up to RECORDING_WHOLE_LIMIT bytes (compressed) is inflated whole with libdeflate
 * (about twice zlib's speed), one file at a time; a larger one is inflated in 4 MB chunks
 * with zlib, so memory stays bounded whatever the file's size. Lines are handed out as
 * slices of the buffer, valid until the next call. A line
 * whose prefix is not `<digits> <json>` is counted and reported with its file and line
 * number, then skipped. Failing to open or inflate a file is an error for the caller. */
#ifndef Q_RECORDING_H
#define Q_RECORDING_H

#include <stddef.h>
#include <stdint.h>

#define RECORDING_WHOLE_LIMIT (64LL << 20)

typedef struct recording {
    char **files;
    int nfiles, cur;          /* cur: index of the open file, -1 before the first */
    char *buf;                /* the open file's text (whole mode) or a window of it */
    struct gzFile_s *gz;      /* zlib stream in streaming mode, else NULL */
    int eof;                  /* no more text in the open file beyond buf */
    long long whole_limit;    /* larger files stream; tests lower it */
    size_t chunk;             /* streaming mode's read size; 0 = 4 MB (a peek at the first lines wants less) */
    size_t len, pos, cap;
    long lineno;              /* in the open file, 1-based */
    long bad_lines;           /* malformed prefixes, here and reported by the caller */
    int quiet;                /* < 0: report no bad line on stderr (they are still counted) */
    long reported;
    char err[256];
} recording_t;

int recording_open(recording_t *r, char **files, int nfiles);
/* Next line: returns 1 with the JSON slice and its local time, 0 at the end of the last
 * file, or a negative error (r->err says which file failed). */
int recording_next(recording_t *r, const char **json, size_t *n, int64_t *local_ns);
/* The current file name and line, for error messages. */
const char *recording_file(const recording_t *r);
/* Counts and reports (on stderr, the first 20 only) a bad line at the current position. */
void recording_bad_line(recording_t *r, const char *why);
void recording_close(recording_t *r);

/* Inflates a whole gzip file (several members allowed) or reads a plain one into *buf
 * (malloc'd, grown as needed; *cap is its size). */
int recording_load_file(const char *path, char **buf, size_t *len, size_t *cap, char *err,
                        size_t errcap);

#endif
