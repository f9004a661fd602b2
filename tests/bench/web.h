/*  web: the socin-web stage of `make bench` — the dashboard's HTML at full scale and the
    requests per second socin-web serves, against the full-scale stack of stage A. */
#ifndef SOCIN_BENCH_WEB_H
#define SOCIN_BENCH_WEB_H

#include "stack.h"

/* Starts socin-web in HOME against the registry (REG_EP, UPD_EP) and reporting (QUERY_EP),
   signs in with a token issued to the admin (ADMIN_CERT), measures, records the results, and
   stops it. TRACK and UNTRACK register the daemon for the run's cleanup. */
void b_web_stage (const char *home, const char *reg_ep, const char *upd_ep, const char *query_ep,
                  const char *admin_cert, void (*track) (t_daemon_t *), void (*untrack) (t_daemon_t *));

#endif
