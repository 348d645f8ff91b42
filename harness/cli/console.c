/*
 * The "console" reporter: the summary a person reads at the end of each
 * cell. Per cell, a one-line header with the cell's axes and its cost
 * floor, then one row per implementation: mean ns per operation with its
 * 95% confidence interval, latency percentiles, bytes and allocations per
 * operation, and the paired ratio of its ns/op to the cell's reference
 * (baseline_impl) with its interval, "1.99x [1.95, 2.02]"; then a line on
 * the cell's rounds. Doubtful figures are marked in place (! noisy, ?
 * precision not reached) and counted in ONE summary line at the end: a
 * warning under every other row teaches people to ignore warnings. At the
 * end also the floor, the clock's cost and resolution, and a note when the
 * run was interrupted.
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

#define ANSI_BOLD "\033[1m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_RESET "\033[0m"

struct console_state {
    FILE *out;
    bool color;
    bool quiet;
    unsigned cell_count; /* of the run, for "cell 2 of 3" */
    /* For the one summary line at the end, instead of a warning per row. */
    unsigned rows, noisy_rows, cells, imprecise_cells;
    unsigned long rounds, rounds_disturbed, rounds_excluded;
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

    /* Counted from 1 as the errors and the progress bar count ("cell 2 of
     * 3"), with the cell_index of results.csv beside it. */
    fprintf(s->out, "%scell %zu of %u (cell_index %zu) of %s:", on(s, ANSI_BOLD),
            r->cell.index + 1, s->cell_count, r->cell.index, r->scenario);
    /* Every axis from the key table, by its name, as the scenario writes it. */
    for (int a = 0; a < VTB_AXIS_COUNT; a++) {
        char value[VTB_AXIS_TEXT_MAX];
        fprintf(s->out, "%s %s %s", a == 0 ? "" : ",", vtb_axis_key((enum vtb_axis)a)->name,
                vtb_cell_format(&r->cell, (enum vtb_axis)a, value, sizeof(value)));
    }
    fprintf(s->out, "; floor %s ns/hit%s\n",
            num(floor_ns, sizeof(floor_ns), "%.2f", r->floor_ns_per_hit), on(s, ANSI_RESET));
}

/* The paired ratio to the cell's reference, "1.99x [1.95, 2.02]". */
static const char *ratio_text(const struct vtb_record *r, char *buf, size_t size)
{
    char x[24], lo[24], hi[24];
    if (strcmp(r->impl, r->ratio_to) == 0)
        snprintf(buf, size, "1 (reference)");
    else if (r->ratio.n >= 2)
        snprintf(buf, size, "%sx [%s, %s]", num(x, sizeof(x), "%.2f", r->ratio.ratio),
                 num(lo, sizeof(lo), "%.2f", r->ratio.ci_low),
                 num(hi, sizeof(hi), "%.2f", r->ratio.ci_high));
    else
        snprintf(buf, size, "%sx", num(x, sizeof(x), "%.2f", r->ratio.ratio));
    return buf;
}

/* One implementation's row; its markers are counted for the summary. */
static void print_row(struct console_state *s, const struct vtb_record *r, int impl_width,
                      bool *requested_bytes_shown)
{
    char mean[40], lo[32], hi[32], ci[72], p50[32], p99[32], p999[32], bytes[40], allocs[32];
    char vs[128];
    bool noisy = r->warnings != 0;

    s->rows++;
    s->noisy_rows += noisy;
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
    char value[32];
    snprintf(mean, sizeof(mean), "%s%s", num(value, sizeof(value), "%.2f", r->ns_per_op.mean),
             noisy ? "!" : " ");
    fprintf(s->out, "  %-*s %11s %20s %9s %9s %9s %10s %10s  %s\n", impl_width, r->impl, mean,
            ci, num(p50, sizeof(p50), "%.0f", r->all.p50_ns),
            num(p99, sizeof(p99), "%.0f", r->all.p99_ns),
            num(p999, sizeof(p999), "%.0f", r->all.p999_ns), bytes,
            num(allocs, sizeof(allocs), "%.3f", r->allocs_per_op), ratio_text(r, vs, sizeof(vs)));
}

/* The cell's line about its rounds: how many, whether the ratios reached
 * the precision (marked ?), and the disturbed rounds. */
static void print_rounds(struct console_state *s, const struct vtb_record *r)
{
    char precision[32];
    bool imprecise = r->repetitions_auto && !r->precision_reached;
    s->cells++;
    s->imprecise_cells += imprecise;
    s->rounds += r->repetitions;
    s->rounds_disturbed += r->rounds_disturbed;
    s->rounds_excluded += r->disturbed_excluded ? r->rounds_disturbed : 0;
    fprintf(s->out, "  %u round%s", r->repetitions, r->repetitions == 1 ? "" : "s");
    if (r->repetitions_auto)
        fprintf(s->out, ", %s +-%s%%", imprecise ? "? precision not reached:" : "ratios within",
                num(precision, sizeof(precision), "%.1f", r->precision * 100));
    if (r->rounds_disturbed > 0)
        fprintf(s->out, ", %u disturbed (%s)", r->rounds_disturbed,
                r->disturbed_excluded ? "excluded" : "kept: too few left");
    fputc('\n', s->out);
}

/* Prints one cell: its header, the table, the notes. */
static void print_cell(struct console_state *s, const struct vtb_record *cell, size_t count)
{
    int impl_width = (int)strlen("impl");
    bool requested_bytes_shown = false;
    char vs[VTB_RECORD_TEXT + 8];

    for (size_t i = 0; i < count; i++) {
        int len = (int)strlen(cell[i].impl);
        if (len > impl_width)
            impl_width = len;
    }
    snprintf(vs, sizeof(vs), "vs %s", cell[0].ratio_to);
    print_cell_header(s, &cell[0]);
    fprintf(s->out, "  %-*s %11s %20s %9s %9s %9s %10s %10s  %s\n", impl_width, "impl",
            "ns/op ", "95% CI", "p50 ns", "p99 ns", "p99.9 ns", "bytes/op", "allocs/op", vs);
    for (size_t i = 0; i < count; i++)
        print_row(s, &cell[i], impl_width, &requested_bytes_shown);
    print_rounds(s, &cell[0]);
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
    (void)err;
    s->cell_count = info->cell_count;
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
    char step_ns[32];
    fprintf(s->out, "floor %s ns/hit (first cell: cache lookup without a result wrapper); "
                    "clock: %s ns per read, %s ns resolution\n",
            num(floor_ns, sizeof(floor_ns), "%.2f", info->floor_ns_per_hit),
            num(timer_ns, sizeof(timer_ns), "%.2f", info->timer_overhead_ns),
            num(step_ns, sizeof(step_ns), "%.0f", info->clock_resolution_ns));
    if (s->noisy_rows > 0 || s->imprecise_cells > 0 || s->rounds_disturbed > 0)
        fprintf(s->out,
                "%snote: %u of %u rows noisy (! : CV above 10%% or under 5 rounds); %u of %u "
                "cells short of their precision (?); %lu of %lu rounds disturbed, %lu "
                "excluded%s\n",
                on(s, ANSI_YELLOW), s->noisy_rows, s->rows, s->imprecise_cells, s->cells,
                s->rounds_disturbed, s->rounds, s->rounds_excluded, on(s, ANSI_RESET));
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
