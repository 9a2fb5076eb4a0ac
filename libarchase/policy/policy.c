/* libarchase/policy/policy.c — loading policies, the public accessors and the
 * helpers the engine uses on a loaded policy. */
#include "archase/policy.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "core/diag.h"
#include "core/money.h"
#include "policy/schema.h"

/* Problems kept before sorting; the caller's list keeps its own limit. */
#define AR_LOAD_MAX_PROBLEMS 200

int archase_policy_options_init(archase_policy_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_POLICY_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_policy_options init = ARCHASE_POLICY_OPTIONS_INIT;
    *opts = init;
    return 0;
}

/* ---- vocabulary ----------------------------------------------------------- */

const char *archase_action_name(int action) {
    return action >= 1 && action <= ARCHASE_ACTION_MAX ? ar_action_names[action] : NULL;
}

const char *archase_tone_name(int tone) {
    return tone >= ARCHASE_TONE_FRIENDLY && tone <= ARCHASE_TONE_FORMAL ? ar_tone_names[tone] : NULL;
}

int archase_action_is_sensitive(int action) {
    return action >= ARCHASE_ACTION_LEGAL_NOTICE && action <= ARCHASE_ACTION_MAX;
}

int ar_tone_soften(int tone) {
    if (tone == ARCHASE_TONE_FINAL)
        return ARCHASE_TONE_FIRM;
    if (tone == ARCHASE_TONE_FIRM)
        return ARCHASE_TONE_FRIENDLY;
    return tone;
}

/* ---- loading --------------------------------------------------------------- */

static void load_root(ar_load *L, const ar_ynode *root) {
    archase_policy *p = L->p;
    ar_check_keys(L, root, AR_KEYS_ROOT);
    int64_t version = 0;
    const ar_ynode *v = ar_get(L, root, "version", 1);
    if (v) {
        size_t saved = ar_path_key(L, "version", 7);
        int ok = v->kind == AR_Y_SCALAR && !v->quoted && !strcmp(v->text, "1");
        if (!ok && v->kind == AR_Y_SCALAR && !v->quoted && v->len < 10 && v->len > 0 &&
            strspn(v->text, "0123456789") == v->len)
            ar_problem(L, v, "unsupported schema version %s (this library reads version %d)", v->text,
                       ARCHASE_POLICY_SCHEMA_VERSION);
        else if (!ok)
            ar_problem(L, v, "expected the schema version 1");
        else
            version = 1;
        ar_path_restore(L, saved);
    }
    p->version = (int)version; /* 0 until a supported version is read */
    p->name = "";
    ar_read_text(L, root, "name", 0, &p->name);
    const ar_ynode *cur = ar_get(L, root, "currency", 1);
    if (cur) {
        size_t saved = ar_path_key(L, "currency", 8);
        if (ar_expect_map(L, cur)) {
            ar_check_keys(L, cur, AR_KEYS_CURRENCY);
            const ar_ynode *d = ar_get(L, cur, "default", 1);
            if (d) {
                size_t s = ar_path_key(L, "default", 7);
                if (d->kind != AR_Y_SCALAR || d->len != 3 || ar_currency_minor_units(d->text, 3) < 0)
                    ar_problem(L, d, "expected an ISO 4217 currency code with minor units (EUR, USD, ...)");
                else
                    memcpy(p->default_currency, d->text, 4);
                ar_path_restore(L, s);
            }
            const ar_ynode *acc = ar_get(L, cur, "accepted", 0);
            if (acc) {
                size_t s = ar_path_key(L, "accepted", 8);
                if (ar_expect_seq(L, acc)) {
                    const char **codes = ar_arena_array(L->arena, acc->count ? acc->count : 1, sizeof *codes);
                    if (!codes) {
                        ar_oom(L);
                    } else {
                        uint32_t i = 0;
                        for (const ar_ynode *c = acc->first; c; c = c->next, i++) {
                            size_t si = ar_path_index(L, i);
                            if (c->kind != AR_Y_SCALAR || c->len != 3 || ar_currency_minor_units(c->text, 3) < 0)
                                ar_problem(L, c, "expected an ISO 4217 currency code with minor units");
                            codes[i] = c->kind == AR_Y_SCALAR ? c->text : "";
                            for (uint32_t k = 0; k < i; k++)
                                if (!strcmp(codes[k], codes[i]))
                                    ar_problem(L, c, "%s is listed twice", codes[i]);
                            ar_path_restore(L, si);
                        }
                        for (i = 0; i < acc->count; i++)
                            if (!(codes[i] = ar_arena_strndup(L->arena, codes[i], strlen(codes[i]))))
                                ar_oom(L);
                        p->currencies = codes;
                        p->currency_count = acc->count;
                        int has_default = 0;
                        for (i = 0; i < acc->count; i++)
                            has_default |= codes[i] && !strcmp(codes[i], p->default_currency);
                        if (p->default_currency[0] && acc->count && !has_default)
                            ar_problem(L, acc, "the default currency %s is not accepted", p->default_currency);
                    }
                }
                ar_path_restore(L, s);
            }
        }
        ar_path_restore(L, saved);
    }
}

static int diag_position_cmp(const void *a, const void *b) {
    const archase_diag *x = *(const archase_diag *const *)a, *y = *(const archase_diag *const *)b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Hands the problems found to the caller's list in document order; `total`
 * counts those past the limit of `found` too. */
static int report_sorted(const archase_diag_list *found, int total, archase_diag_list *diags,
                         const archase_allocator *allocator) {
    size_t n = archase_diag_list_count(found);
    if (!diags || n == 0)
        return 0;
    const archase_diag **order = ar_malloc_array(allocator, n, sizeof *order);
    if (!order)
        return ARCHASE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = archase_diag_list_get(found, i);
    qsort(order, n, sizeof *order, diag_position_cmp);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = ar_diag_add(diags, order[i]->code, order[i]->source, order[i]->line, order[i]->column, "%s",
                         order[i]->message);
    ar_free(allocator, order);
    /* Problems past every limit are only counted. */
    for (size_t extra = total > (int)n ? (size_t)total - n : 0; !rc && extra > 0 && ar_diag_list_full(diags);
         extra--)
        rc = ar_diag_add(diags, ARCHASE_EPOLICY, "", 0, 0, "%s", "");
    return rc;
}

static void policy_release(archase_policy *p) {
    for (uint32_t i = 0; p->calendars && i < p->calendar_count; i++)
        archase_calendar_free(p->calendars[i].calendar);
    const archase_allocator *a = p->allocator;
    ar_arena arena = p->arena;
    ar_arena_free(&arena);
    ar_free(a, p);
}

void archase_policy_free(archase_policy *policy) {
    if (policy)
        policy_release(policy);
}

static int load(const char *data, size_t size, const char *source, const archase_policy_options *opts,
                archase_policy **out, archase_diag_list *diags) {
    const archase_allocator *allocator = opts ? opts->allocator : NULL;
    size_t max_size = opts && opts->max_size ? opts->max_size : ARCHASE_POLICY_MAX_SIZE_DEFAULT;
    uint32_t max_depth = opts && opts->max_depth ? opts->max_depth : ARCHASE_POLICY_MAX_DEPTH_DEFAULT;
    int rc = ar_allocator_check(allocator);
    if (rc)
        return rc;
    if (size > max_size) {
        rc = ar_diag_add(diags, ARCHASE_EPOLICY, source, 0, 0,
                         "the policy is %zu bytes; the limit is %zu bytes", size, max_size);
        return rc ? rc : ARCHASE_EPOLICY;
    }
    ar_load L;
    memset(&L, 0, sizeof L);
    /* Problems are gathered here and handed over sorted by position. */
    archase_diag_list *found = NULL;
    rc = archase_diag_list_new(allocator, AR_LOAD_MAX_PROBLEMS, &found);
    if (rc)
        return rc;
    archase_policy *p = ar_calloc(allocator, 1, sizeof *p);
    if (!p) {
        archase_diag_list_free(found);
        return ARCHASE_ENOMEM;
    }
    p->allocator = ar_allocator(allocator);
    ar_arena_init(&p->arena, allocator);
    ar_symtab_init(&p->symbols, &p->arena);
    L.p = p;
    L.arena = &p->arena;
    ar_arena_init(&L.scratch, allocator);
    L.source = source;
    L.text = data;
    L.text_size = size;
    L.diags = found;

    ar_ynode *root = NULL;
    rc = ar_ytree_parse(&L.scratch, data, size, source, max_depth, found, &L.errors, &root);
    if (rc)
        goto done;
    if (!root) {
        if (!L.errors && ar_diag_add(found, ARCHASE_EPOLICY, source, 1, 1,
                                     "the policy is empty: it needs version, currency, segments and sequences"))
            L.rc = ARCHASE_ENOMEM;
        L.errors++;
        goto finish;
    }
    if (root->kind != AR_Y_MAP) {
        ar_problem(&L, root, "a policy is a mapping of sections (version:, currency:, segments:, ...)");
        goto finish;
    }
    load_root(&L, root);
    if (L.p->version != 1 && ar_ynode_get(root, "version"))
        goto finish; /* another schema: its sections would only add noise */
    /* In dependency order: what a section refers to is loaded before it. */
    ar_load_calendars(&L, root);
    ar_load_templates(&L, root);
    ar_load_guardrails(&L, root);
    ar_load_segments(&L, root);
    ar_load_fees(&L, root);
    ar_load_approvals(&L, root);
    ar_load_risk_score(&L, root);
    ar_load_sequences(&L, root);
    ar_load_escalation(&L, root);
    ar_load_call_queue(&L, root);
    ar_load_relationship(&L, root);
    ar_load_payment_patterns(&L, root);
    ar_load_promises(&L, root);
    ar_load_disputes(&L, root);
    ar_load_reconciliation(&L, root);
    ar_load_credit(&L, root);
    ar_load_delivery(&L, root);
    if (!L.rc && !L.errors)
        L.rc = ar_policy_describe(&L);
finish:
    rc = L.rc ? L.rc : L.errors ? ARCHASE_EPOLICY : 0;
    if (rc == ARCHASE_EPOLICY && report_sorted(found, L.errors, diags, allocator))
        rc = ARCHASE_ENOMEM;
done:
    ar_arena_free(&L.scratch);
    archase_diag_list_free(found);
    if (rc) {
        policy_release(p);
        return rc;
    }
    *out = p;
    return 0;
}

int archase_policy_load_buffer(const void *data, size_t size, const char *source_name,
                               const archase_policy_options *opts, archase_policy **out,
                               archase_diag_list *diags) {
    if ((!data && size) || !out)
        return ARCHASE_EINVAL;
    if (opts && opts->version != ARCHASE_POLICY_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    return load(data ? data : "", size, source_name ? source_name : "<buffer>", opts, out, diags);
}

int archase_policy_load_file(const char *path, const archase_policy_options *opts,
                             archase_policy **out, archase_diag_list *diags) {
    if (!path || !out)
        return ARCHASE_EINVAL;
    if (opts && opts->version != ARCHASE_POLICY_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    const archase_allocator *allocator = opts ? opts->allocator : NULL;
    int rc = ar_allocator_check(allocator);
    if (rc)
        return rc;
    size_t max_size = opts && opts->max_size ? opts->max_size : ARCHASE_POLICY_MAX_SIZE_DEFAULT;
    char *data = NULL;
    size_t size = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        rc = e == ENOENT ? ARCHASE_ENOTFOUND : ARCHASE_EIO;
        if (ar_diag_add(diags, rc, path, 0, 0, "cannot open: %s", strerror(e)))
            rc = ARCHASE_ENOMEM;
        return rc;
    }
    /* Read at most one byte past the limit: a larger file is refused
     * without reading it all. */
    data = ar_malloc(allocator, max_size + 1);
    if (!data) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    size = fread(data, 1, max_size + 1, f);
    if (ferror(f)) {
        rc = ARCHASE_EIO;
        if (ar_diag_add(diags, rc, path, 0, 0, "cannot read: %s", strerror(errno)))
            rc = ARCHASE_ENOMEM;
        goto done;
    }
    if (size > max_size) {
        rc = ar_diag_add(diags, ARCHASE_EPOLICY, path, 0, 0,
                         "the policy is larger than the limit of %zu bytes", max_size);
        rc = rc ? rc : ARCHASE_EPOLICY;
        goto done;
    }
    rc = load(data, size, path, opts, out, diags);
done:
    ar_free(allocator, data);
    fclose(f);
    return rc;
}

int archase_policy_hash(const archase_policy *policy, uint8_t out[32]) {
    if (!policy || !out)
        return ARCHASE_EINVAL;
    memcpy(out, policy->hash, 32);
    return 0;
}

/* ---- helpers for the engine ------------------------------------------------- */

const archase_money *ar_money_list_find(const ar_money_list *list, const char *currency) {
    for (uint32_t i = 0; i < list->count; i++)
        if (!strcmp(list->items[i].currency, currency))
            return &list->items[i];
    return NULL;
}

const ar_approval_rule *ar_approvals_rule(const ar_approvals *a, int action) {
    for (uint32_t i = 0; i < a->rule_count; i++)
        if (a->rules[i].action == action)
            return &a->rules[i];
    return NULL;
}

uint32_t ar_approvals_required(const ar_approvals *a, int action, const archase_money *amount) {
    const ar_approval_rule *r = ar_approvals_rule(a, action);
    if (!r)
        return 0;
    const archase_money *threshold = amount ? ar_money_list_find(&a->materiality, amount->currency) : NULL;
    if (threshold && amount->minor < threshold->minor)
        return r->approvers_below;
    return r->approvers_above;
}

int64_t ar_risk_driver_points(const ar_risk_driver *d, const ar_cond_env *env) {
    if (d->when && !ar_cond_eval(d->when, env))
        return 0;
    int64_t points = d->points;
    if (d->field != AR_FIELD_NONE) {
        int64_t v = env->value[d->field];
        int64_t over = v > d->above ? v - d->above : 0;
        /* Values are bounded by the clamp below; keep the product in range. */
        if (over > 1000000)
            over = 1000000;
        points += over * d->points_per_unit;
    }
    if (d->cap) {
        if (points > d->cap)
            points = d->cap;
        if (points < -d->cap)
            points = -d->cap;
    }
    return points;
}

void ar_risk_evaluate(const ar_risk_score *rs, const ar_cond_env *env, ar_risk_result *out) {
    memset(out, 0, sizeof *out);
    int64_t total = rs->base;
    for (uint32_t i = 0; i < rs->driver_count; i++) {
        int64_t pts = ar_risk_driver_points(&rs->drivers[i], env);
        total += pts;
        if (!pts)
            continue;
        int64_t mag = pts < 0 ? -pts : pts;
        uint32_t at = out->top_count;
        while (at > 0) {
            int64_t prev = out->top_points[at - 1] < 0 ? -out->top_points[at - 1] : out->top_points[at - 1];
            if (prev >= mag)
                break;
            at--;
        }
        if (at >= AR_RISK_TOP)
            continue;
        uint32_t last = out->top_count < AR_RISK_TOP ? out->top_count : AR_RISK_TOP - 1;
        for (uint32_t k = last; k > at; k--) {
            out->top[k] = out->top[k - 1];
            out->top_points[k] = out->top_points[k - 1];
        }
        out->top[at] = i;
        out->top_points[at] = pts;
        if (out->top_count < AR_RISK_TOP)
            out->top_count++;
    }
    out->score = (int32_t)(total < 0 ? 0 : total > AR_RISK_SCORE_MAX ? AR_RISK_SCORE_MAX : total);
}

ar_sym ar_policy_symbol_lookup(const archase_policy *p, const char *s, size_t len) {
    return ar_symtab_lookup(&p->symbols, s, len);
}

const ar_template *ar_policy_template(const archase_policy *p, const char *name) {
    uint32_t lo = 0, hi = p->templates.count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->templates.items[mid].name, name);
        if (c == 0)
            return &p->templates.items[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const ar_template *ar_policy_template_for(const archase_policy *p, const char *stage, int tone,
                                          int channel) {
    for (uint32_t i = 0; i < p->templates.count; i++) {
        const ar_template *t = &p->templates.items[i];
        if (t->tone == tone && !strcmp(t->stage, stage) && ar_template_has_channel(t, channel))
            return t;
    }
    return NULL;
}

const ar_sequence *ar_policy_sequence(const archase_policy *p, const char *name) {
    for (uint32_t i = 0; i < p->sequence_count; i++)
        if (!strcmp(p->sequences[i].name, name))
            return &p->sequences[i];
    return NULL;
}

const ar_segment *ar_policy_segment(const archase_policy *p, const char *name) {
    for (uint32_t i = 0; i < p->segment_count; i++)
        if (!strcmp(p->segments[i].name, name))
            return &p->segments[i];
    return NULL;
}
