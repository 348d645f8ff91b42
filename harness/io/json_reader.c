/*
 * The reader behind json_reader.h: a recursive descent over the bytes
 * (recursion bounded by VTB_JSON_READ_MAX_DEPTH), building the tree in
 * blocks of memory that the document owns.
 *
 * The children of the containers being read wait on one growing stack, and
 * a container copies its own off the stack into the document's memory when
 * it closes. So each array of children is allocated once, at its final
 * size, and an error anywhere has no half-built tree to unpick: the
 * document's blocks are freed whole.
 *
 * Lines are counted as whitespace is skipped: a JSON text can break a line
 * only between tokens (a raw line break inside a string is an error), so
 * the current line and its start locate any byte a message points at.
 */
#include "json_reader.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "json_internal.h"

/* ---- Parsing ---- */

/* A child of a container being read: its name (objects only) and value. */
struct slot {
    struct key key;
    struct vtb_json_value value;
};

struct parser {
    const char *p, *end;
    const char *line_start; /* first byte of the current line */
    size_t line;
    const char *name;       /* the document's copy */
    struct vtb_json_doc *doc;
    struct slot *stack;     /* children of the open containers */
    size_t top, stack_cap;
    char *buf;              /* the string being decoded */
    size_t len, buf_cap;
    struct vtb_error *err;
};

static unsigned clip(size_t n)
{
    return n > UINT_MAX ? UINT_MAX : (unsigned)n;
}

static int fail(struct parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct parser *ps, const char *at, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return vtb_error_set(ps->err, VTB_ESYNTAX, "%s:%zu:%zu: %s", ps->name, ps->line,
                         (size_t)(at - ps->line_start) + 1, what);
}

static int out_of_memory(struct parser *ps)
{
    return vtb_error_set(ps->err, VTB_ENOMEM, "%s: out of memory reading it", ps->name);
}

/* How a message names the byte c: 'x', a NUL byte, or byte 0xNN. */
static const char *byte_name(unsigned char c, char *buf, size_t size)
{
    if (c == '\0')
        snprintf(buf, size, "NUL byte");
    else if (c >= 0x20 && c < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", c);
    return buf;
}

/* The error for the byte at ps->p (or the end of the text) where expected was due. */
static int unexpected(struct parser *ps, const char *expected)
{
    char b[16];

    if (ps->p == ps->end)
        return fail(ps, ps->p, "unexpected end of the text, expected %s", expected);
    return fail(ps, ps->p, "unexpected %s, expected %s",
                byte_name((unsigned char)*ps->p, b, sizeof(b)), expected);
}

static void skip_ws(struct parser *ps)
{
    for (; ps->p < ps->end; ps->p++) {
        char c = *ps->p;

        if (c == '\n') {
            ps->line++;
            ps->line_start = ps->p + 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            return;
        }
    }
}

static bool is_digit(const struct parser *ps, const char *q)
{
    return q < ps->end && *q >= '0' && *q <= '9';
}

static int put_bytes(struct parser *ps, const char *s, size_t n)
{
    if (ps->buf_cap - ps->len < n + 1) {
        size_t cap = ps->buf_cap != 0 ? ps->buf_cap : 64;
        char *grown;

        while (cap - ps->len < n + 1)
            cap *= 2;
        grown = realloc(ps->buf, cap);
        if (grown == NULL)
            return out_of_memory(ps);
        ps->buf = grown;
        ps->buf_cap = cap;
    }
    memcpy(ps->buf + ps->len, s, n);
    ps->len += n;
    return 0;
}

/* Appends code point cp (at most U+10FFFF, not a surrogate) as UTF-8. */
static int put_code_point(struct parser *ps, unsigned long cp)
{
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0x00, 0xc0, 0xe0, 0xf0};
    char u[4];

    /* The continuation bytes carry 6 bits each, from the last; the lead
     * byte carries the rest under its length marker. */
    for (size_t k = n - 1; k > 0; k--, cp >>= 6)
        u[k] = (char)(0x80 | (cp & 0x3f));
    u[0] = (char)(lead[n] | cp);
    return put_bytes(ps, u, n);
}

/*
 * Length of the UTF-8 sequence at p (2 to 4 bytes; p[0] >= 0x80), or 0 when
 * it is not UTF-8: RFC 3629 refuses overlong forms, surrogates and code
 * points beyond U+10FFFF.
 */
static size_t utf8_length(const unsigned char *p, const unsigned char *end)
{
    unsigned long cp, min;
    size_t n;

    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2, cp = p[0] & 0x1fu, min = 0x80;
    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3, cp = p[0] & 0x0fu, min = 0x800;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4, cp = p[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[k] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
        return 0;
    return n;
}

/* Four hex digits at ps->p, for the \u escape at at. */
static int hex4(struct parser *ps, const char *at, unsigned long *out)
{
    *out = 0;
    for (int k = 0; k < 4; k++, ps->p++) {
        char c = ps->p < ps->end ? *ps->p : '\0';
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            return fail(ps, at, "bad \\u escape: expected 4 hex digits");
        *out = *out * 16 + (unsigned long)v;
    }
    return 0;
}

/* A \u escape (ps->p after the 'u'), or a surrogate pair of two. */
static int unicode_escape(struct parser *ps, const char *at, unsigned long *cp)
{
    unsigned long low;
    const char *second = ps->p + 4;
    int rc = hex4(ps, at, cp);

    if (rc != 0 || *cp < 0xd800 || *cp >= 0xe000)
        return rc;
    if (*cp >= 0xdc00 || ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
        return fail(ps, at, "unpaired surrogate \\u%04lX", *cp);
    ps->p += 2;
    rc = hex4(ps, second, &low);
    if (rc != 0)
        return rc;
    if (low < 0xdc00 || low >= 0xe000)
        return fail(ps, at, "unpaired surrogate \\u%04lX", *cp);
    *cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
    return 0;
}

/* The escape at ps->p (a backslash) of the string opened at open. */
static int escape(struct parser *ps, const char *open)
{
    const char *at = ps->p++;
    unsigned long cp;
    char b[16];
    int rc;

    if (ps->p == ps->end)
        return fail(ps, open, "unterminated string");
    switch (*ps->p++) {
    case '"': cp = '"'; break;
    case '\\': cp = '\\'; break;
    case '/': cp = '/'; break;
    case 'b': cp = '\b'; break;
    case 'f': cp = '\f'; break;
    case 'n': cp = '\n'; break;
    case 'r': cp = '\r'; break;
    case 't': cp = '\t'; break;
    case 'u':
        rc = unicode_escape(ps, at, &cp);
        if (rc != 0)
            return rc;
        break;
    default:
        return fail(ps, at, "bad escape in a string: '\\' followed by %s",
                    byte_name((unsigned char)ps->p[-1], b, sizeof(b)));
    }
    return put_code_point(ps, cp);
}

/* The string at ps->p (its opening quote), decoded into the document. */
static int parse_string(struct parser *ps, const char **text, size_t *length)
{
    const char *open = ps->p++;
    char *copy;
    int rc = 0;

    ps->len = 0;
    while (rc == 0) {
        unsigned char c = ps->p < ps->end ? (unsigned char)*ps->p : 0;
        size_t n = 1;

        if (ps->p == ps->end)
            return fail(ps, open, "unterminated string");
        if (c == '"')
            break;
        if (c == '\\') {
            rc = escape(ps, open);
            continue;
        }
        if (c == '\0')
            return fail(ps, ps->p, "NUL byte in a string");
        if (c < 0x20)
            return fail(ps, ps->p, "control character 0x%02x in a string (it must be escaped)",
                        c);
        if (c >= 0x80 && (n = utf8_length((const unsigned char *)ps->p,
                                          (const unsigned char *)ps->end)) == 0)
            return fail(ps, ps->p, "invalid UTF-8 in a string");
        rc = put_bytes(ps, ps->p, n);
        ps->p += n;
    }
    if (rc != 0)
        return rc;
    ps->p++;
    copy = vtb__json_doc_alloc(ps->doc, ps->len + 1, 1);
    if (copy == NULL)
        return out_of_memory(ps);
    if (ps->len > 0)
        memcpy(copy, ps->buf, ps->len);
    copy[ps->len] = '\0';
    *text = copy;
    *length = ps->len;
    return 0;
}

/* A number in the RFC's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(struct parser *ps, struct vtb_json_value *out)
{
    const char *start = ps->p, *q = ps->p;
    char *text;

    if (*q == '-')
        q++;
    if (!is_digit(ps, q))
        return fail(ps, q, "bad number: expected a digit after '-'");
    if (*q++ == '0' && is_digit(ps, q))
        return fail(ps, start, "bad number: leading zero");
    while (is_digit(ps, q))
        q++;
    if (q < ps->end && *q == '.') {
        if (!is_digit(ps, ++q))
            return fail(ps, q, "bad number: expected a digit after '.'");
        while (is_digit(ps, q))
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (!is_digit(ps, q))
            return fail(ps, q, "bad number: expected a digit in the exponent");
        while (is_digit(ps, q))
            q++;
    }
    text = vtb__json_doc_alloc(ps->doc, (size_t)(q - start) + 1, 1);
    if (text == NULL)
        return out_of_memory(ps);
    memcpy(text, start, (size_t)(q - start));
    text[q - start] = '\0';
    out->type = VTB_JSON_NUMBER;
    out->text = text;
    out->count = (size_t)(q - start);
    out->number = strtod(text, NULL);
    if (isinf(out->number))
        return fail(ps, start, "bad number: beyond the range of a double");
    ps->p = q;
    return 0;
}

/* true, false or null, whose first letter is at ps->p. */
static int parse_literal(struct parser *ps, struct vtb_json_value *out, const char *word,
                         enum vtb_json_type type)
{
    size_t n = strlen(word);

    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, ps->p, "bad literal: expected %s", word);
    ps->p += n;
    out->type = type;
    if (type == VTB_JSON_BOOL) {
        out->boolean = word[0] == 't';
        out->text = word;
        out->count = n;
    }
    return 0;
}

static int parse_value(struct parser *ps, struct vtb_json_value *out, int depth);

static int push_slot(struct parser *ps, const struct slot *slot)
{
    if (ps->top == ps->stack_cap) {
        size_t cap = ps->stack_cap != 0 ? 2 * ps->stack_cap : 64;
        struct slot *grown = cap < SIZE_MAX / sizeof(*grown)
                                 ? realloc(ps->stack, cap * sizeof(*grown))
                                 : NULL;
        if (grown == NULL)
            return out_of_memory(ps);
        ps->stack = grown;
        ps->stack_cap = cap;
    }
    ps->stack[ps->top++] = *slot;
    return 0;
}

/* Slots by name (length, then bytes), then by place in the text. */
static int slot_order(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    unsigned long long p = (unsigned long long)x->value.line << 32 | x->value.column,
                       q = (unsigned long long)y->value.line << 32 | y->value.column;
    int c = x->key.length != y->key.length ? (x->key.length < y->key.length ? -1 : 1)
                                           : memcmp(x->key.text, y->key.text, x->key.length);
    return c != 0 ? c : (p > q) - (p < q);
}

/* Refuses a name given twice among the n slots at v, which it sorts (their
 * values are in the tree already): RFC 8259 leaves {"a": 1, "a": 2} to the
 * reader, and two readers may take different ones. At the values. */
static int check_duplicates(struct parser *ps, struct slot *v, size_t n)
{
    size_t k = 1;
    qsort(v, n, sizeof(*v), slot_order);
    while (k < n && (v[k].key.length != v[k - 1].key.length ||
                     memcmp(v[k].key.text, v[k - 1].key.text, v[k].key.length) != 0))
        k++;
    return k >= n ? 0 : vtb_error_set(ps->err, VTB_ESYNTAX, "%s:%u:%u: duplicate member name "
                                      "\"%.40s\" (first at line %u, column %u)", ps->name,
                                      v[k].value.line, v[k].value.column, v[k].key.text,
                                      v[k - 1].value.line, v[k - 1].value.column);
}

/* Moves the children above base off the stack into the container out. */
static int close_container(struct parser *ps, struct vtb_json_value *out, size_t base)
{
    size_t n = ps->top - base;
    struct vtb_json_value *items =
        vtb__json_doc_alloc(ps->doc, n * sizeof(*items), _Alignof(struct vtb_json_value));
    struct key *keys = out->type == VTB_JSON_OBJECT
                           ? vtb__json_doc_alloc(ps->doc, n * sizeof(*keys), _Alignof(struct key))
                           : NULL;

    if (items == NULL || (out->type == VTB_JSON_OBJECT && keys == NULL))
        return out_of_memory(ps);
    for (size_t k = 0; k < n; k++) {
        items[k] = ps->stack[base + k].value;
        if (keys != NULL)
            keys[k] = ps->stack[base + k].key;
    }
    out->items = items;
    out->keys = keys;
    out->count = n;
    int rc = keys != NULL && n > 1 ? check_duplicates(ps, ps->stack + base, n) : 0;
    ps->top = base;
    return rc;
}

/* A member name and its colon. */
static int parse_key(struct parser *ps, struct key *key)
{
    int rc;

    skip_ws(ps);
    if (ps->p == ps->end || *ps->p != '"')
        return unexpected(ps, "a member name (a string)");
    rc = parse_string(ps, &key->text, &key->length);
    if (rc != 0)
        return rc;
    skip_ws(ps);
    if (ps->p == ps->end || *ps->p != ':')
        return unexpected(ps, "':' after the member name");
    ps->p++;
    return 0;
}

/* The object or array at ps->p, which is the depth-th container open. */
static int parse_container(struct parser *ps, struct vtb_json_value *out, int depth)
{
    bool object = *ps->p == '{';
    char close = object ? '}' : ']';
    size_t base = ps->top;
    int rc;

    if (depth > VTB_JSON_READ_MAX_DEPTH)
        return fail(ps, ps->p, "nested deeper than %d levels", VTB_JSON_READ_MAX_DEPTH);
    out->type = object ? VTB_JSON_OBJECT : VTB_JSON_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        struct slot slot = {{NULL, 0}, {0}};

        rc = object ? parse_key(ps, &slot.key) : 0;
        if (rc == 0)
            rc = parse_value(ps, &slot.value, depth);
        if (rc == 0)
            rc = push_slot(ps, &slot);
        if (rc != 0)
            return rc;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return close_container(ps, out, base);
        }
        if (ps->p == ps->end || *ps->p != ',')
            return unexpected(ps, object ? "',' or '}' after an object member"
                                         : "',' or ']' after an array element");
        ps->p++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == close)
            return fail(ps, ps->p, "trailing comma before '%c'", close);
    }
}

/* The value at ps->p (after whitespace), inside depth containers. */
static int parse_value(struct parser *ps, struct vtb_json_value *out, int depth)
{
    skip_ws(ps);
    memset(out, 0, sizeof(*out));
    out->source = ps->name;
    out->line = clip(ps->line);
    out->column = clip((size_t)(ps->p - ps->line_start) + 1);
    if (ps->p == ps->end)
        return unexpected(ps, "a value");
    switch (*ps->p) {
    case '{':
    case '[':
        return parse_container(ps, out, depth + 1);
    case '"':
        out->type = VTB_JSON_STRING;
        return parse_string(ps, &out->text, &out->count);
    case 't':
        return parse_literal(ps, out, "true", VTB_JSON_BOOL);
    case 'f':
        return parse_literal(ps, out, "false", VTB_JSON_BOOL);
    case 'n':
        return parse_literal(ps, out, "null", VTB_JSON_NULL);
    case '+':
        return fail(ps, ps->p, "bad number: a leading '+' is not allowed");
    case '.':
        return fail(ps, ps->p, "bad number: expected a digit before '.'");
    default:
        if (*ps->p == '-' || is_digit(ps, ps->p))
            return parse_number(ps, out);
        return unexpected(ps, "a value");
    }
}

/* Parses the whole text into ps->doc->root. */
static int parse_document(struct parser *ps)
{
    struct vtb_json_value root, *stored;
    char b[16];
    int rc = parse_value(ps, &root, 0);

    if (rc != 0)
        return rc;
    skip_ws(ps);
    if (ps->p != ps->end)
        return fail(ps, ps->p, "unexpected %s after the document",
                    byte_name((unsigned char)*ps->p, b, sizeof(b)));
    stored = vtb__json_doc_alloc(ps->doc, sizeof(*stored), _Alignof(struct vtb_json_value));
    if (stored == NULL)
        return out_of_memory(ps);
    *stored = root;
    ps->doc->root = stored;
    return 0;
}

int vtb_json_parse(const char *text, size_t size, const char *name, struct vtb_json_doc *doc,
                   struct vtb_error *err)
{
    struct parser ps;
    char *name_copy;
    int rc;

    if (doc == NULL)
        return vtb_error_set(err, VTB_EINVAL, "vtb_json_parse: NULL document");
    memset(doc, 0, sizeof(*doc));
    if (text == NULL || name == NULL)
        return vtb_error_set(err, VTB_EINVAL, "vtb_json_parse: NULL argument");
    name_copy = vtb__json_doc_alloc(doc, strlen(name) + 1, 1);
    if (name_copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, "%s: out of memory reading it", name);
    memcpy(name_copy, name, strlen(name) + 1);
    memset(&ps, 0, sizeof(ps));
    /* RFC 8259 lets a reader ignore a byte-order mark; editors add one. */
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        size -= 3;
    }
    ps.p = ps.line_start = text;
    ps.end = text + size;
    ps.line = 1;
    ps.name = name_copy;
    ps.doc = doc;
    ps.err = err;
    rc = parse_document(&ps);
    free(ps.stack);
    free(ps.buf);
    if (rc != 0)
        vtb_json_doc_fini(doc);
    return rc;
}

int vtb_json_read(const char *path, const char *name, size_t max_bytes,
                  struct vtb_json_doc *doc, struct vtb_error *err)
{
    char *text;
    size_t size;
    int rc;

    if (path == NULL || doc == NULL)
        return vtb_error_set(err, VTB_EINVAL, "vtb_json_read: NULL argument");
    memset(doc, 0, sizeof(*doc));
    if (access(path, F_OK) != 0 && (errno == ENOENT || errno == ENOTDIR))
        return vtb_error_set(err, VTB_ENOTFOUND, "%s: no such file", path);
    rc = vtb_file_read_all(path, max_bytes, &text, &size, err);
    if (rc != 0)
        return rc;
    rc = vtb_json_parse(text, size, name != NULL ? name : path, doc, err);
    free(text);
    return rc;
}

