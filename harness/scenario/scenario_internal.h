/*
 * What the scenario model (scenario.c) shares with its file parser
 * (parse.c); not part of the scenario interface.
 */
#ifndef VTB_SCENARIO_INTERNAL_H
#define VTB_SCENARIO_INTERNAL_H

#include "scenario.h"
#include "types.h"

/* The parse environment of s: its known implementations and nproc. */
void vtb__scenario_env(const struct vtb_scenario *s, struct vtb_parse_env *env);

/* Sets key k of s from text: the one path shared by the file, the defaults
 * and --set. The message in err has no prefix. On error s is unchanged. */
int vtb__scenario_apply(struct vtb_scenario *s, const struct vtb_key *k, const char *text,
                        struct vtb_error *err);

/* Recomputes what derives from other keys (the default warm-up). */
void vtb__scenario_resolve(struct vtb_scenario *s);

/* "unknown key", with the nearest known key when one is close. */
int vtb__scenario_unknown_key(const char *name, struct vtb_error *err);

#endif /* VTB_SCENARIO_INTERNAL_H */
