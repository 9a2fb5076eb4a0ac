/* examples/transports/smtp/smtp_sent_folder.h — whether the mailbox's Sent
 * folder holds a message (internal to the SMTP transport). */
#ifndef ARCHASE_SMTP_SENT_FOLDER_H
#define ARCHASE_SMTP_SENT_FOLDER_H

typedef struct smtp_sent_folder {
    const char *url;      /* imaps://host/FOLDER (URL-encoded) */
    const char *username; /* NULL = none */
    const char *password;
    const char *ca_file;  /* NULL = the system's */
    int         require_tls;
    long        connect_timeout_ms;
    long        timeout_ms;
} smtp_sent_folder;

/* Searches the folder for `message_id` (with its angle brackets): *found is
 * 1 when a message has it, 0 when none has. Returns 0, ARCHASE_ETRANSPORT
 * (the server could not be asked or answered oddly) or ARCHASE_ENOMEM. */
int smtp_sent_folder_has(const smtp_sent_folder *folder, const char *message_id, int *found);

#endif
