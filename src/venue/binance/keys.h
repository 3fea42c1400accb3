/* keys.h: the live venue's API key and its secret half, loaded once at start-up.
 *
 * From the environment: QUOTER_API_KEY with one of QUOTER_PRIVATE_KEY_FILE (an Ed25519
 * private key, PEM: the session logs on with it), QUOTER_API_SECRET_FILE (a file holding the
 * HMAC secret) or QUOTER_API_SECRET (the HMAC secret itself). Or from files the config names
 * ([keys] api_key_file, private_key_file or secret_file): each half is taken from the
 * environment when a variable for it is set, else from the config. A key file must be readable by
 * its owner only: one that group or others may read or write is refused, with a message that
 * names the file and its mode (never its content). Once a key is loaded the process is made
 * non-dumpable (no core file, no ptrace by other users); keys_wipe() overwrites the secret
 * (OPENSSL_cleanse) and is also run at exit. The secret is never logged. */
#ifndef Q_KEYS_H
#define Q_KEYS_H

#include <stddef.h>

typedef struct keys {
    char *api_key;      /* owned copy */
    char *secret;       /* owned copy: the HMAC secret, or the PEM text of an Ed25519 key */
    size_t secret_cap;
    int ed25519;
    const char *source; /* for messages: the variable or config key it came from */
} keys_t;

/* the config's key files ("" = not set); relative paths are from the working directory */
typedef struct keys_files {
    const char *api_key_file, *secret_file, *private_key_file;
} keys_files_t;

/* 0 and k filled; Q_E_NOTFOUND when no key is set (err says which variables and config keys);
   another negative code with err filled for a key file that is unsafe, unreadable or malformed,
   or for a config that names both an HMAC secret file and an Ed25519 key file. files may be NULL. */
int keys_load(keys_t *k, const keys_files_t *files, char *err, size_t cap);
void keys_wipe(keys_t *k);
/* Reads a file that must be readable by its owner only (see above) into a fresh buffer
   (NUL-terminated; trailing newlines and spaces dropped). `var` names it in messages. */
int keys_read_file(const char *var, const char *path, char **out, size_t *cap_out, char *err, size_t cap);

#endif
