/* libarchase/policy/schema_delivery.c — the `delivery` section: how the
 * daily cycle delivers (retries before the dead letter, the copilot review
 * queue per segment, the owners' weekly digest). */
#include <string.h>

#include "archase/errors.h"
#include "policy/schema.h"

static const char *const review_names[] = { "automatic", "review", NULL };
static const int review_values[] = { 0, 1 };
static const char *const digest_names[] = { "none", "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };
static const int digest_values[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

/* Every name of `list` must be a segment of the policy. */
static void check_segments(ar_load *L, const ar_ynode *map, const char *key, const ar_name_list *list) {
    for (uint32_t i = 0; i < list->count; i++) {
        int found = 0;
        for (uint32_t k = 0; k < L->segment_count && !found; k++)
            found = !strcmp(L->segment_names[k], list->items[i]);
        if (!found) {
            size_t saved = ar_path_key(L, key, strlen(key));
            ar_problem(L, ar_ynode_get(map, key), "'%s' is not a segment of the policy", list->items[i]);
            ar_path_restore(L, saved);
        }
    }
}

void ar_load_delivery(ar_load *L, const ar_ynode *root) {
    ar_delivery_settings *d = &L->p->delivery;
    d->max_attempts = 5;
    d->retry_backoff_seconds = 15 * 60;
    d->review = 0;
    d->digest_weekday = 1;
    const ar_ynode *node = ar_get(L, root, "delivery", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "delivery", 8);
    if (ar_expect_map(L, node)) {
        ar_check_keys(L, node, AR_KEYS_DELIVERY);
        int32_t attempts = (int32_t)d->max_attempts, minutes = (int32_t)(d->retry_backoff_seconds / 60);
        if (ar_read_i32(L, node, "max_attempts", 0, 1, 50, &attempts) == 0)
            d->max_attempts = (uint32_t)attempts;
        if (ar_read_i32(L, node, "retry_backoff_minutes", 0, 1, 24 * 60, &minutes) == 0)
            d->retry_backoff_seconds = (uint32_t)minutes * 60;
        ar_read_enum(L, node, "review", 0, review_names, review_values, &d->review);
        if (ar_read_name_list(L, node, "review_segments", &d->review_segments) == 0)
            check_segments(L, node, "review_segments", &d->review_segments);
        if (ar_read_name_list(L, node, "automatic_segments", &d->automatic_segments) == 0)
            check_segments(L, node, "automatic_segments", &d->automatic_segments);
        ar_read_enum(L, node, "digest_weekday", 0, digest_names, digest_values, &d->digest_weekday);
    }
    ar_path_restore(L, saved);
}
