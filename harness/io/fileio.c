/*
 * The bounded whole-file read behind fileio.h.
 */
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vtb_file_read_all(const char *path, size_t max_bytes, char **out, size_t *size,
                      struct vtb_error *err)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return vtb_error_set(err, VTB_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *data = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max_bytes) {
                rc = vtb_error_set(err, VTB_ERANGE, "%s: larger than %zu bytes", path, max_bytes);
                break;
            }
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(data, cap);
            if (grown == NULL) {
                rc = vtb_error_set(err, VTB_ENOMEM, "%s: out of memory reading it", path);
                break;
            }
            data = grown;
        }
        size_t n = fread(data + len, 1, cap - len - 1, file);
        len += n;
        if (n == 0) {
            if (ferror(file))
                rc = vtb_error_set(err, VTB_EIO, "%s: read error", path);
            break;
        }
    }
    fclose(file);
    if (rc == 0 && len > max_bytes)
        rc = vtb_error_set(err, VTB_ERANGE, "%s: larger than %zu bytes", path, max_bytes);
    if (rc != 0) {
        free(data);
        return rc;
    }
    data[len] = '\0';
    *out = data;
    *size = len;
    return 0;
}
