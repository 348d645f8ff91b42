/*
 * `vtbench list`: the implementations, the shipped scenarios, every
 * scenario key and the reporters, all read from their one table each (the
 * implementation registry, the key table of scenario/keys.h, the reporter
 * list). `vtbench list --markdown` prints the key reference of
 * docs/scenarios.md from the same table; a test checks that the committed
 * document is current.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "console.h"
#include "messages.h"
#include "reporter.h"
#include "types.h"
#include "vtb/impl.h"

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

static int list_everything(void)
{
    printf("implementations:\n");
    for (size_t i = 0; i < vtb_impl_count(); i++)
        printf("  %-12s %s\n", vtb_impl_at(i)->name, vtb_impl_at(i)->summary);
    printf("\nshipped scenarios (scenarios/):\n");
    static const char *const shipped[] = {"default",      "quick",    "hit-ratio", "key-skew",
                                          "threads",      "articles", "open-loop", "miss-latency",
                                          "targets",      "soak"};
    for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
        printf("  scenarios/%s.ini\n", shipped[i]);
    list_keys();
    printf("\nreporters:\n");
    for (size_t i = 0; i < vtb_reporter_count(); i++)
        printf("  %-11s %s\n", vtb_reporter_at(i)->name, vtb_reporter_at(i)->summary);
    printf("  %-11s %s\n", vtb_reporter_console.name, vtb_reporter_console.summary);
    return vtb_cli_stdout_status();
}

int vtb_cmd_list(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: vtbench list [--markdown]\n\nPrints the implementations, shipped "
               "scenarios, scenario keys and reporters;\nwith --markdown, the key reference "
               "table of docs/scenarios.md.\n");
        return vtb_cli_stdout_status();
    }
    if (argc == 2 && strcmp(argv[1], "--markdown") == 0) {
        print_markdown();
        return vtb_cli_stdout_status();
    }
    if (argc > 1) {
        vtb_cli_error("list: unexpected argument '%s'", argv[1]);
        return VTB_EXIT_USAGE;
    }
    return list_everything();
}
