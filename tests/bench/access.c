/*  access: the bench stage of pivots and exports. See access.h. */
#include "access.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "exportrow.h"
#include "socin/v1/report.pb-c.h"

#define PIVOT_REPS 100

static void
s_pivot (socin_client_t *c)
{
    char *dx[10], *pe[] = {"202501..202512"}, *ou[] = {"CZ", "LEVEL-kraj"}, err[512];
    for (int i = 0; i < 10; i++)
        dx[i] = (char *)b_ind_code (i);
    Socin__V1__PivotQuery q = SOCIN__V1__PIVOT_QUERY__INIT;
    q.dx = dx, q.n_dx = 10, q.pe = pe, q.n_pe = 1, q.ou = ou, q.n_ou = 2;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.request_id = "pivot";
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PIVOT;
    req.pivot = &q;
    b_samples_t lat = {0};
    size_t cells = 0;
    for (int rep = 0; rep < PIVOT_REPS + 5; rep++) {
        int64_t t0 = b_now_us ();
        Socin__V1__ReportReply *r = (Socin__V1__ReportReply *)socin_client_call (
            c, &req.base, &socin__v1__report_reply__descriptor, 30000, err, sizeof err);
        int64_t t1 = b_now_us ();
        if (!r || r->error || !r->pivot)
            b_fail ("pivot: %s", r && r->error ? r->error->message : err);
        cells = r->pivot->n_cells;
        if (rep >= 5) b_samples_add (&lat, (double)(t1 - t0) / 1000.0);
        protobuf_c_message_free_unpacked (&r->base, NULL);
    }
    char note[200];
    snprintf (note, sizeof note,
              "%zu cells (14 kraje x 12 months x 10 indicators), %d repetitions, one in flight",
              cells, PIVOT_REPS);
    b_result ("access", "pivot 14 kraje x 12 months x 10 indicators: median", "ms", B_LOWER,
              b_percentile (&lat, 50), NAN, 5.0, note);
    b_note ("  pivot of %zu cells: median %.3f ms, p99 %.3f ms", cells, b_percentile (&lat, 50),
            b_percentile (&lat, 99));
    b_samples_free (&lat);
}

static void
s_export (socin_client_t *c, double expect_values)
{
    char *pe[] = {"2025"}, err[512];
    Socin__V1__ExportQuery q = SOCIN__V1__EXPORT_QUERY__INIT;
    q.pe = pe, q.n_pe = 1, q.page_values = 100000, q.rows = true;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.request_id = "export";
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_EXPORT;
    req.export = &q;
    uint64_t values = 0, pages = 0;
    uint8_t *token = NULL;
    socin_export_row_t row = SOCIN_EXPORT_ROW_INIT;
    int64_t t0 = b_now_us ();
    for (bool more = true; more; pages++) {
        Socin__V1__ReportReply *r = (Socin__V1__ReportReply *)socin_client_call (
            c, &req.base, &socin__v1__report_reply__descriptor, 60000, err, sizeof err);
        if (!r || r->error || !r->export)
            b_fail ("export: %s", r && r->error ? r->error->message : err);
        /* Every value is read, as a client writing it out would. */
        size_t at = 0;
        int rc;
        while ((rc = socin_export_row_next (&row, r->export->rows.data, r->export->rows.len,
                                            &at)) == 1)
            values += *row.value.value != 0;
        if (rc) b_fail ("export: page %llu is not readable", (unsigned long long)pages);
        more = r->export->more;
        free (token);
        token = malloc (r->export->next.len + 1);
        if (!token) b_fail ("export: out of memory");
        memcpy (token, r->export->next.data, r->export->next.len);
        q.after.data = token;
        q.after.len = r->export->next.len;
        protobuf_c_message_free_unpacked (&r->base, NULL);
    }
    double secs = (double)(b_now_us () - t0) / 1e6;
    free (token);
    socin_export_row_free (&row);
    char note[200];
    snprintf (note, sizeof note,
              "%llu values in %llu pages of 100,000 (expected %.0f), packed in rows, each read by "
              "the client",
              (unsigned long long)values, (unsigned long long)pages, expect_values);
    b_result ("access", "export of the year, streamed", "values/s", B_HIGHER, values / secs, NAN,
              1000000, note);
    b_note ("  export: %llu values in %.2f s (%.0f values/s)", (unsigned long long)values, secs,
            values / secs);
}

void
b_access_stage (socin_client_t *c, double expect_values)
{
    s_pivot (c);
    s_export (c, expect_values);
}
