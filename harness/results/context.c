/*
 * The one list of context fields that every reporter prints the context
 * from (see context.h); collection is the measurement's
 * (measure/context_collect.c).
 */
#include "context.h"

#include <string.h>

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
    add_bool(&l, "lto", ctx->lto);
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
    add_real(&l, "clock_resolution_ns", c->resolution_ns);
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
