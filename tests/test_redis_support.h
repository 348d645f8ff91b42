/*
 * What the Redis tests share: whether they can run at all.
 */
#ifndef VTB_TEST_REDIS_SUPPORT_H
#define VTB_TEST_REDIS_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_server.h"

/*
 * 0 when a redis-server is installed. Otherwise what main returns: 77
 * (ctest's "skipped") with the reason, or 1 when VTB_REQUIRE_REDIS=1 (CI,
 * which installed the server, so its absence is a failure, not a skip).
 */
static inline int vtb_test_redis_gate(void)
{
    char path[4096];
    struct vtb_error err;
    if (vtb_redis_server_find(NULL, path, sizeof(path), &err) == 0)
        return 0;
    const char *require = getenv("VTB_REQUIRE_REDIS");
    if (require != NULL && strcmp(require, "1") == 0) {
        fprintf(stderr, "FAIL: VTB_REQUIRE_REDIS=1 but %s\n", err.message);
        return 1;
    }
    fprintf(stderr, "SKIP: %s\n", err.message);
    return 77;
}

#endif /* VTB_TEST_REDIS_SUPPORT_H */
