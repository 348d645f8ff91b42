/*
 * The value types of scenario keys: how one value of a key is parsed from
 * scenario text, written back as canonical text, and how its accepted range
 * is stated. Each type is one const struct of functions (the house's
 * pattern for pluggable kinds); the key table (keys.h) names a type per
 * key, and the parser, the INI writer, `vtbench list`, the docs and the CSV
 * columns all go through it, so a range is stated in exactly one place: the
 * key's bounds, from which the type writes both the documentation and the
 * error message ("must be in [1,4096], got 5000").
 */
#ifndef VTB_SCENARIO_TYPES_H
#define VTB_SCENARIO_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "vtb/error.h"

/* What a parse may need beyond the text. */
struct vtb_parse_env {
    /* NULL-terminated names of the implementations that `impls` may name;
     * NULL accepts any well-formed name. */
    const char *const *known_impls;
    /* What `threads = nproc` means (already clamped to the key's bounds). */
    unsigned nproc;
    /* Where relative paths (plugins) start: the scenario file's directory,
     * or "" for the current one. */
    const char *base_dir;
};

struct vtb_value_type {
    const char *name; /* for the docs: "count", "ratio", ... */
    /*
     * Parses text (trimmed, non-empty; one list item for an axis) into out,
     * a member of the key's C type. Returns 0, or VTB_ESYNTAX (not of the
     * expected form), VTB_ERANGE (out of bounds), VTB_EINVAL (well formed but
     * not allowed) with a message that names what is wrong, without file,
     * line or key (the caller adds them). out is unchanged on error.
     */
    int (*parse)(const struct vtb_key *key, const char *text, const struct vtb_parse_env *env,
                 void *out, struct vtb_error *err);
    /* Writes the canonical text of a value, which parses back to the same
     * value, and returns buf. */
    const char *(*format)(const struct vtb_key *key, const void *value, char *buf, size_t size);
    /* Writes what the key accepts, as the end of "must be ..." ("in [1,4096]",
     * "loop or thread"), and returns buf. */
    const char *(*range)(const struct vtb_key *key, char *buf, size_t size);
    /* Optional: a note on the syntax for the docs ("suffix k, M, G"). */
    const char *syntax;
    /* Optional: the value as a number (charts, sorting); NaN for absent. */
    double (*number)(const void *value);
    /* Optional: true when the value stands for "absent" (an emergent
     * hit_ratio), written as an empty CSV field. */
    bool (*absent)(const void *value);
    /* Optional: frees what a value owns. */
    void (*fini)(void *value);
    /* Optional: deep copy; NULL means a plain copy of the member. Returns 0
     * or VTB_ENOMEM. */
    int (*copy)(void *dst, const void *src);
    /* A setting whose one value may contain commas (description, impls). */
    bool commas_allowed;
};

#define VTB__TYPE_DECLARE(t) extern const struct vtb_value_type t;
VTB__TYPE_DECLARE(vtb_type_name)
VTB__TYPE_DECLARE(vtb_type_text)
VTB__TYPE_DECLARE(vtb_type_impls)
VTB__TYPE_DECLARE(vtb_type_paths)
VTB__TYPE_DECLARE(vtb_type_repetitions)
VTB__TYPE_DECLARE(vtb_type_fraction)
VTB__TYPE_DECLARE(vtb_type_ratio)
VTB__TYPE_DECLARE(vtb_type_count)
VTB__TYPE_DECLARE(vtb_type_ucount)
VTB__TYPE_DECLARE(vtb_type_threads)
VTB__TYPE_DECLARE(vtb_type_key_dist)
VTB__TYPE_DECLARE(vtb_type_latency)
VTB__TYPE_DECLARE(vtb_type_completion)
VTB__TYPE_DECLARE(vtb_type_continuation)
VTB__TYPE_DECLARE(vtb_type_cache_lock)
VTB__TYPE_DECLARE(vtb_type_backend)
VTB__TYPE_DECLARE(vtb_type_backend_url)
VTB__TYPE_DECLARE(vtb_type_load)
VTB__TYPE_DECLARE(vtb_type_duration)
VTB__TYPE_DECLARE(vtb_type_warmup)
VTB__TYPE_DECLARE(vtb_type_seed)
VTB__TYPE_DECLARE(vtb_type_bool)
#undef VTB__TYPE_DECLARE

/* The "must be RANGE, got TEXT" error of key, with code. */
int vtb_type_range_error(const struct vtb_key *key, const char *text, int code,
                         struct vtb_error *err);

/* Splits text in place at commas into trimmed, non-empty tokens (at most
 * VTB_SCENARIO_LIST_MAX). Returns 0, VTB_ERANGE (too many) or VTB_ESYNTAX
 * (an empty item, with its position). */
int vtb_split_list(char *text, char **tokens, size_t *count, struct vtb_error *err);

/* Trims blanks from both ends of p in place and returns the first non-blank. */
char *vtb_trim(char *p);

/* 0 when name is one of known (NULL-terminated; NULL accepts anything),
 * else VTB_EINVAL with "unknown implementation `x`; did you mean `y`?". */
int vtb_type_known_impl(const char *name, const char *const *known, struct vtb_error *err);

/* True when text is a valid name: 1 to max characters of A-Z a-z 0-9 . _ -. */
bool vtb_type_valid_name(const char *text, size_t max);

#endif /* VTB_SCENARIO_TYPES_H */
