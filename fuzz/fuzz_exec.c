/* fuzz_exec.c: differential libFuzzer target for the executionReport reader
 * (proto/exec_read.c) against the cJSON decoder it stands in for (proto/order.c): on every
 * input the two must agree, refusal for refusal and field for field, both on the bare event
 * (proto_exec_read vs proto_exec_parse) and on a user data message (proto_exec_read_event vs
 * cJSON's "event" member read by proto_exec_from_cjson). The one allowed difference is the
 * reader's documented PROTO_EXEC_UNDECIDED, and only when the input holds a number of
 * PROTO_EXEC_NUM_MAX characters or more. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proto/exec_read.h"
#include "proto/order.h"

/* 1 when data holds a run of number characters as long as the reader refuses to read */
static int long_number(const uint8_t *d, size_t n) {
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        int c = d[i];
        run = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.' ? run + 1 : 0;
        if (run >= PROTO_EXEC_NUM_MAX) return 1;
    }
    return 0;
}

static void check(const char *what, int ref, const proto_exec_t *a, int got, const proto_exec_t *b,
                  const uint8_t *d, size_t n) {
    if (got == PROTO_EXEC_UNDECIDED) {
        if (!long_number(d, n)) {
            fprintf(stderr, "%s: undecided without a long number\n", what);
            __builtin_trap();
        }
        return;
    }
    if ((ref == 0) != (got == 0) || (got != 0 && got != -1)) {
        fprintf(stderr, "%s: cJSON says %d, the reader %d\n", what, ref, got);
        __builtin_trap();
    }
    if (!ref && memcmp(a, b, sizeof *a)) {
        fprintf(stderr, "%s: the fields differ\n", what);
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    proto_exec_t a, b;
    /* both structs zeroed whole (padding too) so that memcmp compares fields only */
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    int ref = proto_exec_parse(s, size, &a);
    int got = proto_exec_read(s, size, &b);
    check("bare event", ref, &a, got, &b, data, size);

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    cJSON *j = cJSON_ParseWithLength(s, size);
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "event");
    ref = cJSON_IsObject(ev) ? proto_exec_from_cjson(ev, &a) : -1;
    cJSON_Delete(j);
    got = proto_exec_read_event(s, size, &b);
    check("user data message", ref, &a, got, &b, data, size);
    return 0;
}
