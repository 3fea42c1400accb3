/* recording.c: the collector-format reader (see recording.h). */
#include "recording.h"

#include <errno.h>
#include <libdeflate.h>
#include <limits.h>
#include <sys/stat.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

static int read_all(const char *path, unsigned char **out, size_t *n, char *err, size_t errcap) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return Q_E_IO;
    }
    size_t cap = 1 << 20, len = 0;
    unsigned char *b = malloc(cap);
    for (;;) {
        if (!b) { fclose(f); snprintf(err, errcap, "%s: out of memory", path); return Q_E_NOMEM; }
        len += fread(b + len, 1, cap - len, f);
        if (len < cap) break;
        cap *= 2;
        unsigned char *nb = realloc(b, cap);
        if (!nb) free(b);
        b = nb;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(b); snprintf(err, errcap, "%s: read error", path); return Q_E_IO; }
    *out = b;
    *n = len;
    return 0;
}

/* The last gzip member cut short: a recorder killed before it finished the file (quoter record
   flushes whole lines, so what is there reads up to its last flush). zlib inflates what there
   is; the text is kept up to its last whole line, with a warning. Returns the bytes of text
   appended at *buf + out_pos (growing it), or -1 when the data is corrupt, not merely cut. */
static long long inflate_cut(const char *path, const unsigned char *in, size_t n, char **buf, size_t *cap,
                             size_t out_pos) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return -1;
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)(n > UINT_MAX ? UINT_MAX : n);
    size_t got = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (*cap - out_pos - got < 65536) {
            char *nb = realloc(*buf, *cap * 2 + 65536);
            if (!nb) break;
            *buf = nb;
            *cap = *cap * 2 + 65536;
        }
        z.next_out = (unsigned char *)*buf + out_pos + got;
        z.avail_out = (uInt)(*cap - out_pos - got > UINT_MAX ? UINT_MAX : *cap - out_pos - got);
        uInt before = z.avail_out;
        rc = inflate(&z, Z_NO_FLUSH);
        got += before - z.avail_out;
        if (rc == Z_BUF_ERROR && z.avail_in == 0) break; /* the input ends: cut short */
    }
    inflateEnd(&z);
    if (rc != Z_BUF_ERROR && rc != Z_OK) return -1; /* Z_STREAM_END would have been libdeflate's */
    while (got && (*buf)[out_pos + got - 1] != '\n') got--; /* whole lines only */
    fprintf(stderr, "quoter: %s: the file ends without its gzip trailer (a recorder stopped before finishing "
                    "it?): read up to its last whole line\n", path);
    return (long long)got;
}

int recording_load_file(const char *path, char **buf, size_t *len, size_t *cap, char *err,
                        size_t errcap) {
    unsigned char *in;
    size_t in_n;
    int rc = read_all(path, &in, &in_n, err, errcap);
    if (rc) return rc;
    if (in_n < 2 || in[0] != 0x1f || in[1] != 0x8b) { /* plain text */
        free(*buf);
        *buf = (char *)in;
        *len = *cap = in_n;
        return 0;
    }
    /* ISIZE (the last member's size mod 2^32) is a good first guess of the output size */
    size_t want = in_n >= 4 ? ((size_t)in[in_n - 4] | (size_t)in[in_n - 3] << 8 |
                               (size_t)in[in_n - 2] << 16 | (size_t)in[in_n - 1] << 24)
                            : 0;
    /* deflate cannot expand more than about 1032:1, so a larger ISIZE is a lie */
    if (want > in_n * 1032) want = in_n * 1032;
    if (want < in_n * 4) want = in_n * 4;
    if (*cap < want) {
        char *nb = realloc(*buf, want);
        if (!nb) { free(in); snprintf(err, errcap, "%s: out of memory", path); return Q_E_NOMEM; }
        *buf = nb;
        *cap = want;
    }
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d) { free(in); return Q_E_NOMEM; }
    size_t in_pos = 0, out_pos = 0;
    rc = 0;
    while (in_pos < in_n) {
        size_t used_in = 0, used_out = 0;
        enum libdeflate_result res = libdeflate_gzip_decompress_ex(
            d, in + in_pos, in_n - in_pos, *buf + out_pos, *cap - out_pos, &used_in, &used_out);
        if (res == LIBDEFLATE_INSUFFICIENT_SPACE) {
            size_t ncap = *cap * 2;
            if (ncap > in_n * 2064 + (1u << 20)) { /* beyond what deflate can produce */
                snprintf(err, errcap, "%s: corrupt gzip data at byte %zu", path, in_pos);
                rc = Q_E_IO;
                break;
            }
            char *nb = realloc(*buf, ncap);
            if (!nb) { rc = Q_E_NOMEM; break; }
            *buf = nb;
            *cap = ncap;
            continue;
        }
        if (res != LIBDEFLATE_SUCCESS) {
            long long got = inflate_cut(path, in + in_pos, in_n - in_pos, buf, cap, out_pos);
            if (got < 0) {
                snprintf(err, errcap, "%s: corrupt gzip data at byte %zu", path, in_pos);
                rc = Q_E_IO;
            } else {
                out_pos += (size_t)got;
            }
            break;
        }
        in_pos += used_in;
        out_pos += used_out;
    }
    libdeflate_free_decompressor(d);
    free(in);
    *len = out_pos;
    return rc;
}

int recording_open(recording_t *r, char **files, int nfiles) {
    memset(r, 0, sizeof *r);
    r->files = files;
    r->nfiles = nfiles;
    r->cur = -1;
    r->eof = 1;
    r->whole_limit = RECORDING_WHOLE_LIMIT;
    return nfiles > 0 ? 0 : Q_E_INVAL;
}

#define STREAM_CHUNK (4u << 20) /* streaming mode reads this much at a time */

static int file_size(const char *path, long long *size) {
    struct stat st;
    if (stat(path, &st)) return -1;
    *size = (long long)st.st_size;
    return 0;
}

static int open_next(recording_t *r) {
    if (r->gz) {
        gzclose(r->gz);
        r->gz = 0;
    }
    r->cur++;
    r->pos = r->len = 0;
    r->lineno = 0;
    r->eof = 1;
    if (r->cur >= r->nfiles) return 0;
    const char *path = r->files[r->cur];
    long long size;
    if (file_size(path, &size)) {
        snprintf(r->err, sizeof r->err, "%s: %s", path, strerror(errno));
        return Q_E_IO;
    }
    if (size <= r->whole_limit) {
        int rc = recording_load_file(path, &r->buf, &r->len, &r->cap, r->err, sizeof r->err);
        return rc ? rc : 1;
    }
    /* a large file: inflate it in chunks (zlib) so memory stays bounded */
    r->gz = gzopen(path, "rb");
    if (!r->gz) {
        snprintf(r->err, sizeof r->err, "%s: %s", path, strerror(errno));
        return Q_E_IO;
    }
    gzbuffer(r->gz, 1u << 17);
    size_t chunk = r->chunk ? r->chunk : STREAM_CHUNK;
    if (r->cap < chunk * 2) {
        char *nb = realloc(r->buf, chunk * 2);
        if (!nb) return Q_E_NOMEM;
        r->buf = nb;
        r->cap = chunk * 2;
    }
    r->eof = 0;
    return 1;
}

/* streaming mode: keeps the unread tail, reads the next chunk after it; 1 when more text
   arrived, 0 at the end of the file, < 0 on error */
static int refill(recording_t *r) {
    if (r->eof) return 0;
    size_t tail = r->len - r->pos;
    size_t chunk = r->chunk ? r->chunk : STREAM_CHUNK;
    if (tail >= r->cap - chunk / 2) { /* a line longer than the buffer can hold */
        char *nb = realloc(r->buf, r->cap * 2);
        if (!nb) return Q_E_NOMEM;
        r->buf = nb;
        r->cap *= 2;
    }
    memmove(r->buf, r->buf + r->pos, tail);
    r->pos = 0;
    r->len = tail;
    size_t room = r->cap - tail;
    int got = gzread(r->gz, r->buf + tail, (unsigned)(room < chunk ? room : chunk));
    int zerr = Z_OK;
    if (got < 0 || (got == 0 && (gzerror(r->gz, &zerr), zerr == Z_BUF_ERROR))) {
        gzerror(r->gz, &zerr);
        if (zerr == Z_BUF_ERROR) { /* cut short (see inflate_cut): the whole lines read so far */
            while (r->len && r->buf[r->len - 1] != '\n') r->len--;
            fprintf(stderr, "quoter: %s: the file ends without its gzip trailer (a recorder stopped before "
                            "finishing it?): read up to its last whole line\n", recording_file(r));
            r->eof = 1;
            return 0;
        }
        snprintf(r->err, sizeof r->err, "%s: %s", recording_file(r), gzerror(r->gz, &zerr));
        return Q_E_IO;
    }
    if (got == 0) {
        r->eof = 1;
        return 0;
    }
    r->len += (size_t)got;
    return 1;
}

const char *recording_file(const recording_t *r) {
    return r->cur >= 0 && r->cur < r->nfiles ? r->files[r->cur] : "";
}

void recording_bad_line(recording_t *r, const char *why) {
    r->bad_lines++;
    if (r->quiet >= 0 && r->reported < 20) {
        fprintf(stderr, "quoter: %s:%ld: skipped bad line: %s\n", recording_file(r), r->lineno, why);
        if (++r->reported == 20) fprintf(stderr, "quoter: (further bad lines are counted, not shown)\n");
    }
}

int recording_next(recording_t *r, const char **json, size_t *n, int64_t *local_ns) {
    for (;;) {
        if (r->cur < 0 || r->pos >= r->len) {
            int rc = r->cur >= 0 && r->cur < r->nfiles ? refill(r) : 0;
            if (rc < 0) return rc;
            if (rc > 0) continue;
            if (r->cur >= r->nfiles) return 0;
            rc = open_next(r);
            if (rc <= 0) return rc;
            continue;
        }
        const char *s = r->buf + r->pos;
        size_t left = r->len - r->pos;
        const char *nl = memchr(s, '\n', left);
        if (!nl && !r->eof) { /* the line goes on in the next chunk */
            int rc = refill(r);
            if (rc < 0) return rc;
            continue;
        }
        size_t ll = nl ? (size_t)(nl - s) : left;
        r->pos += ll + (nl ? 1 : 0);
        r->lineno++;
        if (ll && s[ll - 1] == '\r') ll--;
        if (ll == 0) continue; /* blank lines are harmless */
        size_t i = 0;
        uint64_t t = 0;
        while (i < ll && i < 20 && (unsigned)(s[i] - '0') <= 9) t = t * 10 + (uint64_t)(s[i++] - '0');
        if (i == 0 || i > 19 || t > (uint64_t)INT64_MAX || i >= ll || s[i] != ' ') {
            recording_bad_line(r, "expected `<local ns> <json>`");
            continue;
        }
        *local_ns = (int64_t)t;
        *json = s + i + 1;
        *n = ll - i - 1;
        return 1;
    }
}

void recording_close(recording_t *r) {
    if (r->gz) gzclose(r->gz);
    r->gz = 0;
    free(r->buf);
    r->buf = 0;
    r->len = r->cap = 0;
}
