/* e2ekit-bench: every benchmark next to its baseline, in one run. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <e2ekit/crypto.h>

#include "bench.h"
#include "bench_internal.h"

struct group {
    const char *name;
    void (*run)(void);
};

static const struct group groups[] = {
    {"crypto", bench_crypto}, {"cipher", bench_cipher},     {"pubkey", bench_pubkey},
    {"signal", bench_signal}, {"whatsapp", bench_whatsapp}, {"telegram", bench_telegram}, {"viber", bench_viber},
    {"skype", bench_skype},   {"noise", bench_noise},
};

static void
print_machine(void)
{
    struct utsname u;
    char model[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0) {
                char *p = strchr(line, ':');
                if (p) {
                    snprintf(model, sizeof model, "%s", p + 2);
                    model[strcspn(model, "\n")] = 0;
                }
                break;
            }
        }
        fclose(f);
    }
    time_t t = time(NULL);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    if (uname(&u) == 0)
        printf("machine: %s, %s %s; AES-NI path: %s\n", model, u.sysname, u.machine,
               e2e_aes_has_aesni() ? "yes" : "no");
    printf("date: %s%s\n", date, bench_quick() ? " (BENCH_QUICK)" : "");
}

int
main(int argc, char **argv)
{
    const char *json = NULL;
    const char *only[16];
    size_t nonly = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
            json = argv[++i];
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc && nonly < 16) {
            only[nonly++] = argv[++i];
        } else {
            fprintf(stderr,
                    "usage: e2ekit-bench [--json FILE] [--only GROUP]...\n"
                    "groups: crypto cipher pubkey signal whatsapp telegram viber skype noise; BENCH_QUICK=1 for a "
                    "short run\n");
            return 1;
        }
    }
    print_machine();
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        int take = nonly == 0;
        for (size_t k = 0; k < nonly; k++)
            take |= strcmp(only[k], groups[g].name) == 0;
        if (take)
            groups[g].run();
    }
    if (json) {
        if (bench_write_json(json) != 0) {
            fprintf(stderr, "error: cannot write %s\n", json);
            return 3;
        }
        printf("\nresults written to %s\n", json);
    }
    return 0;
}
