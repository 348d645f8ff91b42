/*
 * Value types of scenario keys that hold text (see types.h, types.c):
 * names, free text, lists of implementation names, paths.
 */
#include "types.h"
#include "types_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "units.h"
/* ---- Text: names, free text, lists of names ---- */

bool vtb_type_valid_name(const char *text, size_t max)
{
    size_t len = strlen(text);
    if (len == 0 || len > max)
        return false;
    for (const char *p = text; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
            return false;
    return true;
}

static const char *range_name(const struct vtb_key *key, char *buf, size_t size)
{
    snprintf(buf, size, "%.0f to %.0f characters of A-Z a-z 0-9 . _ -", key->min, key->max);
    return buf;
}

static int set_string(char **dst, const char *text, struct vtb_error *err)
{
    char *copy = strdup(text);
    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    *dst = copy;
    return 0;
}

static int parse_name(const struct vtb_key *key, const char *text,
                      const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    if (!vtb_type_valid_name(text, (size_t)key->max))
        return vtb_type_range_error(key, text, VTB_EINVAL, err);
    return set_string(out, text, err);
}

static const char *format_string(const struct vtb_key *key, const void *value, char *buf,
                                 size_t size)
{
    (void)key;
    const char *s = *(char *const *)value;
    snprintf(buf, size, "%s", s != NULL ? s : "");
    return buf;
}

static void fini_string(void *value)
{
    free(*(char **)value);
    *(char **)value = NULL;
}

static int copy_string(void *dst, const void *src)
{
    const char *s = *(char *const *)src;
    *(char **)dst = NULL;
    return s == NULL ? 0 : set_string(dst, s, NULL);
}

const struct vtb_value_type vtb_type_name = {
    .name = "name",
    .parse = parse_name,
    .format = format_string,
    .range = range_name,
    .fini = fini_string,
    .copy = copy_string,
};

static int parse_text(const struct vtb_key *key, const char *text,
                      const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)key;
    (void)env;
    return set_string(out, text, err);
}

static const char *range_text(const struct vtb_key *key, char *buf, size_t size)
{
    (void)key;
    snprintf(buf, size, "any text on one line");
    return buf;
}

const struct vtb_value_type vtb_type_text = {
    .name = "text",
    .parse = parse_text,
    .format = format_string,
    .range = range_text,
    .fini = fini_string,
    .copy = copy_string,
    .commas_allowed = true,
};

/* A server URL, checked by the library that connects to it. */
static int parse_backend_url(const struct vtb_key *key, const char *text,
                             const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)key;
    (void)env;
    struct vtb_backend_address addr;
    int rc = vtb_backend_url_parse(text, &addr, err);
    return rc != 0 ? rc : set_string(out, text, err);
}

/* Absent: vtbench starts its own server. */
static bool absent_backend_url(const void *value)
{
    return *(char *const *)value == NULL;
}

static const char *range_backend_url(const struct vtb_key *key, char *buf, size_t size)
{
    (void)key;
    snprintf(buf, size, "redis://HOST:PORT or unix:PATH");
    return buf;
}

const struct vtb_value_type vtb_type_backend_url = {
    .name = "URL",
    .parse = parse_backend_url,
    .format = format_string,
    .range = range_backend_url,
    .syntax = "HOST a name or an IPv4 address, PATH absolute",
    .absent = absent_backend_url,
    .fini = fini_string,
    .copy = copy_string,
};

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; names != NULL && i < count; i++)
        free(names[i]);
    free(names);
}

static int unknown_impl(const struct vtb_parse_env *env, const char *name, struct vtb_error *err)
{
    size_t n = 0;
    while (env->known_impls[n] != NULL)
        n++;
    const char *best = vtb_suggest(name, env->known_impls, n);
    if (best != NULL)
        return vtb_error_set(err, VTB_EINVAL, "unknown implementation `%s`; did you mean `%s`?",
                             name, best);
    char known[VTB_ERROR_MESSAGE_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof(known); i++) {
        int w = snprintf(known + used, sizeof(known) - used, "%s%s", i == 0 ? "" : ", ",
                         env->known_impls[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return vtb_error_set(err, VTB_EINVAL, "unknown implementation `%s`; known: %s", name, known);
}

int vtb_type_known_impl(const char *name, const char *const *known, struct vtb_error *err)
{
    for (const char *const *p = known; p != NULL && *p != NULL; p++)
        if (strcmp(*p, name) == 0)
            return 0;
    struct vtb_parse_env env = {.known_impls = known};
    return known == NULL ? 0 : unknown_impl(&env, name, err);
}

static int check_impl_name(const struct vtb_key *key, const char *name,
                           const struct vtb_parse_env *env, char *const *earlier, size_t n,
                           struct vtb_error *err)
{
    if (!vtb_type_valid_name(name, (size_t)key->max))
        return vtb_type_range_error(key, name, VTB_EINVAL, err);
    bool known = env == NULL || env->known_impls == NULL;
    for (const char *const *p = known ? NULL : env->known_impls; p != NULL && *p != NULL; p++)
        known = known || strcmp(*p, name) == 0;
    if (!known)
        return unknown_impl(env, name, err);
    for (size_t j = 0; j < n; j++)
        if (strcmp(earlier[j], name) == 0)
            return vtb_error_set(err, VTB_EINVAL, "duplicate value %s in list", name);
    return 0;
}

static int parse_impls(const struct vtb_key *key, const char *text,
                       const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    char *tokens[VTB_SCENARIO_LIST_MAX];
    size_t n = 0, done = 0;
    char *copy = strdup(text);
    char **names = NULL;
    int rc;
    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    rc = vtb_split_list(copy, tokens, &n, err);
    if (rc == 0 && (names = calloc(n, sizeof(*names))) == NULL)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    for (; rc == 0 && done < n; done++) {
        rc = check_impl_name(key, tokens[done], env, names, done, err);
        if (rc == 0 && (names[done] = strdup(tokens[done])) == NULL)
            rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    }
    if (rc == 0) {
        *(struct vtb_name_list *)out = (struct vtb_name_list){names, n};
        names = NULL;
    }
    free_names(names, n);
    free(copy);
    return rc;
}

static const char *format_names(const struct vtb_key *key, const void *value, char *buf,
                                size_t size)
{
    (void)key;
    const struct vtb_name_list *l = value;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->count && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i == 0 ? "" : ", ", l->names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

static const char *range_names(const struct vtb_key *key, char *buf, size_t size)
{
    snprintf(buf, size, "names of %.0f to %.0f characters of A-Z a-z 0-9 . _ -", key->min,
             key->max);
    return buf;
}

static void fini_names(void *value)
{
    struct vtb_name_list *l = value;
    free_names(l->names, l->count);
    l->names = NULL;
    l->count = 0;
}

static int copy_names(void *dst, const void *src)
{
    const struct vtb_name_list *from = src;
    struct vtb_name_list *to = dst;
    to->names = NULL;
    to->count = 0;
    if (from->count == 0)
        return 0;
    char **names = calloc(from->count, sizeof(*names));
    if (names == NULL)
        return VTB_ENOMEM;
    for (size_t i = 0; i < from->count; i++)
        if ((names[i] = strdup(from->names[i])) == NULL) {
            free_names(names, from->count);
            return VTB_ENOMEM;
        }
    to->names = names;
    to->count = from->count;
    return 0;
}

const struct vtb_value_type vtb_type_impls = {
    .name = "names",
    .parse = parse_impls,
    .format = format_names,
    .range = range_names,
    .syntax = "registered implementation names, each at most once",
    .fini = fini_names,
    .copy = copy_names,
    .commas_allowed = true,
};

/* ---- Lists ---- */

char *vtb_trim(char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    char *end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return p;
}

int vtb_split_list(char *text, char **tokens, size_t *count, struct vtb_error *err)
{
    size_t n = 1;
    for (const char *p = text; *p != '\0'; p++)
        n += (*p == ',');
    if (n > VTB_SCENARIO_LIST_MAX)
        return vtb_error_set(err, VTB_ERANGE, "list has %zu values, at most %d", n,
                             VTB_SCENARIO_LIST_MAX);
    char *p = text;
    for (size_t i = 0; i < n; i++) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        tokens[i] = vtb_trim(p);
        if (tokens[i][0] == '\0')
            return n == 1 ? vtb_error_set(err, VTB_ESYNTAX, "empty value")
                          : vtb_error_set(err, VTB_ESYNTAX,
                                          "empty value at position %zu of the list", i + 1);
        if (comma != NULL)
            p = comma + 1;
    }
    *count = n;
    return 0;
}

static char *resolve_path(const char *base, const char *path)
{
    if (path[0] == '/' || base == NULL || base[0] == '\0')
        return strdup(path);
    size_t n = strlen(base) + strlen(path) + 2;
    char *out = malloc(n);
    if (out != NULL)
        snprintf(out, n, "%s/%s", base, path);
    return out;
}

static int parse_paths(const struct vtb_key *key, const char *text,
                       const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)key;
    char *tokens[VTB_SCENARIO_LIST_MAX];
    size_t n = 0, done = 0;
    char *copy = strdup(text);
    char **paths = NULL;
    int rc;
    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    rc = vtb_split_list(copy, tokens, &n, err);
    if (rc == 0 && (paths = calloc(n, sizeof(*paths))) == NULL)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    for (; rc == 0 && done < n; done++) {
        paths[done] = resolve_path(env != NULL ? env->base_dir : NULL, tokens[done]);
        if (paths[done] == NULL)
            rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        for (size_t j = 0; rc == 0 && j < done; j++)
            if (strcmp(paths[j], paths[done]) == 0)
                rc = vtb_error_set(err, VTB_EINVAL, "duplicate value %s in list", tokens[done]);
    }
    if (rc == 0) {
        *(struct vtb_name_list *)out = (struct vtb_name_list){paths, n};
        paths = NULL;
    }
    free_names(paths, n);
    free(copy);
    return rc;
}

static const char *range_paths(const struct vtb_key *key, char *buf, size_t size)
{
    (void)key;
    snprintf(buf, size, "paths of shared objects, comma-separated");
    return buf;
}

static bool absent_names(const void *value)
{
    return ((const struct vtb_name_list *)value)->count == 0;
}

const struct vtb_value_type vtb_type_paths = {
    .name = "paths",
    .parse = parse_paths,
    .format = format_names,
    .range = range_paths,
    .absent = absent_names,
    .fini = fini_names,
    .copy = copy_names,
    .commas_allowed = true,
};
