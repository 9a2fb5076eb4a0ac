/* libarchase/policy/schema_templates.c — the templates section: every
 * channel and locale of every template, compiled and checked at load. */
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "policy/locale.h"
#include "policy/schema.h"

/* Where the problem at `offset` of a scalar's text is in the document. */
static void locate(const ar_load *L, const ar_ynode *n, uint32_t offset, uint32_t *line,
                   uint32_t *column) {
    *line = n->line;
    *column = n->column;
    if (!n->block && !memchr(n->text, '\n', n->len)) {
        *column = n->column + (n->quoted ? 1 : 0) + offset;
        return;
    }
    if (!n->block || !L->text)
        return;
    /* Block text: its lines follow the indicator line, each indented. */
    uint32_t lines = 0;
    size_t line_start = 0;
    for (uint32_t i = 0; i < offset && i < n->len; i++)
        if (n->text[i] == '\n') {
            lines++;
            line_start = i + 1;
        }
    uint32_t target = n->line + 1 + lines;
    uint32_t current = 1;
    size_t pos = 0;
    while (pos < L->text_size && current < target) {
        if (L->text[pos] == '\n')
            current++;
        pos++;
    }
    if (current != target)
        return;
    uint32_t indent = 0;
    while (pos + indent < L->text_size && L->text[pos + indent] == ' ')
        indent++;
    *line = target;
    *column = indent + (uint32_t)(offset - line_start) + 1;
}

static int compile_text(ar_load *L, const ar_ynode *map, const char *key, int required,
                        const ar_tmpl_text **out) {
    const ar_ynode *n = ar_get(L, map, key, required);
    if (!n)
        return required ? -1 : 0;
    size_t saved = ar_path_key(L, key, strlen(key));
    int rc = -1;
    if (n->kind != AR_Y_SCALAR || ar_ynode_is_null(n)) {
        ar_problem(L, n, "expected the text of the message");
        goto done;
    }
    ar_tmpl_error err;
    int crc = ar_tmpl_compile(L->arena, n->text, n->len, out, &err);
    if (crc == ARCHASE_ENOMEM) {
        ar_oom(L);
        goto done;
    }
    if (crc) {
        uint32_t line, column;
        locate(L, n, err.offset, &line, &column);
        ar_problem_at(L, line, column, "%s", err.message);
        goto done;
    }
    rc = 0;
done:
    ar_path_restore(L, saved);
    return rc;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(((const ar_template *)a)->name, ((const ar_template *)b)->name);
}

static void load_template(ar_load *L, const ar_ynode *node, ar_template *t) {
    t->stage = t->name;
    t->tone = ARCHASE_TONE_FIRM;
    if (!ar_expect_map(L, node))
        return;
    ar_check_keys(L, node, AR_KEYS_TEMPLATE);
    ar_read_name(L, node, "stage", 0, &t->stage);
    ar_read_enum(L, node, "tone", 0, ar_tone_names, NULL, &t->tone);
    uint32_t count = 0;
    for (int c = 1; ar_channel_names[c]; c++) {
        const ar_ynode *ch = ar_ynode_get(node, ar_channel_names[c]);
        if (ch && ch->kind == AR_Y_MAP)
            count += ch->count;
    }
    ar_template_variant *vars = ar_arena_array(L->arena, count ? count : 1, sizeof *vars);
    if (!vars) {
        ar_oom(L);
        return;
    }
    uint32_t k = 0;
    for (int c = 1; ar_channel_names[c]; c++) {
        const ar_ynode *ch = ar_ynode_get(node, ar_channel_names[c]);
        if (!ch)
            continue;
        size_t sc = ar_path_key(L, ar_channel_names[c], strlen(ar_channel_names[c]));
        if (ar_expect_map(L, ch)) {
            if (ch->count == 0)
                ar_problem(L, ch, "no locale written (e.g. en:)");
            for (const ar_ynode *loc = ch->first; loc; loc = loc->next) {
                size_t sl = ar_path_key(L, loc->key, loc->key_len);
                if (!ar_locale_valid(loc->key, loc->key_len)) {
                    ar_problem_at(L, loc->key_line, loc->key_column,
                                  "\"%.*s\" is not a locale (en, de, en-US, ...)",
                                  (int)(loc->key_len > 40 ? 40 : loc->key_len), loc->key);
                } else if (ar_expect_map(L, loc)) {
                    for (uint32_t o = 0; o < k; o++)
                        if (vars[o].channel == c && vars[o].locale &&
                            ar_locale_equal(vars[o].locale, strlen(vars[o].locale), loc->key, loc->key_len))
                            ar_problem_at(L, loc->key_line, loc->key_column,
                                          "a second %s text for locale %s", ar_channel_names[c], vars[o].locale);
                    ar_template_variant *v = &vars[k++];
                    v->channel = c;
                    v->locale = ar_arena_strndup(L->arena, loc->key, loc->key_len);
                    if (!v->locale)
                        ar_oom(L);
                    ar_check_keys(L, loc, AR_KEYS_TEXT);
                    int subject_use = c == ARCHASE_CHANNEL_EMAIL ? 1
                                      : (c == ARCHASE_CHANNEL_SMS || c == ARCHASE_CHANNEL_CALL) ? -1
                                                                                               : 0;
                    if (subject_use < 0 && ar_ynode_get(loc, "subject")) {
                        const ar_ynode *sn = ar_ynode_get(loc, "subject");
                        size_t ss = ar_path_key(L, "subject", 7);
                        ar_problem(L, sn, "%s messages have no subject", ar_channel_names[c]);
                        ar_path_restore(L, ss);
                    } else {
                        compile_text(L, loc, "subject", subject_use > 0, &v->subject);
                    }
                    compile_text(L, loc, "body", 1, &v->body);
                }
                ar_path_restore(L, sl);
            }
        }
        ar_path_restore(L, sc);
    }
    int channels = 0;
    for (int c = 1; ar_channel_names[c]; c++)
        channels += ar_ynode_get(node, ar_channel_names[c]) != NULL;
    if (!channels)
        ar_problem(L, node, "a template needs the text of at least one channel (email, sms, letter, "
                            "portal, call or internal)");
    t->variants = vars;
    t->variant_count = k;
}

void ar_load_templates(ar_load *L, const ar_ynode *root) {
    ar_templates *ts = &L->p->templates;
    ts->default_locale = "en";
    ts->sms_max_length = 320;
    const ar_ynode *node = ar_get(L, root, "templates", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "templates", 9);
    if (!ar_expect_map(L, node))
        goto done;
    ar_check_keys(L, node, AR_KEYS_TEMPLATES);
    const ar_ynode *loc = ar_get(L, node, "default_locale", 0);
    if (loc) {
        size_t s = ar_path_key(L, "default_locale", 14);
        if (loc->kind != AR_Y_SCALAR || !ar_locale_valid(loc->text, loc->len))
            ar_problem(L, loc, "expected a locale (en, de, en-US, ...)");
        else if (!(ts->default_locale = ar_arena_strndup(L->arena, loc->text, loc->len)))
            ar_oom(L);
        ar_path_restore(L, s);
    }
    int32_t sms = 320;
    ar_read_i32(L, node, "sms_max_length", 0, 70, 1600, &sms);
    ts->sms_max_length = (uint32_t)sms;
    const ar_ynode *defs = ar_get(L, node, "definitions", 0);
    if (!defs)
        goto done;
    size_t sd = ar_path_key(L, "definitions", 11);
    if (ar_expect_map(L, defs)) {
        ar_template *items = ar_arena_array(L->arena, defs->count ? defs->count : 1, sizeof *items);
        if (!items) {
            ar_oom(L);
        } else {
            uint32_t i = 0;
            for (const ar_ynode *d = defs->first; d; d = d->next, i++) {
                size_t item = ar_path_key(L, d->key, d->key_len);
                ar_template *t = &items[i];
                t->name = ar_arena_strndup(L->arena, d->key, d->key_len);
                t->default_locale = ts->default_locale;
                t->sms_max_length = ts->sms_max_length;
                if (!t->name) {
                    ar_oom(L);
                    t->name = "";
                }
                load_template(L, d, t);
                ar_path_restore(L, item);
            }
            qsort(items, defs->count, sizeof *items, name_cmp);
            ts->items = items;
            ts->count = defs->count;
        }
    }
    ar_path_restore(L, sd);
done:
    ar_path_restore(L, saved);
}
