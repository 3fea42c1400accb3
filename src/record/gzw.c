/* gzw.c: the recorder's streaming gzip writer (see gzw.h). */
#include "gzw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(gzw_t *g, int e) {
    if (!g->err) g->err = e ? e : EIO;
    return -1;
}

/* the deflate output goes into g->out (grown as needed) */
static int run_deflate(gzw_t *g, const unsigned char *p, size_t n, int flush) {
    g->z.next_in = (unsigned char *)p;
    g->z.avail_in = (uInt)n;
    for (;;) {
        if (g->capout - g->nout < 65536) {
            size_t cap = g->capout ? g->capout * 2 : (1u << 20);
            unsigned char *o = realloc(g->out, cap);
            if (!o) return fail(g, ENOMEM);
            g->out = o;
            g->capout = cap;
        }
        g->z.next_out = g->out + g->nout;
        g->z.avail_out = (uInt)(g->capout - g->nout);
        int rc = deflate(&g->z, flush);
        g->nout = g->capout - g->z.avail_out;
        if (rc == Z_STREAM_END) return 0;
        if (rc != Z_OK && rc != Z_BUF_ERROR) return fail(g, EIO);
        /* done when the input is taken and deflate left room in the output (all of it out) */
        if (!g->z.avail_in && g->z.avail_out) return 0;
    }
}

static int write_out(gzw_t *g) {
    size_t off = 0;
    while (off < g->nout) {
        ssize_t w = write(g->fd, g->out + off, g->nout - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return fail(g, errno);
        }
        off += (size_t)w;
    }
    g->file_bytes += (int64_t)g->nout;
    g->nout = 0;
    return 0;
}

int gzw_open(gzw_t *g, const char *path, int level) {
    memset(g, 0, sizeof *g);
    g->fd = -1;
    if (level < 1 || level > 9) level = 6;
    g->in = malloc(GZW_IN);
    if (!g->in) {
        errno = ENOMEM;
        return -1;
    }
    /* windowBits 15 + 16: a gzip header and trailer around the deflate stream */
    if (deflateInit2(&g->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(g->in);
        g->in = 0;
        errno = ENOMEM;
        return -1;
    }
    g->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (g->fd < 0) {
        int e = errno;
        deflateEnd(&g->z);
        free(g->in);
        g->in = 0;
        errno = e;
        return -1;
    }
    g->z_on = 1;
    return 0;
}

int gzw_write(gzw_t *g, const void *p, size_t n) {
    if (!g->z_on || g->err) return -1;
    g->raw_bytes += (int64_t)n;
    g->lines++;
    if (g->nin + n > GZW_IN) {
        if (g->nin && run_deflate(g, g->in, g->nin, Z_NO_FLUSH)) return -1;
        g->nin = 0;
        if (n > GZW_IN) return run_deflate(g, p, n, Z_NO_FLUSH); /* a huge line: straight in */
    }
    memcpy(g->in + g->nin, p, n);
    g->nin += n;
    /* a burst between two flushes is bounded in memory: flushed early past GZW_PENDING_MAX */
    if (g->nout > GZW_PENDING_MAX) return gzw_flush(g);
    return 0;
}

int gzw_line(gzw_t *g, int64_t ns, const char *text, size_t n) {
    if (!g->z_on || g->err) return -1;
    if (g->nin + n + 24 > GZW_IN) { /* the line may not fit after what is gathered */
        if (g->nin && run_deflate(g, g->in, g->nin, Z_NO_FLUSH)) return -1;
        g->nin = 0;
        if (n + 24 > GZW_IN) { /* a huge line (a deep snapshot): its parts straight in */
            char head[24];
            int hl = 0;
            uint64_t v = ns < 0 ? 0 : (uint64_t)ns;
            char d[24];
            int nd = 0;
            do d[nd++] = (char)('0' + v % 10); while ((v /= 10));
            while (nd) head[hl++] = d[--nd];
            head[hl++] = ' ';
            g->raw_bytes += hl + (int64_t)n + 1;
            g->lines++;
            if (run_deflate(g, (const unsigned char *)head, (size_t)hl, Z_NO_FLUSH) ||
                run_deflate(g, (const unsigned char *)text, n, Z_NO_FLUSH) ||
                run_deflate(g, (const unsigned char *)"\n", 1, Z_NO_FLUSH))
                return -1;
            return 0;
        }
    }
    unsigned char *o = g->in + g->nin, *start = o;
    uint64_t v = ns < 0 ? 0 : (uint64_t)ns;
    char d[24];
    int nd = 0;
    do d[nd++] = (char)('0' + v % 10); while ((v /= 10));
    while (nd) *o++ = (unsigned char)d[--nd];
    *o++ = ' ';
    memcpy(o, text, n);
    o += n;
    *o++ = '\n';
    g->nin += (size_t)(o - start);
    g->raw_bytes += o - start;
    g->lines++;
    if (g->nout > GZW_PENDING_MAX) return gzw_flush(g);
    return 0;
}

int gzw_flush(gzw_t *g) {
    if (!g->z_on || g->err) return -1;
    if (run_deflate(g, g->in, g->nin, Z_SYNC_FLUSH)) return -1;
    g->nin = 0;
    return write_out(g);
}

int gzw_close(gzw_t *g) {
    if (!g->z_on) return 0;
    int rc = 0;
    if (!g->err) {
        rc = run_deflate(g, g->in, g->nin, Z_FINISH);
        if (!rc) rc = write_out(g);
        /* the data is whole on disk before the file counts as finished */
        if (!rc && fdatasync(g->fd) && errno != EINVAL) rc = fail(g, errno);
    } else {
        rc = -1;
    }
    g->nin = 0;
    deflateEnd(&g->z);
    g->z_on = 0;
    if (close(g->fd) && !rc) rc = fail(g, errno);
    g->fd = -1;
    free(g->in);
    free(g->out);
    g->in = g->out = 0;
    g->nout = g->capout = 0;
    return rc ? -1 : 0;
}
