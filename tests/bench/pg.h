/*  pg: the same workload through PostgreSQL, as a ministry would otherwise build it. */
#ifndef SOCIN_BENCH_PG_H
#define SOCIN_BENCH_PG_H

#include <stddef.h>

typedef struct {
    char dir[512];       /* an empty directory the server's user owns; the CSV files are in it */
    int reps;            /* repetitions of each query (fewer when one query is slow) */
    int lat_rate, lat_per_tx, lat_seconds, year;
    size_t backlog_values;
    long long expect_national; /* micros: the national roll-up socin must answer */
} b_pg_opts_t;

/* Runs every PostgreSQL figure and sets it beside socin's (b_result_set_pg). Skips, with a
   note, when PostgreSQL is not installed. */
void b_pg_run (const b_pg_opts_t *opts);

/* Immediate shutdown of the server this run started, if any (from a signal handler). */
void b_pg_emergency_stop (void);

/* The names of the five queries, as socin's figures call them. */
extern const char *const b_query_names[5];

#endif
