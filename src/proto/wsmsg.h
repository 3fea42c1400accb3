/* wsmsg.h: WebSocket message reassembly, for the exchange and the live client alike. A
 * message may come in several frames (RFC 6455 5.4) and a frame in several socket reads;
 * libwebsockets hands each piece over as it arrives, with whether it is the first and the
 * final piece. This gathers the pieces until the message is whole, up to a size limit. */
#ifndef Q_WSMSG_H
#define Q_WSMSG_H

#include <stddef.h>

typedef struct wsmsg {
    char *buf;         /* the message so far (NUL-terminated), owned */
    size_t len, cap;
    size_t max;        /* a longer message is refused */
    int active;        /* a message has started and not ended */
} wsmsg_t;

typedef enum wsmsg_rc { WSMSG_MORE = 0, WSMSG_DONE = 1, WSMSG_TOO_BIG = -1, WSMSG_NOMEM = -2 } wsmsg_rc_t;

void wsmsg_init(wsmsg_t *m, size_t max);
void wsmsg_free(wsmsg_t *m);
/* Adds a piece. WSMSG_DONE: the whole message is in m->buf / m->len until the next call
   (a message that came in one piece is not copied: *whole points at `in` itself).
   WSMSG_TOO_BIG or WSMSG_NOMEM: the message is dropped (the caller closes with 1009). */
wsmsg_rc_t wsmsg_add(wsmsg_t *m, const char *in, size_t n, int first, int final, const char **whole, size_t *whole_len);

#endif
