/* libarchase/core/crashpoint.h — named crash points for the reliability
 * tests. Built only with `-Dcrashpoints=true` (never in a release): then
 * AR_CRASHPOINT("cycle.after_commit") kills the process with SIGKILL when the
 * environment variable ARCHASE_CRASH_AT names that point ("NAME", or
 * "NAME:N" for its Nth passage). Otherwise it compiles to nothing.
 *
 * Points in the library (docs/cycle.md, "Crash points"):
 *   cycle.mid_transaction     the cycle's transaction is written, not committed
 *   cycle.after_commit        committed, nothing dispatched yet
 *   dispatch.after_claim      items claimed (sending), none handed over
 *   dispatch.after_send       handed to the transport, not acknowledged */
#ifndef AR_CORE_CRASHPOINT_H
#define AR_CORE_CRASHPOINT_H

#ifdef ARCHASE_CRASHPOINTS
void ar_crashpoint(const char *name);
#define AR_CRASHPOINT(name) ar_crashpoint(name)
#else
#define AR_CRASHPOINT(name) ((void)0)
#endif

#endif
