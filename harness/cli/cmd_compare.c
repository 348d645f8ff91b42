/*
 * `vtbench compare` and `vtbench baseline`: the command-line front-ends of
 * the regression gate (argument parsing, the verdict table, exit codes).
 * The rules themselves live in compare.c and are described in compare.h.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"

static void compare_usage(FILE *out)
{
    fprintf(out,
            "usage: vtbench compare BASE NEW [--threshold 0.10] [--alpha 0.05]\n"
            "                       [--tolerance METRIC=VALUE]... [--noisy-cv 0.10]\n"
            "                       [--time-gate on|off] [--fail-on-noisy] [--all]\n"
            "\n"
            "Compares run NEW against BASE (run directories, or results files such as\n"
            "results/baselines/quick.csv); per-repetition samples come from samples.csv\n"
            "(or NAME.samples.csv beside a baseline NAME.csv) when present. Rows are\n"
            "matched by scenario, implementation and every axis, not by position.\n"
            "\n"
            "  deterministic metrics (allocs_per_op, bytes_per_op, requested_bytes_per_op,\n"
            "  pool_misses_per_op, errors, value_mismatches, instructions_per_op) must not\n"
            "  grow beyond their tolerance (0; instructions_per_op 1%%); value-task and\n"
            "  pooled must not allocate on hits, pooled not at all.\n"
            "  ns_per_op is slower/faster only when a Mann-Whitney test on the repetitions\n"
            "  gives p < alpha AND the median moved beyond the threshold; a CV above\n"
            "  --noisy-cv on either side makes it noisy (reported, not failed).\n"
            "\n"
            "  --threshold F         relative change of the median that matters (0.10 or 10%%)\n"
            "  --alpha P             significance level of the test (0.05)\n"
            "  --tolerance M=V       relative tolerance of a deterministic metric (repeatable)\n"
            "  --noisy-cv F          coefficient of variation above which time is noisy (0.10)\n"
            "  --time-gate on|off    off: report time verdicts but never fail on them (CI)\n"
            "  --fail-on-noisy       a noisy time verdict fails too\n"
            "  --all                 list every comparison, not only the changes\n"
            "\n"
            "exit: 0 nothing regressed, 3 regression, 2 bad input (e.g. a malformed CSV)\n");
}

static void baseline_usage(FILE *out)
{
    fprintf(out,
            "usage: vtbench baseline RUN NAME [--dir DIR]\n"
            "\n"
            "Saves run RUN (a run directory or its results.csv) as the baseline\n"
            "DIR/NAME.csv, with its samples as DIR/NAME.samples.csv (DIR defaults to\n"
            "results/baselines). The run must be complete and free of errors. Compare\n"
            "later runs against it with: vtbench compare DIR/NAME.csv NEW_RUN\n");
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
    if (*end != '\0' || !isfinite(value) || value < 0)
        return false;
    *out = value;
    return true;
}

/* Exit code for an error of loading or comparing: bad input unless the
 * machine failed us. */
static int exit_code_for(int rc)
{
    return rc == VTB_ENOMEM || rc == VTB_ENOSPC ? VTB_EXIT_RUN_FAILED : VTB_EXIT_USAGE;
}

struct compare_args {
    const char *base, *head;
    struct vtb_compare_options options;
    bool all;
};

static int parse_compare_args(int argc, char **argv, struct compare_args *args)
{
    static const struct option long_options[] = {
        {"threshold", required_argument, NULL, 't'}, {"alpha", required_argument, NULL, 'a'},
        {"tolerance", required_argument, NULL, 'T'}, {"noisy-cv", required_argument, NULL, 'c'},
        {"time-gate", required_argument, NULL, 'g'}, {"fail-on-noisy", no_argument, NULL, 'n'},
        {"all", no_argument, NULL, 'A'},             {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(args, 0, sizeof(*args));
    vtb_compare_options_default(&args->options);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        struct vtb_error err;
        switch (c) {
        case 't':
            if (!parse_fraction(optarg, &args->options.threshold)) {
                fprintf(stderr, "vtbench: --threshold %s: expected a fraction (0.10 or 10%%)\n",
                        optarg);
                return VTB_EXIT_USAGE;
            }
            break;
        case 'a':
            if (!parse_fraction(optarg, &args->options.alpha) || args->options.alpha <= 0 ||
                args->options.alpha >= 1) {
                fprintf(stderr, "vtbench: --alpha %s: expected a probability in (0, 1)\n",
                        optarg);
                return VTB_EXIT_USAGE;
            }
            break;
        case 'T':
            vtb_error_clear(&err);
            if (vtb_compare_parse_tolerance(&args->options, optarg, &err) != 0) {
                fprintf(stderr, "vtbench: %s\n", err.message);
                return VTB_EXIT_USAGE;
            }
            break;
        case 'c':
            if (!parse_fraction(optarg, &args->options.cv_max)) {
                fprintf(stderr, "vtbench: --noisy-cv %s: expected a fraction (0.10 or 10%%)\n",
                        optarg);
                return VTB_EXIT_USAGE;
            }
            break;
        case 'g':
            if (strcmp(optarg, "on") == 0) {
                args->options.time_gate = true;
            } else if (strcmp(optarg, "off") == 0) {
                args->options.time_gate = false;
            } else {
                fprintf(stderr, "vtbench: --time-gate %s: expected on or off\n", optarg);
                return VTB_EXIT_USAGE;
            }
            break;
        case 'n':
            args->options.fail_on_noisy = true;
            break;
        case 'A':
            args->all = true;
            break;
        case 'h':
            compare_usage(stdout);
            exit(VTB_EXIT_OK);
        default:
            compare_usage(stderr);
            return VTB_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "vtbench: compare: expected BASE and NEW\n");
        compare_usage(stderr);
        return VTB_EXIT_USAGE;
    }
    args->base = argv[optind];
    args->head = argv[optind + 1];
    return VTB_EXIT_OK;
}

static void print_input(const char *role, const struct vtb_compare_input *in)
{
    printf("%-5s %s (%zu rows", role, in->results_path, in->results.rows);
    if (in->has_samples)
        printf("; samples %s", in->samples_path);
    else
        printf("; no samples file");
    printf(")\n");
}

static void print_rules(const struct vtb_compare_options *o)
{
    printf("rules: ns_per_op slower/faster when Mann-Whitney p < %.3g and the median moves "
           "beyond %.3g%%; noisy when CV > %.3g%%;\n"
           "       time gate %s%s; other metrics exact",
           o->alpha, o->threshold * 100, o->cv_max * 100, o->time_gate ? "on" : "off",
           o->time_gate && o->fail_on_noisy ? " (noisy fails)" : "");
    bool first = true;
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++)
        if (o->tolerance[m] > 0) {
            printf("%s%s within %.3g%%", first ? " except " : ", ",
                   vtb_compare_metric_name((enum vtb_compare_metric)m), o->tolerance[m] * 100);
            first = false;
        }
    printf("\n\n");
}

/* Details of one entry: the statistics of a time comparison, the rule of
 * an invariant, the note. */
static void print_detail(const struct vtb_compare_entry *e)
{
    bool space = false;
    if (e->invariant != NULL) {
        printf("invariant: %s", e->invariant);
        space = true;
    }
    if (e->metric == VTB_COMPARE_NS_PER_OP && e->verdict != VTB_COMPARE_VERDICT_SKIPPED) {
        if (!isnan(e->p_value))
            printf("p=%.3g ", e->p_value);
        printf("cv %.1f%%/%.1f%% n=%u/%u", e->base_cv * 100, e->new_cv * 100, e->base_n,
               e->new_n);
        if (isfinite(e->floor_ratio))
            printf(" floor x%.3g", e->floor_ratio);
        space = true;
    }
    if (e->note[0] != '\0') {
        printf("%s%s", space ? "; " : "", e->note);
        space = true;
    }
    if (e->warnings & VTB_COMPARE_WARN_FEW_REPS)
        printf("%sfew repetitions", space ? "; " : "");
}

static void print_value(double v)
{
    if (isnan(v))
        printf(" %12s", "-");
    else
        printf(" %12.6g", v);
}

static void print_entries(const struct vtb_compare_result *r, bool all)
{
    int label_width = 9, impl_width = 4;
    for (size_t c = 0; c < r->cell_count; c++) {
        int n = (int)strlen(r->cells[c].label);
        if (n > label_width)
            label_width = n < 48 ? n : 48;
        n = (int)strlen(r->cells[c].impl);
        if (n > impl_width)
            impl_width = n;
    }
    size_t shown = 0;
    for (size_t i = 0; i < r->entry_count; i++) {
        const struct vtb_compare_entry *e = &r->entries[i];
        bool change = e->verdict != VTB_COMPARE_VERDICT_SAME &&
                      e->verdict != VTB_COMPARE_VERDICT_SKIPPED;
        if (!all && !change && !e->regression)
            continue;
        if (shown++ == 0)
            printf("%-*s  %-*s  %-22s %12s %12s %9s  %-7s  %s\n", label_width, "cell",
                   impl_width, "impl", "metric", "base", "new", "ratio", "verdict", "detail");
        const struct vtb_compare_cell *cell = &r->cells[e->cell];
        printf("%-*.*s  %-*s  %-22s", label_width, label_width, cell->label, impl_width,
               cell->impl, vtb_compare_metric_name(e->metric));
        print_value(e->base_value);
        print_value(e->new_value);
        if (isnan(e->ratio))
            printf(" %9s", "-");
        else
            printf(" %9.4f", e->ratio);
        /* A verdict that fails the gate is shouted. */
        char verdict[16];
        snprintf(verdict, sizeof(verdict), "%s", vtb_compare_verdict_name(e->verdict));
        for (char *p = verdict; e->regression && *p != '\0'; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        printf("  %-7s  ", verdict);
        print_detail(e);
        printf("\n");
    }
    if (shown == 0)
        printf("no change: every compared metric is the same (--all lists them)\n");
}

static void print_unmatched(const struct vtb_compare_result *r)
{
    for (size_t c = 0; c < r->cell_count; c++) {
        const struct vtb_compare_cell *cell = &r->cells[c];
        if (cell->base_row >= 0 && cell->new_row >= 0)
            continue;
        bool in_base = cell->base_row >= 0;
        printf("only in %s: %s %s (line %zu)\n", in_base ? "base" : "new ", cell->label,
               cell->impl, in_base ? cell->base_line : cell->new_line);
    }
}

static void print_summary(const struct vtb_compare_result *r)
{
    size_t counts[VTB_COMPARE_METRIC_COUNT][VTB_COMPARE_VERDICT_COUNT];
    size_t invariants = 0, broken = 0, few_reps = 0, no_samples = 0;
    memset(counts, 0, sizeof(counts));
    for (size_t i = 0; i < r->entry_count; i++) {
        const struct vtb_compare_entry *e = &r->entries[i];
        if (e->invariant != NULL) {
            invariants++;
            broken += e->regression;
            continue;
        }
        counts[e->metric][e->verdict]++;
        few_reps += (e->warnings & VTB_COMPARE_WARN_FEW_REPS) != 0;
        no_samples += (e->warnings & VTB_COMPARE_WARN_NO_SAMPLES) != 0;
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
    if (few_reps > 0)
        printf("warning: %zu time comparison(s) have fewer than 5 repetitions on a side; with "
               "3 against 3 no test can reach p < 0.05, so only huge or noisy changes show\n",
               few_reps);
    if (no_samples > 0)
        printf("warning: %zu time comparison(s) had no samples file on a side: ratio only, "
               "no significance test\n",
               no_samples);
}

int vtb_cmd_compare(int argc, char **argv)
{
    struct compare_args args;
    int code = parse_compare_args(argc, argv, &args);
    if (code != VTB_EXIT_OK)
        return code;

    struct vtb_compare_input base, head;
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = vtb_compare_load(&base, args.base, &err);
    if (rc != 0) {
        fprintf(stderr, "vtbench: compare: %s\n", err.message);
        return exit_code_for(rc);
    }
    rc = vtb_compare_load(&head, args.head, &err);
    if (rc != 0) {
        fprintf(stderr, "vtbench: compare: %s\n", err.message);
        vtb_compare_input_free(&base);
        return exit_code_for(rc);
    }
    struct vtb_compare_side base_side = vtb_compare_input_side(&base);
    struct vtb_compare_side head_side = vtb_compare_input_side(&head);
    struct vtb_compare_result result;
    rc = vtb_compare_run(&base_side, &head_side, &args.options, &result, &err);
    if (rc != 0) {
        fprintf(stderr, "vtbench: compare: %s\n", err.message);
        code = exit_code_for(rc);
        goto out_free;
    }
    print_input("base", &base);
    print_input("new", &head);
    print_rules(&args.options);
    print_entries(&result, args.all);
    print_unmatched(&result);
    print_summary(&result);
    if (result.regressions > 0) {
        printf("result: REGRESSION: %zu comparison(s) failed the gate\n", result.regressions);
        code = VTB_EXIT_REGRESSION;
    } else {
        printf("result: ok, nothing regressed\n");
        code = VTB_EXIT_OK;
    }
    vtb_compare_result_free(&result);
out_free:
    vtb_compare_input_free(&base);
    vtb_compare_input_free(&head);
    return code;
}

int vtb_cmd_baseline(int argc, char **argv)
{
    static const struct option long_options[] = {{"dir", required_argument, NULL, 'd'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    const char *dir = "results/baselines";
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'h':
            baseline_usage(stdout);
            return VTB_EXIT_OK;
        default:
            baseline_usage(stderr);
            return VTB_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "vtbench: baseline: expected RUN and NAME\n");
        baseline_usage(stderr);
        return VTB_EXIT_USAGE;
    }
    char results[1200], samples[1200];
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = vtb_compare_save_baseline(argv[optind], dir, argv[optind + 1], results, samples,
                                       sizeof(results), &err);
    if (rc != 0) {
        fprintf(stderr, "vtbench: baseline: %s\n", err.message);
        return exit_code_for(rc);
    }
    printf("baseline: %s%s%s\n", results, samples[0] != '\0' ? " and " : "", samples);
    return VTB_EXIT_OK;
}
