/* examples/transports/smtp/smtp_journal.h — the delivery journal the SMTP
 * transport's lookup answers from (internal to the transport).
 *
 * One line per event, appended with one write: "sending KEY" before a message
 * is handed to the server (synced to disk first: without it a crash could
 * make a delivered message look never attempted), "sent KEY" when the server
 * acknowledged it, "refused KEY" when it certainly did not take it. These
 * two are not synced: a process that dies keeps them (they are in the
 * kernel), and a power cut that loses one leaves the key "sending", which
 * lookup reports as unknown — a person decides, nothing is sent twice. The key is written with every byte other than a letter, a digit,
 * '-' and '_' as =XX, so a line is always two words. */
#ifndef ARCHASE_SMTP_JOURNAL_H
#define ARCHASE_SMTP_JOURNAL_H

typedef struct smtp_journal smtp_journal;

typedef enum smtp_journal_state {
    SMTP_JOURNAL_NONE = 0,    /* never attempted */
    SMTP_JOURNAL_SENDING = 1, /* attempted, no answer recorded: in doubt */
    SMTP_JOURNAL_SENT = 2,
    SMTP_JOURNAL_REFUSED = 3
} smtp_journal_state;

/* Opens (creating) the journal at `path`. Returns 0, ARCHASE_EIO or ARCHASE_ENOMEM. */
int smtp_journal_open(const char *path, smtp_journal **out);
void smtp_journal_close(smtp_journal *j);

/* Appends an event ("sending" synced to disk). Returns 0 or ARCHASE_EIO. */
int smtp_journal_note(smtp_journal *j, int state, const char *key);

/* The last recorded state of `key`. Returns 0, ARCHASE_EIO or ARCHASE_ENOMEM. */
int smtp_journal_state_of(smtp_journal *j, const char *key, int *state);

#endif
