/*
 * `vtbench list`: the implementations, the shipped scenarios, every
 * scenario key and the reporters, all read from their one table each (the
 * implementation registry, the key table of scenario/keys.h, the reporter
 * list). With --plugin PATH the registry holds that plugin's
 * implementations too, shown with their file. `vtbench list --markdown`
 * prints the key reference of docs/scenarios.md from the same table; a test
 * checks that the committed document is current.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "console.h"
#include "messages.h"
#include "plugin.h"
#include "reporter.h"
#include "types.h"
#include "vtb/impl.h"

#define MAX_PLUGINS 64

/* The default as documented: the key's text, or what its absence means. */
static const char *default_of(const struct vtb_key *k)
{
    if (k->default_text != NULL)
        return k->default_text[0] != '\0' ? k->default_text : "(empty)";
    return k->doc_default != NULL ? k->doc_default : "(absent)";
}

/* The accepted values, from the key's bounds and its type's syntax note. */
static const char *accepted(const struct vtb_key *k, char *buf, size_t size)
{
    char range[256];
    k->type->range(k, range, sizeof(range));
    if (k->type->syntax != NULL)
        snprintf(buf, size, "%s; %s", range, k->type->syntax);
    else
        snprintf(buf, size, "%s", range);
    return buf;
}

static void list_keys(void)
{
    printf("\nscenario keys ([scenario] section; a comma-separated list in an axis key is a "
           "sweep):\n");
    for (size_t i = 0; i < VTB_KEY_COUNT; i++) {
        const struct vtb_key *k = &vtb_scenario_keys[i];
        char values[512];
        printf("  %-15s %-5s default %-12s accepts %s\n      %s\n", k->name, k->axis ? "axis" : "",
               default_of(k), accepted(k, values, sizeof(values)), k->help);
    }
}

static void print_markdown(void)
{
    printf("| key | default | accepted values | sweep | results.csv column | compare matches on "
           "it | meaning |\n|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < VTB_KEY_COUNT; i++) {
        const struct vtb_key *k = &vtb_scenario_keys[i];
        char values[512];
        printf("| `%s` | %s | %s | %s | %s | %s | %s |\n", k->name, default_of(k),
               accepted(k, values, sizeof(values)), k->axis ? "yes" : "no",
               k->column != NULL ? k->column : "-",
               k->flags & VTB_KEY_COMPARE ? "yes" : "-", k->help);
    }
}

static int list_everything(const struct vtb_plugin_registry *reg)
{
    printf("implementations:\n");
    for (size_t i = 0; i < vtb_plugin_registry_count(reg); i++) {
        const struct vtb_impl_ops *ops = vtb_plugin_registry_at(reg, i);
        const char *origin = vtb_plugin_registry_origin(reg, ops);
        /* A plugin's summary is optional. */
        printf("  %-12s %s", ops->name, ops->summary != NULL ? ops->summary : "");
        if (origin != NULL)
            printf(" (plugin %s)", origin);
        putchar('\n');
    }
    printf("\nshipped scenarios (scenarios/):\n");
    static const char *const shipped[] = {"default",      "quick",    "hit-ratio", "key-skew",
                                          "threads",      "articles", "open-loop", "miss-latency",
                                          "targets",      "soak",     "real-backend"};
    for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
        printf("  scenarios/%s.ini\n", shipped[i]);
    list_keys();
    printf("\nreporters:\n");
    for (size_t i = 0; i < vtb_reporter_count(); i++)
        printf("  %-11s %s\n", vtb_reporter_at(i)->name, vtb_reporter_at(i)->summary);
    printf("  %-11s %s\n", vtb_reporter_console.name, vtb_reporter_console.summary);
    return vtb_cli_stdout_status();
}

static void list_usage(FILE *out)
{
    fprintf(out, "usage: vtbench list [--plugin PATH]... [--markdown]\n\nPrints the "
                 "implementations (with those of each plugin), shipped scenarios,\nscenario keys "
                 "and reporters; with --markdown, the key reference table of\n"
                 "docs/scenarios.md.\n");
}

/* The arguments: --plugin's into plugins, --markdown. Returns an exit code,
 * VTB_EXIT_OK to go on, or -1 for --help (printed). */
static int parse_list_args(int argc, char **argv, const char **plugins, size_t *plugin_count,
                           bool *markdown)
{
    static const struct option long_options[] = {{"plugin", required_argument, NULL, 'P'},
                                                  {"markdown", no_argument, NULL, 'm'},
                                                  {"help", no_argument, NULL, 'h'},
                                                  {NULL, 0, NULL, 0}};
    optind = 1;
    int c;
    /* "+": stop at the first operand, which is then the one named as
     * unexpected, whatever options follow it. */
    while ((c = getopt_long(argc, argv, "+h", long_options, NULL)) != -1) {
        if (c == 'h') {
            list_usage(stdout);
            return -1;
        }
        if (c == 'm') {
            *markdown = true;
        } else if (c != 'P') {
            list_usage(stderr);
            return VTB_EXIT_USAGE;
        } else if (*plugin_count == MAX_PLUGINS) {
            vtb_cli_error("--plugin: at most %d", MAX_PLUGINS);
            return VTB_EXIT_USAGE;
        } else {
            plugins[(*plugin_count)++] = optarg;
        }
    }
    if (optind < argc) {
        vtb_cli_error("list: unexpected argument '%s'", argv[optind]);
        return VTB_EXIT_USAGE;
    }
    return VTB_EXIT_OK;
}

int vtb_cmd_list(int argc, char **argv)
{
    const char *plugins[MAX_PLUGINS];
    size_t plugin_count = 0;
    bool markdown = false;
    int code = parse_list_args(argc, argv, plugins, &plugin_count, &markdown);
    if (code != VTB_EXIT_OK)
        return code < 0 ? vtb_cli_stdout_status() : code;
    if (markdown) {
        print_markdown();
        return vtb_cli_stdout_status();
    }
    struct vtb_plugin_registry reg;
    struct vtb_error err;
    int rc = vtb_plugin_registry_init(&reg, &err);
    if (rc != 0)
        vtb_cli_error("%s", err.message);
    for (size_t i = 0; i < plugin_count && rc == 0; i++)
        if ((rc = vtb_plugin_registry_load(&reg, plugins[i], NULL, &err)) != 0)
            vtb_cli_error("--plugin: %s", err.message);
    if (rc == 0)
        code = list_everything(&reg);
    else
        code = rc == VTB_ENOMEM ? VTB_EXIT_RUN_FAILED : VTB_EXIT_USAGE;
    vtb_plugin_registry_fini(&reg);
    return code;
}
