/*  progress: the measure progress items of a submission (Submission.measures), checked
    against the registry replica: a known plan and measure, a plan owned inside the
    submitter's territory (and this ingest's), a well-formed period inside the plan's window
    that has begun and is not locked (the plan's lock_days after it ends), one of the five
    statuses, amounts by known funding sources as exact decimals of at least 0, an output
    value as an exact decimal, a comment of valid UTF-8 within 1,000 bytes, and no other item
    of the batch with the same (plan, measure, period). Accepted items are kept in canonical
    form (amounts in their shortest exact text, sources in order), so that a resend of the
    same facts in other words changes nothing.
*/
#ifndef SOCIN_INGEST_PROGRESS_H
#define SOCIN_INGEST_PROGRESS_H

#include "validate.h"

/* Checks every measure item of SUB into OUT->measures (freed with the rest of OUT by
   ing_checked_free); conflicts go to OUT, after those of ing_validate. */
void ing_progress_validate (const ing_context_t *ctx, const Socin__V1__Submission *sub,
                            ing_checked_t *out);

#endif
