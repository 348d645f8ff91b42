/*
 * The articles' claims and their verdicts (see claims.h). Each evaluator
 * fills what was measured and why the verdict follows from it; the
 * figures of the articles it is held against are in its code and in the
 * table at the end, next to the claim's wording.
 */
#include "claims.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_slice.h"

static void say(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, VTB__CLAIM_TEXT_MAX, fmt, ap);
    va_end(ap);
}

/* The row of impl at hit ratio h, or NULL with the claim marked as not
 * measured (and why). */
static const struct vtb__report_row *need(const struct vtb__claim_ctx *cx, const char *impl,
                                          double h, struct vtb__claim_result *res)
{
    const struct vtb__report_row *row = vtb__report_claim_row(cx->d, impl, h);

    if (row != NULL)
        return row;
    res->verdict = VTB__CLAIM_NOT_MEASURED;
    if (!vtb__report_impl_known(cx->d, impl))
        say(res->why, "%s was not run", impl);
    else if (vtb__report_axis_distinct(cx->d, VTB__AX_HIT_RATIO) == 0)
        say(res->why, "this run sets no hit ratio (emergent mode), so there is no cell at "
                      "hit ratio %g", h);
    else
        say(res->why, "no cell at hit ratio %g", h);
    return NULL;
}

static double bytes_of(const struct vtb__report_row *r)
{
    return isfinite(r->bytes_per_op) ? r->bytes_per_op : r->requested_bytes_per_op;
}

/* Megabytes (10^6 bytes) allocated by 1,000,000 calls. */
static double mb_per_million(const struct vtb__report_row *r)
{
    return r->ops > 0 ? r->total_alloc_bytes / r->ops : NAN;
}

static bool ci_overlap(const struct vtb__report_row *a, const struct vtb__report_row *b)
{
    return a->ci_low <= b->ci_high && b->ci_low <= a->ci_high;
}

static bool near(double measured, double claimed, double tolerance)
{
    return fabs(measured - claimed) <= tolerance * claimed;
}

static void claim_task_allocates(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 1.0, res);
    double task = vtb__report_ctx_num(cx->d, "object_sizes.task.bytes");
    double usable = vtb__report_ctx_num(cx->d, "object_sizes.task.usable_bytes");
    char sizes[128] = "";

    if (a == NULL)
        return;
    if (isfinite(task) && isfinite(usable))
        snprintf(sizes, sizeof(sizes), " (%.0f-byte task, %.0f-byte jemalloc size class)", task,
                 usable);
    say(res->measured, "alloc-task allocs/op at hit ratio 1 = %.3f, %.0f bytes/op%s",
        a->allocs_per_op, bytes_of(a), sizes);
    if (a->allocs_per_op < 0.99) {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "a hit allocated only %.3f times per call", a->allocs_per_op);
    } else if (fabs(bytes_of(a) - 32) < 0.5 || fabs(bytes_of(a) - 72) < 0.5) {
        res->verdict = VTB__CLAIM_CONFIRMED;
        say(res->why, "every hit allocates one task, of the articles' size (%.0f B)",
            bytes_of(a));
    } else {
        res->verdict = VTB__CLAIM_CONFIRMED;
        say(res->why, "every hit allocates one task; the size differs: %.0f B, not 32/72 B",
            bytes_of(a));
    }
}

static void claim_value_task_sync_free(const struct vtb__claim_ctx *cx,
                                       struct vtb__claim_result *res)
{
    const struct vtb__report_row *v = need(cx, "value-task", 1.0, res);
    double result = vtb__report_ctx_num(cx->d, "object_sizes.vresult.bytes");

    if (v == NULL)
        return;
    say(res->measured, "value-task at hit ratio 1: %.3f allocs/op, %.1f bytes/op",
        v->allocs_per_op, bytes_of(v));
    if (v->allocs_per_op < 0.001 && bytes_of(v) < 0.5) {
        res->verdict = VTB__CLAIM_CONFIRMED;
        if (isfinite(result))
            say(res->why, "a hit returns the value inside the %.0f-byte result, with no "
                          "allocation", result);
        else
            say(res->why, "a hit returns the value by value, with no allocation");
    } else {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "a synchronous completion still allocated %.3f times per call",
            v->allocs_per_op);
    }
}

static void claim_async_same_alloc(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 0.0, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", 0.0, res) : NULL;
    double ab, vb;

    if (v == NULL)
        return;
    ab = bytes_of(a);
    vb = bytes_of(v);
    say(res->measured, "at hit ratio 0: value-task %.0f bytes/op (%.3f allocs/op) vs "
                       "alloc-task %.0f bytes/op (%.3f allocs/op)",
        vb, v->allocs_per_op, ab, a->allocs_per_op);
    if (vb >= ab - 0.5 && vb <= ab * 1.15 + 0.5) {
        res->verdict = VTB__CLAIM_CONFIRMED;
        if (near(vb, 72, 0.12) || near(vb, 80, 0.12))
            say(res->why, "both allocate one task per miss, of about the articles' size");
        else
            say(res->why, "both allocate one task per miss; the size differs: %.0f B, not "
                          "72/80 B", vb);
    } else {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "value-task allocates %.0f B per miss against alloc-task's %.0f B", vb,
            ab);
    }
}

/* The articles' hit speed-up of value-task over a task: 3x and 10x. */
#define HIT_SPEEDUP_LOW 3.0

static void claim_hit_speed(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 1.0, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", 1.0, res) : NULL;
    double ratio, lo, hi;

    if (v == NULL)
        return;
    /* The speed-up and the range the two confidence intervals allow. */
    ratio = a->ns / v->ns;
    lo = v->ci_high > 0 ? a->ci_low / v->ci_high : NAN;
    hi = v->ci_low > 0 ? a->ci_high / v->ci_low : INFINITY;
    say(res->measured, "at hit ratio 1: alloc-task %.1f ns [%.1f, %.1f] vs value-task %.1f ns "
                       "[%.1f, %.1f]: %.2fx (%.2fx to %.2fx within the 95%% CIs)",
        a->ns, a->ci_low, a->ci_high, v->ns, v->ci_low, v->ci_high, ratio, lo, hi);
    if (cx->multi_threaded) {
        res->verdict = VTB__CLAIM_NOT_COMPARABLE;
        say(res->why, "the articles measured one thread; this run has no one-thread cell");
    } else if (ci_overlap(a, v)) {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "no significant difference: the 95%% confidence intervals overlap");
    } else if (hi >= HIT_SPEEDUP_LOW) {
        res->verdict = VTB__CLAIM_CONFIRMED;
        say(res->why, "value-task is %.1fx faster on a hit, within reach of the articles' 3x "
                      "to 10x given the CIs; absolute ns are not comparable across machines "
                      "and runtimes", ratio);
    } else if (ratio > 1) {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "value-task is faster, but by %.1fx (at most %.1fx within the CIs), not "
                      "the articles' 3x to 10x", ratio, hi);
    } else {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "value-task is slower on a hit (%.2fx)", ratio);
    }
}

static void claim_miss_speed(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 0.0, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", 0.0, res) : NULL;
    double ratio;

    if (v == NULL)
        return;
    ratio = v->ns / a->ns;
    say(res->measured, "at hit ratio 0: alloc-task %.1f ns [%.1f, %.1f] vs value-task %.1f ns "
                       "[%.1f, %.1f]",
        a->ns, a->ci_low, a->ci_high, v->ns, v->ci_low, v->ci_high);
    if (cx->multi_threaded) {
        res->verdict = VTB__CLAIM_NOT_COMPARABLE;
        say(res->why, "the articles measured one thread; this run has no one-thread cell");
    } else if (ci_overlap(a, v) || fabs(ratio - 1) <= 0.10) {
        res->verdict = VTB__CLAIM_CONFIRMED;
        say(res->why, "the same cost within noise (value-task/alloc-task %.2f); a miss here "
                      "costs more than 55 ns because it completes on a later loop turn",
            ratio);
    } else {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "value-task is %.0f%% %s than alloc-task on a miss, beyond the noise",
            fabs(ratio - 1) * 100, ratio < 1 ? "cheaper" : "dearer");
    }
}

static void claim_total(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res, double h,
                        double task_mb, double value_mb)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", h, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", h, res) : NULL;
    double am, vm;

    if (v == NULL)
        return;
    am = mb_per_million(a);
    vm = mb_per_million(v);
    if (a->ops == 1e6)
        say(res->measured, "alloc-task %.1f MB, value-task %.1f MB per 1,000,000 calls (one "
                           "repetition is 1,000,000 calls)",
            am, vm);
    else
        say(res->measured, "alloc-task %.1f MB, value-task %.1f MB per 1,000,000 calls (one "
                           "repetition of %.0f calls, scaled x 1,000,000 / %.0f)",
            am, vm, a->ops, a->ops);
    if (near(am, task_mb, VTB__CLAIM_TOLERANCE) &&
        (value_mb > 0 ? near(vm, value_mb, VTB__CLAIM_TOLERANCE) : vm < 0.05)) {
        res->verdict = VTB__CLAIM_CONFIRMED;
        say(res->why, "both totals are within %.0f%% of the articles'", VTB__CLAIM_TOLERANCE * 100);
    } else if (value_mb == 0 && vm < 0.05) {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "value-task allocates nothing, as claimed, but alloc-task allocates "
                      "%.1f MB, %.1fx the articles' %.0f MB (%.0f B per call)",
            am, am / task_mb, task_mb, am);
    } else {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "the totals are %.1fx and %.1fx the articles'; value-task saves %.0f%% "
                      "(articles: %.0f%%)",
            am / task_mb, value_mb > 0 ? vm / value_mb : NAN, am > 0 ? 100 * (1 - vm / am) : 0,
            100 * (1 - value_mb / task_mb));
    }
}

static void claim_total_80(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    claim_total(cx, res, 0.8, 25, 6);
}

static void claim_total_100(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    claim_total(cx, res, 1.0, 30, 0);
}

static void claim_pooled_async(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *p = need(cx, "pooled", 0.0, res);

    if (p == NULL)
        return;
    say(res->measured, "pooled at hit ratio 0: %.3f allocs/op, %.1f bytes/op",
        p->allocs_per_op, bytes_of(p));
    if (p->allocs_per_op < 0.001 && bytes_of(p) < 0.5) {
        res->verdict = VTB__CLAIM_CONFIRMED;
        say(res->why, "every call misses and rents a source from the pool: nothing is "
                      "allocated after warm-up");
    } else {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "the pooled miss path still allocated %.3f times per call",
            p->allocs_per_op);
    }
}

static void claim_break_even(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    unsigned cells[256];
    size_t n = vtb__report_claim_cells(cx->d, cells, 256);
    struct vtb__report_crossings x;
    int nx = vtb__report_crossings(cx->d, cells, n, "alloc-task", "value-task", &x);
    double up = NAN;

    if (nx < 0) {
        res->verdict = VTB__CLAIM_NOT_MEASURED;
        say(res->why, "needs at least two hit ratios with alloc-task and value-task");
        return;
    }
    for (int k = 0; k < nx; k++)
        if (x.upward[k])
            up = x.at[k];
    say(res->measured, "cost ratio alloc-task/value-task from %.2f (at hit ratio %g) to %.2f "
                       "(at %g) over %zu hit ratios%s",
        x.min_ratio, x.min_at, x.max_ratio, x.max_at, x.points,
        nx > 0 ? "; crosses 1.0" : "; never crosses 1.0 beyond the noise");
    if (nx > 0) {
        size_t len = strlen(res->measured);
        for (int k = 0; k < nx; k++) {
            int w = snprintf(res->measured + len, sizeof(res->measured) - len, "%s %s at %.2f",
                             k > 0 ? "," : "", x.upward[k] ? "upward" : "downward", x.at[k]);
            if (w < 0 || (size_t)w >= sizeof(res->measured) - len)
                break;
            len += (size_t)w;
        }
    }
    if (cx->multi_threaded) {
        res->verdict = VTB__CLAIM_NOT_COMPARABLE;
        say(res->why, "the articles measured one thread; this run has no one-thread cell");
    } else if (isfinite(up) && up >= 0.6 && up <= 0.8) {
        res->verdict = VTB__CLAIM_CONFIRMED;
        say(res->why, "value-task becomes the cheaper choice at a hit ratio of %.2f", up);
    } else if (isfinite(up)) {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "value-task becomes the cheaper choice at a hit ratio of %.2f, not 0.7",
            up);
    } else if (x.below == 0) {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "value-task is never slower beyond the noise: cheaper at %zu of %zu hit "
                      "ratios and within the 95%% CIs at the rest, so there is no threshold",
            x.above, x.points);
    } else if (x.above == 0) {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "value-task is not cheaper beyond the noise at any hit ratio measured");
    } else {
        res->verdict = VTB__CLAIM_REFUTED;
        say(res->why, "value-task is cheaper at low hit ratios and dearer at high ones, the "
                      "opposite of the rule");
    }
}

/* The claims, in the order report.md lists them. */
static const struct claim {
    const char *text;
    const char *articles;
    void (*eval)(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res);
} claims[] = {
    {"Task allocates on every call, even a cache hit", "32 B per call in one article, ~72 B "
     "in another", claim_task_allocates},
    {"ValueTask allocates nothing on a synchronous completion", "0 B",
     claim_value_task_sync_free},
    {"On the async path ValueTask costs the same as Task (or slightly more)", "~72 B vs ~80 B",
     claim_async_same_alloc},
    {"Cache hit: Task vs ValueTask", "50 ns vs 5 ns (10x); another article: 12.5 ns / 72 B "
     "vs 4.2 ns / 0 B", claim_hit_speed},
    {"Cache miss: Task vs ValueTask", "55 ns vs 55 ns", claim_miss_speed},
    {"1,000,000 calls at 80% hit rate", "Task ~25 MB, ValueTask ~6 MB allocated",
     claim_total_80},
    {"1,000,000 calls, all hits", "Task ~30 MB, ValueTask 0 MB", claim_total_100},
    {"Pooled IValueTaskSource: zero allocation on the async path too", "0 B",
     claim_pooled_async},
    {"Break-even: use ValueTask when the hit rate is above 70%", "70%", claim_break_even},
};

void vtb__claim_ctx_init(struct vtb__claim_ctx *cx, const struct vtb__report_data *d)
{
    struct vtb__report_slice s;
    const char *threads;

    memset(cx, 0, sizeof(*cx));
    cx->d = d;
    vtb__report_slice_init(d, &s, VTB__AX_HIT_RATIO, -1, false);
    vtb__report_slice_describe(&s, cx->held, sizeof(cx->held));
    /* The articles measured one thread: a claims slice held at more (or a
     * run of one larger thread count) is measured, but not comparable. */
    threads = s.fixed[VTB__AX_THREADS];
    if (threads == NULL && d->ncells > 0)
        threads = d->rows[d->cells[0].first_row].axis[VTB__AX_THREADS];
    cx->multi_threaded = threads != NULL && threads[0] != '\0' && strtod(threads, NULL) > 1;
}

size_t vtb__claim_count(void)
{
    return sizeof(claims) / sizeof(claims[0]);
}

void vtb__claim_eval(const struct vtb__claim_ctx *cx, size_t k, struct vtb__claim_result *res)
{
    memset(res, 0, sizeof(*res));
    res->text = claims[k].text;
    res->articles = claims[k].articles;
    claims[k].eval(cx, res);
}

const char *vtb__claim_verdict_name(enum vtb__claim_verdict v)
{
    switch (v) {
    case VTB__CLAIM_CONFIRMED:
        return "confirmed";
    case VTB__CLAIM_REFUTED:
        return "refuted";
    case VTB__CLAIM_NOT_COMPARABLE:
        return "not comparable";
    case VTB__CLAIM_NOT_MEASURED:
        break;
    }
    return "not measured in this run";
}
