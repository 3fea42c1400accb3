/* gzw.h: a streaming gzip writer for the recorder: one gzip member per file, written with
 * zlib's deflate. Lines are gathered in an input buffer and deflated as it fills; the
 * compressed bytes stay in memory until gzw_flush(), which ends them with a sync flush
 * (Z_SYNC_FLUSH: an empty stored block, byte-aligned) and only then writes them to the
 * file. So whatever is on disk always ends at a sync point between two whole lines: a
 * recorder killed at any moment leaves a file that zcat (or any inflater) reads up to its
 * last flush, whole lines only, and then reports the missing trailer. gzw_close() ends the
 * member (Z_FINISH: the last block, CRC-32 and length) and closes the file: `gzip -t` passes. */
#ifndef Q_GZW_H
#define Q_GZW_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#define GZW_IN (256u << 10)      /* input gathered before a deflate call */
#define GZW_PENDING_MAX (8u << 20) /* compressed bytes held before a flush is forced */

typedef struct gzw {
    int fd;
    z_stream z;
    int z_on;
    unsigned char *in;          /* GZW_IN */
    size_t nin;
    unsigned char *out;         /* compressed, not yet written */
    size_t nout, capout;
    int64_t raw_bytes;          /* uncompressed bytes taken */
    int64_t file_bytes;         /* compressed bytes written to the file */
    int64_t lines;
    int err;                    /* errno of the first failure (0: none) */
} gzw_t;

/* Creates path (O_EXCL: never overwrites an earlier recording) at the given deflate level
   (1..9). 0, or -1 with errno set. */
int gzw_open(gzw_t *g, const char *path, int level);
/* Appends bytes (the caller appends whole lines: the flush points fall between its calls).
   0, or -1 (memory, or an earlier write failure: g->err). */
int gzw_write(gzw_t *g, const void *p, size_t n);
/* Appends the line "<ns> <text>\n" (text without its own newline). 0 or -1 as gzw_write. */
int gzw_line(gzw_t *g, int64_t ns, const char *text, size_t n);
/* Makes everything taken so far readable on disk (sync flush, write). 0 or -1. */
int gzw_flush(gzw_t *g);
/* Finishes the member, writes it, closes. 0 or -1 (the file is closed either way). */
int gzw_close(gzw_t *g);
/* 1 while the file is open */
static inline int gzw_is_open(const gzw_t *g) { return g->z_on; }

#endif
