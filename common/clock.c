/*  clock: wall-clock and monotonic milliseconds. See clock.h. */
#include "clock.h"

#include <stdlib.h>
#include <time.h>

#include "period.h"

/* With a simulated clock (SOCIN_TODAY), the wall clock runs on its day (the time of day stays
   real), so tests and demos can submit "late" or "on time" without waiting for the calendar. */
static int64_t
s_offset_ms (int64_t real)
{
    if (!socin_date_simulated ()) return 0;
    return (int64_t)socin_date_today () * 86400000 - (real / 86400000) * 86400000;
}

int64_t
socin_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    int64_t real = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return real + s_offset_ms (real);
}

int64_t
socin_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
socin_time_text (int64_t ms, char out[SOCIN_TIME_STRLEN])
{
    time_t t = (time_t) (ms / 1000);
    struct tm tm;
    gmtime_r (&t, &tm);
    strftime (out, SOCIN_TIME_STRLEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}
