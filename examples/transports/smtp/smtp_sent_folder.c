/* examples/transports/smtp/smtp_sent_folder.c — asking the mailbox's Sent
 * folder (IMAP, through libcurl) whether a message with a given Message-ID
 * is there: Gmail files there every message its SMTP server accepted. */
#include "smtp_sent_folder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include <archase/errors.h>

#include "smtp_message.h"

static size_t collect(char *data, size_t size, size_t nitems, void *userdata) {
    smtp_buf_add(userdata, data, size * nitems);
    return size * nitems;
}

/* The folder URL with "?HEADER Message-ID <id>" appended, URL-encoded. */
static int search_url(const char *folder, const char *message_id, smtp_buf *url) {
    static const char hexdigits[] = "0123456789ABCDEF";
    smtp_buf_adds(url, folder);
    smtp_buf_adds(url, "?HEADER%20Message-ID%20%22");
    for (const unsigned char *p = (const unsigned char *)message_id; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p)) {
            smtp_buf_add(url, (const char *)p, 1);
        } else {
            char escaped[3] = { '%', hexdigits[*p >> 4], hexdigits[*p & 15] };
            smtp_buf_add(url, escaped, 3);
        }
    }
    smtp_buf_adds(url, "%22");
    return url->failed ? ARCHASE_ENOMEM : 0;
}

int smtp_sent_folder_has(const smtp_sent_folder *folder, const char *message_id, int *found) {
    smtp_buf url = { 0 }, answer = { 0 };
    int rc = search_url(folder->url, message_id, &url);
    CURL *c = rc ? NULL : curl_easy_init();
    if (!rc && !c)
        rc = ARCHASE_ENOMEM;
    if (!rc) {
        curl_easy_setopt(c, CURLOPT_URL, url.data);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
        curl_easy_setopt(c, CURLOPT_USE_SSL,
                         (long)(folder->require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
        if (folder->ca_file)
            curl_easy_setopt(c, CURLOPT_CAINFO, folder->ca_file);
        if (folder->username) {
            curl_easy_setopt(c, CURLOPT_USERNAME, folder->username);
            curl_easy_setopt(c, CURLOPT_PASSWORD, folder->password ? folder->password : "");
        }
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, folder->connect_timeout_ms);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, folder->timeout_ms);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (curl_easy_perform(c) != CURLE_OK)
            rc = ARCHASE_ETRANSPORT;
        else if (answer.failed)
            rc = ARCHASE_ENOMEM;
    }
    if (!rc) {
        /* "* SEARCH" followed by the numbers of the messages that match. */
        const char *line = answer.data ? strstr(answer.data, "* SEARCH") : NULL;
        if (!line) {
            rc = ARCHASE_ETRANSPORT;
        } else {
            line += strlen("* SEARCH");
            while (*line == ' ')
                line++;
            *found = *line >= '0' && *line <= '9';
        }
    }
    if (c)
        curl_easy_cleanup(c);
    smtp_buf_free(&url);
    smtp_buf_free(&answer);
    return rc;
}
