/*
 * The miss path's backend, as a user configures it: an asynchronous fetch
 * with configurable latency.
 *
 * A fetch completes either on the requesting worker's own loop (a timer) or
 * on a separate completion thread, which makes completion cross-thread;
 * there the continuation either runs inline on the completion thread or is
 * posted back to the worker. The value a fetch returns is a fixed function
 * of the key (vtb_backend_value), so a user can check every value end to
 * end. The fetch itself is embedded in the pending operation and is the
 * library's own.
 */
#ifndef VTB_BACKEND_H
#define VTB_BACKEND_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vtb_latency_kind {
    VTB_LATENCY_FIXED = 0,   /* always a_ns (0 = the next loop turn) */
    VTB_LATENCY_UNIFORM = 1, /* uniform in [a_ns, b_ns] */
    VTB_LATENCY_EXP = 2,     /* exponential with mean a_ns */
};

/* A latency distribution, in nanoseconds. */
struct vtb_latency {
    enum vtb_latency_kind kind;
    uint64_t a_ns;
    uint64_t b_ns;
};

enum vtb_completion_mode {
    VTB_COMPLETE_ON_LOOP = 0,   /* a timer on the requesting worker's loop */
    VTB_COMPLETE_ON_THREAD = 1, /* a separate completion thread */
    VTB_COMPLETION_MODE_COUNT   /* names: vtb_completion_mode_name */
};

enum vtb_continuation_mode {
    VTB_CONTINUE_INLINE = 0, /* run in the completing call */
    VTB_CONTINUE_POSTED = 1, /* queued to the registering thread's loop */
    VTB_CONTINUATION_MODE_COUNT /* names: vtb_continuation_mode_name */
};

struct vtb_backend_config {
    struct vtb_latency latency;
    enum vtb_completion_mode completion;
    enum vtb_continuation_mode continuation;
};

/* Mean of the distribution in ns (for reports). */
double vtb_latency_mean_ns(const struct vtb_latency *spec);

/* The value the backend returns for key: a fixed bijective mix of the key. */
static inline uint64_t vtb_backend_value(uint64_t key)
{
    uint64_t z = key + UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* "loop"/"thread" and "inline"/"posted", for reports. */
const char *vtb_completion_mode_name(enum vtb_completion_mode mode);
const char *vtb_continuation_mode_name(enum vtb_continuation_mode mode);

#ifdef __cplusplus
}
#endif

#endif /* VTB_BACKEND_H */
