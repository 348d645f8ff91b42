/*
 * Messages and names for the VTB_E... codes, generated from the single table
 * in error.h so that they cannot disagree with the numeric values.
 */
#include "vtb/error.h"

#include <stdio.h>
#include <string.h>

const char *vtb_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
#define VTB__ERRNO_MSG(name, value, msg) \
    case VTB_##name:                     \
        return msg;
        VTB_ERRNO_MAP(VTB__ERRNO_MSG)
#undef VTB__ERRNO_MSG
    default:
        return "unknown error";
    }
}

const char *vtb_err_name(int code)
{
    switch (code) {
    case 0:
        return "VTB_OK";
#define VTB__ERRNO_NAME(name, value, msg) \
    case VTB_##name:                      \
        return "VTB_" #name;
        VTB_ERRNO_MAP(VTB__ERRNO_NAME)
#undef VTB__ERRNO_NAME
    default:
        return "VTB_EUNKNOWN";
    }
}

int vtb_error_vset(struct vtb_error *err, int code, const char *fmt, va_list ap)
{
    if (err == NULL)
        return code;
    err->code = code;
    if (fmt == NULL) {
        snprintf(err->message, sizeof(err->message), "%s", vtb_strerror(code));
        return code;
    }
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    return code;
}

int vtb_error_set(struct vtb_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vtb_error_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void vtb_error_clear(struct vtb_error *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->message[0] = '\0';
}
