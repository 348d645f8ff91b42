/*
 * Terminal messages (see messages.h).
 */
#include "messages.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "commands.h"
#include "vtb/error.h"
#include <errno.h>
#include <string.h>

const char *vtb_cli_escape(const char *text, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return buf;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        bool control = *p < 0x20 || *p == 0x7f;
        size_t need = control ? 4 : 1;
        if (used + need >= size)
            break;
        if (control)
            used += (size_t)snprintf(buf + used, size - used, "\\x%02x", *p);
        else
            buf[used++] = (char)*p;
    }
    buf[used] = '\0';
    return buf;
}

void vtb_cli_error(const char *fmt, ...)
{
    char raw[2 * VTB_ERROR_MESSAGE_MAX], escaped[8 * VTB_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    fprintf(stderr, "vtbench: %s\n", vtb_cli_escape(raw, escaped, sizeof(escaped)));
}

int vtb_cli_stdout_status(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return VTB_EXIT_OK;
    vtb_cli_error("stdout: write failed%s%s", errno != 0 ? ": " : "",
                  errno != 0 ? strerror(errno) : "");
    return VTB_EXIT_RUN_FAILED;
}
