/* keys.c: the API key and its secret, from the environment or owner-only files (see keys.h). */
#define _POSIX_C_SOURCE 200809L
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/err.h"
#include "../../proto/sign.h"

#define KEY_FILE_MAX 16384

static keys_t *loaded; /* wiped at exit */

static void wipe_at_exit(void) {
    if (loaded) keys_wipe(loaded);
}

int keys_read_file(const char *var, const char *path, char **out, size_t *cap_out, char *err, size_t cap) {
    *out = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(err, cap, "%s: cannot open %s: %s", var, path, strerror(errno));
        return Q_E_IO;
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        snprintf(err, cap, "%s: %s is not a regular file", var, path);
        close(fd);
        return Q_E_INVAL;
    }
    if (st.st_mode & 077) {
        snprintf(err, cap, "%s: %s has mode %04o: a key file must be readable by its owner only (chmod 600 %s)", var, path,
                 (unsigned)(st.st_mode & 07777), path);
        close(fd);
        return Q_E_INVAL;
    }
    if (st.st_uid != geteuid()) {
        snprintf(err, cap, "%s: %s belongs to another user (uid %u)", var, path, (unsigned)st.st_uid);
        close(fd);
        return Q_E_INVAL;
    }
    if (st.st_size <= 0 || st.st_size > KEY_FILE_MAX) {
        snprintf(err, cap, "%s: %s is %s", var, path, st.st_size <= 0 ? "empty" : "too large for a key");
        close(fd);
        return Q_E_INVAL;
    }
    size_t n = (size_t)st.st_size, got = 0;
    char *buf = malloc(n + 1);
    if (!buf) {
        close(fd);
        return Q_E_NOMEM;
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got < n) { /* a short read: never a truncated key */
        OPENSSL_cleanse(buf, n + 1);
        free(buf);
        snprintf(err, cap, "%s: %s could not be read whole", var, path);
        return Q_E_IO;
    }
    while (got && (buf[got - 1] == '\n' || buf[got - 1] == '\r' || buf[got - 1] == ' ' || buf[got - 1] == '\t')) got--;
    buf[got] = 0;
    if (!got) {
        OPENSSL_cleanse(buf, n + 1);
        free(buf);
        snprintf(err, cap, "%s: %s holds no key", var, path);
        return Q_E_INVAL;
    }
    *out = buf;
    *cap_out = n + 1;
    return 0;
}

static char *dup_cleanse(const char *s, size_t *cap) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    *cap = n + 1;
    return d;
}

static const char *set(const char *s) { return s && *s ? s : 0; }

/* the Ed25519 PEM just read must be one that signs: told now, not at the first order */
static int check_pem(keys_t *k, const char *path, char *err, size_t cap) {
    char sig[128];
    if (strncmp(k->secret, "-----BEGIN", 10) || sign_ed25519_sign(k->secret, "probe", 5, sig, sizeof sig)) {
        snprintf(err, cap, "%s: %s is not an Ed25519 private key in PEM form", k->source, path);
        keys_wipe(k);
        return Q_E_INVAL;
    }
    k->ed25519 = 1;
    return 0;
}

int keys_load(keys_t *k, const keys_files_t *files, char *err, size_t cap) {
    memset(k, 0, sizeof *k);
    static const keys_files_t none = {0, 0, 0};
    if (!files) files = &none;
    const char *key = getenv("QUOTER_API_KEY"), *pem_file = getenv("QUOTER_PRIVATE_KEY_FILE");
    const char *secret_file = getenv("QUOTER_API_SECRET_FILE");
    char *secret_env = getenv("QUOTER_API_SECRET");
    const char *cfg_pem = set(files->private_key_file), *cfg_secret = set(files->secret_file);
    int rc;
    if (cfg_pem && cfg_secret && !set(pem_file) && !set(secret_file) && !set(secret_env)) {
        snprintf(err, cap, "keys.private_key_file and keys.secret_file are both set: name one key (Ed25519 or HMAC)");
        return Q_E_INVAL;
    }
    if (set(pem_file)) {
        k->source = "QUOTER_PRIVATE_KEY_FILE";
        if ((rc = keys_read_file(k->source, pem_file, &k->secret, &k->secret_cap, err, cap))) return rc;
        if ((rc = check_pem(k, pem_file, err, cap))) return rc;
    } else if (set(secret_file)) {
        k->source = "QUOTER_API_SECRET_FILE";
        if ((rc = keys_read_file(k->source, secret_file, &k->secret, &k->secret_cap, err, cap))) return rc;
    } else if (set(secret_env)) {
        k->source = "QUOTER_API_SECRET";
        k->secret = dup_cleanse(secret_env, &k->secret_cap);
        /* the environment's copy is overwritten: the secret lives in one buffer only */
        OPENSSL_cleanse(secret_env, strlen(secret_env));
        if (!k->secret) return Q_E_NOMEM;
    } else if (cfg_pem) {
        k->source = "keys.private_key_file";
        if ((rc = keys_read_file(k->source, cfg_pem, &k->secret, &k->secret_cap, err, cap))) return rc;
        if ((rc = check_pem(k, cfg_pem, err, cap))) return rc;
    } else if (cfg_secret) {
        k->source = "keys.secret_file";
        if ((rc = keys_read_file(k->source, cfg_secret, &k->secret, &k->secret_cap, err, cap))) return rc;
    } else {
        snprintf(err, cap, "no key: set QUOTER_API_KEY with QUOTER_PRIVATE_KEY_FILE (Ed25519), QUOTER_API_SECRET_FILE or "
                           "QUOTER_API_SECRET (HMAC), or name key files in the config ([keys] api_key_file with "
                           "private_key_file or secret_file), or use --dry-run");
        return Q_E_NOTFOUND;
    }
    if (set(key)) {
        size_t kc;
        k->api_key = dup_cleanse(key, &kc);
        if (!k->api_key) {
            keys_wipe(k);
            return Q_E_NOMEM;
        }
    } else if (set(files->api_key_file)) {
        size_t kc;
        if ((rc = keys_read_file("keys.api_key_file", files->api_key_file, &k->api_key, &kc, err, cap))) {
            keys_wipe(k);
            return rc;
        }
    } else {
        snprintf(err, cap, "%s is set but the API key is not (QUOTER_API_KEY or keys.api_key_file)", k->source);
        keys_wipe(k);
        return Q_E_NOTFOUND;
    }
    /* no core file and no ptrace attach by others: the secret is in this process's memory */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    loaded = k;
    static int registered;
    if (!registered) registered = !atexit(wipe_at_exit);
    return 0;
}

void keys_wipe(keys_t *k) {
    sign_cache_wipe(); /* the signer's copies of the secret or key */
    if (k->secret) {
        OPENSSL_cleanse(k->secret, k->secret_cap);
        free(k->secret);
    }
    free(k->api_key);
    if (loaded == k) loaded = 0;
    memset(k, 0, sizeof *k);
}
