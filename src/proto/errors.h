/* errors.h: Binance's error codes (errors.md in binance/binance-spot-api-docs), named as
 * Binance names them: for the exchange that answers them and the client that must tell a
 * rejection from an outcome nobody knows. */
#ifndef Q_ERRORS_H
#define Q_ERRORS_H

typedef enum binance_error {
    BE_UNKNOWN = -1000,
    BE_DISCONNECTED = -1001,
    BE_TOO_MANY_REQUESTS = -1003,
    BE_UNEXPECTED_RESP = -1006,          /* outcome unknown */
    BE_TIMEOUT = -1007,                  /* outcome unknown */
    BE_SERVER_BUSY = -1008,
    BE_INVALID_MESSAGE = -1013,          /* filter failures and other refusals before matching */
    BE_TOO_MANY_ORDERS = -1015,
    BE_INVALID_TIMESTAMP = -1021,
    BE_INVALID_SIGNATURE = -1022,
    BE_ILLEGAL_CHARS = -1100,
    BE_TOO_MANY_PARAMETERS = -1101,      /* also: a parameter sent twice */
    BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED = -1102,
    BE_UNREAD_PARAMETERS = -1104,
    BE_PARAM_NOT_REQUIRED = -1106,
    BE_BAD_PRECISION = -1111,
    BE_INVALID_TIF = -1115,
    BE_INVALID_ORDER_TYPE = -1116,
    BE_INVALID_SIDE = -1117,
    BE_BAD_INTERVAL = -1120,
    BE_BAD_SYMBOL = -1121,
    BE_INVALID_LISTEN_KEY = -1125,
    BE_MORE_THAN_XX_HOURS = -1127,
    BE_OPTIONAL_PARAMS_BAD_COMBO = -1128,
    BE_BAD_RECV_WINDOW = -1131,          /* "recvWindow must be less than 60000" (older docs) */
    BE_NEW_ORDER_REJECTED = -2010,
    BE_CANCEL_REJECTED = -2011,
    BE_NO_SUCH_ORDER = -2013,
    BE_BAD_API_KEY_FMT = -2014,
    BE_REJECTED_MBX_KEY = -2015,
    BE_CANCEL_REPLACE_PARTIALLY_FAILED = -2021,
    BE_CANCEL_REPLACE_FAILED = -2022,
    BE_ORDER_AMEND_REJECTED = -2038,
    BE_CLIENT_ORDER_ID_INVALID = -2039,  /* a query's orderId and origClientOrderId name no one order */
    BE_KEY_TYPE_NOT_SUPPORTED = -4056,   /* session.logon with an HMAC key */
} binance_error_t;

/* An answer that does not say whether the order exists (HTTP 5xx, -1006, -1007): never a
   rejection; the client reconciles from the order's status or the user data stream. */
static inline int binance_outcome_unknown(int http_status, int code) {
    return http_status >= 500 || code == BE_UNEXPECTED_RESP || code == BE_TIMEOUT;
}

#endif
