/*
 * The scenario model (see scenario.h): defaults, setting one key from text
 * (the one path shared by the file, the defaults and --set), overrides,
 * expansion into cells, and the resolved INI text of a run. Everything
 * walks the key table of keys.h; reading files is parse.c's.
 */
#include "scenario.h"

#include <inttypes.h>
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario_internal.h"
#include "suggest.h"
#include "types.h"

void vtb__scenario_env(const struct vtb_scenario *s, struct vtb_parse_env *env)
{
    long n = s->options.nproc != 0 ? (long)s->options.nproc : sysconf(_SC_NPROCESSORS_ONLN);
    env->known_impls = s->options.known_impls;
    env->nproc = n < 1 ? 1u : (unsigned)n;
    env->base_dir = s->base_dir;
}

/* Room for one value of any key, aligned for any member type. */
union value_buffer {
    max_align_t align;
    char bytes[128];
};

#define VTB__CHECK_SIZE(name, ctype, ...)                                                     \
    _Static_assert(sizeof(ctype) <= sizeof(union value_buffer), "value of " #name " too big");
VTB_SCENARIO_KEYS(VTB__CHECK_SIZE, VTB__CHECK_SIZE)
#undef VTB__CHECK_SIZE

/* Cells the other axes make with this one holding n values. The others
 * already multiply to at most VTB_SCENARIO_CELLS_MAX and a list has at most
 * VTB_SCENARIO_LIST_MAX values, so this cannot wrap. */
static uint64_t cells_with(const struct vtb_scenario *s, enum vtb_axis axis, size_t n)
{
    uint64_t cells = n;
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        if (a != (int)axis && s->axes[a].count > 1)
            cells *= s->axes[a].count;
    return cells;
}

/* True when text (a canonical value) is among the first n of texts. */
static bool duplicate_of(const char *texts, size_t n, const char *text)
{
    for (size_t j = 0; j < n; j++)
        if (strcmp(texts + j * VTB_AXIS_TEXT_MAX, text) == 0)
            return true;
    return false;
}

static int parse_items(const struct vtb_key *k, const struct vtb_parse_env *env, char **tokens,
                       size_t n, char *values, size_t *kept, struct vtb_error *err)
{
    char *texts = calloc(n, VTB_AXIS_TEXT_MAX);
    if (texts == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    int rc = 0;
    bool nproc_seen = false;
    *kept = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *value = values + *kept * k->size;
        rc = k->type->parse(k, tokens[i], env, value, err);
        if (rc != 0)
            break;
        char *text = texts + *kept * VTB_AXIS_TEXT_MAX;
        k->type->format(k, value, text, VTB_AXIS_TEXT_MAX);
        /* Duplicates are compared by canonical text, so 0.5 and 0.50 are
         * the same value. One that only arises because `nproc` resolved to
         * a number also listed is this machine's accident, not a mistake in
         * the file, and is dropped. */
        bool is_nproc = strcmp(tokens[i], "nproc") == 0;
        if (duplicate_of(texts, *kept, text)) {
            if (is_nproc || nproc_seen)
                continue;
            rc = vtb_error_set(err, VTB_EINVAL, "duplicate value %s in list", tokens[i]);
            break;
        }
        nproc_seen = nproc_seen || is_nproc;
        (*kept)++;
    }
    free(texts);
    return rc;
}

static int set_axis(struct vtb_scenario *s, const struct vtb_key *k, enum vtb_axis axis,
                    const char *text, struct vtb_error *err)
{
    char *tokens[VTB_SCENARIO_LIST_MAX];
    size_t n = 0, kept = 0;
    char *values = NULL;
    char *copy = strdup(text);
    struct vtb_parse_env env;
    int rc;

    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    vtb__scenario_env(s, &env);
    rc = vtb_split_list(copy, tokens, &n, err);
    if (rc == 0 && (values = calloc(n, k->size)) == NULL)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    if (rc == 0)
        rc = parse_items(k, &env, tokens, n, values, &kept, err);
    if (rc == 0 && cells_with(s, axis, kept) > VTB_SCENARIO_CELLS_MAX)
        rc = vtb_error_set(err, VTB_ERANGE, "sweep makes %" PRIu64 " cells, at most %d",
                           cells_with(s, axis, kept), VTB_SCENARIO_CELLS_MAX);
    if (rc == 0) {
        free(s->axes[axis].values);
        s->axes[axis].values = values;
        s->axes[axis].count = kept;
        values = NULL;
    }
    free(values);
    free(copy);
    return rc;
}

/* ops and duration exclude each other: setting one clears the other. */
static void clear_partner(struct vtb_scenario *s, enum vtb_key_id id)
{
    if (id == VTB_KEY_ops)
        s->settings.duration = 0;
    else if (id == VTB_KEY_duration)
        s->settings.ops = 0;
}

static int set_setting(struct vtb_scenario *s, const struct vtb_key *k, const char *text,
                       struct vtb_error *err)
{
    union value_buffer fresh;
    struct vtb_parse_env env;
    if (!k->type->commas_allowed && strchr(text, ',') != NULL)
        return vtb_error_set(err, VTB_ESYNTAX, "takes one value, not a list");
    vtb__scenario_env(s, &env);
    memset(&fresh, 0, sizeof(fresh));
    int rc = k->type->parse(k, text, &env, fresh.bytes, err);
    if (rc != 0)
        return rc;
    void *member = vtb_key_in_settings(k, &s->settings);
    if (k->type->fini != NULL)
        k->type->fini(member);
    memcpy(member, fresh.bytes, k->size);
    clear_partner(s, (enum vtb_key_id)(k - vtb_scenario_keys));
    return 0;
}

int vtb__scenario_apply(struct vtb_scenario *s, const struct vtb_key *k, const char *text,
                        struct vtb_error *err)
{
    if (text[0] == '\0' && k->type != &vtb_type_text)
        return vtb_error_set(err, VTB_ESYNTAX, "empty value");
    /* Every value is one line of scenario.ini: a newline would add keys of
     * its own to the run's scenario.ini, an escape sequence would make it a
     * file the parser refuses. A tab is text. */
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return vtb_error_set(err, VTB_ESYNTAX, "control character (byte 0x%02x at "
                                                   "position %zu) in `%s`; a value is text on "
                                                   "one line",
                                 (unsigned)*p, (size_t)(p - (const unsigned char *)text) + 1,
                                 text);
    if (k->axis)
        return set_axis(s, k, vtb_key_axis(k), text, err);
    return set_setting(s, k, text, err);
}

void vtb__scenario_resolve(struct vtb_scenario *s)
{
    struct vtb_warmup *w = &s->settings.warmup;
    if (w->explicit_value)
        return;
    w->ops = s->settings.ops / 10;
    w->ns = s->settings.duration / 10;
}

int vtb__scenario_unknown_key(const char *name, struct vtb_error *err)
{
    const char *names[VTB_KEY_COUNT];
    for (size_t i = 0; i < VTB_KEY_COUNT; i++)
        names[i] = vtb_scenario_keys[i].name;
    const char *best = vtb_suggest(name, names, VTB_KEY_COUNT);
    if (best != NULL)
        return vtb_error_set(err, VTB_EINVAL, "unknown key; did you mean `%s`?", best);
    return vtb_error_set(err, VTB_EINVAL, "unknown key");
}

void vtb_scenario_fini(struct vtb_scenario *s)
{
    if (s == NULL)
        return;
    free(s->source);
    free(s->base_dir);
    for (size_t i = 0; i < VTB_KEY_COUNT; i++) {
        const struct vtb_key *k = &vtb_scenario_keys[i];
        if (!k->axis && k->type->fini != NULL)
            k->type->fini(vtb_key_in_settings(k, &s->settings));
    }
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        free(s->axes[a].values);
    memset(s, 0, sizeof(*s));
}

int vtb_scenario_init(struct vtb_scenario *s, const struct vtb_scenario_options *options)
{
    memset(s, 0, sizeof(*s));
    if (options != NULL)
        s->options = *options;
    s->source = strdup("");
    if (s->source == NULL)
        goto nomem;
    for (size_t i = 0; i < VTB_KEY_COUNT; i++) {
        /* Keys without a default are absent or derived; all others are
         * scenario text, parsed like a file's. They cannot fail but for
         * memory, unless the table itself is wrong. */
        const struct vtb_key *k = &vtb_scenario_keys[i];
        if (k->default_text == NULL)
            continue;
        if (vtb__scenario_apply(s, k, k->default_text, NULL) != 0)
            goto nomem;
    }
    vtb__scenario_resolve(s);
    return 0;
nomem:
    vtb_scenario_fini(s);
    return VTB_ENOMEM;
}

int vtb_scenario_override(struct vtb_scenario *s, const char *assignment, struct vtb_error *err)
{
    struct vtb_error inner;
    const char *eq = strchr(assignment, '=');
    char *copy = strdup(assignment);
    int rc = 0;

    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, "--set: out of memory");
    if (eq == NULL) {
        rc = vtb_error_set(err, VTB_ESYNTAX, "--set: expected KEY=VALUE, got `%s`", assignment);
        goto out;
    }
    copy[eq - assignment] = '\0';
    char *key = vtb_trim(copy);
    char *value = vtb_trim(copy + (eq - assignment) + 1);
    if (key[0] == '\0') {
        rc = vtb_error_set(err, VTB_ESYNTAX, "--set: expected KEY=VALUE, got `%s`", assignment);
        goto out;
    }
    const struct vtb_key *k = vtb_key_find(key);
    if (k == NULL) {
        vtb__scenario_unknown_key(key, &inner);
        rc = vtb_error_set(err, inner.code, "--set: %s: %s", key, inner.message);
        goto out;
    }
    rc = vtb__scenario_apply(s, k, value, &inner);
    if (rc != 0) {
        vtb_error_set(err, rc, "--set: %s: %s", key, inner.message);
        goto out;
    }
    /* The value now comes from --set, not from the file's line. */
    s->key_line[k - vtb_scenario_keys] = 0;
    vtb__scenario_resolve(s);
    vtb_error_clear(err);
out:
    free(copy);
    return rc;
}

int vtb_scenario_check_impls(const struct vtb_scenario *s, const char *const *known,
                             struct vtb_error *err)
{
    const struct vtb_name_list *impls = &s->settings.impls;
    unsigned line = s->key_line[VTB_KEY_impls];
    for (size_t i = 0; i < impls->count; i++) {
        struct vtb_error inner;
        int rc = vtb_type_known_impl(impls->names[i], known, &inner);
        if (rc == 0)
            continue;
        if (line != 0)
            return vtb_error_set(err, rc, "%s:%u: impls: %s", s->source, line, inner.message);
        /* No line: the default names only built-ins, so the list came from
         * --set. */
        return vtb_error_set(err, rc, "%s%s--set: impls: %s", s->source,
                             s->source[0] != '\0' ? ": " : "", inner.message);
    }
    return 0;
}

/* True when some value of the axis satisfies pred. */
static bool axis_has(const struct vtb_scenario *s, enum vtb_axis axis,
                     bool (*pred)(const void *value))
{
    const struct vtb_axis_list *l = &s->axes[axis];
    for (size_t i = 0; i < l->count; i++)
        if (pred((const char *)l->values + i * vtb_axis_key(axis)->size))
            return true;
    return false;
}

static bool is_measured(const void *value)
{
    return ((const struct vtb_latency *)value)->kind == VTB_LATENCY_MEASURED;
}

static bool is_server(const void *value)
{
    return *(const enum vtb_backend_kind *)value != VTB_BACKEND_SIM;
}

int vtb_scenario_check(const struct vtb_scenario *s, struct vtb_error *err)
{
    /* Every axis value appears in some cell, so the lists tell what the
     * cells would. */
    if (axis_has(s, VTB_AXIS_miss_latency, is_measured) &&
        !axis_has(s, VTB_AXIS_backend, is_server) && s->settings.backend_url == NULL) {
        unsigned line = s->key_line[VTB_KEY_miss_latency];
        char where[32] = "--set: ";
        if (line != 0)
            snprintf(where, sizeof(where), "%u: ", line);
        return vtb_error_set(err, VTB_EINVAL,
                             "%s%s%smiss_latency: `measured` needs a server to measure: set "
                             "backend = redis (in at least one cell) or backend_url",
                             s->source, s->source[0] == '\0' ? "" : line != 0 ? ":" : ": ",
                             where);
    }
    return 0;
}

size_t vtb_scenario_cell_count(const struct vtb_scenario *s)
{
    size_t cells = 1;
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        if (s->axes[a].count > 1)
            cells *= s->axes[a].count;
    return cells;
}

int vtb_scenario_cell(const struct vtb_scenario *s, size_t index, struct vtb_cell *out)
{
    if (index >= vtb_scenario_cell_count(s))
        return VTB_ERANGE;
    memset(out, 0, sizeof(*out));
    out->index = index;
    /* Mixed-radix digits of index, the last axis being the fastest. */
    size_t rest = index;
    for (int a = VTB_AXIS_COUNT - 1; a >= 0; a--) {
        const struct vtb_key *k = vtb_axis_key((enum vtb_axis)a);
        size_t n = s->axes[a].count;
        if (n == 0)
            continue;
        memcpy(vtb_key_in_cell(k, out), (const char *)s->axes[a].values + (rest % n) * k->size,
               k->size);
        rest /= n;
    }
    /* The two axes that may be absent, and what their absence means. */
    if (s->axes[VTB_AXIS_hit_ratio].count == 0)
        out->hit_ratio = NAN; /* emergent mode */
    if (s->axes[VTB_AXIS_capacity].count == 0)
        out->capacity = out->keys; /* every key fits */
    return 0;
}

bool vtb_scenario_axis_swept(const struct vtb_scenario *s, enum vtb_axis axis)
{
    return (unsigned)axis < VTB_AXIS_COUNT && s->axes[axis].count > 1;
}

static void write_setting(const struct vtb_scenario *s, const struct vtb_key *k, FILE *out)
{
    char text[VTB_ERROR_MESSAGE_MAX];
    const struct vtb_settings *st = &s->settings;
    /* Only the active one of ops and duration; the warm-up as resolved. */
    if ((k == &vtb_scenario_keys[VTB_KEY_ops] && st->ops == 0) ||
        (k == &vtb_scenario_keys[VTB_KEY_duration] && st->duration == 0))
        return;
    const void *value = vtb_key_in_settings_const(k, st);
    if (k->type->absent != NULL && k->type->absent(value)) {
        fprintf(out, "; %s: absent %s\n", k->name, k->doc_default != NULL ? k->doc_default : "");
        return;
    }
    k->type->format(k, value, text, sizeof(text));
    fprintf(out, "%s = %s\n", k->name, text);
}

static void write_axis(const struct vtb_scenario *s, enum vtb_axis axis, FILE *out)
{
    const struct vtb_key *k = vtb_axis_key(axis);
    const struct vtb_axis_list *l = &s->axes[axis];
    if (l->count == 0) {
        fprintf(out, "; %s: absent %s\n", k->name, k->doc_default != NULL ? k->doc_default : "");
        return;
    }
    fprintf(out, "%s = ", k->name);
    for (size_t i = 0; i < l->count; i++) {
        char text[VTB_AXIS_TEXT_MAX];
        k->type->format(k, (const char *)l->values + i * k->size, text, sizeof(text));
        fprintf(out, "%s%s", i == 0 ? "" : ", ", text);
    }
    fputc('\n', out);
}

int vtb_scenario_write_ini(const struct vtb_scenario *s, const char *header, FILE *out)
{
    for (const char *p = header; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, "\n");
        fprintf(out, "; %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
    fputs("[scenario]\n", out);
    enum vtb_axis axis = (enum vtb_axis)0;
    for (size_t i = 0; i < VTB_KEY_COUNT; i++) {
        const struct vtb_key *k = &vtb_scenario_keys[i];
        if (k->axis)
            write_axis(s, axis++, out);
        else
            write_setting(s, k, out);
    }
    return ferror(out) ? VTB_EIO : 0;
}
