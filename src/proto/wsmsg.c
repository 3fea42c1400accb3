/* wsmsg.c: WebSocket message reassembly (see wsmsg.h). */
#include "wsmsg.h"

#include <stdlib.h>
#include <string.h>

void wsmsg_init(wsmsg_t *m, size_t max) {
    memset(m, 0, sizeof *m);
    m->max = max;
}

void wsmsg_free(wsmsg_t *m) {
    free(m->buf);
    m->buf = 0;
    m->len = m->cap = 0;
    m->active = 0;
}

wsmsg_rc_t wsmsg_add(wsmsg_t *m, const char *in, size_t n, int first, int final, const char **whole, size_t *whole_len) {
    if (first) m->len = 0, m->active = 0;
    if (!m->active && final) { /* the common case: one piece, no copy */
        if (n > m->max) return WSMSG_TOO_BIG;
        *whole = in;
        *whole_len = n;
        return WSMSG_DONE;
    }
    if (n > m->max - m->len) {
        m->len = 0;
        m->active = 0;
        return WSMSG_TOO_BIG;
    }
    if (m->len + n + 1 > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + n + 1) cap *= 2;
        char *b = realloc(m->buf, cap);
        if (!b) {
            m->len = 0;
            m->active = 0;
            return WSMSG_NOMEM;
        }
        m->buf = b;
        m->cap = cap;
    }
    memcpy(m->buf + m->len, in, n);
    m->len += n;
    m->buf[m->len] = 0;
    m->active = !final;
    if (!final) return WSMSG_MORE;
    *whole = m->buf;
    *whole_len = m->len;
    return WSMSG_DONE;
}
