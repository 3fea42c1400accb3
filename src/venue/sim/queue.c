/* queue.c: queue-position models (see queue.h). */
#include "queue.h"

#include <math.h>

void queue_join(const queue_model_t *m, queue_pos_t *q, int64_t level_qty) {
    (void)m;
    q->ahead = (double)level_qty;
    q->level_qty = level_qty;
    q->traded = 0;
}

int64_t queue_on_trade(const queue_model_t *m, queue_pos_t *q, int64_t qty) {
    (void)m;
    q->traded += qty;
    q->ahead -= (double)qty;
    if (q->ahead >= 0) return 0;
    int64_t through = (int64_t)floor(-q->ahead);
    q->ahead = 0;
    return through;
}

void queue_on_level(const queue_model_t *m, queue_pos_t *q, int64_t level_qty) {
    int64_t prev = q->level_qty;
    /* the part of the change that trades already explained */
    int64_t shrink = prev - level_qty - q->traded;
    q->traded = 0;
    q->level_qty = level_qty;
    if (m->kind == QUEUE_PROBABILISTIC && shrink > 0) {
        double front = q->ahead;
        double back = (double)prev - front;
        if (back < 0) back = 0;
        double fb = pow(back, m->power), ff = pow(front, m->power);
        double p_back = fb + ff > 0 ? fb / (fb + ff) : 1;
        double from_front = (1 - p_back) * (double)shrink;
        double from_back = p_back * (double)shrink;
        if (from_back > back) from_front += from_back - back; /* the back ran out */
        q->ahead = front - from_front;
        if (q->ahead < 0) q->ahead = 0;
    }
    /* in every model nothing can be ahead of us beyond what the level holds */
    if (q->ahead > (double)level_qty) q->ahead = (double)level_qty;
}
