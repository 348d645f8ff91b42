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
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "console.h"
#include "context.h"
#include "context_collect.h"
#include "instructions.h"
#include "reporter.h"
#include "reporter_list.h"
#include "reporter_set.h"
#include "run.h"
#include "scenario.h"
#include "vtb/impl.h"

#define MAX_LIST_ARGS 64

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: vtbench run FILE... [--impl NAME]... [--set KEY=VALUE]... [--out DIR]\n"
            "                   [--quick] [--quiet] [--force-async] [--instructions] [--report]\n"
            "\n"
            "Measures every cell of each scenario file against the implementations and\n"
            "writes the results into DIR/<UTC time>-<scenario>/ (DIR defaults to results).\n"
            "  --impl NAME      run only these implementations (repeatable)\n"
            "  --set KEY=VALUE  override a scenario key after the file (repeatable)\n"
            "  --out DIR        parent directory of the run directory\n"
            "  --quick          a tenth of the operations, at most 3 repetitions\n"
            "  --quiet          no progress bar and no summary table\n"
            "  --force-async    debug: every call completes asynchronously\n"
            "  --report         then write charts and report.md into RUN_DIR/report\n"
            "  --instructions   count instructions per operation under callgrind (valgrind):\n"
            "                   one repetition, times meaningless; exact with threads = 1\n"
            "                   and completion = loop, approximate otherwise\n");
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
    static const char *const shipped[] = {"default",      "quick",    "hit-ratio", "key-skew",
                                          "threads",      "articles", "open-loop", "miss-latency",
                                          "targets",      "soak"};
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
    printf("  %-10s %s\n", vtb_reporter_console.name, vtb_reporter_console.summary);
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
    bool quick, quiet, force_async, report;
    bool instructions;              /* --instructions: re-run under callgrind */
    const char *instructions_child; /* hidden: we are that re-run; dumps go here */
};

static int parse_run_args(int argc, char **argv, struct run_args *args)
{
    static const struct option long_options[] = {
        {"impl", required_argument, NULL, 'i'}, {"set", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},  {"quick", no_argument, NULL, 'q'},
        {"quiet", no_argument, NULL, 'Q'},      {"force-async", no_argument, NULL, 'A'},
        {"instructions", no_argument, NULL, 'I'}, {"report", no_argument, NULL, 'R'},
        {&VTB_INSTRUCTIONS_CHILD_FLAG[2], required_argument, NULL, 'C'},
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
            if (optarg[0] == '\0') {
                fprintf(stderr, "vtbench: --out: empty directory name\n");
                return VTB_EXIT_USAGE;
            }
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
        case 'I':
            args->instructions = true;
            break;
        case 'R':
            args->report = true;
            break;
        case 'C':
            args->instructions_child = optarg;
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
    /* A usage error, not an I/O error found after the measurements start. */
    struct stat st;
    if (stat(args->out_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "vtbench: --out: %s exists and is not a directory\n", args->out_dir);
        return VTB_EXIT_USAGE;
    }
    return VTB_EXIT_OK;
}

/* --instructions: the same run again, under callgrind, with the hidden
 * flag that makes the child install the counting hooks. The arguments are
 * rebuilt from what was parsed, so the child never sees --instructions. */
static int run_under_callgrind(const struct run_args *args)
{
    /* "run", files, two words per --impl and --set, --out DIR, the flags. */
    const char *child[5 * MAX_LIST_ARGS + 16];
    size_t n = 0;
    child[n++] = "run";
    for (size_t i = 0; i < args->file_count; i++)
        child[n++] = args->files[i];
    for (size_t i = 0; i < args->impl_count; i++) {
        child[n++] = "--impl";
        child[n++] = args->impls[i];
    }
    for (size_t i = 0; i < args->set_count; i++) {
        child[n++] = "--set";
        child[n++] = args->sets[i];
    }
    child[n++] = "--out";
    child[n++] = args->out_dir;
    if (args->quick)
        child[n++] = "--quick";
    if (args->quiet)
        child[n++] = "--quiet";
    if (args->force_async)
        child[n++] = "--force-async";
    if (args->report)
        child[n++] = "--report";
    int exit_code = VTB_EXIT_RUN_FAILED;
    struct vtb_error err;
    vtb_error_clear(&err);
    if (vtb_instructions_reexec(child, n, &exit_code, &err) != 0) {
        fprintf(stderr, "vtbench: --instructions: %s\n", err.message);
        return VTB_EXIT_RUN_FAILED;
    }
    return exit_code;
}

int vtb_cmd_run(int argc, char **argv)
{
    struct run_args args;
    int code = parse_run_args(argc, argv, &args);
    if (code != VTB_EXIT_OK)
        return code;
    if (args.instructions && args.instructions_child == NULL)
        return run_under_callgrind(&args);
    struct vtb_instructions instructions;
    struct vtb_measure_hooks hooks;
    if (args.instructions_child != NULL) {
        struct vtb_error err;
        vtb_error_clear(&err);
        if (vtb_instructions_init(&instructions, args.instructions_child, &err) != 0) {
            fprintf(stderr, "vtbench: %s\n", err.message);
            return VTB_EXIT_USAGE;
        }
        vtb_instructions_hooks(&instructions, &hooks);
    }

    const struct vtb_impl_ops *impls[MAX_LIST_ARGS];
    for (size_t i = 0; i < args.impl_count; i++) {
        impls[i] = vtb_impl_find(args.impls[i]);
        if (impls[i] == NULL) {
            fprintf(stderr, "vtbench: --impl: unknown implementation '%s' (see vtbench list)\n",
                    args.impls[i]);
            return VTB_EXIT_USAGE;
        }
        /* Twice the same implementation would write the same file names. */
        for (size_t j = 0; j < i; j++)
            if (impls[j] == impls[i]) {
                fprintf(stderr, "vtbench: --impl: '%s' given twice\n", args.impls[i]);
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
        /* An instruction count does not vary: one repetition is enough. */
        if (rc == 0 && args.instructions_child != NULL &&
            (rc = vtb_scenario_override(&scenarios[f], "repetitions=1", &err)) != 0) {
            fprintf(stderr, "vtbench: %s\n", err.message);
            code = VTB_EXIT_USAGE;
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
        if (vtb_cli_stop_requested) {
            /* Stopped before this file started: no run directory for it. */
            fprintf(stderr, "vtbench: interrupted; %s not run\n", args.files[f]);
            code = VTB_EXIT_INTERRUPTED;
            break;
        }
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
            .hooks = args.instructions_child != NULL ? &hooks : NULL,
        };
        struct vtb_run_outcome outcome;
        memset(&outcome, 0, sizeof(outcome));
        struct vtb_error err;
        vtb_error_clear(&err);
        /* The file reporters, then the console last, so that the summary is
         * printed once the files are safe. */
        struct vtb_reporter_set reporters;
        struct vtb_record_sink sink;
        vtb_reporter_set_init(&reporters);
        int rc = 0;
        for (size_t i = 0; i < vtb_reporter_count() && rc == 0; i++)
            rc = vtb_reporter_set_add(&reporters, vtb_reporter_at(i), &err);
        if (rc == 0)
            rc = vtb_reporter_set_add(&reporters, &vtb_reporter_console, &err);
        vtb_reporter_set_sink(&reporters, &sink);
        options.sink = &sink;
        if (rc == 0)
            rc = vtb_run_scenario(&scenarios[f], &options, &outcome, &err);
        vtb_reporter_set_fini(&reporters);
        if (display.enabled)
            fprintf(stderr, "\r%*s\r", 80, "");
        if (rc == VTB_EINTR) {
            fprintf(stderr, "vtbench: %s; results in %s (marked incomplete)\n", err.message,
                    outcome.run_dir);
            code = VTB_EXIT_INTERRUPTED;
        } else if (rc != 0) {
            fprintf(stderr, "vtbench: %s\n", err.message);
            if (args.instructions_child != NULL && instructions.error.code != 0)
                fprintf(stderr, "vtbench: callgrind: %s\n", instructions.error.message);
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
            if (args.report) {
                int report_code = vtb_cli_report(outcome.run_dir, NULL);
                code = code == VTB_EXIT_OK ? report_code : code;
            }
        }
    }
    for (size_t f = 0; f < parsed; f++)
        vtb_scenario_fini(&scenarios[f]);
    return code;
}

int vtb_cmd_list(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: vtbench list\n\nPrints the implementations, shipped scenarios, scenario "
               "keys and reporters.\n");
        return VTB_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "vtbench: list: unexpected argument '%s' (list takes none)\n", argv[1]);
        return VTB_EXIT_USAGE;
    }
    return list_everything();
}

