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
 * Output goes to the stream of the options the command line hands in
 * (stdout by default), with colour only when asked for and NO_COLOR is not
 * set; quiet mode prints nothing at all. A stream that cannot be written
 * (stdout closed, a full disk, a reader that went away: SIGPIPE is
 * ignored) ends the console's output, and only its output: the reporter
 * fails once, the run writer reports it, and the result files stay
 * complete.
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

struct console_state {
    FILE *out;
    bool color;
    bool quiet;
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
    char floor_ns[32];

    fprintf(s->out, "%scell %zu of %s:", on(s, ANSI_BOLD), r->cell.index, r->scenario);
    /* Every axis from the key table, by its name, as the scenario writes it. */
    for (int a = 0; a < VTB_AXIS_COUNT; a++) {
        char value[VTB_AXIS_TEXT_MAX];
        fprintf(s->out, "%s %s %s", a == 0 ? "" : ",", vtb_axis_key((enum vtb_axis)a)->name,
                vtb_cell_format(&r->cell, (enum vtb_axis)a, value, sizeof(value)));
    }
    fprintf(s->out, "; floor %s ns/hit%s\n",
            num(floor_ns, sizeof(floor_ns), "%.2f", r->floor_ns_per_hit), on(s, ANSI_RESET));
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

/* Prints one cell: its header, the table, the notes. */
static void print_cell(struct console_state *s, const struct vtb_record *cell, size_t count)
{
    double baseline_ns = NAN;
    int impl_width = (int)strlen("impl");
    bool requested_bytes_shown = false;

    for (size_t i = 0; i < count; i++) {
        int len = (int)strlen(cell[i].impl);
        if (len > impl_width)
            impl_width = len;
        if (strcmp(cell[i].impl, BASELINE_IMPL) == 0)
            baseline_ns = cell[i].ns_per_op.mean;
    }
    print_cell_header(s, &cell[0]);
    fprintf(s->out, "  %-*s %10s %20s %9s %9s %9s %10s %10s %14s\n", impl_width, "impl",
            "ns/op", "95% CI", "p50 ns", "p99 ns", "p99.9 ns", "bytes/op", "allocs/op",
            "vs " BASELINE_IMPL);
    for (size_t i = 0; i < count; i++)
        print_row(s, &cell[i], impl_width, baseline_ns, &requested_bytes_shown);
    if (requested_bytes_shown)
        fprintf(s->out, "  * requested bytes: allocator statistics unavailable\n");
    fputc('\n', s->out);
}

/* The stream's state: a write that failed (EPIPE, ENOSPC, EBADF) ends the
 * console's output. */
static int stream_result(const struct console_state *s, struct vtb_error *err)
{
    if (ferror(s->out))
        return vtb_error_set(err, VTB_EIO, "stdout: write failed; console output stopped");
    return 0;
}

static int console_begin(void *state, const void *config, const struct vtb_run_info *info,
                         struct vtb_error *err)
{
    struct console_state *s = state;
    const struct vtb_console_options *options = config;
    const char *no_color = getenv("NO_COLOR");
    (void)info;
    (void)err;
    s->out = options != NULL && options->out != NULL ? options->out : stdout;
    /* no-color.org: any non-empty NO_COLOR turns colour off, whatever the
     * caller decided from isatty. */
    s->color = options != NULL && options->color && (no_color == NULL || no_color[0] == '\0');
    s->quiet = options != NULL && options->quiet;
    return 0;
}

static int console_cell(void *state, const struct vtb_run_info *info,
                        const struct vtb_record *records, size_t count, struct vtb_error *err)
{
    struct console_state *s = state;
    (void)info;
    if (s->quiet || count == 0)
        return 0;
    print_cell(s, records, count);
    fflush(s->out);
    return stream_result(s, err);
}

static int console_finish(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct console_state *s = state;
    char floor_ns[32], timer_ns[32];

    if (s->quiet)
        return 0;
    fprintf(s->out, "floor %s ns/hit (first cell: cache lookup without a result wrapper); "
                    "timer overhead %s ns/read\n",
            num(floor_ns, sizeof(floor_ns), "%.2f", info->floor_ns_per_hit),
            num(timer_ns, sizeof(timer_ns), "%.2f", info->timer_overhead_ns));
    if (!info->complete)
        fprintf(s->out, "%srun incomplete: %u of %u cells done%s\n", on(s, ANSI_YELLOW),
                info->cells_done, info->cell_count, on(s, ANSI_RESET));
    fflush(s->out);
    return stream_result(s, err);
}

const struct vtb_reporter_ops vtb_reporter_console = {
    .name = "console",
    .summary = "summary table per cell on the terminal (ns/op, CI, percentiles, memory)",
    .kind = VTB_REPORTER_DISPLAY,
    .state_size = sizeof(struct console_state),
    .begin = console_begin,
    .cell = console_cell,
    .finish = console_finish,
};
