/*  clock: wall-clock and monotonic milliseconds. */
#ifndef SOCIN_CLOCK_H
#define SOCIN_CLOCK_H

#include <stdint.h>

/* Milliseconds since 1970-01-01 UTC; on the simulated day when SOCIN_TODAY was set (the time
   of day is real), as socin_date_today is. */
int64_t socin_now_ms (void);

/* Milliseconds on a clock that never jumps (for timeouts and durations). */
int64_t socin_mono_ms (void);

/* MS (milliseconds since 1970-01-01 UTC) as "YYYY-MM-DDTHH:MM:SSZ" in OUT; returns OUT. */
#define SOCIN_TIME_STRLEN 32
char *socin_time_text (int64_t ms, char out[SOCIN_TIME_STRLEN]);

#endif
