/* err.c: names and messages for the error enum. */
#include "err.h"

const char *q_strerror(int err) {
    switch (err) {
    case 0: return "ok";
#define Q_ERR_MSG(name, code, msg) case code: return msg;
    Q_ERR_MAP(Q_ERR_MSG)
#undef Q_ERR_MSG
    }
    return "unknown error";
}

const char *q_errname(int err) {
    switch (err) {
    case 0: return "OK";
#define Q_ERR_NAME(name, code, msg) case code: return #name;
    Q_ERR_MAP(Q_ERR_NAME)
#undef Q_ERR_NAME
    }
    return "E_UNKNOWN";
}
