/*
 * Collection of the run context (see results/context.h) from uname, sysconf,
 * /proc, /sys, the compiler's predefined macros and the build system's
 * definitions. The one list of fields that every reporter prints it from is
 * results/context.c.
 *
 * Everything the machine may not offer (cpufreq under a hypervisor, cache
 * topology in a container) degrades to a placeholder instead of an error: a
 * benchmark run is worth more with an incomplete context than not at all.
 */
#include "context_collect.h"

#include "allocstats.h"

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
#ifndef VTB_LTO
#define VTB_LTO 0
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
    ctx->lto = VTB_LTO != 0;
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

