/*
 * `vtbench compare`: the command-line front-end of the regression gate
 * (arguments, the table of what changed, exit codes). The rules live in
 * harness/compare/ and are described in compare.h.
 *
 * The output is compact: the two inputs, the rules, then only what is not
 * "same" (--all lists everything), the cells on one side only, a summary
 * and the result. Texts from the files (labels, implementations, paths)
 * are escaped: a control character in them must show as text, never act
 * on the terminal. The exit code is the gate's answer, and stdout is
 * checked last, since a verdict that could not be written was not given.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "compare_set.h"
#include "fileio.h"
#include "messages.h"

static void compare_usage(FILE *out)
{
    fprintf(out,
            "usage: vtbench compare BASE NEW [--threshold 0.10] [--tolerance METRIC=VALUE]...\n"
            "                       [--time-gate on|off] [--fail-on-unknown] [--all]\n"
            "                       [--allow-incomplete]\n"
            "\n"
            "Compares run NEW against BASE: run directories, results files such as\n"
            "results/baselines/quick.csv (with NAME.samples.csv and NAME.context.json),\n"
            "or sets: directories of several runs of one build (vtbench run ... --out DIR,\n"
            "run several times), whose time is judged run by run.\n"
            "Rows are matched by scenario, implementation and every axis. A run that is\n"
            "not complete (interrupted, killed, no or a corrupt context.json) is refused.\n"
            "\n"
            "  deterministic metrics (allocs_per_op, bytes_per_op, requested_bytes_per_op,\n"
            "  pool_misses_per_op, errors, value_mismatches, instructions_per_op) must not\n"
            "  grow beyond their tolerance (0; instructions_per_op 1%%); value-task and\n"
            "  pooled must not allocate on hits, pooled not at all.\n"
            "  ns_per_op: the change new/base of the per-round times (each divided by its\n"
            "  round's floor when both runs measured one) with its 95%% interval: slower\n"
            "  when the interval lies above 1 + threshold, faster below 1/(1 + threshold),\n"
            "  same within, else unknown (more rounds would tell). When both sides are\n"
            "  sets of 2 or more runs, the interval is over the runs' geometric means,\n"
            "  so that it carries how much one build's speed varies between processes.\n"
            "\n"
            "  --threshold F         the time change that matters (0.10 or 10%%)\n"
            "  --tolerance M=V       relative tolerance of a deterministic metric (repeatable)\n"
            "  --time-gate on|off    off: report time verdicts but never fail on them (CI)\n"
            "  --fail-on-unknown     an unknown time verdict fails too\n"
            "  --all                 list every comparison, not only the changes\n"
            "  --allow-incomplete    compare a run that is not complete (with a warning)\n"
            "\n"
            "exit: 0 nothing regressed, 3 regression, 2 refused input or usage,\n"
            "      1 I/O failure (stdout included)\n");
}

/* A fraction given as "0.1" or "10%". */
static bool parse_fraction(const char *text, double *out)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (end == text || errno == ERANGE)
        return false;
    if (*end == '%') {
        value /= 100.0;
        end++;
    }
    if (*end != '\0' || !isfinite(value) || value <= 0)
        return false;
    *out = value;
    return true;
}

/* Exit code for an error of loading or comparing: refused input unless
 * the machine failed us. */
static int exit_code_for(int rc)
{
    return rc == VTB_ENOMEM || rc == VTB_ENOSPC || rc == VTB_EIO ? VTB_EXIT_RUN_FAILED
                                                                  : VTB_EXIT_USAGE;
}

struct compare_args {
    const char *base, *head;
    struct vtb_compare_options options;
    bool all, allow_incomplete;
};

static int parse_compare_args(int argc, char **argv, struct compare_args *args)
{
    static const struct option long_options[] = {
        {"threshold", required_argument, NULL, 't'},
        {"tolerance", required_argument, NULL, 'T'},
        {"time-gate", required_argument, NULL, 'g'},
        {"fail-on-unknown", no_argument, NULL, 'u'},
        {"all", no_argument, NULL, 'A'},
        {"allow-incomplete", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(args, 0, sizeof(*args));
    vtb_compare_options_default(&args->options);
    optind = 1;
    int c;
    struct vtb_error err;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (c) {
        case 't':
            if (!parse_fraction(optarg, &args->options.threshold)) {
                vtb_cli_error("--threshold %s: expected a fraction > 0 (0.10 or 10%%)", optarg);
                return VTB_EXIT_USAGE;
            }
            break;
        case 'T':
            vtb_error_clear(&err);
            if (vtb_compare_parse_tolerance(&args->options, optarg, &err) != 0) {
                vtb_cli_error("%s", err.message);
                return VTB_EXIT_USAGE;
            }
            break;
        case 'g':
            if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0) {
                vtb_cli_error("--time-gate %s: expected on or off", optarg);
                return VTB_EXIT_USAGE;
            }
            args->options.time_gate = strcmp(optarg, "on") == 0;
            break;
        case 'u':
            args->options.fail_on_unknown = true;
            break;
        case 'A':
            args->all = true;
            break;
        case 'I':
            args->allow_incomplete = true;
            break;
        case 'h':
            compare_usage(stdout);
            return -1;
        default:
            compare_usage(stderr);
            return VTB_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        vtb_cli_error("compare: expected BASE and NEW");
        compare_usage(stderr);
        return VTB_EXIT_USAGE;
    }
    args->base = argv[optind];
    args->head = argv[optind + 1];
    return VTB_EXIT_OK;
}

/* The side's line: what was read, and how far it can be trusted. */
static void print_input(const char *role, const struct vtb_compare_side *s)
{
    char path[512], samples[512];
    if (s->runs > 1) {
        printf("%-5s %s: a set of %zu runs, %zu rows each (lines of %s), %s, %s\n", role,
               vtb_text_escape(s->path, path, sizeof(path)), s->runs, s->row_count,
               vtb_text_escape(s->results_path, samples, sizeof(samples)),
               s->samples_path[0] != '\0' ? "rounds from each run's samples.csv"
                                          : "no samples files",
               vtb_run_state_name(s->state));
        return;
    }
    printf("%-5s %s: %zu rows, %s%s, %s\n", role,
           vtb_text_escape(s->results_path, path, sizeof(path)), s->row_count,
           s->samples_path[0] != '\0' ? "rounds from " : "no samples file",
           vtb_text_escape(s->samples_path, samples, sizeof(samples)), vtb_run_state_name(s->state));
}

static void print_rules(const struct vtb_compare_options *o)
{
    double hi = 1 + o->threshold;
    printf("time: change new/base of the per-round times (each divided by its round's floor "
           "when both runs have one;\n"
           "      by run when both sides are sets of runs),\n"
           "      95%% interval: slower above x%.4g, faster below x%.4g, same within, else "
           "unknown; time gate %s%s\n",
           hi, 1 / hi, o->time_gate ? "on" : "off",
           o->time_gate && o->fail_on_unknown ? " (unknown fails)" : "");
    printf("other metrics: exact");
    bool first = true;
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++)
        if (o->tolerance[m] > 0) {
            printf("%s%s within %.3g%%", first ? ", except " : ", ",
                   vtb_compare_metric_name((enum vtb_compare_metric)m), o->tolerance[m] * 100);
            first = false;
        }
    printf("\n\n");
}

/* The detail column of an entry: the rounds behind a time verdict, the
 * rule of an invariant, the note. */
static void print_detail(const struct vtb_compare_result *r, const struct vtb_compare_entry *e)
{
    const char *sep = "";
    if (e->invariant != 0) {
        printf("invariant: %s", vtb_compare_invariant_text(e->invariant - 1u));
        sep = "; ";
    }
    const struct vtb_compare_time *t = vtb_compare_cell_time(r, e->cell);
    if (e->invariant == 0 && e->metric == VTB_COMPARE_NS_PER_OP && t != NULL &&
        (e->verdict != VTB_COMPARE_VERDICT_SKIPPED)) {
        printf("%s %u/%u, %s", t->by_run ? "runs" : "rounds", t->base_n, t->new_n,
               t->normalised ? "per floor" : "raw times");
        sep = "; ";
    }
    if (e->note != VTB_COMPARE_NOTE_NONE)
        printf("%s%s", sep, vtb_compare_note_text(e->note));
    if (e->note == VTB_COMPARE_NOTE_DISAGREE && t != NULL)
        printf(" (raw x%.4g [%.4g, %.4g])", t->raw_ratio, t->raw_ci_low, t->raw_ci_high);
}

static void print_number(double v)
{
    if (isnan(v))
        printf(" %11s", "-");
    else
        printf(" %11.6g", v);
}

/* Whether an entry is listed: changes, and whatever fails, unless all. */
static bool listed(const struct vtb_compare_entry *e, bool all)
{
    return all || e->regression ||
           (e->verdict != VTB_COMPARE_VERDICT_SAME && e->verdict != VTB_COMPARE_VERDICT_SKIPPED);
}

static void print_entry(const struct vtb_compare_result *r, const struct vtb_compare_entry *e,
                        int label_width, int impl_width)
{
    char label[256], escaped[1024], impl[256];
    vtb_compare_cell_label(r, e->cell, label, sizeof(label));
    vtb_text_escape(label, escaped, sizeof(escaped));
    vtb_text_escape(vtb_compare_cell_impl(r, e->cell), impl, sizeof(impl));
    printf("%-*.*s  %-*s  %-22s", label_width, label_width, escaped, impl_width, impl,
           vtb_compare_metric_name((enum vtb_compare_metric)e->metric));
    struct vtb_compare_values v;
    vtb_compare_entry_values(r, e, &v);
    print_number(v.base);
    print_number(v.value);
    if (isnan(v.ratio))
        printf(" %8s", "-");
    else
        printf(" %8.4g", v.ratio);
    if (isnan(v.ci_low))
        printf("  %-18s", "");
    else
        printf("  [%7.4g, %7.4g]", v.ci_low, v.ci_high);
    /* A verdict that fails the gate is shouted. */
    char verdict[16];
    snprintf(verdict, sizeof(verdict), "%s",
             vtb_compare_verdict_name((enum vtb_compare_verdict)e->verdict));
    for (char *p = verdict; e->regression && *p != '\0'; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    printf("  %-7s  ", verdict);
    print_detail(r, e);
    printf("\n");
}

static void print_entries(const struct vtb_compare_result *r, bool all)
{
    /* Widths from the entries listed, whose labels are built twice: a
     * result holds no text, and the listed entries are few. */
    int label_width = 4, impl_width = 4;
    size_t shown = 0;
    for (size_t i = 0; i < r->entry_count; i++) {
        const struct vtb_compare_entry *e = &r->entries[i];
        if (!listed(e, all))
            continue;
        char label[256];
        int n = (int)strlen(vtb_compare_cell_label(r, e->cell, label, sizeof(label)));
        label_width = n > label_width ? (n < 48 ? n : 48) : label_width;
        n = (int)strlen(vtb_compare_cell_impl(r, e->cell));
        impl_width = n > impl_width ? (n < 32 ? n : 32) : impl_width;
        shown++;
    }
    if (shown == 0) {
        printf("no change: every compared metric is the same (--all lists them)\n");
        return;
    }
    printf("%-*s  %-*s  %-22s %11s %11s %8s  %-18s  %-7s  %s\n", label_width, "cell",
           impl_width, "impl", "metric", "base", "new", "ratio", "95% interval", "verdict",
           "detail");
    for (size_t i = 0; i < r->entry_count; i++)
        if (listed(&r->entries[i], all))
            print_entry(r, &r->entries[i], label_width, impl_width);
}

/* The floor's own change, once per cell (its implementations share it):
 * informational, never gated. */
static void print_floors(const struct vtb_compare_result *r)
{
    char last[256] = "", label[256], escaped[1024];
    for (size_t c = 0; c < r->cell_count; c++) {
        const struct vtb_compare_time *t = vtb_compare_cell_time(r, c);
        if (t == NULL || !t->floor_moved)
            continue;
        vtb_compare_cell_label(r, c, label, sizeof(label));
        if (strcmp(label, last) == 0)
            continue;
        snprintf(last, sizeof(last), "%s", label);
        printf("floor moved %+.1f%% [%+.1f%%, %+.1f%%] at %s: the machine or the cache changed "
               "(not gated; times were divided by it)\n",
               (t->floor_ratio - 1) * 100, (t->floor_ci_low - 1) * 100,
               (t->floor_ci_high - 1) * 100, vtb_text_escape(label, escaped, sizeof(escaped)));
    }
}

static void print_unmatched(const struct vtb_compare_result *r)
{
    char label[256], escaped[1024], impl[256];
    for (size_t c = 0; c < r->cell_count; c++) {
        const struct vtb_compare_cell *cell = &r->cells[c];
        if (cell->base_row >= 0 && cell->new_row >= 0)
            continue;
        bool in_base = cell->base_row >= 0;
        vtb_compare_cell_label(r, c, label, sizeof(label));
        printf("only in %s: %s %s (line %zu)\n", in_base ? "base" : "new ",
               vtb_text_escape(label, escaped, sizeof(escaped)),
               vtb_text_escape(vtb_compare_cell_impl(r, c), impl, sizeof(impl)),
               vtb_compare_cell_line(r, c, in_base));
    }
}

static void print_summary(const struct vtb_compare_result *r)
{
    size_t counts[VTB_COMPARE_METRIC_COUNT][VTB_COMPARE_VERDICT_COUNT] = {{0}};
    size_t invariants = 0, broken = 0, notes[VTB_COMPARE_NOTE_COUNT] = {0};
    for (size_t i = 0; i < r->entry_count; i++) {
        const struct vtb_compare_entry *e = &r->entries[i];
        if (e->invariant != 0) {
            invariants++;
            broken += e->regression;
            continue;
        }
        counts[e->metric][e->verdict]++;
        notes[e->note]++;
    }
    printf("\n%-24s", "summary");
    for (size_t v = 0; v < VTB_COMPARE_VERDICT_COUNT; v++)
        printf(" %7s", vtb_compare_verdict_name((enum vtb_compare_verdict)v));
    printf("\n");
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++) {
        size_t total = 0;
        for (size_t v = 0; v < VTB_COMPARE_VERDICT_COUNT; v++)
            total += counts[m][v];
        if (total == 0)
            continue;
        printf("  %-22s", vtb_compare_metric_name((enum vtb_compare_metric)m));
        for (size_t v = 0; v < VTB_COMPARE_VERDICT_COUNT; v++)
            printf(" %7zu", counts[m][v]);
        printf("\n");
    }
    printf("invariants: %zu checked, %zu broken\n", invariants, broken);
    printf("cells: %zu matched, %zu only in base, %zu only in new\n", r->matched, r->base_only,
           r->new_only);
    size_t unsure = notes[VTB_COMPARE_NOTE_STRADDLES] + notes[VTB_COMPARE_NOTE_FEW_ROUNDS];
    if (unsure > 0)
        printf("time: %zu unknown: their intervals cannot tell a change of the threshold from "
               "none; more rounds (repetitions) would\n",
               unsure);
    unsure = notes[VTB_COMPARE_NOTE_STRADDLES_RUNS] + notes[VTB_COMPARE_NOTE_FEW_RUNS];
    if (unsure > 0)
        printf("time: %zu unknown: their intervals over runs cannot tell a change of the "
               "threshold from none; more runs in each set would\n",
               unsure);
    if (notes[VTB_COMPARE_NOTE_NO_SAMPLES] > 0)
        printf("time: %zu unknown: no per-round times (samples.csv) on a side\n",
               notes[VTB_COMPARE_NOTE_NO_SAMPLES]);
    if (r->floor_moved > 0)
        printf("floor: moved beyond the threshold in %zu of %zu matched cells\n", r->floor_moved,
               r->matched);
}

/* Warns, one line, about a side that is not complete and is used anyway. */
static void warn_incomplete(const char *role, const struct vtb_compare_side *s)
{
    if (s->state != VTB_RUN_COMPLETE)
        vtb_cli_error("warning: %s %s: %s (%s); compared as it is (--allow-incomplete)", role,
                      s->path, vtb_run_state_name(s->state), s->reason);
}

static int report(const struct compare_args *args, const struct vtb_compare_side *base,
                  const struct vtb_compare_side *head, const struct vtb_compare_result *r)
{
    print_input("base", base);
    print_input("new", head);
    print_rules(&args->options);
    print_entries(r, args->all);
    print_floors(r);
    print_unmatched(r);
    print_summary(r);
    if (r->regressions > 0)
        printf("result: REGRESSION: %zu comparison(s) failed the gate\n", r->regressions);
    else
        printf("result: ok, nothing regressed\n");
    if (vtb_cli_stdout_status() != VTB_EXIT_OK)
        return VTB_EXIT_RUN_FAILED;
    return r->regressions > 0 ? VTB_EXIT_REGRESSION : VTB_EXIT_OK;
}

int vtb_cmd_compare(int argc, char **argv)
{
    struct compare_args args;
    int code = parse_compare_args(argc, argv, &args);
    if (code < 0)
        return vtb_cli_stdout_status();
    if (code != VTB_EXIT_OK)
        return code;

    unsigned flags = args.allow_incomplete ? VTB_RUN_INPUT_ALLOW_INCOMPLETE : 0;
    struct vtb_compare_side base, head;
    struct vtb_compare_result result;
    struct vtb_error err;
    vtb_error_clear(&err);
    memset(&head, 0, sizeof(head));
    /* Both sides' results before either's rounds: see vtb_compare_side_open. */
    int rc = vtb_compare_side_open_any(&base, args.base, flags, &err);
    if (rc == 0)
        rc = vtb_compare_side_open_any(&head, args.head, flags, &err);
    if (rc == 0)
        rc = vtb_compare_side_read_rounds(&base, &err);
    if (rc == 0)
        rc = vtb_compare_side_read_rounds(&head, &err);
    if (rc == 0) {
        warn_incomplete("base", &base);
        warn_incomplete("new", &head);
        rc = vtb_compare_run(&base, &head, &args.options, &result, &err);
    }
    if (rc != 0) {
        vtb_cli_error("compare: %s", err.message);
        code = exit_code_for(rc);
    } else {
        code = report(&args, &base, &head, &result);
        vtb_compare_result_free(&result);
    }
    vtb_compare_side_free(&base);
    vtb_compare_side_free(&head);
    return code;
}
