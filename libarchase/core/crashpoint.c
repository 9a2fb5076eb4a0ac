/* libarchase/core/crashpoint.c — named crash points (crashpoint.h). */
#include "core/crashpoint.h"

#ifdef ARCHASE_CRASHPOINTS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ar_crashpoint(const char *name) {
    static unsigned long passages;
    const char *at = getenv("ARCHASE_CRASH_AT");
    if (!at)
        return;
    size_t len = strlen(name);
    if (strncmp(at, name, len) != 0 || (at[len] != '\0' && at[len] != ':'))
        return;
    unsigned long nth = at[len] == ':' ? strtoul(at + len + 1, NULL, 10) : 1;
    if (++passages == nth)
        raise(SIGKILL);
}
#else
typedef int ar_crashpoint_unused;
#endif
