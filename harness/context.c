/*
 * Collection of the run context (see context.h) from uname, sysconf, /proc,
 * /sys, the compiler's predefined macros and the build system's definitions,
 * and the one list of fields that every reporter prints it from.
 *
 * Everything the machine may not offer (cpufreq under a hypervisor, cache
 * topology in a container) degrades to a placeholder instead of an error: a
 * benchmark run is worth more with an incomplete context than not at all.
 */
#include "context.h"

#include "vtb/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The build system passes these; the defaults let the file compile alone. */
#ifndef VTB_COMPILER_ID
#if defined(__clang__)
#define VTB_COMPILER_ID "Clang"
#elif defined(__GNUC__)
#define VTB_COMPILER_ID "GNU"
#else
#define VTB_COMPILER_ID "unknown"
#endif
#endif
#ifndef VTB_C_FLAGS
#define VTB_C_FLAGS "unknown"
#endif
#ifndef VTB_BUILD_TYPE
#define VTB_BUILD_TYPE "unknown"
#endif
#ifndef VTB_GIT_REVISION
#define VTB_GIT_REVISION "unknown"
#endif
#ifndef VTB_VERSION
#define VTB_VERSION "unknown"
#endif

/* GCC names its sanitizers with macros; clang answers __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZER "address"
#elif defined(__SANITIZE_THREAD__)
#define SANITIZER "thread"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZER "address"
#elif __has_feature(thread_sanitizer)
#define SANITIZER "thread"
#endif
#endif
#ifndef SANITIZER
#define SANITIZER "none"
#endif

#define CPU0 "/sys/devices/system/cpu/cpu0"

/* Copies the first line of a small text file into buf; false if unreadable
 * or empty. */
static bool read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    bool ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    if (!ok)
        return false;
    buf[strcspn(buf, "\n")] = '\0';
    return buf[0] != '\0';
}

static void set_text(char *buf, size_t size, const char *text)
{
    snprintf(buf, size, "%s", text);
}

/* If line is "key<blanks>: value", copies the trimmed value. */
static bool cpuinfo_value(const char *line, const char *key, char *out, size_t size)
{
    size_t len = strlen(key);
    if (strncmp(line, key, len) != 0)
        return false;
    const char *p = line + len;
    p += strspn(p, " \t");
    if (*p != ':')
        return false;
    p++;
    p += strspn(p, " \t");
    snprintf(out, size, "%.*s", (int)strcspn(p, "\n"), p);
    return true;
}

/* Model name and MHz of the first CPU listed in /proc/cpuinfo. */
static void collect_cpuinfo(struct vtb_context *ctx)
{
    char mhz[64] = "";
    char *line = NULL;
    size_t cap = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");

    if (f != NULL) {
        /* getline, because the flags line is longer than any fixed buffer. */
        while (getline(&line, &cap, f) > 0 && (ctx->cpu_model[0] == '\0' || mhz[0] == '\0')) {
            if (ctx->cpu_model[0] == '\0')
                cpuinfo_value(line, "model name", ctx->cpu_model, sizeof(ctx->cpu_model));
            if (mhz[0] == '\0')
                cpuinfo_value(line, "cpu MHz", mhz, sizeof(mhz));
        }
        free(line);
        fclose(f);
    }
    if (ctx->cpu_model[0] == '\0')
        set_text(ctx->cpu_model, sizeof(ctx->cpu_model), "unknown");

    ctx->cpu_mhz = strtod(mhz, NULL);
    if (ctx->cpu_mhz <= 0.0) {
        /* cpufreq reports kHz; x86 has "cpu MHz", most other kernels do not. */
        char khz[64];
        if (read_line(CPU0 "/cpufreq/scaling_cur_freq", khz, sizeof(khz)) ||
            read_line(CPU0 "/cpufreq/cpuinfo_max_freq", khz, sizeof(khz)))
            ctx->cpu_mhz = strtod(khz, NULL) / 1000.0;
        else
            ctx->cpu_mhz = 0.0;
    }
}

/* cpu0's caches from sysfs, e.g. "L1d 48K, L1i 32K, L2 2048K, L3 266240K". */
static void collect_caches(char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < 16; i++) {
        char path[128], level[16], type[32], cache_size[32];
        snprintf(path, sizeof(path), CPU0 "/cache/index%d/level", i);
        if (!read_line(path, level, sizeof(level)))
            break;
        snprintf(path, sizeof(path), CPU0 "/cache/index%d/type", i);
        if (!read_line(path, type, sizeof(type)))
            type[0] = '\0';
        snprintf(path, sizeof(path), CPU0 "/cache/index%d/size", i);
        if (!read_line(path, cache_size, sizeof(cache_size)))
            set_text(cache_size, sizeof(cache_size), "?");
        const char *suffix = strcmp(type, "Data") == 0          ? "d"
                             : strcmp(type, "Instruction") == 0 ? "i"
                                                                : "";
        size_t len = strlen(buf);
        if (len + 1 < size)
            snprintf(buf + len, size - len, "%sL%s%s %s", len > 0 ? ", " : "", level,
                     suffix, cache_size);
    }
    if (buf[0] == '\0')
        set_text(buf, size, "unknown");
}

static void collect_date(char *buf, size_t size)
{
    struct timespec now;
    struct tm utc;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0 || gmtime_r(&now.tv_sec, &utc) == NULL ||
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        set_text(buf, size, "unknown");
}

int vtb_context_collect(struct vtb_context *ctx, const struct vtb_clock_info *clock)
{
    struct utsname uts;
    long cpus;

    if (ctx == NULL || clock == NULL)
        return VTB_EINVAL;
    memset(ctx, 0, sizeof(*ctx));

    collect_date(ctx->date, sizeof(ctx->date));
    if (gethostname(ctx->host_name, sizeof(ctx->host_name)) != 0)
        set_text(ctx->host_name, sizeof(ctx->host_name), "unknown");
    /* gethostname need not terminate a truncated name. */
    ctx->host_name[sizeof(ctx->host_name) - 1] = '\0';

    collect_cpuinfo(ctx);
    cpus = sysconf(_SC_NPROCESSORS_ONLN);
    ctx->num_cpus = cpus > 0 ? cpus : 0;
    if (!read_line(CPU0 "/cpufreq/scaling_governor", ctx->cpu_governor,
                   sizeof(ctx->cpu_governor)))
        set_text(ctx->cpu_governor, sizeof(ctx->cpu_governor), "unavailable");
    collect_caches(ctx->caches, sizeof(ctx->caches));
    if (getloadavg(ctx->load_avg, 3) != 3)
        ctx->load_avg[0] = ctx->load_avg[1] = ctx->load_avg[2] = -1.0;

    if (uname(&uts) == 0) {
        snprintf(ctx->kernel, sizeof(ctx->kernel), "%s %s", uts.sysname, uts.release);
        set_text(ctx->kernel_version, sizeof(ctx->kernel_version), uts.version);
        set_text(ctx->arch, sizeof(ctx->arch), uts.machine);
    } else {
        set_text(ctx->kernel, sizeof(ctx->kernel), "unknown");
        set_text(ctx->kernel_version, sizeof(ctx->kernel_version), "unknown");
        set_text(ctx->arch, sizeof(ctx->arch), "unknown");
    }

    set_text(ctx->compiler_id, sizeof(ctx->compiler_id), VTB_COMPILER_ID);
#ifdef __VERSION__
    set_text(ctx->compiler_version, sizeof(ctx->compiler_version), __VERSION__);
#else
    set_text(ctx->compiler_version, sizeof(ctx->compiler_version), "unknown");
#endif
    set_text(ctx->c_flags, sizeof(ctx->c_flags), VTB_C_FLAGS);
    set_text(ctx->build_type, sizeof(ctx->build_type), VTB_BUILD_TYPE);
    set_text(ctx->git_revision, sizeof(ctx->git_revision), VTB_GIT_REVISION);
    set_text(ctx->vtb_version, sizeof(ctx->vtb_version), VTB_VERSION);
    set_text(ctx->sanitizer, sizeof(ctx->sanitizer), SANITIZER);
#ifdef __OPTIMIZE__
    ctx->optimized = true;
#endif
#ifndef NDEBUG
    ctx->assertions = true;
#endif

    ctx->allocator_stats = vtb_allocstats_available() && vtb_allocstats_config(&ctx->alloc) == 0;
    set_text(ctx->allocator, sizeof(ctx->allocator),
             vtb_allocstats_available() ? "jemalloc" : "system");

    ctx->clock = *clock;
    return 0;
}

/* Appends fields while counting all of them, so that a short array still
 * learns the full count. */
struct field_list {
    struct vtb_context_field *out;
    size_t max;
    size_t n;
};

static void add(struct field_list *l, struct vtb_context_field f)
{
    if (l->n < l->max)
        l->out[l->n] = f;
    l->n++;
}

static void add_str(struct field_list *l, const char *key, const char *v)
{
    add(l, (struct vtb_context_field){.key = key, .kind = VTB_CONTEXT_STRING, .value.str = v});
}

static void add_int(struct field_list *l, const char *key, int64_t v)
{
    add(l, (struct vtb_context_field){.key = key, .kind = VTB_CONTEXT_INT, .value.i = v});
}

static void add_real(struct field_list *l, const char *key, double v)
{
    add(l, (struct vtb_context_field){.key = key, .kind = VTB_CONTEXT_REAL, .value.real = v});
}

static void add_bool(struct field_list *l, const char *key, bool v)
{
    add(l, (struct vtb_context_field){.key = key, .kind = VTB_CONTEXT_BOOL, .value.b = v});
}

size_t vtb_context_fields(const struct vtb_context *ctx, struct vtb_context_field *out,
                          size_t max)
{
    struct field_list l = {.out = out, .max = out != NULL ? max : 0, .n = 0};
    const struct vtb_clock_info *c = &ctx->clock;
    const struct vtb_alloc_config *a = &ctx->alloc;

    add_str(&l, "date", ctx->date);
    add_str(&l, "host_name", ctx->host_name);
    add_str(&l, "cpu_model", ctx->cpu_model);
    add_int(&l, "num_cpus", ctx->num_cpus);
    add_real(&l, "cpu_mhz", ctx->cpu_mhz);
    add_str(&l, "cpu_governor", ctx->cpu_governor);
    add_str(&l, "caches", ctx->caches);
    add_real(&l, "load_avg_1m", ctx->load_avg[0]);
    add_real(&l, "load_avg_5m", ctx->load_avg[1]);
    add_real(&l, "load_avg_15m", ctx->load_avg[2]);
    add_str(&l, "kernel", ctx->kernel);
    add_str(&l, "kernel_version", ctx->kernel_version);
    add_str(&l, "arch", ctx->arch);
    add_str(&l, "compiler_id", ctx->compiler_id);
    add_str(&l, "compiler_version", ctx->compiler_version);
    add_str(&l, "c_flags", ctx->c_flags);
    add_str(&l, "build_type", ctx->build_type);
    add_str(&l, "git_revision", ctx->git_revision);
    add_str(&l, "vtb_version", ctx->vtb_version);
    add_str(&l, "sanitizer", ctx->sanitizer);
    add_bool(&l, "optimized", ctx->optimized);
    add_bool(&l, "assertions", ctx->assertions);

    add_str(&l, "clock_source", c->source);
    add_real(&l, "clock_ticks_per_ns", c->ticks_per_ns);
    add_str(&l, "clock_kernel_clocksource", c->kernel_clocksource);
    add_bool(&l, "clock_invariant_tsc", c->invariant_tsc);
    add_real(&l, "clock_tsc_ticks_per_ns", c->tsc_ticks_per_ns);
    add_real(&l, "clock_tsc_spread_ppm", c->tsc_spread_ppm);
    add_real(&l, "clock_rdtsc_overhead_ns", c->rdtsc_overhead_ns);
    add_real(&l, "clock_tsc_overhead_ns", c->tsc_overhead_ns);
    add_real(&l, "clock_gettime_overhead_ns", c->clock_gettime_overhead_ns);
    add_real(&l, "clock_ticks_overhead_ns", c->ticks_overhead_ns);
    add_str(&l, "clock_note", c->note);

    add_str(&l, "allocator", ctx->allocator);
    add_bool(&l, "allocator_stats", ctx->allocator_stats);
    if (ctx->allocator_stats) {
        add_str(&l, "jemalloc_version", a->version);
        add_int(&l, "jemalloc_narenas", a->narenas);
        add_int(&l, "jemalloc_opt_narenas", a->opt_narenas);
        add_bool(&l, "jemalloc_opt_tcache", a->opt_tcache);
        add_int(&l, "jemalloc_opt_tcache_max", (int64_t)a->opt_tcache_max_bytes);
        add_bool(&l, "jemalloc_opt_background_thread", a->opt_background_thread);
        add_int(&l, "jemalloc_opt_dirty_decay_ms", a->opt_dirty_decay_ms);
        add_int(&l, "jemalloc_opt_muzzy_decay_ms", a->opt_muzzy_decay_ms);
        add_str(&l, "jemalloc_malloc_conf", a->malloc_conf);
    }
    return l.n;
}
