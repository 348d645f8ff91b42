/*
 * The "console" reporter: the summary a person reads at the end of each
 * cell. Per cell, a one-line header with the cell's axes and its cost
 * floor, then one row per implementation: mean ns per operation with its
 * 95% confidence interval, latency percentiles, bytes and allocations per
 * operation, and the ratio of its ns/op to value-task's in the same cell
 * (the strategy the question is about); statistics warnings follow the row
 * they concern. At the end, the run-wide floor and timer overhead, and a
 * note when the run was interrupted.
 *
 * The ratio needs every implementation of the cell, so rows are held back
 * until the cell is complete: records are copied (numbers only; the
 * runner's histograms and samples are not kept) and printed when a record
 * of the next cell arrives or at end.
 *
 * Output goes where vtb_console_configure says (stdout by default), with
 * colour only when configured and NO_COLOR is not set; quiet mode prints
 * nothing at all.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "stats.h"

/* The implementation every row is compared with. */
#define BASELINE_IMPL "value-task"

#define ANSI_BOLD "\033[1m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_RESET "\033[0m"

/* Process-wide options, set by main before the run (see reporter.h). */
static struct vtb_console_options console_options;

void vtb_console_configure(const struct vtb_console_options *options)
{
    const char *no_color = getenv("NO_COLOR");

    if (options == NULL)
        memset(&console_options, 0, sizeof(console_options));
    else
        console_options = *options;
    /* no-color.org: any non-empty NO_COLOR turns colour off, whatever the
     * caller decided from isatty. */
    if (no_color != NULL && no_color[0] != '\0')
        console_options.color = false;
}

struct console_state {
    FILE *out;
    bool color;
    bool quiet;
    struct vtb_record *cell; /* records of the cell being collected */
    size_t count;
    size_t capacity;
};

/* Formats v with fmt, or "-" when it is not a finite number. */
static const char *num(char *buf, size_t size, const char *fmt, double v)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, fmt, v);
    return buf;
}

static const char *on(const struct console_state *s, const char *code)
{
    return s->color ? code : "";
}

static void print_cell_header(struct console_state *s, const struct vtb_record *r)
{
    char ratio[32], floor_ns[32];

    if (isnan(r->hit_ratio_target))
        snprintf(ratio, sizeof(ratio), "emergent");
    else
        snprintf(ratio, sizeof(ratio), "%.6g", r->hit_ratio_target);
    fprintf(s->out,
            "%scell %u of %s: hit_ratio %s, threads %u, concurrency %u, key_dist %s, "
            "keys %llu, capacity %llu, ttl_ms %llu, miss_latency %s, completion %s, "
            "continuation %s, cache_lock %s; floor %s ns/hit%s\n",
            on(s, ANSI_BOLD), r->cell_index, r->scenario, ratio, r->threads, r->concurrency,
            r->key_dist, (unsigned long long)r->keys, (unsigned long long)r->capacity,
            (unsigned long long)r->ttl_ms, r->miss_latency, r->completion, r->continuation,
            r->cache_lock, num(floor_ns, sizeof(floor_ns), "%.2f", r->floor_ns_per_hit),
            on(s, ANSI_RESET));
}

static void print_row(struct console_state *s, const struct vtb_record *r, int impl_width,
                      double baseline_ns, bool *requested_bytes_shown)
{
    char mean[32], lo[32], hi[32], ci[72], p50[32], p99[32], p999[32], bytes[40], allocs[32];
    char vs[32];
    double ratio = baseline_ns > 0.0 ? r->ns_per_op.mean / baseline_ns : NAN;

    snprintf(ci, sizeof(ci), "[%s, %s]", num(lo, sizeof(lo), "%.2f", r->ns_per_op.ci_low),
             num(hi, sizeof(hi), "%.2f", r->ns_per_op.ci_high));
    /* Without allocator statistics only the requested sizes are known:
     * show them, marked, rather than nothing. */
    if (isnan(r->bytes_per_op) && !isnan(r->requested_bytes_per_op)) {
        char req[32];
        snprintf(bytes, sizeof(bytes), "%s*",
                 num(req, sizeof(req), "%.1f", r->requested_bytes_per_op));
        *requested_bytes_shown = true;
    } else {
        num(bytes, sizeof(bytes), "%.1f", r->bytes_per_op);
    }
    num(vs, sizeof(vs), "%.2fx", ratio);
    fprintf(s->out, "  %-*s %10s %20s %9s %9s %9s %10s %10s %14s\n", impl_width, r->impl,
            num(mean, sizeof(mean), "%.2f", r->ns_per_op.mean), ci,
            num(p50, sizeof(p50), "%.0f", r->all.p50_ns),
            num(p99, sizeof(p99), "%.0f", r->all.p99_ns),
            num(p999, sizeof(p999), "%.0f", r->all.p999_ns), bytes,
            num(allocs, sizeof(allocs), "%.3f", r->allocs_per_op), vs);

    if (r->warnings != 0) {
        char text[256], cv[32];
        vtb_stats_warnings_describe(r->warnings, text, sizeof(text));
        fprintf(s->out, "  %s! %s: %s (cv %s%% over %u repetition%s)%s\n",
                on(s, ANSI_YELLOW), r->impl, text,
                num(cv, sizeof(cv), "%.1f", r->ns_per_op.cv * 100.0), r->repetitions,
                r->repetitions == 1 ? "" : "s", on(s, ANSI_RESET));
    }
}

/* Prints the collected cell, if any, and forgets it. */
static void flush_cell(struct console_state *s)
{
    double baseline_ns = NAN;
    int impl_width = (int)strlen("impl");
    bool requested_bytes_shown = false;

    if (s->count == 0)
        return;
    for (size_t i = 0; i < s->count; i++) {
        int len = (int)strlen(s->cell[i].impl);
        if (len > impl_width)
            impl_width = len;
        if (strcmp(s->cell[i].impl, BASELINE_IMPL) == 0)
            baseline_ns = s->cell[i].ns_per_op.mean;
    }
    print_cell_header(s, &s->cell[0]);
    fprintf(s->out, "  %-*s %10s %20s %9s %9s %9s %10s %10s %14s\n", impl_width, "impl",
            "ns/op", "95% CI", "p50 ns", "p99 ns", "p99.9 ns", "bytes/op", "allocs/op",
            "vs " BASELINE_IMPL);
    for (size_t i = 0; i < s->count; i++)
        print_row(s, &s->cell[i], impl_width, baseline_ns, &requested_bytes_shown);
    if (requested_bytes_shown)
        fprintf(s->out, "  * requested bytes: allocator statistics unavailable\n");
    fputc('\n', s->out);
    s->count = 0;
}

static int stream_result(const struct console_state *s, struct vtb_error *err)
{
    if (ferror(s->out))
        return vtb_error_set(err, VTB_EIO, "console: write failed");
    return 0;
}

static int console_begin(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct console_state *s = state;
    (void)info;
    (void)err;
    s->out = console_options.out != NULL ? console_options.out : stdout;
    s->color = console_options.color;
    s->quiet = console_options.quiet;
    s->cell = NULL;
    s->count = s->capacity = 0;
    return 0;
}

static int console_record(void *state, const struct vtb_record *rec, struct vtb_error *err)
{
    struct console_state *s = state;
    struct vtb_record *copy;

    if (s->quiet)
        return 0;
    if (s->count > 0 && s->cell[0].cell_index != rec->cell_index)
        flush_cell(s);
    if (s->count == s->capacity) {
        size_t cap = s->capacity != 0 ? 2 * s->capacity : 4;
        struct vtb_record *cell = realloc(s->cell, cap * sizeof(*cell));
        if (cell == NULL)
            return vtb_error_set(err, VTB_ENOMEM, "console: out of memory");
        s->cell = cell;
        s->capacity = cap;
    }
    copy = &s->cell[s->count++];
    *copy = *rec;
    /* They belong to the runner and are only valid during this call. */
    copy->samples_ns_per_op = NULL;
    copy->hist_all = copy->hist_hit = copy->hist_miss = NULL;
    return stream_result(s, err);
}

static int console_end(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct console_state *s = state;
    char floor_ns[32], timer_ns[32];
    int rc;

    if (s->quiet)
        return 0;
    flush_cell(s);
    fprintf(s->out, "floor %s ns/hit (first cell: cache lookup without a result wrapper); "
                    "timer overhead %s ns/read\n",
            num(floor_ns, sizeof(floor_ns), "%.2f", info->floor_ns_per_hit),
            num(timer_ns, sizeof(timer_ns), "%.2f", info->timer_overhead_ns));
    if (!info->complete)
        fprintf(s->out, "%srun interrupted: %u of %u cells done%s\n", on(s, ANSI_YELLOW),
                info->cells_done, info->cell_count, on(s, ANSI_RESET));
    fflush(s->out);
    rc = stream_result(s, err);
    free(s->cell);
    s->cell = NULL;
    s->count = s->capacity = 0;
    return rc;
}

static void console_abort(void *state)
{
    struct console_state *s = state;
    free(s->cell);
    s->cell = NULL;
    s->count = s->capacity = 0;
}

const struct vtb_reporter_ops vtb_reporter_console = {
    .name = "console",
    .summary = "summary table per cell on the terminal (ns/op, CI, percentiles, memory)",
    .state_size = sizeof(struct console_state),
    .begin = console_begin,
    .record = console_record,
    .end = console_end,
    .abort = console_abort,
};
