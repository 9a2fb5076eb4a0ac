/* libarchase/core/version.c — the run-time library version. */
#include "archase/common.h"

int archase_version(void) {
    return ARCHASE_VERSION_NUMBER;
}

const char *archase_version_string(void) {
    return ARCHASE_VERSION_STRING;
}
