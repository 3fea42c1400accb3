/* queue.h: queue-position models for a resting simulated order.
 *
 * The market data never contains our own order, so a model estimates how much quantity
 * rests ahead of us at our price (`ahead`, lots).
 *  - conservative (default): we join behind everything at the level when we arrive;
 *    trades at our price eat the queue from the front; a shrinking level only moves us
 *    forward when it becomes smaller than what we thought was ahead (cancels are assumed
 *    to come from behind us).
 *  - probabilistic: a shrink not explained by trades is split between ahead and behind
 *    in proportion to f(behind) / (f(behind) + f(ahead)), f(x) = x^power (the model of
 *    hftbacktest's ProbQueueModel): the more is behind us, the likelier a cancel came
 *    from there. */
#ifndef Q_QUEUE_H
#define Q_QUEUE_H

#include <stdint.h>

typedef enum queue_model_kind { QUEUE_CONSERVATIVE = 0, QUEUE_PROBABILISTIC } queue_model_kind_t;

typedef struct queue_model {
    queue_model_kind_t kind;
    double power;
} queue_model_t;

typedef struct queue_pos {
    double ahead;        /* lots ahead of us */
    int64_t level_qty;   /* the level's quantity as last seen, lots */
    int64_t traded;      /* traded at our price since the level was last seen */
} queue_pos_t;

void queue_join(const queue_model_t *m, queue_pos_t *q, int64_t level_qty);
/* A trade of `qty` at our price against our side. Returns the lots that reach us (fill). */
int64_t queue_on_trade(const queue_model_t *m, queue_pos_t *q, int64_t qty);
/* The level at our price now shows `level_qty`. */
void queue_on_level(const queue_model_t *m, queue_pos_t *q, int64_t level_qty);

#endif
