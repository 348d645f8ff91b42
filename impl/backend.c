/*
 * Backend latency draws and mode names (see vtb/backend.h and
 * vtb/backend_internal.h). The fetch machinery itself lives in service.c,
 * next to the worker it runs on; text parsing of latency specs and mode
 * names is the harness's (units.c, scenario.c), so the library has one job:
 * measuring.
 */
#include "vtb/backend_internal.h"

#include <math.h>
#include <string.h>



uint64_t vtb_latency_draw(const struct vtb_latency *spec, struct vtb_rng *rng)
{
    switch (spec->kind) {
    case VTB_LATENCY_UNIFORM:
        return spec->a_ns + vtb_rng_below(rng, spec->b_ns - spec->a_ns + 1);
    case VTB_LATENCY_EXP:
        return (uint64_t)llround(vtb_rng_exp(rng, (double)spec->a_ns));
    case VTB_LATENCY_FIXED:
    default:
        return spec->a_ns;
    }
}

double vtb_latency_mean_ns(const struct vtb_latency *spec)
{
    if (spec->kind == VTB_LATENCY_UNIFORM)
        return ((double)spec->a_ns + (double)spec->b_ns) / 2.0;
    return (double)spec->a_ns;
}

const char *vtb_completion_mode_name(enum vtb_completion_mode mode)
{
    return mode == VTB_COMPLETE_ON_THREAD ? "thread" : "loop";
}


const char *vtb_continuation_mode_name(enum vtb_continuation_mode mode)
{
    return mode == VTB_CONTINUE_INLINE ? "inline" : "posted";
}

