/* test_log.c: the log's two forms. Text lines are byte for byte "PREFIX: message\n" (the
 * tests and operators grep them), control characters escaped so a message is one line;
 * JSON lines are one object each that cJSON reads back with time, level, source, msg and
 * the fields given, typed; strings with quotes, control characters and bytes that are not
 * UTF-8 stay valid JSON; a message longer than a line is cut and still a valid object. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "testutil.h"

/* everything logged while fn runs, as one string (caller frees) */
static char *cap_buf; /* open_memstream's (static: the stream outlives no frame of ours) */
static size_t cap_n;
static char *capture(log_format_t fmt, void (*fn)(void)) {
    cap_buf = 0;
    cap_n = 0;
    FILE *f = open_memstream(&cap_buf, &cap_n);
    assert_non_null(f);
    log_setup("quoter run", fmt, f);
    fn();
    fclose(f);
    log_setup("quoter run", LOG_TEXT, 0);
    return cap_buf;
}

static void say_text(void) {
    log_msg(LOG_INFO, "live", "connected: clock offset %d ms", -3);
    log_fields(LOG_WARN, "live", (log_field_t[]){LOG_S("event", "ACK")}, 1, "%-13s %s", "ACK", "q1-1");
}

static void text_lines_are_as_before(void **state) {
    (void)state;
    char *out = capture(LOG_TEXT, say_text);
    assert_string_equal(out, "quoter run: connected: clock offset -3 ms\nquoter run: ACK           q1-1\n");
    free(out);
}

/* a venue's reject reason that tries to start a log line of its own (order_line prints it raw) */
static void say_forged(void) {
    log_msg(LOG_INFO, "live", "  %d %s", -2010, "Order would match\nquoter run: FILL q1-9 BUY 1 @ 1\r\tx\x01\x7f\\n end");
}

static void text_escapes_control_characters(void **state) {
    (void)state;
    char *out = capture(LOG_TEXT, say_forged);
    /* one line: the newline, return, tab, 0x01 and DEL written as escapes; a backslash as it is */
    assert_string_equal(out, "quoter run:   -2010 Order would match\\nquoter run: FILL q1-9 BUY 1 @ 1\\r\\tx\\x01\\x7f\\n end\n");
    assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
    free(out);
}

static void say_json(void) {
    log_field_t f[] = {LOG_S("event", "FILL"), LOG_S("cid", "q1-2"), LOG_N("price", "61844.25"), LOG_N("qty", "0.01000000"),
                       LOG_N("bid", "-"), LOG_I("order_id", 123456789012LL), LOG_B("maker", 1), LOG_F("pnl", -0.25),
                       LOG_F("nan", 0.0 / 0.0), LOG_S("reason", "say \"no\"\n\ttab \x01 bad \xff\xfe end"),
                       LOG_S("null", 0)};
    log_fields(LOG_WARN, "live", f, (int)(sizeof f / sizeof f[0]), "FILL %s", "q1-2");
    log_msg(LOG_INFO, "binance", "plain");
}

static cJSON *line_json(const char *line, size_t n) {
    cJSON *j = cJSON_ParseWithLength(line, n);
    if (!j) fail_msg("not JSON: %.*s", (int)n, line);
    return j;
}

static void json_lines_read_back(void **state) {
    (void)state;
    char *out = capture(LOG_JSON, say_json);
    char *nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_non_null(strchr(nl + 1, '\n'));
    assert_int_equal(strchr(nl + 1, '\n')[1], 0); /* two lines, each ended */
    cJSON *j = line_json(out, (size_t)(nl - out));
    const char *t = cJSON_GetObjectItem(j, "time")->valuestring;
    assert_int_equal(strlen(t), 24); /* 2024-08-08T12:00:00.123Z */
    assert_int_equal(t[10], 'T');
    assert_int_equal(t[23], 'Z');
    assert_string_equal(cJSON_GetObjectItem(j, "level")->valuestring, "warn");
    assert_string_equal(cJSON_GetObjectItem(j, "source")->valuestring, "live");
    assert_string_equal(cJSON_GetObjectItem(j, "msg")->valuestring, "FILL q1-2");
    assert_string_equal(cJSON_GetObjectItem(j, "event")->valuestring, "FILL");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "price")));
    assert_true(cJSON_GetObjectItem(j, "price")->valuedouble == 61844.25);
    assert_non_null(strstr(out, "\"price\":61844.25,\"qty\":0.01000000,")); /* the decimals as given */
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "bid")));              /* "-" is no number */
    assert_true(cJSON_GetObjectItem(j, "order_id")->valuedouble == 123456789012.0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "maker")));
    assert_true(cJSON_GetObjectItem(j, "pnl")->valuedouble == -0.25);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "nan")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "null")));
    assert_string_equal(cJSON_GetObjectItem(j, "reason")->valuestring,
                        "say \"no\"\n\ttab \x01 bad \xef\xbf\xbd\xef\xbf\xbd end"); /* U+FFFD for each bad byte */
    cJSON_Delete(j);
    j = line_json(nl + 1, strlen(nl + 1) - 1);
    assert_string_equal(cJSON_GetObjectItem(j, "source")->valuestring, "binance");
    assert_string_equal(cJSON_GetObjectItem(j, "level")->valuestring, "info");
    cJSON_Delete(j);
    free(out);
}

static char long_msg[9000];
static void say_long(void) {
    log_fields(LOG_INFO, "live", (log_field_t[]){LOG_S("after", "x")}, 1, "%s", long_msg);
}

static void a_long_line_stays_one_object(void **state) {
    (void)state;
    /* quotes double when escaped: the message cannot fit whole */
    for (size_t i = 0; i < sizeof long_msg - 1; i++) long_msg[i] = i % 3 ? '"' : "\xc3\xa9"[i % 2];
    long_msg[sizeof long_msg - 1] = 0;
    char *out = capture(LOG_JSON, say_long);
    size_t n = strlen(out);
    assert_true(n > 1000 && out[n - 1] == '\n');
    assert_null(strchr(out, '\n') + 1 < out + n ? strchr(strchr(out, '\n') + 1, '\n') : 0); /* one line */
    cJSON *j = line_json(out, n - 1);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(j, "msg")));
    cJSON_Delete(j);
    free(out);
}

static void json_string_cuts_whole_characters(void **state) {
    (void)state;
    char out[16];
    /* room for 13 bytes inside the quotes: an escape or a UTF-8 sequence is never split */
    for (size_t cap = 3; cap <= sizeof out; cap++) {
        size_t n = log_json_string(out, cap, "ab\"\xe2\x82\xac\\\n\x02z");
        assert_true(n < cap);
        assert_int_equal(out[n], 0);
        cJSON *j = cJSON_Parse(out);
        if (!j || !cJSON_IsString(j)) fail_msg("cap %zu: not a JSON string: %s", cap, out);
        cJSON_Delete(j);
    }
    assert_int_equal(log_json_string(out, sizeof out, "a\"b"), 6);
    assert_string_equal(out, "\"a\\\"b\"");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_lines_are_as_before),
        cmocka_unit_test(text_escapes_control_characters),
        cmocka_unit_test(json_lines_read_back),
        cmocka_unit_test(a_long_line_stays_one_object),
        cmocka_unit_test(json_string_cuts_whole_characters),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
