/*
 * The run directory: where one run's outputs live, how it is created, and
 * how its readers (`vtbench compare`, `baseline`, `report`) open it.
 *
 * Creation: RESULTS/<UTC time>-<scenario>/, never an existing directory
 * (a -2, -3, ... suffix when the name is taken), holding from the start
 * scenario.ini, the fully resolved scenario (every key, defaults and
 * overrides applied, the seed explicit), so that `vtbench run
 * RUN_DIR/scenario.ini` measures the same cells.
 */
#ifndef VTB_RUN_DIR_H
#define VTB_RUN_DIR_H

#include <stddef.h>

#include "scenario.h"
#include "vtb/error.h"

#define VTB_RUN_DIR_MAX 512
#define VTB_SCENARIO_INI_NAME "scenario.ini"

/*
 * Creates a fresh directory root/<stamp>-<name> (root created if missing),
 * adding -2, -3, ... when that exists, and stores its path in out. Returns
 * 0, VTB_EIO, VTB_ERANGE or VTB_EEXIST.
 */
int vtb_run_dir_create(const char *root, const char *name, char *out, size_t size,
                       struct vtb_error *err);

/*
 * Writes RUN_DIR/scenario.ini: s resolved (vtb_scenario_write_ini) under a
 * header naming the vtbench version and the command line. Atomic.
 * Returns 0 or the error of writing it.
 */
int vtb_run_dir_write_scenario(const char *run_dir, const struct vtb_scenario *s,
                               const char *header, struct vtb_error *err);

#endif /* VTB_RUN_DIR_H */
