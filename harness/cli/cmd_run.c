/*
 * `vtbench run`: the command-line front-end of a scenario run. It parses
 * the options, reads every scenario file before measuring anything, plans
 * each run and refuses one that would not end or fit, creates the run
 * directory with its resolved scenario.ini, chooses the reporters and
 * hands them to the run, shows progress, and turns the outcome into an
 * exit code.
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
#include "context_collect.h"
#include "instructions.h"
#include "messages.h"
#include "plan.h"
#include "reporter.h"
#include "run.h"
#include "run_dir.h"
#include "run_impls.h"
#include "run_plan.h"
#include "run_writer.h"
#include "scenario.h"
#include "vtb/config.h"
#include "vtb/impl.h"

#define MAX_LIST_ARGS 64

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: vtbench run FILE... [--impl NAME]... [--plugin PATH]... [--set KEY=VALUE]...\n"
            "                   [--out DIR] [--quick] [--quiet] [--force-async] [--instructions]\n"
            "                   [--report] [--dry-run] [--force]\n"
            "\n"
            "Measures every cell of each scenario file against the implementations and\n"
            "writes the results into DIR/<UTC time>-<scenario>/ (DIR defaults to results).\n"
            "  --impl NAME      run only these implementations (repeatable)\n"
            "  --plugin PATH    load implementations from a shared object (repeatable; see\n"
            "                   docs/plugins.md), as the scenario key plugins does\n"
            "  --set KEY=VALUE  override a scenario key after the file (repeatable)\n"
            "  --out DIR        parent directory of the run directory\n"
            "  --quick          a tenth of the operations, at most 3 repetitions\n"
            "  --quiet          no progress bar and no summary table\n"
            "  --force-async    debug: every call completes asynchronously\n"
            "  --report         then write charts and report.md into RUN_DIR/report\n"
            "  --instructions   count instructions per operation under callgrind (valgrind):\n"
            "                   one repetition, times meaningless; exact with threads = 1\n"
            "                   and completion = loop, approximate otherwise\n"
            "  --dry-run        print the plan (cells, time, memory, files) and stop\n"
            "  --force          run even when the plan exceeds a day, 75%% of the memory\n"
            "                   or 100,000 files\n");
}

struct run_args {
    const char *files[MAX_LIST_ARGS];
    size_t file_count;
    const char *impls[MAX_LIST_ARGS];
    size_t impl_count;
    const char *plugins[MAX_LIST_ARGS];
    size_t plugin_count;
    const char *sets[MAX_LIST_ARGS];
    size_t set_count;
    const char *out_dir;
    bool quick, quiet, force_async, report, dry_run, force, help_shown;
    bool instructions;              /* --instructions: re-run under callgrind */
    const char *instructions_child; /* hidden: we are that re-run; dumps go here */
    int argc;                       /* the command line as given (getopt reorders argv) */
    char *argv[4 * MAX_LIST_ARGS + 32];
};

static int push_arg(const char **list, size_t *count, const char *value, const char *option)
{
    if (*count == MAX_LIST_ARGS) {
        vtb_cli_error("%s: at most %d", option, MAX_LIST_ARGS);
        return VTB_EXIT_USAGE;
    }
    list[(*count)++] = value;
    return VTB_EXIT_OK;
}

/* One option; returns an exit code, VTB_EXIT_OK to go on, or -1 for
 * --help (printed). */
static int take_option(int c, struct run_args *args)
{
    switch (c) {
    case 'i':
        return push_arg(args->impls, &args->impl_count, optarg, "--impl");
    case 'P':
        return push_arg(args->plugins, &args->plugin_count, optarg, "--plugin");
    case 's':
        return push_arg(args->sets, &args->set_count, optarg, "--set");
    case 'o':
        if (optarg[0] == '\0') {
            vtb_cli_error("--out: empty directory name");
            return VTB_EXIT_USAGE;
        }
        args->out_dir = optarg;
        return VTB_EXIT_OK;
    case 'q': args->quick = true; return VTB_EXIT_OK;
    case 'Q': args->quiet = true; return VTB_EXIT_OK;
    case 'A': args->force_async = true; return VTB_EXIT_OK;
    case 'I': args->instructions = true; return VTB_EXIT_OK;
    case 'R': args->report = true; return VTB_EXIT_OK;
    case 'D': args->dry_run = true; return VTB_EXIT_OK;
    case 'F': args->force = true; return VTB_EXIT_OK;
    case 'C': args->instructions_child = optarg; return VTB_EXIT_OK;
    case 'h':
        run_usage(stdout);
        args->help_shown = true;
        return -1;
    default:
        run_usage(stderr);
        return VTB_EXIT_USAGE;
    }
}

static int parse_run_args(int argc, char **argv, struct run_args *args)
{
    static const struct option long_options[] = {
        {"impl", required_argument, NULL, 'i'},   {"set", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},    {"quick", no_argument, NULL, 'q'},
        {"quiet", no_argument, NULL, 'Q'},        {"force-async", no_argument, NULL, 'A'},
        {"instructions", no_argument, NULL, 'I'}, {"report", no_argument, NULL, 'R'},
        {"dry-run", no_argument, NULL, 'D'},      {"force", no_argument, NULL, 'F'},
        {"plugin", required_argument, NULL, 'P'},
        {&VTB_INSTRUCTIONS_CHILD_FLAG[2], required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    memset(args, 0, sizeof(*args));
    args->out_dir = "results";
    args->argc = 0;
    for (int i = 0; i < argc && (size_t)i < sizeof(args->argv) / sizeof(args->argv[0]); i++)
        args->argv[args->argc++] = argv[i];
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        int code = take_option(c, args);
        if (code != VTB_EXIT_OK)
            return code < 0 ? vtb_cli_stdout_status() : code;
    }
    for (int i = optind; i < argc; i++)
        if (push_arg(args->files, &args->file_count, argv[i], "run: scenario files") != 0)
            return VTB_EXIT_USAGE;
    if (args->file_count == 0) {
        vtb_cli_error("run: no scenario file given");
        run_usage(stderr);
        return VTB_EXIT_USAGE;
    }
    /* A usage error, not an I/O error found after the measurements start. */
    struct stat st;
    if (stat(args->out_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        vtb_cli_error("--out: %s exists and is not a directory", args->out_dir);
        return VTB_EXIT_USAGE;
    }
    return VTB_EXIT_OK;
}

/* --instructions: the same run again, under callgrind, with the hidden
 * flag that makes the child install the counting hooks. The arguments are
 * rebuilt from what was parsed, so the child never sees --instructions. */
static int run_under_callgrind(const struct run_args *args)
{
    const char *child[7 * MAX_LIST_ARGS + 16];
    size_t n = 0;
    child[n++] = "run";
    for (size_t i = 0; i < args->file_count; i++)
        child[n++] = args->files[i];
    for (size_t i = 0; i < args->impl_count; i++) {
        child[n++] = "--impl";
        child[n++] = args->impls[i];
    }
    for (size_t i = 0; i < args->plugin_count; i++) {
        child[n++] = "--plugin";
        child[n++] = args->plugins[i];
    }
    for (size_t i = 0; i < args->set_count; i++) {
        child[n++] = "--set";
        child[n++] = args->sets[i];
    }
    child[n++] = "--out";
    child[n++] = args->out_dir;
    static const struct {
        size_t offset;
        const char *flag;
    } flags[] = {{offsetof(struct run_args, quick), "--quick"},
                 {offsetof(struct run_args, quiet), "--quiet"},
                 {offsetof(struct run_args, force_async), "--force-async"},
                 {offsetof(struct run_args, report), "--report"},
                 {offsetof(struct run_args, force), "--force"}};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (*(const bool *)((const char *)args + flags[i].offset))
            child[n++] = flags[i].flag;
    int exit_code = VTB_EXIT_RUN_FAILED;
    struct vtb_error err;
    vtb_error_clear(&err);
    if (vtb_instructions_reexec(child, n, &vtb_cli_stop_requested, &exit_code, &err) != 0) {
        vtb_cli_error("--instructions: %s", err.message);
        return VTB_EXIT_RUN_FAILED;
    }
    return exit_code;
}

/* --quick: a tenth of the work, at most three repetitions, applied to the
 * scenario itself so that its scenario.ini says what really ran. */
static void make_quick(struct vtb_scenario *s)
{
    struct vtb_settings *st = &s->settings;
    st->ops = st->ops / 10 > 0 ? st->ops / 10 : st->ops;
    st->duration /= 10;
    st->warmup.ops /= 10;
    st->warmup.ns /= 10;
    /* auto (0) becomes 3 as well: a quick look, not a precise one. */
    if (st->repetitions == 0 || st->repetitions > 3)
        st->repetitions = 3;
}

/* Reads every file, with its overrides, before anything is measured: a
 * typo in the third file must not cost the first two runs. */
static int load_scenarios(const struct run_args *args, struct vtb_scenario *scenarios,
                          size_t *loaded)
{
    /* No list of implementations yet: the scenarios' plugins may add some
     * (vtb_cli_run_impls_init checks the names). */
    struct vtb_scenario_options options = {NULL, 0, &vtb_cli_stop_requested};
    *loaded = 0;
    for (size_t f = 0; f < args->file_count; f++) {
        struct vtb_error err;
        vtb_error_clear(&err);
        int rc = vtb_scenario_load(&scenarios[f], args->files[f], &options, &err);
        if (rc == 0)
            (*loaded)++;
        for (size_t s = 0; s < args->set_count && rc == 0; s++)
            rc = vtb_scenario_override(&scenarios[f], args->sets[s], &err);
        /* An instruction count does not vary: one repetition is enough. */
        if (rc == 0 && args->instructions_child != NULL)
            rc = vtb_scenario_override(&scenarios[f], "repetitions=1", &err);
        if (rc == 0 && args->quick)
            make_quick(&scenarios[f]);
        /* The keys together, once every override is in: a usage error
         * before any directory exists. */
        if (rc == 0)
            rc = vtb_scenario_check(&scenarios[f], &err);
        if (rc != 0) {
            vtb_cli_error("%s", err.message);
            return rc == VTB_EINTR ? VTB_EXIT_INTERRUPTED : VTB_EXIT_USAGE;
        }
    }
    return VTB_EXIT_OK;
}

/* ---- One run ---- */

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

/* What every run of this invocation shares. */
struct run_env {
    const struct run_args *args;
    struct vtb_context context;
    struct vtb_clock_info clock;
    struct vtb_instructions instructions;
    struct vtb_measure_hooks hooks;
    struct progress_display display;
    struct vtb_console_options console;
    bool stdout_failed; /* the console's failure was reported */
};

/* The header of scenario.ini: who wrote it and how to redo the run. */
static void ini_header(const struct run_env *env, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "Resolved by vtbench %s (%s) from:\n",
                                   VTB_VERSION_STRING, env->context.git_revision);
    used += (size_t)snprintf(buf + used, size - used, "  vtbench");
    for (int i = 0; i < env->args->argc && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, " %s", env->args->argv[i]);
    /* What the scenario's keys cannot hold is said with the command. */
    if (used < size)
        snprintf(buf + used, size - used, "\nReproduce with: vtbench run scenario.ini%s%s",
                 env->args->force_async ? " --force-async" : "",
                 env->args->instructions_child != NULL ? " --instructions" : "");
}

static int add_reporters(struct run_env *env, struct vtb_run_writer *writer,
                         struct vtb_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < vtb_reporter_count() && rc == 0; i++)
        rc = vtb_run_writer_add(writer, vtb_reporter_at(i), NULL, err);
    if (rc == 0)
        rc = vtb_run_writer_add(writer, &vtb_reporter_console, &env->console, err);
    return rc;
}

static int exit_code_of(int rc)
{
    if (rc == VTB_EINTR)
        return VTB_EXIT_INTERRUPTED;
    return rc == VTB_EINVAL || rc == VTB_ERANGE || rc == VTB_ESYNTAX || rc == VTB_EUNSUPPORTED
               ? VTB_EXIT_USAGE
               : VTB_EXIT_RUN_FAILED;
}

/* --report after a run that did not complete: a report of the cells it
 * holds, unless the user stopped it (a report takes seconds of gnuplot:
 * a stop means stop, and the command to run later is given instead). */
static void report_incomplete(const struct run_env *env, const char *run_dir, int rc,
                              const struct vtb_run_outcome *outcome)
{
    if (!env->args->report || outcome->cells_done == 0)
        return;
    if (rc == VTB_EINTR) {
        vtb_cli_error("no report after a stop; for the %u completed cells: vtbench report %s "
                      "--allow-incomplete", outcome->cells_done, run_dir);
        return;
    }
    vtb_cli_error("report of the %u completed cells (incomplete run)", outcome->cells_done);
    vtb_cli_report_incomplete(run_dir);
}

/* After a failure: what the run directory holds, as the writer found it
 * (not what the run measured: a cell the disk refused is not there). */
static void describe_left(const char *run_dir, const struct vtb_run_outcome *outcome,
                          const struct vtb_run_writer *writer, const struct vtb_error *err)
{
    if (writer->context_written) {
        vtb_cli_error("%u of %u cells written to %s (marked incomplete in context.json)",
                      writer->cells_written, outcome->cell_count, run_dir);
        return;
    }
    /* Without context.json, readers rebuild the run from its journal. */
    unsigned recoverable = writer->journal_created ? writer->cells_journaled : 0;
    const char *why = writer->context_error.message[0] != '\0' ? writer->context_error.message
                                                               : "the run ended before it";
    if (strcmp(why, err->message) == 0)
        why = "see above";
    if (recoverable == 0)
        vtb_cli_error("context.json could not be written (%s); %s holds no recoverable cell "
                      "of %u", why, run_dir, outcome->cell_count);
    else
        vtb_cli_error("context.json could not be written (%s); %s holds %u recoverable cell(s) "
                      "of %u in its journal", why, run_dir, recoverable, outcome->cell_count);
}

/* Says how a run ended and returns its exit code. */
static int conclude(struct run_env *env, const char *run_dir, int rc,
                    const struct vtb_run_outcome *outcome, const struct vtb_run_writer *writer,
                    const struct vtb_error *err)
{
    if (env->display.enabled)
        fprintf(stderr, "\r%*s\r", 80, "");
    if (writer->display_failed && !env->stdout_failed) {
        env->stdout_failed = true;
        vtb_cli_error("%s (the results are not affected)", writer->display_error.message);
    }
    if (rc != 0) {
        vtb_cli_error("%s", err->message);
        if (env->args->instructions_child != NULL && env->instructions.error.code != 0)
            vtb_cli_error("callgrind: %s", env->instructions.error.message);
        describe_left(run_dir, outcome, writer, err);
        report_incomplete(env, run_dir, rc, outcome);
        return exit_code_of(rc);
    }
    int code = VTB_EXIT_OK;
    if (outcome->records_with_errors > 0) {
        vtb_cli_error("%u result(s) had failed operations or wrong values; see the errors "
                      "column", outcome->records_with_errors);
        code = VTB_EXIT_RUN_FAILED;
    }
    printf("results: %s\n", run_dir);
    fflush(stdout);
    if (env->args->report) {
        int report_code = vtb_cli_report(run_dir, NULL);
        code = code == VTB_EXIT_OK ? report_code : code;
    }
    return code;
}

static int run_one(struct run_env *env, const struct vtb_scenario *s,
                   const struct vtb_impl_ops *const *impls, size_t impl_count)
{
    char run_dir[VTB_RUN_DIR_MAX], header[2048];
    struct vtb_error err;
    vtb_error_clear(&err);
    /* The directory only now, once the plan accepted the run. */
    int rc = vtb_run_dir_create(env->args->out_dir, s->settings.name, run_dir, sizeof(run_dir),
                                &err);
    ini_header(env, header, sizeof(header));
    if (rc == 0)
        rc = vtb_run_dir_write_scenario(run_dir, s, header, &err);
    if (rc != 0) {
        vtb_cli_error("%s", err.message);
        return exit_code_of(rc);
    }
    struct vtb_run_writer writer;
    struct vtb_record_sink sink;
    vtb_run_writer_init(&writer, env->args->argc, env->args->argv, true);
    rc = add_reporters(env, &writer, &err);
    vtb_run_writer_sink(&writer, &sink);
    struct vtb_run_options options = {
        .run_dir = run_dir,
        .impls = impls,
        .impl_count = impl_count,
        .force_async = env->args->force_async,
        .context = &env->context,
        .timer_overhead_ns = env->clock.ticks_overhead_ns,
        .stop_requested = &vtb_cli_stop_requested,
        .stop_cause = vtb_cli_stop_cause,
        .on_progress = show_progress,
        .progress_ctx = &env->display,
        .sink = &sink,
        .hooks = env->args->instructions_child != NULL ? &env->hooks : NULL,
    };
    struct vtb_run_outcome outcome;
    memset(&outcome, 0, sizeof(outcome));
    if (rc == 0)
        rc = vtb_run_scenario(s, &options, &outcome, &err);
    int code = conclude(env, run_dir, rc, &outcome, &writer, &err);
    vtb_run_writer_fini(&writer);
    return code;
}

static int prepare_env(struct run_env *env, const struct run_args *args)
{
    memset(env, 0, sizeof(*env));
    env->args = args;
    if (args->instructions_child != NULL) {
        struct vtb_error err;
        vtb_error_clear(&err);
        if (vtb_instructions_init(&env->instructions, args->instructions_child, &err) != 0) {
            vtb_cli_error("%s", err.message);
            return VTB_EXIT_USAGE;
        }
        vtb_instructions_hooks(&env->instructions, &env->hooks);
    }
    vtb_clock_init(&env->clock);
    vtb_context_collect(&env->context, &env->clock);
    env->display.enabled = !args->quiet && isatty(STDERR_FILENO);
    env->console.out = stdout;
    env->console.color = !args->quiet && isatty(STDOUT_FILENO);
    env->console.quiet = args->quiet;
    return VTB_EXIT_OK;
}

int vtb_cmd_run(int argc, char **argv)
{
    struct run_args args;
    int code = parse_run_args(argc, argv, &args);
    if (code != VTB_EXIT_OK || args.help_shown)
        return code;
    if (args.instructions && args.instructions_child == NULL)
        return run_under_callgrind(&args);
    /* Every scenario is read first, since --impl may name an implementation
     * of a scenario's plugin. Plugins stay loaded until the very end:
     * records, reporters and the console keep their implementations' names. */
    struct vtb_scenario scenarios[MAX_LIST_ARGS];
    size_t loaded = 0;
    code = load_scenarios(&args, scenarios, &loaded);
    struct vtb_run_impls run_impls = {0};
    if (code == VTB_EXIT_OK)
        code = vtb_cli_run_impls_init(&run_impls, args.plugins, args.plugin_count, args.impls,
                                      args.impl_count, scenarios, loaded);
    /* Plan every run before the first starts: one that cannot fit or end
     * is refused before any directory exists. */
    const struct vtb_impl_ops *impls[MAX_LIST_ARGS][MAX_LIST_ARGS];
    size_t impl_counts[MAX_LIST_ARGS];
    struct vtb_cli_plan_total total = {0};
    for (size_t f = 0; f < loaded && code == VTB_EXIT_OK; f++) {
        code = vtb_cli_run_impls_of(&run_impls, &scenarios[f], impls[f], MAX_LIST_ARGS,
                                    &impl_counts[f]);
        if (code == VTB_EXIT_OK)
            code = vtb_cli_plan_or_refuse(&scenarios[f], impl_counts[f],
                                          args.instructions_child != NULL, args.dry_run,
                                          args.force, &total);
    }
    /* The day and the files are the command's: its runs follow one another. */
    if (code == VTB_EXIT_OK)
        code = vtb_cli_plan_total_or_refuse(&total, args.dry_run, args.force);
    struct run_env env;
    if (code == VTB_EXIT_OK && !args.dry_run)
        code = prepare_env(&env, &args);
    for (size_t f = 0; f < loaded && code == VTB_EXIT_OK && !args.dry_run; f++) {
        if (vtb_cli_stop_requested) {
            vtb_cli_error("interrupted; %s not run", args.files[f]);
            code = VTB_EXIT_INTERRUPTED;
            break;
        }
        code = run_one(&env, &scenarios[f], impls[f], impl_counts[f]);
    }
    if (args.dry_run && code == VTB_EXIT_OK)
        code = vtb_cli_stdout_status();
    for (size_t f = 0; f < loaded; f++)
        vtb_scenario_fini(&scenarios[f]);
    vtb_cli_run_impls_fini(&run_impls);
    return code;
}
