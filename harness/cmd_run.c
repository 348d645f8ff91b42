/*
 * `vtbench run` and `vtbench list`: the command-line front-end of a scenario
 * run (argument parsing, progress bar, summary, exit code).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "context.h"
#include "reporter.h"
#include "run.h"
#include "scenario.h"
#include "vtb/impl.h"

#define MAX_LIST_ARGS 64

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: vtbench run FILE... [--impl NAME]... [--set KEY=VALUE]... [--out DIR]\n"
            "                   [--quick] [--quiet] [--force-async]\n"
            "\n"
            "Measures every cell of each scenario file against the implementations and\n"
            "writes the results into DIR/<UTC time>-<scenario>/ (DIR defaults to results).\n"
            "  --impl NAME      run only these implementations (repeatable)\n"
            "  --set KEY=VALUE  override a scenario key after the file (repeatable)\n"
            "  --out DIR        parent directory of the run directory\n"
            "  --quick          a tenth of the operations, at most 3 repetitions\n"
            "  --quiet          no progress bar and no summary table\n"
            "  --force-async    debug: every call completes asynchronously\n");
}

static const char **known_impl_names(void)
{
    static const char *names[64];
    size_t n = vtb_impl_count();
    for (size_t i = 0; i < n && i < 63; i++)
        names[i] = vtb_impl_at(i)->name;
    names[n < 63 ? n : 63] = NULL;
    return names;
}

/* Progress bar on stderr, only when it is a terminal. */
struct progress_display {
    bool enabled;
};

static void show_progress(void *ctx, const struct vtb_run_progress *p)
{
    struct progress_display *display = ctx;
    if (!display->enabled || p->runs_total == 0)
        return;
    double fraction = (double)p->runs_done / p->runs_total;
    int width = 30, filled = (int)(fraction * width);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    double eta = fraction > 0 ? p->elapsed_s * (1 - fraction) / fraction : NAN;
    if (isfinite(eta))
        fprintf(stderr, "\r[%s] %3.0f%%  cell %u/%u  ETA %.0fs   ", bar, fraction * 100, p->cell,
                p->cell_count, eta);
    else
        fprintf(stderr, "\r[%s] %3.0f%%  cell %u/%u            ", bar, fraction * 100, p->cell,
                p->cell_count);
    fflush(stderr);
}

static int list_everything(void)
{
    printf("implementations:\n");
    for (size_t i = 0; i < vtb_impl_count(); i++)
        printf("  %-12s %s\n", vtb_impl_at(i)->name, vtb_impl_at(i)->summary);
    printf("\nshipped scenarios (scenarios/):\n");
    static const char *const shipped[] = {"default", "quick", "hit-ratio", "key-skew",
                                          "threads", "miss-latency", "articles"};
    for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
        printf("  scenarios/%s.ini\n", shipped[i]);
    printf("\nscenario keys ([scenario] section; a comma-separated list in an axis key is a "
           "sweep):\n");
    size_t count = 0;
    const struct vtb_scenario_key_doc *docs = vtb_scenario_key_docs(&count);
    for (size_t i = 0; i < count; i++)
        printf("  %-15s %-5s default %-12s range %s\n      %s\n", docs[i].key,
               docs[i].axis ? "axis" : "", docs[i].default_value, docs[i].range, docs[i].meaning);
    printf("\nreporters:\n");
    for (size_t i = 0; i < vtb_reporter_count(); i++)
        printf("  %-10s %s\n", vtb_reporter_at(i)->name, vtb_reporter_at(i)->summary);
    return VTB_EXIT_OK;
}

struct run_args {
    const char *files[MAX_LIST_ARGS];
    size_t file_count;
    const char *impls[MAX_LIST_ARGS];
    size_t impl_count;
    const char *sets[MAX_LIST_ARGS];
    size_t set_count;
    const char *out_dir;
    bool quick, quiet, force_async;
};

static int parse_run_args(int argc, char **argv, struct run_args *args)
{
    static const struct option long_options[] = {
        {"impl", required_argument, NULL, 'i'}, {"set", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},  {"quick", no_argument, NULL, 'q'},
        {"quiet", no_argument, NULL, 'Q'},      {"force-async", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    memset(args, 0, sizeof(*args));
    args->out_dir = "results";
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (args->impl_count == MAX_LIST_ARGS) {
                fprintf(stderr, "vtbench: --impl: at most %d\n", MAX_LIST_ARGS);
                return VTB_EXIT_USAGE;
            }
            args->impls[args->impl_count++] = optarg;
            break;
        case 's':
            if (args->set_count == MAX_LIST_ARGS) {
                fprintf(stderr, "vtbench: --set: at most %d\n", MAX_LIST_ARGS);
                return VTB_EXIT_USAGE;
            }
            args->sets[args->set_count++] = optarg;
            break;
        case 'o':
            args->out_dir = optarg;
            break;
        case 'q':
            args->quick = true;
            break;
        case 'Q':
            args->quiet = true;
            break;
        case 'A':
            args->force_async = true;
            break;
        case 'h':
            run_usage(stdout);
            exit(VTB_EXIT_OK);
        default:
            run_usage(stderr);
            return VTB_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (args->file_count == MAX_LIST_ARGS) {
            fprintf(stderr, "vtbench: run: at most %d scenario files\n", MAX_LIST_ARGS);
            return VTB_EXIT_USAGE;
        }
        args->files[args->file_count++] = argv[i];
    }
    if (args->file_count == 0) {
        fprintf(stderr, "vtbench: run: no scenario file given\n");
        run_usage(stderr);
        return VTB_EXIT_USAGE;
    }
    return VTB_EXIT_OK;
}

int vtb_cmd_run(int argc, char **argv)
{
    struct run_args args;
    int code = parse_run_args(argc, argv, &args);
    if (code != VTB_EXIT_OK)
        return code;

    const struct vtb_impl_ops *impls[MAX_LIST_ARGS];
    for (size_t i = 0; i < args.impl_count; i++) {
        impls[i] = vtb_impl_find(args.impls[i]);
        if (impls[i] == NULL) {
            fprintf(stderr, "vtbench: --impl: unknown implementation '%s' (see vtbench list)\n",
                    args.impls[i]);
            return VTB_EXIT_USAGE;
        }
    }

    /* Parse every file before measuring anything: a typo in the third file
     * must not cost the first two runs. */
    struct vtb_scenario scenarios[MAX_LIST_ARGS];
    struct vtb_scenario_options parse_options = {known_impl_names(), 0};
    size_t parsed = 0;
    code = VTB_EXIT_OK;
    for (size_t f = 0; f < args.file_count; f++) {
        struct vtb_error err;
        vtb_error_clear(&err);
        int rc = vtb_scenario_load(&scenarios[f], args.files[f], &parse_options, &err);
        if (rc != 0) {
            fprintf(stderr, "vtbench: %s\n", err.message);
            code = VTB_EXIT_USAGE;
            break;
        }
        parsed++;
        for (size_t s = 0; s < args.set_count && rc == 0; s++) {
            rc = vtb_scenario_override(&scenarios[f], args.sets[s], &err);
            if (rc != 0) {
                fprintf(stderr, "vtbench: %s\n", err.message);
                code = VTB_EXIT_USAGE;
            }
        }
        if (code != VTB_EXIT_OK)
            break;
    }

    struct vtb_clock_info clock_info;
    struct vtb_context context;
    if (code == VTB_EXIT_OK) {
        vtb_clock_init(&clock_info);
        vtb_context_collect(&context, &clock_info);
    }
    bool quiet = args.quiet;
    struct progress_display display = {!quiet && isatty(STDERR_FILENO)};
    const char *no_color = getenv("NO_COLOR");
    struct vtb_console_options console = {stdout, !quiet && isatty(STDOUT_FILENO) &&
                                                      (no_color == NULL || no_color[0] == '\0'),
                                          quiet};
    vtb_console_configure(&console);

    for (size_t f = 0; f < parsed && code == VTB_EXIT_OK; f++) {
        struct vtb_run_options options = {
            .results_root = args.out_dir,
            .impls = args.impl_count > 0 ? impls : NULL,
            .impl_count = args.impl_count,
            .quick = args.quick,
            .force_async = args.force_async,
            .context = &context,
            .timer_overhead_ns = clock_info.ticks_overhead_ns,
            .stop_requested = &vtb_cli_stop_requested,
            .on_progress = show_progress,
            .progress_ctx = &display,
        };
        struct vtb_run_outcome outcome;
        struct vtb_error err;
        vtb_error_clear(&err);
        int rc = vtb_run_scenario(&scenarios[f], &options, &outcome, &err);
        if (display.enabled)
            fprintf(stderr, "\r%*s\r", 80, "");
        if (rc == VTB_EINTR) {
            fprintf(stderr, "vtbench: %s; results in %s (marked incomplete)\n", err.message,
                    outcome.run_dir);
            code = VTB_EXIT_INTERRUPTED;
        } else if (rc != 0) {
            fprintf(stderr, "vtbench: %s\n", err.message);
            if (outcome.run_dir[0] != '\0')
                fprintf(stderr, "vtbench: partial results in %s (marked incomplete)\n",
                        outcome.run_dir);
            code = (rc == VTB_EINVAL || rc == VTB_ERANGE || rc == VTB_ESYNTAX ||
                    rc == VTB_EUNSUPPORTED)
                       ? VTB_EXIT_USAGE
                       : VTB_EXIT_RUN_FAILED;
        } else {
            if (outcome.records_with_errors > 0) {
                fprintf(stderr,
                        "vtbench: %u result(s) had failed operations or wrong values; see "
                        "the errors column\n",
                        outcome.records_with_errors);
                code = VTB_EXIT_RUN_FAILED;
            }
            printf("results: %s\n", outcome.run_dir);
        }
    }
    for (size_t f = 0; f < parsed; f++)
        vtb_scenario_fini(&scenarios[f]);
    return code;
}

int vtb_cmd_list(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return list_everything();
}

