/*
 * The articles' claims and their verdicts (see claims.h; docs/claims.md
 * says where every figure comes from). Each evaluator fills what was
 * measured and why the verdict follows from it; the figures it is held
 * against are the constants below and the table at the end, next to the
 * claim's wording.
 */
#include "claims.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_slice.h"

/* The articles' hit speed-up of value-task over a task: 3x to 10x. */
#define HIT_SPEEDUP_LOW 3.0
#define HIT_SPEEDUP_HIGH 10.0

/* The primary sources' object sizes (x64, current .NET): a Task<T> that
 * completes synchronously with a result not cached by the runtime, and
 * Task<T> and ValueTask<T> completed asynchronously. */
#define PRIMARY_TASK_SYNC_BYTES 72.0
#define PRIMARY_TASK_ASYNC_BYTES 120.0
#define PRIMARY_VALUETASK_ASYNC_BYTES 128.0

/* The articles' totals for 1,000,000 calls (MB): at 80% and 100% hits. */
#define ARTICLES_TASK_MB_80 25.0
#define ARTICLES_VALUETASK_MB_80 6.0
#define ARTICLES_TASK_MB_100 30.0
#define ARTICLES_VALUETASK_MB_100 0.0

/* The articles' break-even hit ratio. */
#define BREAK_EVEN 0.70

static void say(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, VTB__CLAIM_TEXT_MAX, fmt, ap);
    va_end(ap);
}

static void say_more(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say_more(char *buf, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, VTB__CLAIM_TEXT_MAX - len, fmt, ap);
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
    res->verdict = VTB_VERDICT_NOT_MEASURED;
    if (!vtb__report_impl_known(cx->d, impl))
        say(res->why, "%s was not run", impl);
    else if (vtb__report_axis_distinct(cx->d, VTB_AXIS_hit_ratio) == 0)
        say(res->why, "this run sets no hit ratio (emergent mode), so there is no cell at "
                      "hit ratio %g", h);
    else
        say(res->why, "no cell at hit ratio %g", h);
    return NULL;
}

/* False, with the claim marked as not measured, when the articles' one
 * thread was not measured: their times are of one thread. */
static bool one_thread(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    if (!cx->multi_threaded)
        return true;
    res->verdict = VTB_VERDICT_NOT_MEASURED;
    say(res->why, "the articles timed one thread; this run has no one-thread cell");
    return false;
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

enum vtb_verdict vtb__claim_judge_ratio(const struct vtb_ratio *r, double lo, double hi)
{
    if (!isfinite(r->ratio))
        return VTB_VERDICT_NOT_MEASURED;
    if (r->n < 2)
        return VTB_VERDICT_INCONCLUSIVE;
    return vtb_verdict_of(r->ci_low, r->ci_high, lo, hi);
}

/* "2.43x [2.37, 2.49] (paired, 5 rounds)" */
static void ratio_text(char *buf, size_t size, const struct vtb_ratio *r)
{
    snprintf(buf, size, "%.2fx [%.2f, %.2f] (paired, %zu round%s)", r->ratio, r->ci_low,
             r->ci_high, r->n, r->n == 1 ? "" : "s");
}

/* ---- Claims true by construction: what they check is how the code is built ---- */

static void claim_task_allocates(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 1.0, res);
    double task = vtb__report_ctx_num(cx->d, "object_sizes.task.bytes");
    double usable = vtb__report_ctx_num(cx->d, "object_sizes.task.usable_bytes");

    if (a == NULL)
        return;
    say(res->measured, "alloc-task at hit ratio 1: %.3f allocs/op, %.0f bytes/op",
        a->allocs_per_op, bytes_of(a));
    if (isfinite(task) && isfinite(usable))
        say_more(res->measured, " (a %.0f-byte task in jemalloc's %.0f-byte size class)", task,
                 usable);
    if (a->allocs_per_op < 0.99) {
        res->verdict = VTB_VERDICT_REFUTED;
        say(res->why, "alloc-task is built to allocate on every call, yet a hit allocated only "
                      "%.3f times per call: the code does not do what it is built to do",
            a->allocs_per_op);
        return;
    }
    res->verdict = VTB_VERDICT_BY_CONSTRUCTION;
    say(res->why, "alloc-task is built to allocate a task on every call; the count shows the "
                  "code does so. Its size is this C task's, not .NET's");
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
    if (isfinite(result))
        say_more(res->measured, "; the result is a %.0f-byte struct returned by value", result);
    if (v->allocs_per_op >= 0.001 || bytes_of(v) >= 0.5) {
        res->verdict = VTB_VERDICT_REFUTED;
        say(res->why, "value-task is built to return a hit by value, yet it allocated %.3f "
                      "times per call", v->allocs_per_op);
        return;
    }
    res->verdict = VTB_VERDICT_BY_CONSTRUCTION;
    say(res->why, "value-task is built to return a hit by value; the count shows it allocates "
                  "nothing");
}

static void claim_async_same_alloc(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 0.0, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", 0.0, res) : NULL;

    if (v == NULL)
        return;
    say(res->measured, "at hit ratio 0: alloc-task %.0f bytes/op (%.3f allocs/op), value-task "
                       "%.0f bytes/op (%.3f allocs/op)",
        bytes_of(a), a->allocs_per_op, bytes_of(v), v->allocs_per_op);
    if (fabs(bytes_of(a) - bytes_of(v)) > 0.5) {
        res->verdict = VTB_VERDICT_REFUTED;
        say(res->why, "both are built to allocate the same pending task on a miss, yet they "
                      "differ by %.0f B per call", bytes_of(v) - bytes_of(a));
        return;
    }
    res->verdict = VTB_VERDICT_BY_CONSTRUCTION;
    say(res->why, "on a miss value-task wraps the very task alloc-task allocates (one miss "
                  "path), so the bytes are equal by construction");
}

static void claim_pooled_async(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *p = need(cx, "pooled", 0.0, res);

    if (p == NULL)
        return;
    say(res->measured, "pooled at hit ratio 0: %.3f allocs/op, %.1f bytes/op",
        p->allocs_per_op, bytes_of(p));
    if (p->allocs_per_op >= 0.001 || bytes_of(p) >= 0.5) {
        res->verdict = VTB_VERDICT_REFUTED;
        say(res->why, "pooled is built to rent its sources from a pool, yet its miss path "
                      "allocated %.3f times per call", p->allocs_per_op);
        return;
    }
    res->verdict = VTB_VERDICT_BY_CONSTRUCTION;
    say(res->why, "pooled is built to rent a reusable source on a miss; the count shows no "
                  "allocation after warm-up");
}

static void claim_miss_speed(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 0.0, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", 0.0, res) : NULL;
    struct vtb_ratio r;
    char ratio[96];

    if (v == NULL || !one_thread(cx, res))
        return;
    if (!vtb__report_pair(cx->d, a->cell, "value-task", "alloc-task", &r)) {
        res->verdict = VTB_VERDICT_NOT_MEASURED;
        say(res->why, "no paired ratio of value-task to alloc-task at hit ratio 0");
        return;
    }
    ratio_text(ratio, sizeof(ratio), &r);
    say(res->measured, "value-task/alloc-task at hit ratio 0: %s; %.0f ns vs %.0f ns per call",
        ratio, v->ns, a->ns);
    res->verdict = VTB_VERDICT_BY_CONSTRUCTION;
    say(res->why, "both strategies take one miss path (value-task wraps the task alloc-task "
                  "allocates), so the claim cannot fail here");
    if (r.n >= 2 && (r.ci_low > 1 || r.ci_high < 1))
        say_more(res->why, "; the interval excludes 1, a difference of the code around the "
                           "miss path, not of the path");
}

/* ---- Claims decided from measurements ---- */

static void claim_hit_speed(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 1.0, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", 1.0, res) : NULL;
    struct vtb_ratio r;
    char ratio[96];

    if (v == NULL || !one_thread(cx, res))
        return;
    if (!vtb__report_pair(cx->d, a->cell, "alloc-task", "value-task", &r)) {
        res->verdict = VTB_VERDICT_NOT_MEASURED;
        say(res->why, "no paired ratio of alloc-task to value-task at hit ratio 1");
        return;
    }
    ratio_text(ratio, sizeof(ratio), &r);
    say(res->measured, "alloc-task/value-task at hit ratio 1: %s; %.1f ns vs %.1f ns per call",
        ratio, a->ns, v->ns);
    res->verdict = vtb__claim_judge_ratio(&r, HIT_SPEEDUP_LOW, HIT_SPEEDUP_HIGH);
    switch (res->verdict) {
    case VTB_VERDICT_CONFIRMED:
        say(res->why, "the whole 95%% interval lies within the articles' 3x to 10x");
        break;
    case VTB_VERDICT_REFUTED:
        say(res->why, "the whole 95%% interval lies %s the articles' 3x to 10x",
            r.ci_high < HIT_SPEEDUP_LOW ? "below" : "above");
        break;
    default:
        say(res->why, "%s", r.n < 2 ? "one round gives no interval"
                                    : "the 95% interval straddles a bound of the articles' "
                                      "3x to 10x; more rounds would decide");
        break;
    }
    say_more(res->why, " (the primary measurement: 1.6x; absolute ns do not compare across "
                       "machines and runtimes)");
}

/* The verdict on one total: exact figures against the articles' within the
 * tolerance (0 MB: below 0.05 MB). */
static enum vtb_verdict judge_total(double mb, double claimed)
{
    double lo = claimed > 0 ? claimed * (1 - VTB__CLAIM_TOLERANCE) : -INFINITY;
    double hi = claimed > 0 ? claimed * (1 + VTB__CLAIM_TOLERANCE) : 0.05;

    return vtb_verdict_of(mb, mb, lo, hi);
}

static void claim_total(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res, double h,
                        double task_mb, double value_mb)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", h, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", h, res) : NULL;
    enum vtb_verdict va, vv;
    double am, vm;

    if (v == NULL)
        return;
    am = mb_per_million(a);
    vm = mb_per_million(v);
    say(res->measured, "alloc-task %.1f MB, value-task %.1f MB per 1,000,000 calls (counted "
                       "over %.0f calls, scaled)",
        am, vm, a->ops);
    va = judge_total(am, task_mb);
    vv = judge_total(vm, value_mb);
    if (!isfinite(am) || !isfinite(vm)) {
        res->verdict = VTB_VERDICT_NOT_MEASURED;
        say(res->why, "no allocation totals in this run");
    } else if (va == VTB_VERDICT_CONFIRMED && vv == VTB_VERDICT_CONFIRMED) {
        res->verdict = VTB_VERDICT_CONFIRMED;
        say(res->why, "both totals are within %.0f%% of the articles' (counted exactly: no "
                      "interval)", VTB__CLAIM_TOLERANCE * 100);
    } else {
        res->verdict = VTB_VERDICT_REFUTED;
        say(res->why, "alloc-task's %.1f MB is %s the articles' %.0f MB", am,
            va == VTB_VERDICT_CONFIRMED ? "within 30% of" : "not within 30% of", task_mb);
        if (value_mb > 0)
            say_more(res->why, ", value-task's %.1f MB %s their %.0f MB", vm,
                     vv == VTB_VERDICT_CONFIRMED ? "within 30% of" : "not within 30% of",
                     value_mb);
        else
            say_more(res->why, ", value-task's %.1f MB %s their 0 MB", vm,
                     vv == VTB_VERDICT_CONFIRMED ? "matches" : "does not match");
        say_more(res->why, "; the sizes are this C library's, and the totals follow from "
                           "them and the hit ratio");
    }
}

static void claim_total_80(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    claim_total(cx, res, 0.8, ARTICLES_TASK_MB_80, ARTICLES_VALUETASK_MB_80);
}

static void claim_total_100(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    claim_total(cx, res, 1.0, ARTICLES_TASK_MB_100, ARTICLES_VALUETASK_MB_100);
}

/*
 * "Use ValueTask when the hit rate is above 70%": value-task is cheaper
 * above 0.7 and not below. Each hit ratio measured is judged on the paired
 * ratio alloc-task/value-task: above 0.7 the claim is that it lies in
 * (1, inf), below 0.7 in (0, 1]. One point refuted refutes the rule; all
 * confirmed confirm it; anything else is inconclusive.
 */
static void claim_break_even(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res)
{
    unsigned cells[256];
    size_t n = vtb__report_claim_cells(cx->d, cells, 256), judged = 0;
    unsigned tally[VTB_VERDICT_NOT_MEASURED + 1] = {0};
    char refuted[160] = "";

    if (!one_thread(cx, res))
        return;
    for (size_t k = 0; k < n; k++) {
        const struct vtb__report_cell *c = vtb__report_cell_by_index(cx->d, cells[k]);
        double h = vtb__report_cell_axis_num(cx->d, c, VTB_AXIS_hit_ratio);
        struct vtb_ratio r;
        enum vtb_verdict v;

        if (fabs(h - BREAK_EVEN) < 1e-9 ||
            !vtb__report_pair(cx->d, cells[k], "alloc-task", "value-task", &r))
            continue;
        v = h > BREAK_EVEN ? vtb__claim_judge_ratio(&r, 1.0, INFINITY)
                           : vtb__claim_judge_ratio(&r, 0.0, 1.0);
        tally[v]++;
        judged++;
        if (v == VTB_VERDICT_REFUTED) {
            size_t len = strlen(refuted);
            snprintf(refuted + len, sizeof(refuted) - len, "%s%g: %.2fx [%.2f, %.2f]",
                     len > 0 ? "; " : "", h, r.ratio, r.ci_low, r.ci_high);
        }
    }
    if (judged < 2) {
        res->verdict = VTB_VERDICT_NOT_MEASURED;
        say(res->why, "needs at least two hit ratios other than 0.7 with alloc-task and "
                      "value-task");
        return;
    }
    say(res->measured, "paired alloc-task/value-task at %zu hit ratios: %u as the rule says, "
                       "%u against it, %u undecided (interval straddles 1)",
        judged, tally[VTB_VERDICT_CONFIRMED], tally[VTB_VERDICT_REFUTED],
        tally[VTB_VERDICT_INCONCLUSIVE]);
    if (tally[VTB_VERDICT_REFUTED] > 0) {
        res->verdict = VTB_VERDICT_REFUTED;
        say(res->why, "against the rule at hit ratio %s (above 0.7 value-task should be "
                      "cheaper, below it not)", refuted);
    } else if (tally[VTB_VERDICT_CONFIRMED] == judged) {
        res->verdict = VTB_VERDICT_CONFIRMED;
        say(res->why, "value-task is cheaper at every hit ratio above 0.7 and not below it, "
                      "beyond the 95%% intervals");
    } else {
        res->verdict = VTB_VERDICT_INCONCLUSIVE;
        say(res->why, "no hit ratio contradicts the rule, but %u intervals straddle 1 (below "
                      "0.7 the strategies share the miss path, so the ratio sits near 1)",
            tally[VTB_VERDICT_INCONCLUSIVE]);
    }
}

/* The claims, in the order report.md lists them (docs/claims.md says where
 * each figure comes from). */
static const struct claim {
    const char *text;
    const char *articles;
    const char *primary;
    void (*eval)(const struct vtb__claim_ctx *cx, struct vtb__claim_result *res);
} claims[] = {
    {"Task allocates on every call, even a cache hit", "32 B per call in one article, ~72 B "
     "in another", "Task<T> is 72 B on x64 (the runtime's own object layout)",
     claim_task_allocates},
    {"ValueTask allocates nothing on a synchronous completion", "0 B",
     "0 B (dotnet/runtime PR 76349 benchmark)", claim_value_task_sync_free},
    {"On the async path ValueTask costs the same as Task (or slightly more)", "~72 B vs ~80 B",
     "~120 B vs ~128 B, both ~3.6-4.0 us per call (Cysharp/UniTask issue 181)",
     claim_async_same_alloc},
    {"Cache hit: Task vs ValueTask", "50 ns vs 5 ns (10x); another article: 12.5 ns / 72 B "
     "vs 4.2 ns / 0 B (3x)", "19.5 ns / 72 B vs 12.5 ns / 0 B, 1.6x (dotnet/runtime PR 76349)",
     claim_hit_speed},
    {"Cache miss: Task vs ValueTask", "55 ns vs 55 ns",
     "~3.6-4.0 us per asynchronous call for both (Cysharp/UniTask issue 181)",
     claim_miss_speed},
    {"1,000,000 calls at 80% hit rate", "Task ~25 MB, ValueTask ~6 MB allocated",
     "~82 MB vs ~26 MB, from the primary sizes (72 B per Task<T> hit, ~120 B per Task<T> and "
     "~128 B per ValueTask<T> miss)", claim_total_80},
    {"1,000,000 calls, all hits", "Task ~30 MB, ValueTask 0 MB",
     "72 MB vs 0 MB, from the primary sizes (72 B per Task<T>)", claim_total_100},
    {"Pooled IValueTaskSource: zero allocation on the async path too", "0 B",
     "0 B (Cysharp/UniTask issue 181; BitFaster.Caching PR 162)", claim_pooled_async},
    {"Break-even: use ValueTask when the hit rate is above 70%", "70%",
     "none: no primary source gives this rule", claim_break_even},
};

size_t vtb__claim_markers(struct vtb__claim_marker *out, size_t max)
{
    const struct vtb__claim_marker all[] = {
        {0.8, "alloc-task", "articles", ARTICLES_TASK_MB_80},
        {0.8, "value-task", "articles", ARTICLES_VALUETASK_MB_80},
        {1.0, "alloc-task", "articles", ARTICLES_TASK_MB_100},
        {1.0, "value-task", "articles", ARTICLES_VALUETASK_MB_100},
        {0.8, "alloc-task", "primary",
         0.8 * PRIMARY_TASK_SYNC_BYTES + 0.2 * PRIMARY_TASK_ASYNC_BYTES},
        {0.8, "value-task", "primary", 0.2 * PRIMARY_VALUETASK_ASYNC_BYTES},
        {1.0, "alloc-task", "primary", PRIMARY_TASK_SYNC_BYTES},
        {1.0, "value-task", "primary", 0.0},
    };
    size_t n = sizeof(all) / sizeof(all[0]);

    n = n < max ? n : max;
    memcpy(out, all, n * sizeof(*out));
    return n;
}

void vtb__claim_ctx_init(struct vtb__claim_ctx *cx, const struct vtb__report_data *d)
{
    struct vtb__report_slice s;
    const char *threads;

    memset(cx, 0, sizeof(*cx));
    cx->d = d;
    vtb__report_slice_init(d, &s, VTB_AXIS_hit_ratio, -1, false);
    vtb__report_slice_describe(&s, cx->held, sizeof(cx->held));
    /* The articles timed one thread: a claims slice held at more (or a run
     * of one larger thread count) has no time comparable to theirs. */
    threads = s.fixed[VTB_AXIS_threads];
    if (threads == NULL && d->ncells > 0)
        threads = d->rows[d->cells[0].first_row].axis[VTB_AXIS_threads];
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
    res->primary = claims[k].primary;
    res->verdict = VTB_VERDICT_NOT_MEASURED;
    claims[k].eval(cx, res);
}

void vtb__claim_tally(const struct vtb__claim_ctx *cx, struct vtb__claim_tally *t)
{
    struct vtb__claim_result res;

    memset(t, 0, sizeof(*t));
    for (size_t k = 0; k < vtb__claim_count(); k++) {
        vtb__claim_eval(cx, k, &res);
        t->count[res.verdict]++;
    }
}
