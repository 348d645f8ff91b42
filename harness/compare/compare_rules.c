/*
 * The gate's metric table, verdict and note texts, options, exact rule and
 * invariants (see compare_rules.h). Everything here is a table or a small
 * pure function, so that the rules can be read in one place.
 */
#include "compare_rules.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum metric_kind { KIND_TIME, KIND_EXACT };

static const struct metric_info {
    const char *name;
    enum metric_kind kind;
    double tolerance;
    const char *text;
} metrics[VTB_COMPARE_METRIC_COUNT] = {
#define VTB__COMPARE_METRIC_INFO(id, mname, mkind, mtolerance, mtext) \
    {#mname, KIND_##mkind, mtolerance, mtext},
    VTB_COMPARE_METRICS(VTB__COMPARE_METRIC_INFO)
#undef VTB__COMPARE_METRIC_INFO
};

static const char *const verdict_names[VTB_COMPARE_VERDICT_COUNT] = {
#define VTB__COMPARE_VERDICT_NAME(id, text) text,
    VTB_COMPARE_VERDICTS(VTB__COMPARE_VERDICT_NAME)
#undef VTB__COMPARE_VERDICT_NAME
};

static const char *const note_texts[VTB_COMPARE_NOTE_COUNT] = {
#define VTB__COMPARE_NOTE_TEXT(id, text) text,
    VTB_COMPARE_NOTES(VTB__COMPARE_NOTE_TEXT)
#undef VTB__COMPARE_NOTE_TEXT
};

/* The rule applies to rows of impl, and only at hit_ratio_target 1 when
 * hits_only is set. */
static const struct invariant {
    const char *impl;
    bool hits_only;
    const char *rule;
} invariants[] = {
    {"value-task", true, "value-task allocates nothing on a hit (allocs_per_op == 0 at "
                         "hit_ratio_target 1)"},
    {"pooled", false, "pooled allocates nothing once warm (allocs_per_op == 0 everywhere)"},
};

void vtb_compare_options_default(struct vtb_compare_options *o)
{
    memset(o, 0, sizeof(*o));
    o->threshold = 0.10;
    o->time_gate = true;
    o->fail_on_unknown = false;
    for (size_t i = 0; i < VTB_COMPARE_METRIC_COUNT; i++)
        o->tolerance[i] = metrics[i].tolerance;
}

const char *vtb_compare_metric_name(enum vtb_compare_metric metric)
{
    return (unsigned)metric < VTB_COMPARE_METRIC_COUNT ? metrics[metric].name : NULL;
}

const char *vtb_compare_metric_text(enum vtb_compare_metric metric)
{
    return (unsigned)metric < VTB_COMPARE_METRIC_COUNT ? metrics[metric].text : NULL;
}

bool vtb_compare_metric_exact(enum vtb_compare_metric metric)
{
    return (unsigned)metric < VTB_COMPARE_METRIC_COUNT && metrics[metric].kind == KIND_EXACT;
}

const char *vtb_compare_verdict_name(enum vtb_compare_verdict verdict)
{
    return (unsigned)verdict < VTB_COMPARE_VERDICT_COUNT ? verdict_names[verdict] : "?";
}

const char *vtb_compare_note_text(enum vtb_compare_note note)
{
    return (unsigned)note < VTB_COMPARE_NOTE_COUNT ? note_texts[note] : "?";
}

int vtb_compare_parse_tolerance(struct vtb_compare_options *o, const char *spec,
                                struct vtb_error *err)
{
    const char *eq = strchr(spec, '=');
    if (eq == NULL)
        return vtb_error_set(err, VTB_EINVAL, "--tolerance %s: expected METRIC=VALUE", spec);
    size_t name_len = (size_t)(eq - spec);
    long found = -1;
    for (size_t i = 0; i < VTB_COMPARE_METRIC_COUNT; i++)
        if (strlen(metrics[i].name) == name_len && strncmp(metrics[i].name, spec, name_len) == 0)
            found = (long)i;
    if (found < 0)
        return vtb_error_set(err, VTB_EINVAL,
                             "--tolerance %s: unknown metric '%.*s' (one of allocs_per_op, "
                             "bytes_per_op, requested_bytes_per_op, pool_misses_per_op, errors, "
                             "value_mismatches, instructions_per_op)",
                             spec, (int)name_len, spec);
    if (metrics[found].kind == KIND_TIME)
        return vtb_error_set(err, VTB_EINVAL, "--tolerance %s: %s is judged by --threshold",
                             spec, metrics[found].name);
    const char *text = eq + 1;
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    bool percent = end != NULL && *end == '%';
    if (percent)
        end++;
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(value) || value < 0)
        return vtb_error_set(err, VTB_EINVAL,
                             "--tolerance %s: '%s' is not a tolerance (a fraction such as 0.02 "
                             "or a percentage such as 2%%, >= 0)",
                             spec, text);
    o->tolerance[found] = percent ? value / 100.0 : value;
    return 0;
}

double vtb_compare_ratio(double base, double value)
{
    if (isnan(base) || isnan(value))
        return NAN;
    if (base == 0)
        return value == 0 ? 1.0 : INFINITY;
    return value / base;
}

enum vtb_compare_verdict vtb_compare_judge_exact(double base, double value, double tolerance,
                                                 enum vtb_compare_note *note)
{
    *note = VTB_COMPARE_NOTE_NONE;
    if (isnan(base) && isnan(value)) {
        *note = VTB_COMPARE_NOTE_NOT_MEASURED;
        return VTB_COMPARE_VERDICT_SKIPPED;
    }
    if (isnan(value)) {
        *note = VTB_COMPARE_NOTE_LOST;
        return VTB_COMPARE_VERDICT_MISSING;
    }
    if (isnan(base)) {
        *note = VTB_COMPARE_NOTE_NOT_IN_BASE;
        return VTB_COMPARE_VERDICT_SKIPPED;
    }
    double allowed = tolerance * fabs(base);
    enum vtb_compare_verdict v = value > base + allowed   ? VTB_COMPARE_VERDICT_SLOWER
                                 : value < base - allowed ? VTB_COMPARE_VERDICT_FASTER
                                                          : VTB_COMPARE_VERDICT_SAME;
    if (tolerance > 0 && v != VTB_COMPARE_VERDICT_SAME)
        *note = VTB_COMPARE_NOTE_TOLERANCE;
    return v;
}

size_t vtb_compare_invariant_count(void)
{
    return sizeof(invariants) / sizeof(invariants[0]);
}

const char *vtb_compare_invariant_text(size_t i)
{
    return i < vtb_compare_invariant_count() ? invariants[i].rule : NULL;
}

bool vtb_compare_invariant_applies(size_t i, const char *impl, double hit_ratio_target)
{
    if (i >= vtb_compare_invariant_count() || strcmp(impl, invariants[i].impl) != 0)
        return false;
    return !invariants[i].hits_only || hit_ratio_target == 1.0;
}
