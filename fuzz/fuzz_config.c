/* fuzz_config.c: libFuzzer target for the configuration parser and resolver. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    config_t c;
    config_exact_t x;
    char err[512];
    config_defaults(&c);
    if (config_load_string(&c, text, "fuzz.ini", err, sizeof err) == 0) {
        c.exchange_info[0] = 0; /* no file reads from fuzzed input */
        config_resolve(&c, &x, err, sizeof err);
    }
    /* --set takes the same path line by line */
    char *line = strtok(text, "\n");
    while (line) {
        config_set(&c, line, err, sizeof err);
        line = strtok(NULL, "\n");
    }
    free(text);
    return 0;
}
