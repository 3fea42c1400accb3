/* bench_proc.h: what the benchmarks that drive `quoter exchange` share: pinning a process to
 * a core, and reading the demo account's key from examples/exchange.ini. Include after
 * defining _GNU_SOURCE (sched_setaffinity). */
#ifndef Q_BENCH_PROC_H
#define Q_BENCH_PROC_H

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* pid on one core, or on every core when cpu < 0 */
static void pin(pid_t pid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu < 0)
        for (int i = 0; i < CPU_SETSIZE; i++) CPU_SET(i, &set);
    else
        CPU_SET(cpu, &set);
    sched_setaffinity(pid, sizeof set, &set);
}

/* the value of a "name = value" line of an INI file ("" when absent) */
static void ini_value(const char *path, const char *name, char *out, size_t cap) {
    FILE *f = fopen(path, "r");
    char line[512];
    out[0] = 0;
    while (f && fgets(line, sizeof line, f)) {
        size_t n = strlen(name);
        if (!strncmp(line, name, n) && !strncmp(line + n, " = ", 3)) {
            snprintf(out, cap, "%s", line + n + 3);
            out[strcspn(out, "\r\n")] = 0;
            break;
        }
    }
    if (f) fclose(f);
}

#endif
