/*
 * Terminal messages (see messages.h).
 */
#include "messages.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "commands.h"
#include "fileio.h"
#include "vtb/error.h"
#include <errno.h>
#include <string.h>

void vtb_cli_error(const char *fmt, ...)
{
    char raw[2 * VTB_ERROR_MESSAGE_MAX], escaped[8 * VTB_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    fprintf(stderr, "vtbench: %s\n", vtb_text_escape(raw, escaped, sizeof(escaped)));
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
