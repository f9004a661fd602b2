/*  workload: the benchmark's deterministic data.

    Territory: every municipality of ČSÚ's "Struktura území ČR" (6,258), with its ORP and
    kraj, and its population. Values: 40 monthly indicators (32 sums, and two each of
    average, max and last, one population-weighted average and one min) for each
    municipality and month; each value is a hash of (indicator, unit, year, month), so a run
    and its check agree without storing anything. Events: about one municipality in four
    holds one to three participatory events a year.
*/
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "csv.h"
#include "socin/v1/ingest.pb-c.h"

/* ---- indicators ---- */

static const char *s_agg[B_NIND] = {
    "sum", "sum", "sum", "sum", "sum", "sum", "sum", "sum", "sum", "sum",
    "sum", "sum", "sum", "sum", "sum", "sum", "sum", "sum", "sum", "sum",
    "sum", "sum", "sum", "sum", "sum", "sum", "sum", "sum", "sum", "sum",
    "sum", "sum", "average", "average", "max", "max", "last", "last", "weighted_average", "min",
};

const char *
b_ind_code (int i)
{
    static char codes[B_NIND][16];
    if (!codes[i][0]) snprintf (codes[i], sizeof codes[i], "BENCH_%02d", (i + 1) % 100);
    return codes[i];
}

const char *
b_ind_aggregation (int i)
{
    return s_agg[i];
}

bool
b_ind_decimal (int i)
{
    return !strcmp (s_agg[i], "average") || !strcmp (s_agg[i], "weighted_average") || !strcmp (s_agg[i], "min");
}

void
b_write_catalogue (const char *path, const char *default_catalogue)
{
    FILE *in = fopen (default_catalogue, "r"), *out = fopen (path, "w");
    if (!in || !out) b_fail ("cannot read %s or write %s", default_catalogue, path);
    char buf[65536];
    size_t n;
    while ((n = fread (buf, 1, sizeof buf, in)) > 0) fwrite (buf, 1, n, out);
    fclose (in);
    fprintf (out, "\n# ---------------------------------------------------------------- benchmark (tests/bench)\n");
    for (int i = 0; i < B_NIND; i++) {
        fprintf (out,
                 "\n[indicator %s]\nname_cs = Srovnávací ukazatel %d\nname_en = Benchmark indicator %d\n"
                 "measure = %s\ntype = %s\naggregation = %s\nrange = 0..1000000\narea = benchmark\n"
                 "period = monthly\n",
                 b_ind_code (i), i + 1, i + 1, b_ind_decimal (i) ? "CZK" : "persons",
                 b_ind_decimal (i) ? "decimal" : "integer", s_agg[i]);
    }
    fprintf (out, "\n[dataset DS_BENCH]\nname = Srovnávací výkaz (měsíční)\nperiod = monthly\nindicators = ");
    for (int i = 0; i < B_NIND; i++) fprintf (out, "%s%s", i ? ", " : "", b_ind_code (i));
    /* Twenty years before a period locks: the benchmark also writes earlier years. */
    fprintf (out, "\nterritories = CZ\nlevel = municipality\ndeadline = 30\ntimely = 15\nlock = 7300\n");
    if (fclose (out)) b_fail ("cannot write %s", path);
}

/* ---- territory ---- */

char *
b_slurp (const char *path, size_t *len)
{
    FILE *f = fopen (path, "rb");
    if (!f) b_fail ("cannot read %s", path);
    fseek (f, 0, SEEK_END);
    long size = ftell (f);
    fseek (f, 0, SEEK_SET);
    char *data = malloc ((size_t) size + 1);
    if (!data || fread (data, 1, (size_t) size, f) != (size_t) size) b_fail ("cannot read %s", path);
    fclose (f);
    data[size] = 0;
    *len = (size_t) size;
    return data;
}

static int
s_col (char **fields, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (!strcmp (fields[i], name)) return (int) i;
    return -1;
}

static int
s_unit_cmp (const void *a, const void *b)
{
    const b_unit_t *x = a, *y = b;
    int c = strcmp (x->kraj, y->kraj);
    return c ? c : strcmp (x->code, y->code);
}

static const b_unit_t *s_sort_units;

static int
s_code_cmp (const void *a, const void *b)
{
    return strcmp (s_sort_units[*(const int *) a].code, s_sort_units[*(const int *) b].code);
}

void
b_territory_load (b_territory_t *t, const char *csv, const char *population)
{
    memset (t, 0, sizeof *t);
    size_t len;
    char *data = b_slurp (csv, &len), err[256];
    socin_csv_t *r = socin_csv_new (data, len);
    char **f;
    size_t count;
    int c_obec = -1, c_orp = -1, c_kraj = -1, cap = 0;
    while (socin_csv_next (r, &f, &count, err, sizeof err) == 1) {
        if (c_obec < 0) {
            c_obec = s_col (f, count, "obec_kod");
            c_orp = s_col (f, count, "orp_csu_cis65_kod");
            c_kraj = s_col (f, count, "kraj_csu_cis108_nuts_kod");
            if (c_obec < 0 || c_orp < 0 || c_kraj < 0) b_fail ("%s: unexpected columns", csv);
            continue;
        }
        if ((size_t) c_kraj >= count) continue;
        if (t->nunits == cap) {
            cap = cap ? cap * 2 : 8192;
            t->units = realloc (t->units, (size_t) cap * sizeof *t->units);
        }
        b_unit_t *u = &t->units[t->nunits++];
        memset (u, 0, sizeof *u);
        snprintf (u->code, sizeof u->code, "%s", f[c_obec]);
        snprintf (u->orp, sizeof u->orp, "%s", f[c_orp]);
        snprintf (u->kraj, sizeof u->kraj, "%s", f[c_kraj]);
    }
    socin_csv_destroy (&r);
    free (data);
    qsort (t->units, (size_t) t->nunits, sizeof *t->units, s_unit_cmp);
    for (int i = 0; i < t->nunits; i++) {
        if (!t->nkraje || strcmp (t->kraje[t->nkraje - 1], t->units[i].kraj)) {
            if (t->nkraje == 16) b_fail ("more than 16 kraje in %s", csv);
            snprintf (t->kraje[t->nkraje], sizeof t->kraje[0], "%s", t->units[i].kraj);
            t->kraj_first[t->nkraje++] = i;
        }
        t->units[i].kraj_idx = t->nkraje - 1;
        t->kraj_count[t->nkraje - 1]++;
    }
    /* Population: obec_kod,pocet_obyvatel (units without one weigh 0). */
    int *by_code = malloc ((size_t) t->nunits * sizeof *by_code);
    for (int i = 0; i < t->nunits; i++) by_code[i] = i;
    s_sort_units = t->units;
    qsort (by_code, (size_t) t->nunits, sizeof *by_code, s_code_cmp);
    data = b_slurp (population, &len);
    r = socin_csv_new (data, len);
    while (socin_csv_next (r, &f, &count, err, sizeof err) == 1) {
        if (count < 2) continue;
        for (int lo = 0, hi = t->nunits - 1; lo <= hi;) {
            int mid = (lo + hi) / 2, c = strcmp (t->units[by_code[mid]].code, f[0]);
            if (c == 0) {
                t->units[by_code[mid]].population = atoll (f[1]);
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
    }
    free (by_code);
    socin_csv_destroy (&r);
    free (data);
}

/* ---- values and events ---- */

static uint64_t
s_mix (uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t
s_hash (int a, int b, int c, int d)
{
    return s_mix (((uint64_t) (uint32_t) a << 48) ^ ((uint64_t) (uint32_t) b << 24) ^
                  ((uint64_t) (uint32_t) c << 8) ^ (uint64_t) (uint32_t) d);
}

int64_t
b_value_micros (int ind, int unit, int year, int month)
{
    uint64_t h = s_hash (ind, unit, year, month);
    if (b_ind_decimal (ind)) return (int64_t) (h % 100000) * 10000; /* 0.00 .. 999.99 */
    return (int64_t) (h % 5000) * 1000000;
}

void
b_value_text (int ind, int unit, int year, int month, char *out, size_t len)
{
    int64_t m = b_value_micros (ind, unit, year, month);
    if (b_ind_decimal (ind))
        snprintf (out, len, "%lld.%02lld", (long long) (m / 1000000), (long long) (m / 10000 % 100));
    else
        snprintf (out, len, "%lld", (long long) (m / 1000000));
}

int
b_events_of (int unit, int year)
{
    uint64_t h = s_hash (1000, unit, year, 77);
    return h % 4 == 0 ? 1 + (int) (h / 4 % 3) : 0;
}

void
b_event (int unit, int year, int k, b_event_t *out)
{
    uint64_t h = s_hash (2000 + k, unit, year, 99);
    memset (out, 0, sizeof *out);
    snprintf (out->id, sizeof out->id, "ev-%d-%d", year, k + 1);
    snprintf (out->date, sizeof out->date, "%04d-%02d-%02d", year, (int) (h % 12) + 1, (int) (h / 12 % 28) + 1);
    out->type = 1 + (int) (h / 400 % 6);
    out->open = (h >> 20) % 3 != 0;
    out->participants = 5 + (uint32_t) (h >> 24) % 200;
    out->roma = (uint32_t) (h >> 40) % (out->participants / 2 + 1);
}

/* ---- item lists ---- */

static void
s_push (b_items_t *out, b_item_t it)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 1 << 20;
        out->items = realloc (out->items, out->cap * sizeof *out->items);
        if (!out->items) b_fail ("out of memory");
    }
    out->items[out->n++] = it;
}

void
b_items_feed (b_items_t *out, const b_territory_t *t, int kraj, int year, int from, int to, bool events)
{
    for (int k = 0; k < t->nkraje; k++) {
        if (kraj >= 0 && k != kraj) continue;
        int first = t->kraj_first[k], n = t->kraj_count[k];
        for (int m = from; m <= to; m++)
            for (int u = first; u < first + n; u++)
                for (int i = 0; i < B_NIND; i++)
                    s_push (out, (b_item_t) {(uint16_t) u, 0, (uint8_t) i, (uint8_t) m, (uint16_t) year});
        if (events)
            for (int u = first; u < first + n; u++)
                for (int e = 0; e < b_events_of (u, year); e++)
                    s_push (out, (b_item_t) {(uint16_t) u, 1, (uint8_t) e, 0, (uint16_t) year});
    }
}

void
b_items_shuffle (b_items_t *items, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = items->n; i > 1; i--) {
        s = s_mix (s);
        size_t j = (size_t) (s % i);
        b_item_t tmp = items->items[i - 1];
        items->items[i - 1] = items->items[j];
        items->items[j] = tmp;
    }
}

void
b_items_free (b_items_t *items)
{
    free (items->items);
    memset (items, 0, sizeof *items);
}

/* ---- packing ---- */

/* Packs BODY as submission S of OUT, its id TAG-S, into SUB. */
static void
s_pack_one (b_sub_t *sub, Socin__V1__Submission *body, const char *tag, size_t s, b_subs_t *out)
{
    snprintf (sub->id, sizeof sub->id, "%s-%06zu", tag, s);
    body->submission_id = sub->id;
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = sub->id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = body;
    sub->len = socin__v1__ingest_request__get_packed_size (&req);
    sub->data = malloc (sub->len);
    if (!sub->data) b_fail ("out of memory");
    socin__v1__ingest_request__pack (&req, sub->data);
    out->bytes += sub->len;
}

void
b_pack (b_subs_t *out, const b_items_t *items, const b_territory_t *t, size_t per, const char *tag)
{
    memset (out, 0, sizeof *out);
    size_t nsubs = (items->n + per - 1) / per;
    out->subs = calloc (nsubs ? nsubs : 1, sizeof *out->subs);
    Socin__V1__DataValue *values = calloc (per, sizeof *values);
    Socin__V1__DataValue **vptr = calloc (per, sizeof *vptr);
    Socin__V1__ParticipationEvent *events = calloc (per, sizeof *events);
    Socin__V1__ParticipationEvent **eptr = calloc (per, sizeof *eptr);
    Socin__V1__GroupParticipants *groups = calloc (per, sizeof *groups);
    Socin__V1__GroupParticipants **gptr = calloc (per, sizeof *gptr);
    b_event_t *ev = calloc (per, sizeof *ev);
    char (*text)[2][16] = calloc (per, sizeof *text);
    if (!out->subs || !values || !vptr || !events || !eptr || !groups || !gptr || !ev || !text)
        b_fail ("out of memory");
    for (size_t s = 0; s < nsubs; s++) {
        size_t lo = s * per, hi = lo + per < items->n ? lo + per : items->n, nv = 0, ne = 0;
        for (size_t i = lo; i < hi; i++) {
            const b_item_t *it = &items->items[i];
            const b_unit_t *u = &t->units[it->unit];
            if (it->kind == 0) {
                Socin__V1__DataValue *v = &values[nv];
                socin__v1__data_value__init (v);
                v->indicator = (char *) b_ind_code (it->ind);
                v->unit = (char *) u->code;
                snprintf (text[nv][0], sizeof text[0][0], "%04d%02d", it->year, it->month);
                b_value_text (it->ind, it->unit, it->year, it->month, text[nv][1], sizeof text[0][1]);
                v->period = text[nv][0];
                v->value = text[nv][1];
                vptr[nv] = v;
                nv++;
            }
            else {
                b_event_t *e = &ev[ne];
                b_event (it->unit, it->year, it->ind, e);
                Socin__V1__ParticipationEvent *p = &events[ne];
                socin__v1__participation_event__init (p);
                p->event_id = e->id;
                p->unit = (char *) u->code;
                p->date = e->date;
                p->type = (Socin__V1__EventType) e->type;
                p->topic = "housing";
                p->participants = e->participants;
                p->open_to_public = e->open;
                socin__v1__group_participants__init (&groups[ne]);
                groups[ne].group = "roma";
                groups[ne].participants = e->roma;
                gptr[ne] = &groups[ne];
                p->vulnerable = &gptr[ne];
                p->n_vulnerable = 1;
                eptr[ne] = p;
                ne++;
            }
        }
        b_sub_t *sub = &out->subs[s];
        Socin__V1__Submission body = SOCIN__V1__SUBMISSION__INIT;
        body.values = vptr;
        body.n_values = nv;
        body.events = eptr;
        body.n_events = ne;
        s_pack_one (sub, &body, tag, s, out);
        sub->nvalues = (uint32_t) nv;
        sub->nevents = (uint32_t) ne;
        out->values += nv;
        out->events += ne;
    }
    out->n = nsubs;
    free (values);
    free (vptr);
    free (events);
    free (eptr);
    free (groups);
    free (gptr);
    free (ev);
    free (text);
}

void
b_subs_free (b_subs_t *subs)
{
    for (size_t i = 0; i < subs->n; i++) free (subs->subs[i].data);
    free (subs->subs);
    memset (subs, 0, sizeof *subs);
}

/* ---- CSV for PostgreSQL ---- */

size_t
b_write_values_csv (const b_items_t *items, const b_territory_t *t, const char *path)
{
    FILE *f = fopen (path, "w");
    if (!f) b_fail ("cannot write %s", path);
    static char buf[1 << 20];
    setvbuf (f, buf, _IOFBF, sizeof buf);
    size_t rows = 0;
    char value[32];
    for (size_t i = 0; i < items->n; i++) {
        const b_item_t *it = &items->items[i];
        if (it->kind) continue;
        b_value_text (it->ind, it->unit, it->year, it->month, value, sizeof value);
        fprintf (f, "%s,%s,%04d%02d,,%s\n", b_ind_code (it->ind), t->units[it->unit].code, it->year,
                 it->month, value);
        rows++;
    }
    if (fclose (f)) b_fail ("cannot write %s", path);
    return rows;
}

/* The plans' owners: each kraj, then each municipality of at least 10,000 inhabitants. Fills
   OWNER (a unit code) and KIND for plan I; false past the last. */
static bool
s_plan (const b_territory_t *t, int i, const char **owner, bool *rap)
{
    if (i < t->nkraje) {
        *owner = t->kraje[i];
        *rap = true;
        return true;
    }
    for (int u = 0, k = t->nkraje; u < t->nunits; u++)
        if (t->units[u].population >= 10000 && k++ == i) {
            *owner = t->units[u].code;
            *rap = false;
            return true;
        }
    return false;
}

size_t
b_write_plans_csv (const b_territory_t *t, int from, int to, const char *path)
{
    FILE *f = fopen (path, "w");
    if (!f) b_fail ("cannot write %s", path);
    fprintf (f, "plan,kind,name,owner,valid_from,valid_to,areas,participative,lock_days,measure,title,area,"
                "start,end,budget_own,budget_ope_plus,output_indicator,output_target\n");
    static const char *areas[] = {"housing", "employment", "education", "social_services", "participation"};
    size_t measures = 0;
    const char *owner;
    bool rap;
    for (int i = 0; s_plan (t, i, &owner, &rap); i++) {
        int n = rap ? B_RAP_MEASURES : B_LAP_MEASURES;
        for (int m = 1; m <= n; m++) {
            fprintf (f, "%s-%s,%s,%s %s,%s,%d-01-01,%d-12-31,\"housing, employment\",true,0,%d,Opatření %d,%s,"
                        "%d-01-01,%d-12-31,%d,%d.50,persons supported,%d\n",
                     rap ? "RAP" : "LAP", owner, rap ? "rap" : "lap", rap ? "Regionální akční plán" : "Lokální akční plán",
                     owner, owner, from, to, m, m, areas[m % 5], from, to, 100000 * m, 50000 * m, 10 * m);
            measures++;
        }
    }
    if (fclose (f)) b_fail ("cannot write %s", path);
    return measures;
}

void
b_pack_progress (b_subs_t *out, const b_territory_t *t, int year, int last_year, size_t per, const char *tag)
{
    memset (out, 0, sizeof *out);
    /* Every measure, every quarter: counted first, then packed PER to a submission. */
    size_t total = 0;
    const char *owner;
    bool rap;
    for (int i = 0; s_plan (t, i, &owner, &rap); i++) total += 4 * (rap ? B_RAP_MEASURES : B_LAP_MEASURES);
    typedef struct {
        char plan[32], measure[8], period[8], spent[24], output[16];
        Socin__V1__FundingAmount amount;
        Socin__V1__FundingAmount *amounts[1];
        Socin__V1__MeasureProgress p;
    } s_report_t;
    s_report_t *r = calloc (total ? total : 1, sizeof *r);
    Socin__V1__MeasureProgress **ptr = calloc (total ? total : 1, sizeof *ptr);
    if (!r || !ptr) b_fail ("out of memory");
    size_t n = 0;
    for (int i = 0; s_plan (t, i, &owner, &rap); i++)
        for (int m = 1; m <= (rap ? B_RAP_MEASURES : B_LAP_MEASURES); m++)
            for (int q = 1; q <= 4; q++, n++) {
                s_report_t *x = &r[n];
                snprintf (x->plan, sizeof x->plan, "%s-%s", rap ? "RAP" : "LAP", owner);
                snprintf (x->measure, sizeof x->measure, "%d", m);
                snprintf (x->period, sizeof x->period, "%dQ%d", year, q);
                /* Spent so far, cumulative: a tenth of the own budget a year. */
                snprintf (x->spent, sizeof x->spent, "%d", 10000 * m * (year - (last_year - 9)) + 2500 * m * q);
                snprintf (x->output, sizeof x->output, "%d", m * (year - (last_year - 9)) + q);
                socin__v1__funding_amount__init (&x->amount);
                x->amount.source = SOCIN__V1__FUNDING_SOURCE__FUNDING_SOURCE_OWN;
                x->amount.amount = x->spent;
                x->amounts[0] = &x->amount;
                socin__v1__measure_progress__init (&x->p);
                x->p.plan = x->plan;
                x->p.measure = x->measure;
                x->p.period = x->period;
                x->p.status = year == last_year && q == 4 ? SOCIN__V1__MEASURE_STATUS__MEASURE_STATUS_DONE
                                                          : SOCIN__V1__MEASURE_STATUS__MEASURE_STATUS_IN_PROGRESS;
                x->p.spent = x->amounts;
                x->p.n_spent = 1;
                x->p.output_value = x->output;
                ptr[n] = &x->p;
            }
    size_t nsubs = (total + per - 1) / per;
    out->subs = calloc (nsubs ? nsubs : 1, sizeof *out->subs);
    if (!out->subs) b_fail ("out of memory");
    for (size_t s = 0; s < nsubs; s++) {
        size_t lo = s * per, hi = lo + per < total ? lo + per : total;
        b_sub_t *sub = &out->subs[s];
        Socin__V1__Submission body = SOCIN__V1__SUBMISSION__INIT;
        body.measures = ptr + lo;
        body.n_measures = hi - lo;
        s_pack_one (sub, &body, tag, s, out);
        sub->nmeasures = (uint32_t) (hi - lo);
        out->measures += hi - lo;
    }
    out->n = nsubs;
    free (ptr);
    free (r);
}

size_t
b_write_events_csv (const b_items_t *items, const b_territory_t *t, const char *path)
{
    FILE *f = fopen (path, "w");
    if (!f) b_fail ("cannot write %s", path);
    size_t rows = 0;
    for (size_t i = 0; i < items->n; i++) {
        const b_item_t *it = &items->items[i];
        if (!it->kind) continue;
        b_event_t e;
        b_event (it->unit, it->year, it->ind, &e);
        fprintf (f, "%s,%s,%s,%d,%s,%u,%u\n", t->units[it->unit].code, e.id, e.date, e.type,
                 e.open ? "t" : "f", e.participants, e.roma);
        rows++;
    }
    if (fclose (f)) b_fail ("cannot write %s", path);
    return rows;
}
