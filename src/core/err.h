/* err.h: quoter's one error enum. Functions that can fail return 0 or one of these
 * (negative) codes; q_strerror() and q_errname() are generated from the same table. */
#ifndef Q_ERR_H
#define Q_ERR_H

#define Q_ERR_MAP(X)                                                    \
    X(E_INVAL,    -1, "invalid argument")                               \
    X(E_PARSE,    -2, "malformed input")                                \
    X(E_RANGE,    -3, "number out of range")                            \
    X(E_INEXACT,  -4, "decimal is not a whole number of ticks/steps")   \
    X(E_NOMEM,    -5, "out of memory")                                  \
    X(E_IO,       -6, "input/output error")                             \
    X(E_FULL,     -7, "fixed-size pool is full")                        \
    X(E_NOTFOUND, -8, "not found")                                      \
    X(E_STATE,    -9, "invalid state transition")                       \
    X(E_GAP,     -10, "update id gap")                                  \
    X(E_FILTER,  -11, "exchange filter failure")

enum q_err {
#define Q_ERR_ENUM(name, code, msg) Q_##name = code,
    Q_ERR_MAP(Q_ERR_ENUM)
#undef Q_ERR_ENUM
};

const char *q_strerror(int err);
const char *q_errname(int err);

#endif
