/* include/archase/archase.h — the whole public API in one include. */
#ifndef ARCHASE_H
#define ARCHASE_H

#include "archase/version.h"
#include "archase/common.h"
#include "archase/errors.h"
#include "archase/diag.h"
#include "archase/money.h"
#include "archase/date.h"
#include "archase/tz.h"
#include "archase/hash.h"
#include "archase/ledger.h"
#include "archase/batch.h"
#include "archase/engine.h"
#include "archase/io.h"
#include "archase/audit.h"
#include "archase/approval.h"
#include "archase/policy.h"
#include "archase/evaluate.h"
#include "archase/promise.h"
#include "archase/dispute.h"
#include "archase/recon.h"
#include "archase/credit.h"
#include "archase/lifecycle.h"
#include "archase/cycle.h"
#include "archase/worklist.h"
#include "archase/kpi.h"
#include "archase/forecast.h"
#include "archase/replay.h"

#endif
