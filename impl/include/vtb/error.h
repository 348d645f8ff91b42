/*
 * Error codes shared by the vtbench library and harness.
 *
 * Every action function in vtbench returns 0 on success or one of the negative
 * VTB_E... codes below. The codes live in one X-macro table (as libuv does) so
 * that the numeric value, the symbolic name and the human message can never
 * drift apart. Where context matters (a file and line, a key, a token value),
 * functions also take an optional struct vtb_error that carries the code and a
 * formatted message; a NULL error pointer is always allowed.
 */
#ifndef VTB_ERROR_H
#define VTB_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* XX(name, value, message). Values are stable: they are part of the ABI. */
#define VTB_ERRNO_MAP(XX)                                                          \
    XX(EINVAL, -1, "invalid argument")                                             \
    XX(ENOMEM, -2, "out of memory")                                                \
    XX(ESTALE, -3, "stale token: the result was already consumed or its source "  \
                   "was recycled")                                                 \
    XX(ENOTREADY, -4, "result read before the operation completed")                \
    XX(ECONTINUATION, -5, "a continuation is already registered for this "        \
                          "operation")                                             \
    XX(EALREADY, -6, "operation already completed: a second completion was "       \
                     "refused")                                                    \
    XX(EEXHAUSTED, -7, "pool exhausted: its bound on live sources was reached")    \
    XX(ENOTFOUND, -8, "not found")                                                 \
    XX(EIO, -9, "input/output error")                                              \
    XX(ERANGE, -10, "value out of range")                                          \
    XX(ESYNTAX, -11, "syntax error")                                               \
    XX(EINTR, -12, "interrupted")                                                  \
    XX(ENOSPC, -13, "no space left on device")                                     \
    XX(EEXIST, -14, "already exists")                                              \
    XX(EBACKEND, -15, "the backend reported a failure")                            \
    XX(EUNSUPPORTED, -16, "not supported on this build or machine")                \
    XX(ESTATE, -17, "operation not valid in the object's current state")

enum vtb_errno {
#define VTB_ERRNO_ENUM_ENTRY(name, value, msg) VTB_##name = (value),
    VTB_ERRNO_MAP(VTB_ERRNO_ENUM_ENTRY)
#undef VTB_ERRNO_ENUM_ENTRY
};

/* Largest message a struct vtb_error keeps; longer messages are truncated. */
#define VTB_ERROR_MESSAGE_MAX 512

/* Optional error context filled by functions that accept it. */
struct vtb_error {
    int code;                              /* 0 or a VTB_E... code */
    char message[VTB_ERROR_MESSAGE_MAX];   /* NUL-terminated, never NULL */
};

/* Returns the fixed message for code ("unknown error" for unknown codes). */
const char *vtb_strerror(int code);

/* Returns the symbolic name for code, e.g. "VTB_ESTALE". */
const char *vtb_err_name(int code);

/*
 * Records code and a printf-style message in err (which may be NULL) and
 * returns code, so that callers can write `return vtb_error_set(err, ...)`.
 * When fmt is NULL the fixed message of the code is used.
 */
int vtb_error_set(struct vtb_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* va_list form of vtb_error_set. */
int vtb_error_vset(struct vtb_error *err, int code, const char *fmt, va_list ap);

/* Resets err (which may be NULL) to "no error". */
void vtb_error_clear(struct vtb_error *err);

#ifdef __cplusplus
}
#endif

#endif /* VTB_ERROR_H */
