/*
 * Reading scenario files (see scenario.h): the file is read whole, within
 * VTB_SCENARIO_FILE_MAX bytes (io/fileio.h), and its INI syntax is left to
 * inih, driven through ini_parse_stream with a line reader of our own.
 *
 * inih's handler is not told the line number unless the library was built
 * with INI_HANDLER_LINENO, which distribution builds are not, and its return
 * value only names the first line it disliked. inih calls the reader for
 * exactly one line and then the handler for that line before reading the
 * next, so the reader's own line counter is the handler's line number. The
 * reader also does what inih cannot report precisely:
 *   - bytes that do not belong in text (NUL, control characters) are
 *     refused as binary data, instead of being cut at the NUL by an fgets
 *     and parsed as something else; a control character in the value of a
 *     known key (an escape sequence in a description) is refused as that
 *     key's error, as --set refuses it (vtb__scenario_apply);
 *   - lines longer than inih's buffer are refused, where inih would split
 *     them and parse the tail as a line of its own; a CRLF line end does not
 *     count towards the length;
 *   - leading blanks are stripped, so an indented line is never taken as a
 *     multi-line continuation of the previous value (a silent append);
 *   - section headers are checked at their own line (inih does not call the
 *     handler for a section, so an unknown section with no keys would pass).
 * Once any error is recorded the reader reports end of input, so the first
 * error is the one the user sees and nothing runs past it.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "scenario.h"
#include "scenario_internal.h"

/* State of one file parse, shared by the reader and the handler. */
struct parse_ctx {
    struct vtb_scenario *s;
    const char *filename;
    const unsigned char *data;
    size_t size;
    size_t pos;
    unsigned lineno;       /* the line last handed to inih */
    unsigned section_line; /* where [scenario] is, 0 = not yet */
    bool any_content;      /* a line that is not blank or a comment */
    unsigned key_line[VTB_KEY_COUNT];
    int code; /* first error, 0 = none */
    unsigned err_line;
    struct vtb_error error;
};

static int fail(struct parse_ctx *c, unsigned line, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records the first error as "FILE:LINE: " + the formatted text. */
static int fail(struct parse_ctx *c, unsigned line, int code, const char *fmt, ...)
{
    char what[VTB_ERROR_MESSAGE_MAX];
    char brief[VTB_PATH_BRIEF_MAX];
    va_list ap;

    if (c->code != 0)
        return c->code;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    c->code = code;
    c->err_line = line;
    return vtb_error_set(&c->error, code, "%s:%u: %s",
                         vtb_path_brief(c->filename, brief, sizeof(brief)), line, what);
}

static void check_section(struct parse_ctx *c, const char *line)
{
    const char *close = strchr(line, ']');
    if (close == NULL) {
        fail(c, c->lineno, VTB_ESYNTAX, "section header without `]`");
        return;
    }
    const char *after = close + 1;
    while (isspace((unsigned char)*after))
        after++;
    if (*after != '\0' && *after != ';' && *after != '#') {
        fail(c, c->lineno, VTB_ESYNTAX, "unexpected text after `]`");
        return;
    }
    int len = (int)(close - line - 1);
    if (len != (int)strlen("scenario") || strncmp(line + 1, "scenario", (size_t)len) != 0) {
        fail(c, c->lineno, VTB_EINVAL,
             "[%.*s]: unknown section; a scenario file has one [scenario] section", len,
             line + 1);
        return;
    }
    if (c->section_line != 0) {
        fail(c, c->lineno, VTB_EINVAL, "[scenario]: duplicate section (first on line %u)",
             c->section_line);
        return;
    }
    c->section_line = c->lineno;
}

static bool is_binary(int ch)
{
    return ch == '\0' || ch == 0x7f || (ch < 0x20 && ch != '\t' && ch != '\r');
}

/* Copies the next physical line into buf (at most cap bytes kept); returns
 * its length without the line end, or -1 at the end of the input. A CR
 * right before the LF is part of the line end, not of the line. */
static long next_line(struct parse_ctx *c, char *buf, size_t cap, size_t *kept, int *bad_byte,
                      size_t *bad_column)
{
    if (c->pos >= c->size)
        return -1;
    size_t start = c->pos, end = start;
    while (end < c->size && c->data[end] != '\n')
        end++;
    c->pos = end < c->size ? end + 1 : end;
    if (end > start && c->data[end - 1] == '\r')
        end--;
    size_t total = end - start;
    *bad_byte = -1;
    for (size_t i = 0; i < total; i++)
        if (is_binary(c->data[start + i])) {
            *bad_byte = c->data[start + i];
            *bad_column = i + 1;
            break;
        }
    *kept = total < cap ? total : cap;
    memcpy(buf, c->data + start, *kept);
    buf[*kept] = '\0';
    return (long)total;
}

/* The key of a `key = value` line (or `key: value`) whose value holds the
 * control character at bad_column, or NULL: then the line is not a key's,
 * and the byte is binary data. */
static const struct vtb_key *key_of_value(const char *line, size_t bad_column)
{
    while (*line == ' ' || *line == '\t')
        line++;
    size_t len = strcspn(line, "=:");
    if (line[len] == '\0' || len + 1 >= bad_column)
        return NULL;
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    char name[64];
    if (len == 0 || len >= sizeof(name))
        return NULL;
    memcpy(name, line, len);
    name[len] = '\0';
    return vtb_key_find(name);
}

/* inih's reader: one physical line per call, checked (see the top). */
static char *read_line(char *buf, int num, void *stream)
{
    struct parse_ctx *c = stream;
    size_t cap = (size_t)num - 1, kept = 0, bad_column = 0;
    int bad_byte = -1;

    if (c->code != 0)
        return NULL;
    long total = next_line(c, buf, cap, &kept, &bad_byte, &bad_column);
    if (total < 0)
        return NULL;
    c->lineno++;
    const struct vtb_key *k = bad_byte > 0 ? key_of_value(buf, bad_column) : NULL;
    if (k != NULL) {
        /* An escape sequence or a stray control character in a value: the
         * key's problem, said as --set says it. */
        fail(c, c->lineno, VTB_ESYNTAX, "%s: control character (byte 0x%02x at column %zu); a "
                                        "value is text on one line",
             k->name, (unsigned)bad_byte, bad_column);
        return NULL;
    }
    if (bad_byte >= 0) {
        fail(c, c->lineno, VTB_ESYNTAX, "binary data (byte 0x%02x at column %zu); a scenario "
                                        "file is text",
             (unsigned)bad_byte, bad_column);
        return NULL;
    }
    if ((size_t)total > cap) {
        fail(c, c->lineno, VTB_ESYNTAX, "line too long (%ld bytes, at most %zu)", total, cap);
        return NULL;
    }
    char *p = buf;
    if (c->lineno == 1 && kept >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (isspace((unsigned char)*p))
        p++;
    memmove(buf, p, strlen(p) + 1);
    if (buf[0] == '\0' || buf[0] == ';' || buf[0] == '#')
        return buf;
    c->any_content = true;
    if (buf[0] == '[') {
        check_section(c, buf);
        if (c->code != 0)
            return NULL;
    }
    return buf;
}

/* ops and duration exclude each other within a file. */
static int partner_of(int id)
{
    return id == VTB_KEY_ops ? VTB_KEY_duration : id == VTB_KEY_duration ? VTB_KEY_ops : -1;
}

/* inih's handler, called for each key = value at line c->lineno. */
static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *c = user;
    unsigned line = c->lineno;
    struct vtb_error inner;

    if (c->code != 0)
        return 0;
    if (name[0] == '\0') {
        fail(c, line, VTB_ESYNTAX, "missing key before `=`");
        return 0;
    }
    if (section[0] == '\0') {
        fail(c, line, VTB_EINVAL, "%s: key outside the [scenario] section", name);
        return 0;
    }
    const struct vtb_key *k = vtb_key_find(name);
    if (k == NULL) {
        vtb__scenario_unknown_key(name, &inner);
        fail(c, line, inner.code, "%s: %s", name, inner.message);
        return 0;
    }
    int id = (int)(k - vtb_scenario_keys);
    if (c->key_line[id] != 0) {
        fail(c, line, VTB_EINVAL, "%s: duplicate key (first set on line %u)", name,
             c->key_line[id]);
        return 0;
    }
    int other = partner_of(id);
    if (other >= 0 && c->key_line[other] != 0) {
        fail(c, line, VTB_EINVAL, "%s: cannot be combined with `%s` (line %u); set one of them",
             name, vtb_scenario_keys[other].name, c->key_line[other]);
        return 0;
    }
    int rc = vtb__scenario_apply(c->s, k, value, &inner);
    if (rc != 0) {
        fail(c, line, rc, "%s: %s", name, inner.message);
        return 0;
    }
    c->key_line[id] = line;
    return 1;
}

/* What only the whole file can tell: inih's own complaints, emptiness and
 * a missing name. */
static void check_whole(struct parse_ctx *c, int ret)
{
    if (ret > 0 && (c->code == 0 || (unsigned)ret < c->err_line)) {
        /* inih refused a line before any error of ours: a line that is not
         * a comment, a section or a key = value pair. */
        c->code = 0;
        fail(c, (unsigned)ret, VTB_ESYNTAX,
             "expected `key = value`, a [section] header or a comment");
    } else if (ret == -2) {
        c->code = 0;
        fail(c, 0, VTB_ENOMEM, "out of memory");
    }
    if (c->code == 0 && !c->any_content)
        fail(c, 0, VTB_EINVAL, "empty file; expected a [scenario] section");
    if (c->code == 0 && c->s->settings.name == NULL)
        fail(c, c->section_line, VTB_EINVAL, "name: missing; every scenario needs `name = ...`");
}

int vtb_scenario_parse_buffer(struct vtb_scenario *s, const char *data, size_t size,
                              const char *filename, const struct vtb_scenario_options *options,
                              struct vtb_error *err)
{
    struct parse_ctx c;
    memset(&c, 0, sizeof(c));
    c.s = s;
    c.filename = filename;
    c.data = (const unsigned char *)data;
    c.size = size;
    int rc = vtb_scenario_init(s, options);
    if (rc != 0)
        return vtb_error_set(err, rc, "%s:0: out of memory", filename);
    free(s->source);
    s->source = strdup(filename);
    const char *slash = strrchr(filename, '/');
    s->base_dir = slash != NULL ? strndup(filename, (size_t)(slash - filename + (slash == filename)))
                                : NULL;
    if (s->source == NULL || (slash != NULL && s->base_dir == NULL)) {
        vtb_scenario_fini(s);
        return vtb_error_set(err, VTB_ENOMEM, "%s:0: out of memory", filename);
    }
    check_whole(&c, ini_parse_stream(read_line, &c, on_pair, &c));
    if (c.code != 0) {
        vtb_scenario_fini(s);
        if (err != NULL)
            *err = c.error;
        return c.code;
    }
    memcpy(s->key_line, c.key_line, sizeof(s->key_line));
    vtb__scenario_resolve(s);
    vtb_error_clear(err);
    return 0;
}

int vtb_scenario_parse_file(struct vtb_scenario *s, FILE *file, const char *filename,
                            const struct vtb_scenario_options *options, struct vtb_error *err)
{
    memset(s, 0, sizeof(*s));
    size_t cap = 65536, len = 0;
    char *data = malloc(cap);
    if (data == NULL)
        return vtb_error_set(err, VTB_ENOMEM, "%s:0: out of memory", filename);
    size_t n;
    while ((n = fread(data + len, 1, cap - len, file)) > 0) {
        len += n;
        if (len > VTB_SCENARIO_FILE_MAX) {
            free(data);
            return vtb_error_set(err, VTB_ERANGE, "%s:0: larger than %u bytes; a scenario file "
                                                  "is a few hundred bytes of text",
                                 filename, VTB_SCENARIO_FILE_MAX);
        }
        if (len == cap) {
            char *grown = realloc(data, cap *= 2);
            if (grown == NULL) {
                free(data);
                return vtb_error_set(err, VTB_ENOMEM, "%s:0: out of memory", filename);
            }
            data = grown;
        }
    }
    int rc = ferror(file) ? vtb_error_set(err, VTB_EIO, "%s:0: read error: %s", filename,
                                          strerror(errno))
                          : vtb_scenario_parse_buffer(s, data, len, filename, options, err);
    free(data);
    return rc;
}

int vtb_scenario_load(struct vtb_scenario *s, const char *path,
                      const struct vtb_scenario_options *options, struct vtb_error *err)
{
    char brief[VTB_PATH_BRIEF_MAX];
    char *data = NULL;
    size_t size = 0;
    int e = 0;
    memset(s, 0, sizeof(*s));
    vtb_path_brief(path, brief, sizeof(brief));
    int rc = vtb_file_read_bounded(path, VTB_SCENARIO_FILE_MAX,
                                   options != NULL ? options->stop : NULL, &data, &size, &e);
    switch (rc) {
    case 0:
        break;
    case VTB_ENOTFOUND:
        return vtb_error_set(err, rc, "%s:0: cannot open: %s", brief, strerror(e));
    case VTB_ERANGE:
        return vtb_error_set(err, rc, "%s:0: larger than %u bytes; a scenario file is a few "
                                      "hundred bytes of text",
                             brief, VTB_SCENARIO_FILE_MAX);
    case VTB_EINTR:
        return vtb_error_set(err, rc, "%s:0: interrupted while reading", brief);
    case VTB_ENOMEM:
        return vtb_error_set(err, rc, "%s:0: out of memory", brief);
    default:
        return vtb_error_set(err, VTB_EIO, "%s:0: cannot read: %s", brief,
                             e != 0 ? strerror(e) : "input/output error");
    }
    rc = vtb_scenario_parse_buffer(s, data, size, path, options, err);
    free(data);
    return rc;
}
