/* exec_read.h: a schema-specific reader for the executionReport event, for the live client's
 * user data path: no cJSON, no allocation, one pass over the text. It reads exactly what
 * proto_exec_parse (order.c, through cJSON) reads, with the same answer on every input:
 * the same JSON grammar as the cJSON that Debian ships (whitespace is any byte <= 0x20, a
 * UTF-8 BOM may open the text, text after the top-level value is ignored, \u escapes are
 * decoded the way cJSON does, nesting deeper than 1000 fails), the first of duplicate keys
 * wins, keys and strings compare up to their first NUL (a \u0000), and numbers go through
 * strtod as cJSON's do. fuzz/fuzz_exec.c holds the two readers to that on arbitrary input.
 *
 * One difference, reported rather than guessed: a number written with PROTO_EXEC_NUM_MAX
 * characters or more anywhere in the text is not read (PROTO_EXEC_UNDECIDED); the caller
 * reads such a text with cJSON. No executionReport has one. */
#ifndef Q_PROTO_EXEC_READ_H
#define Q_PROTO_EXEC_READ_H

#include <stddef.h>

#include "order.h"

#define PROTO_EXEC_NUM_MAX 64  /* characters of a number the reader takes (cJSON: any) */
#define PROTO_EXEC_UNDECIDED -2

/* Reads an executionReport object: 0 (out filled exactly as proto_exec_parse fills it), -1
   when proto_exec_parse would refuse it too, PROTO_EXEC_UNDECIDED (see above). */
int proto_exec_read(const char *json, size_t n, proto_exec_t *out);
/* The same for a user data message, {"subscriptionId":N,"event":{...}}: the event is the
   first "event" member of the top-level object, read as above (-1: no such member, or not
   an object, or not an executionReport proto_exec_parse would take). */
int proto_exec_read_event(const char *json, size_t n, proto_exec_t *out);

#endif
