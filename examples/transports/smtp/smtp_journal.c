/* examples/transports/smtp/smtp_journal.c — the delivery journal: append an
 * event and sync it; find the last event of a key. */
#include "smtp_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archase/errors.h>
#include <archase/sys/transport.h>

struct smtp_journal {
    char *path;
    int   fd;
};

static const char *const state_words[] = { "", "sending", "sent", "refused" };

int smtp_journal_open(const char *path, smtp_journal **out) {
    smtp_journal *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path))) {
        free(j);
        return ARCHASE_ENOMEM;
    }
    j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (j->fd < 0) {
        free(j->path);
        free(j);
        return ARCHASE_EIO;
    }
    *out = j;
    return 0;
}

void smtp_journal_close(smtp_journal *j) {
    if (!j)
        return;
    close(j->fd);
    free(j->path);
    free(j);
}

static void encode_key(const char *key, char *out) {
    static const char hexdigits[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_') {
            *out++ = (char)*p;
        } else {
            *out++ = '=';
            *out++ = hexdigits[*p >> 4];
            *out++ = hexdigits[*p & 15];
        }
    }
    *out = '\0';
}

int smtp_journal_note(smtp_journal *j, int state, const char *key) {
    char line[16 + 3 * ARCHASE_IDEMPOTENCY_KEY_MAX];
    char encoded[3 * ARCHASE_IDEMPOTENCY_KEY_MAX];
    if (state < SMTP_JOURNAL_SENDING || state > SMTP_JOURNAL_REFUSED ||
        strlen(key) >= ARCHASE_IDEMPOTENCY_KEY_MAX)
        return ARCHASE_EINVAL;
    encode_key(key, encoded);
    int len = snprintf(line, sizeof line, "%s %s\n", state_words[state], encoded);
    /* One write of one line to an O_APPEND file: lines never interleave. */
    ssize_t written;
    do
        written = write(j->fd, line, (size_t)len);
    while (written < 0 && errno == EINTR);
    if (written != len || (state == SMTP_JOURNAL_SENDING && fsync(j->fd) != 0))
        return ARCHASE_EIO;
    return 0;
}

int smtp_journal_state_of(smtp_journal *j, const char *key, int *state) {
    char encoded[3 * ARCHASE_IDEMPOTENCY_KEY_MAX];
    char line[16 + 3 * ARCHASE_IDEMPOTENCY_KEY_MAX];
    if (strlen(key) >= ARCHASE_IDEMPOTENCY_KEY_MAX) {
        *state = SMTP_JOURNAL_NONE;
        return 0;
    }
    encode_key(key, encoded);
    FILE *f = fopen(j->path, "r");
    if (!f)
        return ARCHASE_EIO;
    int found = SMTP_JOURNAL_NONE;
    while (fgets(line, sizeof line, f)) {
        char *space = strchr(line, ' ');
        if (!space)
            continue;
        *space = '\0';
        char *word = space + 1;
        word[strcspn(word, "\n")] = '\0';
        if (strcmp(word, encoded) != 0)
            continue;
        for (int s = SMTP_JOURNAL_SENDING; s <= SMTP_JOURNAL_REFUSED; s++)
            if (!strcmp(line, state_words[s]))
                found = s;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed)
        return ARCHASE_EIO;
    *state = found;
    return 0;
}
