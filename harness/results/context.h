/*
 * The machine and build context recorded with every run, as Google Benchmark
 * records it: where, when, on what CPU, kernel, compiler, allocator and clock
 * the figures were taken, so that two result files can be compared honestly.
 *
 * struct vtb_context is plain data (fixed-size text, no heap), collected once
 * at run start. It is not formatted here: reporters walk it with
 * vtb_context_fields, which lists every field as a (key, typed value) pair in
 * one stable order, so the JSON, CSV and console reporters all show the same
 * fields under the same names without each keeping its own list.
 */
#ifndef VTB_CONTEXT_H
#define VTB_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The clock and allocator descriptions are filled by measure/clock.c and
 * measure/allocstats_*.c; they are plain data of the context, so they are
 * declared here, where reporters can read them without measuring. */
/* Sizes of the text fields of struct vtb_clock_info, terminator included. */
#define VTB_CLOCK_NAME_MAX 32
#define VTB_CLOCK_NOTE_MAX 128

/* What vtb_clock_init found and measured; plain data, caller-owned. */
struct vtb_clock_info {
    char source[VTB_CLOCK_NAME_MAX];            /* "tsc" or "clock_gettime" */
    double ticks_per_ns;                        /* 1.0 for clock_gettime */
    char kernel_clocksource[VTB_CLOCK_NAME_MAX]; /* e.g. "tsc", "kvm-clock"; "unknown" */
    bool invariant_tsc;          /* cpuid reports an invariant TSC */
    double tsc_ticks_per_ns;     /* calibrated TSC rate even if rejected; 0 without TSC */
    double tsc_spread_ppm;       /* (max - min) / median of the calibration rounds */
    /* Median cost of one read, in ns, from many back-to-back reads. The TSC
     * figures are 0 when there is no usable TSC to measure them with. */
    double rdtsc_overhead_ns;          /* bare rdtsc */
    double tsc_overhead_ns;            /* lfence; rdtsc, as vtb_clock_ticks uses it */
    double clock_gettime_overhead_ns;  /* clock_gettime(CLOCK_MONOTONIC) */
    double ticks_overhead_ns;          /* vtb_clock_ticks with the chosen source */
    /* The smallest non-zero step between two reads of vtb_clock_ticks, in
     * ns: no interval is known more finely than this (this VM's TSC moves
     * in 10 ns steps, so every time it measures is a multiple of 10 ns). */
    double resolution_ns;
    char note[VTB_CLOCK_NOTE_MAX];     /* why this source was chosen */
};

/* Sizes of the text fields of struct vtb_alloc_config, terminator included. */
#define VTB_ALLOC_VERSION_MAX 96
#define VTB_ALLOC_CONF_MAX 512

/* Allocator configuration, for the run context. */
struct vtb_alloc_config {
    char version[VTB_ALLOC_VERSION_MAX]; /* e.g. "5.3.0-0-g54eaed1d..." */
    unsigned narenas;                    /* arenas.narenas: current arena limit */
    unsigned opt_narenas;                /* opt.narenas */
    bool opt_tcache;                     /* opt.tcache */
    size_t opt_tcache_max_bytes;         /* opt.tcache_max, or 2^opt.lg_tcache_max */
    bool opt_background_thread;          /* opt.background_thread */
    int64_t opt_dirty_decay_ms;          /* opt.dirty_decay_ms (-1: never decay) */
    int64_t opt_muzzy_decay_ms;          /* opt.muzzy_decay_ms */
    /* The option text jemalloc read, from its sources in the order it
     * applies them (compiled-in config.malloc_conf, the malloc_conf symbol,
     * the /etc/malloc.conf link, MALLOC_CONF) joined by commas; later options
     * override earlier ones, so this is one equivalent conf string. Empty
     * when everything is at its default. (5.3's fifth source, the
     * malloc_conf_2_conf_harder symbol, is not exported by Debian's build.) */
    char malloc_conf[VTB_ALLOC_CONF_MAX];
};


#define VTB_CONTEXT_TEXT_MAX 256 /* size of the free-text fields, NUL included */
#define VTB_CONTEXT_SHORT_MAX 64 /* size of the short name fields */
#define VTB_CONTEXT_FLAGS_MAX 512

/* Upper bound on vtb_context_fields' count, for sizing a caller's array. */
#define VTB_CONTEXT_FIELDS_MAX 64

struct vtb_context {
    char date[VTB_CONTEXT_SHORT_MAX];           /* run start, UTC, ISO 8601: 2025-01-31T12:00:00Z */
    char host_name[VTB_CONTEXT_TEXT_MAX];
    char cpu_model[VTB_CONTEXT_TEXT_MAX];        /* /proc/cpuinfo "model name"; "unknown" */
    int64_t num_cpus;                            /* online CPUs */
    double cpu_mhz;                              /* /proc/cpuinfo "cpu MHz" or cpufreq; 0 unknown */
    char cpu_governor[VTB_CONTEXT_SHORT_MAX];    /* cpufreq governor of cpu0, or "unavailable" */
    char caches[VTB_CONTEXT_TEXT_MAX];           /* cpu0's caches, e.g. "L1d 48K, L1i 32K, L2 2048K" */
    double load_avg[3];                          /* 1, 5 and 15 minute load averages; -1 unknown */
    char kernel[VTB_CONTEXT_TEXT_MAX];           /* uname sysname and release: "Linux 6.1.0-18-amd64" */
    char kernel_version[VTB_CONTEXT_TEXT_MAX];   /* uname version (the build string) */
    char arch[VTB_CONTEXT_TEXT_MAX];             /* uname machine: "x86_64" */
    char compiler_id[VTB_CONTEXT_SHORT_MAX];     /* VTB_COMPILER_ID, else detected: "GNU", "Clang" */
    char compiler_version[VTB_CONTEXT_TEXT_MAX]; /* __VERSION__ */
    char c_flags[VTB_CONTEXT_FLAGS_MAX];         /* VTB_C_FLAGS or "unknown" */
    char build_type[VTB_CONTEXT_SHORT_MAX];      /* VTB_BUILD_TYPE or "unknown" */
    /* Link-time optimisation of the measured code (VTB_LTO): it decides
     * whether alloc-task's out-of-line hit path is inlined like
     * value-task's, which moves their ratio by about a quarter. */
    bool lto;
    char git_revision[VTB_CONTEXT_SHORT_MAX];    /* VTB_GIT_REVISION or "unknown" */
    char vtb_version[VTB_CONTEXT_SHORT_MAX];     /* VTB_VERSION or "unknown" */
    char sanitizer[VTB_CONTEXT_SHORT_MAX];       /* "none", "address" or "thread" */
    bool optimized;                              /* compiled with optimisation (__OPTIMIZE__) */
    bool assertions;                             /* assert() active (no NDEBUG) */
    char allocator[VTB_CONTEXT_SHORT_MAX];       /* "jemalloc" or "system" */
    bool allocator_stats;                        /* vtb_allocstats_available() */
    struct vtb_alloc_config alloc;               /* zero unless allocator_stats */
    struct vtb_clock_info clock;                 /* copy of what vtb_clock_init reported */
};

enum vtb_context_kind {
    VTB_CONTEXT_STRING,
    VTB_CONTEXT_INT,
    VTB_CONTEXT_REAL,
    VTB_CONTEXT_BOOL,
};

/* One context field. key is a static snake_case string, unique within the
 * list; a string value points into the struct vtb_context it came from and
 * lives as long as that does. */
struct vtb_context_field {
    const char *key;
    enum vtb_context_kind kind;
    union {
        const char *str; /* VTB_CONTEXT_STRING, never NULL */
        int64_t i;       /* VTB_CONTEXT_INT */
        double real;     /* VTB_CONTEXT_REAL */
        bool b;          /* VTB_CONTEXT_BOOL */
    } value;
};

/*
 * Lists ctx's fields in a stable order (the jemalloc_* fields appear only
 * when allocator_stats is true). Writes at most max fields to out (out may be
 * NULL when max is 0) and returns how many there are in all, which never
 * exceeds VTB_CONTEXT_FIELDS_MAX; a return above max means the list was cut.
 */
size_t vtb_context_fields(const struct vtb_context *ctx, struct vtb_context_field *out,
                          size_t max);

/* True for the kinds a reporter prints as a bare number (INT and REAL). */
static inline bool vtb_context_field_is_number(const struct vtb_context_field *f)
{
    return f->kind == VTB_CONTEXT_INT || f->kind == VTB_CONTEXT_REAL;
}

#endif /* VTB_CONTEXT_H */
