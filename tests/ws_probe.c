/* ws_probe.c: a tiny WebSocket client for the exchange tests (libwebsockets client role):
 *   ws_probe PORT PATH COUNT [MESSAGE...]
 * connects to ws://127.0.0.1:PORT/PATH, sends the MESSAGEs in order, prints the first
 * COUNT text messages one a line, and exits 0 (1 on error or after 10 s without them). */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int want, got, done, failed;
static char **messages;
static int nmessages;

static int cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    (void)user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (nmessages) lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (nmessages) {
            size_t n = strlen(messages[0]);
            unsigned char *b = malloc(LWS_PRE + n);
            memcpy(b + LWS_PRE, messages[0], n);
            lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_TEXT);
            free(b);
            messages++;
            if (--nmessages) lws_callback_on_writable(wsi);
        }
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        printf("%.*s\n", (int)len, (const char *)in);
        fflush(stdout);
        if (++got >= want) {
            done = 1;
            return -1;
        }
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        fprintf(stderr, "ws_probe: %s\n", in ? (const char *)in : "connection error");
        failed = done = 1;
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        done = 1;
        break;
    default:
        break;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: ws_probe PORT PATH COUNT [MESSAGE]\n");
        return 2;
    }
    want = atoi(argv[3]);
    messages = argv + 4;
    nmessages = argc - 4;
    static const struct lws_protocols protocols[] = {{"probe", cb, 0, 1 << 20, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context *ctx = lws_create_context(&info);
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = ctx;
    ci.address = "127.0.0.1";
    ci.port = atoi(argv[1]);
    ci.path = argv[2];
    ci.host = "127.0.0.1";
    ci.origin = "127.0.0.1";
    ci.protocol = NULL;
    if (!lws_client_connect_via_info(&ci)) return 1;
    time_t t0 = time(0);
    while (!done && time(0) - t0 < 10) lws_service(ctx, 0);
    lws_context_destroy(ctx);
    return failed || got < want;
}
