/*
 * The per-cell journal (see journal.h): writing a cell as one block with
 * one write(2) and an fsync, and reading back every intact block.
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

#define MAGIC "vtbench-journal 1\n"

/* Largest journal read back: it holds every row of the run, twice what the
 * CSV reader accepts per file would be absurd. */
#define JOURNAL_MAX_BYTES (512u * 1024u * 1024u)

static const char *const tags[VTB_CSV_FILE_COUNT] = {"results", "samples", "percentiles"};

static uint64_t fnv1a(const char *data, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)data[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static int error_of(int e)
{
    return e == ENOSPC || e == EDQUOT ? VTB_ENOSPC : e == EEXIST ? VTB_EEXIST : VTB_EIO;
}

/* Writes all of data and fsyncs. Returns 0 or an errno value. */
static int write_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        data += w;
        n -= (size_t)w;
    }
    return fsync(fd) != 0 ? errno : 0;
}

/* Prefixes every CRLF-ended line of text with "TAG FILE " and ends it in
 * LF, appending to out. */
static void tag_lines(FILE *out, char tag, enum vtb_csv_file file, const char *text, size_t n)
{
    size_t start = 0;
    while (start < n) {
        size_t end = start;
        while (end < n && text[end] != '\n')
            end++;
        size_t len = end - start;
        if (len > 0 && text[start + len - 1] == '\r')
            len--;
        fprintf(out, "%c %s %.*s\n", tag, tags[file], (int)len, text + start);
        start = end + 1;
    }
}

/* Renders what a CSV writer writes for file into a string. */
static int render(enum vtb_csv_file file, const struct vtb_record *records, size_t count,
                  char **text, size_t *size)
{
    FILE *mem = open_memstream(text, size);
    if (mem == NULL)
        return VTB_ENOMEM;
    int rc = records == NULL ? vtb_csv_file_header(file, mem)
                             : vtb_csv_file_rows(file, mem, records, count);
    if (fclose(mem) != 0 && rc == 0)
        rc = VTB_ENOMEM;
    return rc;
}

/* The tagged lines of the headers (records NULL) or of a cell's rows. */
static int tagged(char tag, const struct vtb_record *records, size_t count, char **out,
                  size_t *size)
{
    FILE *mem = open_memstream(out, size);
    if (mem == NULL)
        return VTB_ENOMEM;
    int rc = 0;
    for (int f = 0; f < VTB_CSV_FILE_COUNT && rc == 0; f++) {
        char *text = NULL;
        size_t n = 0;
        rc = render((enum vtb_csv_file)f, records, count, &text, &n);
        if (rc == 0)
            tag_lines(mem, tag, (enum vtb_csv_file)f, text, n);
        free(text);
    }
    if (fclose(mem) != 0 && rc == 0)
        rc = VTB_ENOMEM;
    return rc;
}

int vtb_journal_create(struct vtb_journal *j, const char *run_dir, struct vtb_error *err)
{
    j->fd = -1;
    int n = snprintf(j->path, sizeof(j->path), "%s/" VTB_JOURNAL_NAME, run_dir);
    if (n < 0 || (size_t)n >= sizeof(j->path))
        return vtb_error_set(err, VTB_ERANGE, "%s: path too long", run_dir);
    char *headers = NULL;
    size_t size = 0;
    int rc = tagged('H', NULL, 0, &headers, &size);
    if (rc != 0) {
        free(headers);
        return vtb_error_set(err, rc, "%s: cannot render the headers", j->path);
    }
    j->fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    int e = j->fd < 0 ? errno : 0;
    if (e == 0 && (e = write_all(j->fd, MAGIC, strlen(MAGIC))) == 0)
        e = write_all(j->fd, headers, size);
    free(headers);
    if (e != 0) {
        vtb_journal_close(j, true);
        return vtb_error_set(err, error_of(e), "%s: cannot write: %s", j->path, strerror(e));
    }
    return 0;
}

int vtb_journal_append(struct vtb_journal *j, const struct vtb_record *records, size_t count,
                       struct vtb_error *err)
{
    if (j->fd < 0)
        return vtb_error_set(err, VTB_ESTATE, "%s: not open", j->path);
    char *rows = NULL, *block = NULL;
    size_t rows_size = 0, block_size = 0;
    int rc = tagged('R', records, count, &rows, &rows_size);
    FILE *mem = rc == 0 ? open_memstream(&block, &block_size) : NULL;
    if (rc == 0 && mem == NULL)
        rc = VTB_ENOMEM;
    if (rc == 0) {
        fprintf(mem, "C %zu %zu %016" PRIx64 "\n", count > 0 ? records[0].cell.index : 0,
                rows_size, fnv1a(rows, rows_size));
        fwrite(rows, 1, rows_size, mem);
        if (fclose(mem) != 0)
            rc = VTB_ENOMEM;
    }
    free(rows);
    if (rc != 0) {
        free(block);
        return vtb_error_set(err, rc, "%s: cannot render cell: %s", j->path, vtb_strerror(rc));
    }
    int e = write_all(j->fd, block, block_size);
    free(block);
    if (e != 0) {
        vtb_journal_close(j, false);
        return vtb_error_set(err, error_of(e), "%s: cannot write: %s", j->path, strerror(e));
    }
    return 0;
}

void vtb_journal_close(struct vtb_journal *j, bool remove)
{
    if (j->fd >= 0)
        close(j->fd);
    j->fd = -1;
    if (remove && j->path[0] != '\0')
        unlink(j->path);
}

/* ---- Reading ---- */

static int file_of(const char *tag, size_t len)
{
    for (int f = 0; f < VTB_CSV_FILE_COUNT; f++)
        if (strlen(tags[f]) == len && strncmp(tags[f], tag, len) == 0)
            return f;
    return -1;
}

/* Appends the CSV line of one tagged line ("X FILE row\n") to its file.
 * Returns 0, or -1 when the line is not of that form. */
static int take_line(FILE *const files[], const char *line, size_t len, char want)
{
    if (len < 3 || line[0] != want || line[1] != ' ')
        return -1;
    const char *tag = line + 2, *space = memchr(tag, ' ', len - 2);
    int f = space != NULL ? file_of(tag, (size_t)(space - tag)) : -1;
    if (f < 0)
        return -1;
    const char *row = space + 1;
    fprintf(files[f], "%.*s\r\n", (int)(line + len - row), row);
    return 0;
}

/* The cell block at pos, when it is intact: its C line parses and is
 * followed by as many bytes as it says, whose hash it gives. Sets *len (of
 * the C line) and *bytes (of its rows), and *sized when at least the C
 * line parsed (whatever the rest). */
static bool intact_at(const char *data, size_t size, size_t pos, size_t *len, size_t *bytes,
                      bool *sized)
{
    const char *nl = memchr(data + pos, '\n', size - pos);
    size_t cell;
    uint64_t hash;
    char line[128];
    *sized = false;
    *len = nl != NULL ? (size_t)(nl - data - pos) : 0;
    if (nl == NULL || *len >= sizeof(line))
        return false;
    memcpy(line, data + pos, *len);
    line[*len] = '\0';
    if (sscanf(line, "C %zu %zu %" SCNx64, &cell, bytes, &hash) != 3)
        return false;
    *sized = true;
    return *bytes <= size - (pos + *len + 1) && fnv1a(data + pos + *len + 1, *bytes) == hash;
}

/*
 * Whether the damaged block at pos is the torn last write (a crash in the
 * middle of one append) rather than damage before the end: only the last
 * write can be torn, so a block whose declared end falls short of the
 * file's, or an intact block anywhere after it, means the journal was
 * damaged after it was written.
 */
static bool torn_last(const char *data, size_t size, size_t pos, size_t len, size_t bytes,
                      bool sized)
{
    if (sized && bytes < size - (pos + len + 1))
        return false;
    for (size_t at = pos + 1; at < size; at++) {
        size_t l, b;
        bool s;
        if (data[at - 1] == '\n' && data[at] == 'C' && intact_at(data, size, at, &l, &b, &s))
            return false;
    }
    return true;
}

/* The line of the journal that byte pos begins, from 1. */
static size_t line_of(const char *data, size_t pos)
{
    size_t line = 1;
    for (size_t i = 0; i < pos; i++)
        line += data[i] == '\n';
    return line;
}

/* Reads the headers, then every intact cell block; at the first damaged
 * one, says whether it was a torn last write or damage before the end. */
static int parse(const char *data, size_t size, FILE *const files[],
                 struct vtb_journal_contents *out)
{
    size_t pos = strlen(MAGIC);
    if (size < pos || memcmp(data, MAGIC, pos) != 0)
        return VTB_ESYNTAX;
    while (pos < size && data[pos] == 'H') {
        const char *nl = memchr(data + pos, '\n', size - pos);
        if (nl == NULL || take_line(files, data + pos, (size_t)(nl - data - pos), 'H') != 0)
            return VTB_ESYNTAX;
        pos = (size_t)(nl - data) + 1;
    }
    while (pos < size) {
        size_t len, bytes;
        bool sized;
        if (!intact_at(data, size, pos, &len, &bytes, &sized)) {
            out->torn = true;
            out->damaged = !torn_last(data, size, pos, len, bytes, sized);
            out->damaged_line = out->damaged ? line_of(data, pos) : 0;
            break;
        }
        const char *rows = data + pos + len + 1;
        for (size_t r = 0; r < bytes;) {
            const char *end = memchr(rows + r, '\n', bytes - r);
            if (end == NULL || take_line(files, rows + r, (size_t)(end - rows - r), 'R') != 0)
                return VTB_ESYNTAX;
            r = (size_t)(end - rows) + 1;
        }
        out->cells++;
        pos += len + 1 + bytes;
    }
    return 0;
}

int vtb_journal_read(const char *run_dir, struct vtb_journal_contents *out,
                     struct vtb_error *err)
{
    memset(out, 0, sizeof(*out));
    char path[1100];
    snprintf(path, sizeof(path), "%s/" VTB_JOURNAL_NAME, run_dir);
    char *data = NULL;
    size_t size = 0;
    int e = 0;
    int rc = vtb_file_read_bounded(path, JOURNAL_MAX_BYTES, NULL, &data, &size, &e);
    if (rc == VTB_ENOTFOUND)
        return vtb_error_set(err, rc, "%s: no journal", run_dir);
    if (rc != 0)
        return vtb_error_set(err, rc, "%s: cannot read: %s", path,
                             e != 0 ? strerror(e) : vtb_strerror(rc));
    FILE *files[VTB_CSV_FILE_COUNT] = {NULL};
    for (int f = 0; f < VTB_CSV_FILE_COUNT && rc == 0; f++)
        if ((files[f] = open_memstream(&out->csv[f], &out->size[f])) == NULL)
            rc = VTB_ENOMEM;
    if (rc == 0)
        rc = parse(data, size, files, out);
    for (int f = 0; f < VTB_CSV_FILE_COUNT; f++)
        if (files[f] != NULL && fclose(files[f]) != 0 && rc == 0)
            rc = VTB_ENOMEM;
    free(data);
    if (rc != 0) {
        vtb_journal_contents_free(out);
        return vtb_error_set(err, rc, rc == VTB_ESYNTAX ? "%s: not a vtbench journal"
                                                        : "%s: cannot read the journal",
                             path);
    }
    return 0;
}

void vtb_journal_contents_free(struct vtb_journal_contents *c)
{
    for (int f = 0; f < VTB_CSV_FILE_COUNT; f++)
        free(c->csv[f]);
    memset(c, 0, sizeof(*c));
}
