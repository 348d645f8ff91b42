/*
 * The plan of a run as the command line shows it (`vtbench run --dry-run`)
 * and the refusal of a run that would not end or fit (measure/plan.h
 * computes the plan; this file words it).
 */
#include "run_plan.h"

#include <stdio.h>

#include "commands.h"
#include "messages.h"
#include "plan.h"

static const char *format_seconds(double s, char *buf, size_t size)
{
    if (s < 120)
        snprintf(buf, size, "%.1f s", s);
    else if (s < 2 * 3600)
        snprintf(buf, size, "%.0f min", s / 60);
    else if (s < 3 * 86400)
        snprintf(buf, size, "%.1f h", s / 3600);
    else if (s < 3 * 365.25 * 86400)
        snprintf(buf, size, "%.0f days", s / 86400);
    else
        snprintf(buf, size, "%.0f years", s / (365.25 * 86400));
    return buf;
}

static const char *format_bytes(double b, char *buf, size_t size)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;
    while (b >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        b /= 1024;
        u++;
    }
    snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
    return buf;
}

/* A time in ns in its natural unit: "25 ns", "1.5 us", "60 s". */
static const char *format_ns(double ns, char *buf, size_t size)
{
    if (ns < 1e3)
        snprintf(buf, size, "%.3g ns", ns);
    else if (ns < 1e6)
        snprintf(buf, size, "%.3g us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, size, "%.3g ms", ns / 1e6);
    else
        return format_seconds(ns / 1e9, buf, size);
    return buf;
}

static void describe_time(const struct vtb_plan *p, char *buf, size_t size)
{
    const struct vtb_plan_slowest *w = &p->slowest;
    char t[80], expected[32], most[32], cell_t[32], op[32], miss[32], lat[128], server[80];
    format_seconds(p->seconds, expected, sizeof(expected));
    if (p->seconds_most > p->seconds * 1.01)
        snprintf(t, sizeof(t), "%s (up to %s if repetitions = auto spends max_time)", expected,
                 format_seconds(p->seconds_most, most, sizeof(most)));
    else
        snprintf(t, sizeof(t), "%s", expected);
    format_seconds(w->seconds, cell_t, sizeof(cell_t));
    if (w->latency_bound)
        snprintf(lat, sizeof(lat), ": misses wait out %s of latency%s, %u in flight",
                 format_ns(w->miss_latency_ns, miss, sizeof(miss)),
                 w->redis ? " (a Redis round trip)" : "", w->concurrency);
    else
        lat[0] = '\0';
    if (p->server_seconds > 0)
        snprintf(server, sizeof(server), "; Redis server start and key loading %s",
                 format_seconds(p->server_seconds, miss, sizeof(miss)));
    else
        server[0] = '\0';
    snprintf(buf, size, "%s; largest: cell %zu, %s (%u runs x %llu ops x %s/op%s%s)%s", t,
             w->cell, cell_t, w->runs, (unsigned long long)w->ops_per_run,
             format_ns(w->per_op_ns, op, sizeof(op)), lat, w->open_loop ? ", open loop" : "",
             server);
}

static void describe_memory(const struct vtb_plan *p, char *buf, size_t size)
{
    const struct vtb_plan_biggest *b = &p->biggest;
    char total[32], phys[32], cache[32], hist[32], keys[32];
    snprintf(buf, size,
             "%s of %s; largest: cell %zu, cache of %llu entries %s, histograms %s, keys %s",
             format_bytes((double)p->memory_bytes, total, sizeof(total)),
             p->physical_bytes > 0 ? format_bytes((double)p->physical_bytes, phys, sizeof(phys))
                                   : "unknown",
             b->cell, (unsigned long long)b->cache_entries,
             format_bytes((double)b->cache_bytes, cache, sizeof(cache)),
             format_bytes((double)b->histogram_bytes, hist, sizeof(hist)),
             format_bytes((double)b->key_bytes, keys, sizeof(keys)));
}

/* Plans s; prints the plan on --dry-run; refuses a run beyond the limits
 * unless --force; adds the run to total. Returns an exit code
 * (VTB_EXIT_OK: go ahead). */
int vtb_cli_plan_or_refuse(const struct vtb_scenario *s, size_t impl_count, bool instructions,
                           bool dry_run, bool force, struct vtb_cli_plan_total *total)
{
    /* results.csv, samples.csv, results.json, percentiles.csv, context.json,
     * scenario.ini and the journal; and up to three .hgrm per record. */
    struct vtb_plan_outputs outputs = {.files_per_record = 3, .files_per_run = 7};
    struct vtb_plan plan;
    struct vtb_error err;
    vtb_error_clear(&err);
    if (vtb_plan_run(s, impl_count, &outputs, instructions, &plan, &err)) {
        vtb_cli_error("%s: %s", s->source, err.message);
        return VTB_EXIT_USAGE;
    }
    char time_text[512], memory_text[512];
    describe_time(&plan, time_text, sizeof(time_text));
    describe_memory(&plan, memory_text, sizeof(memory_text));
    if (dry_run) {
        printf("plan %s: %zu cells x %zu implementations (+ the floor)\n", s->source,
               plan.cells, plan.impls);
        printf("  time    %s\n  memory  %s\n  files   %llu (%zu cells x %zu implementations x "
               "up to 3 histograms, + %u)\n",
               time_text, memory_text, (unsigned long long)plan.files, plan.cells, plan.impls,
               outputs.files_per_run);
    }
    total->runs++;
    total->seconds += plan.seconds;
    total->files += plan.files;
    if (force || !(plan.too_long || plan.too_big || plan.too_many_files))
        return VTB_EXIT_OK;
    if (plan.too_big)
        vtb_cli_error("%s: refused: needs %s, over 75%% of this machine's memory (--force "
                      "to run anyway)", s->source, memory_text);
    else if (plan.too_long)
        vtb_cli_error("%s: refused: would take about %s, over 24 h (--force to run anyway)",
                      s->source, time_text);
    else
        vtb_cli_error("%s: refused: would write %llu files, over 100000: %zu cells x %zu "
                      "implementations (--force to run anyway)", s->source,
                      (unsigned long long)plan.files, plan.cells, plan.impls);
    return VTB_EXIT_USAGE;
}


int vtb_cli_plan_total_or_refuse(const struct vtb_cli_plan_total *total, bool dry_run, bool force)
{
    char time_text[32];
    format_seconds(total->seconds, time_text, sizeof(time_text));
    if (total->runs < 2)
        return VTB_EXIT_OK; /* one run: its own plan said it all */
    if (dry_run)
        printf("total: %zu runs, one after the other: time %s, files %llu\n", total->runs,
               time_text, (unsigned long long)total->files);
    bool too_long = total->seconds > VTB_PLAN_MAX_SECONDS;
    bool too_many = total->files > VTB_PLAN_MAX_FILES;
    if (force || !(too_long || too_many))
        return VTB_EXIT_OK;
    if (too_long)
        vtb_cli_error("refused: the %zu scenario files would take about %s together, over 24 h "
                      "(--force to run anyway)", total->runs, time_text);
    else
        vtb_cli_error("refused: the %zu scenario files would write %llu files together, over "
                      "100000 (--force to run anyway)", total->runs,
                      (unsigned long long)total->files);
    return VTB_EXIT_USAGE;
}
