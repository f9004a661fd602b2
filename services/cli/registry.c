/*  registry: socin registry ACTION — imports, listings and keys of the registry. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "options.h"
#include "input.h"
#include "mem.h"
#include "model.h"
#include "plan.h"
#include "plans.h"
#include "str.h"
#include "wire.h"
#include "socin/v1/registry.pb-c.h"

enum {
    O_UNDER,
    O_LEVEL,
    O_AS_OF,
    O_UNIT,
    O_AREA,
    O_KEY,
    O_TERRITORY,
    O_DATASET,
    O_ROLE,
    O_VALID_FROM,
    O_DRY_RUN,
    O_OWNER,
    O_KIND,
    O_RENAME,
    O_CLOSE_ON,
    O_MOVE_TO,
    O_MOVE_FROM,
    O_HISTORY,
    O_IMPORTANCE
};

static const cli_opt_t s_opts[] = {
    {"under", true, false, "list units under this unit (default CZ)"},
    {"level", true, false, "list units of this level"},
    {"as-of", true, false, "units valid on this day (default today; * for all ever)"},
    {"unit", true, false, "list the data sets this unit reports"},
    {"area", true, false, "list the indicators of this policy area"},
    {"key", true, false, "certificate file (or Z85 public key) of the submitter or peer"},
    {"territory", true, true,
     "unit codes (several, or comma-separated) a submitter may report for, or a reader may "
     "query (default: a reader reads the whole country)"},
    {"dataset", true, true, "data sets a submitter may report (default all)"},
    {"role", true, false, "a peer's role: admin, reader, ingest, reporting"},
    {"valid-from", true, false,
     "the day a territory edition (default: the file's) or a districts list takes effect"},
    {"dry-run", false, false, "check only, change nothing"},
    {"owner", true, false, "list the plans owned under this unit or by this group"},
    {"kind", true, false, "list the plans of this kind: strategic, lap, rap, kpss, ..."},
    {"rename", true, false, "edit-unit: the unit's new official name"},
    {"close-on", true, false, "edit-unit: the unit's last day"},
    {"move-to", true, true, "edit-unit: the unit's new parents (a municipality: ORP and okres)"},
    {"move-from", true, false, "edit-unit: the day the new parents take effect"},
    {"history", false, false, "show: the unit's earlier versions too"},
    {"importance", true, false, "list the validation rules of this importance: high, medium, low"},
    {NULL},
};

static const char *s_usage =
    "socin registry import-territory FILE [--valid-from DAY] | import-population FILE |\n"
    "       import-catalogue FILE | import-plans FILE | import-districts FILE [--valid-from DAY] "
    "|\n"
    "       import-groups FILE |\n"
    "       edit-unit CODE [--rename NAME] [--close-on DAY] [--move-to CODE... --move-from DAY] |\n"
    "       list units|indicators|datasets|submitters|targets|groups|dimensions|plans|rules |\n"
    "       show UNIT [--history] | show plan CODE | show rule CODE |\n"
    "       add-submitter NAME --key FILE --territory CODE... |\n"
    "       add-peer NAME --key FILE --role ROLE [--territory CODE,...]";

Socin__V1__RegistryReply *
cli_registry_call (cli_t *cli, Socin__V1__RegistryRequest *req, int *rc)
{
    req->request_id = "registry";
    Socin__V1__RegistryReply *reply = (Socin__V1__RegistryReply *)cli_call (
        cli, "registry", &req->base, &socin__v1__registry_reply__descriptor, rc);
    if (!reply) return NULL;
    if (reply->error) {
        cli_error ("%s: %s", socin_error_name (reply->error->code), reply->error->message);
        protobuf_c_message_free_unpacked (&reply->base, NULL);
        *rc = CLI_FAILED;
        return NULL;
    }
    *rc = CLI_OK;
    return reply;
}

static int
s_print_changes (cli_t *cli, Socin__V1__RegistryReply *reply)
{
    const Socin__V1__ChangeSummary *c = reply->changes;
    if (cli->format == OUT_JSON)
        printf ("{\"added\": %u, \"updated\": %u, \"unchanged\": %u, \"closed\": %u, \"seq\": "
                "%llu, \"dry_run\": %s}\n",
                c->added, c->updated, c->unchanged, c->closed, (unsigned long long)c->seq,
                c->dry_run ? "true" : "false");
    else if (cli->format == OUT_CSV)
        printf ("added,updated,unchanged,closed,seq,dry_run\n%u,%u,%u,%u,%llu,%s\n", c->added,
                c->updated, c->unchanged, c->closed, (unsigned long long)c->seq,
                c->dry_run ? "true" : "false");
    else
        printf ("%sadded %u, updated %u, unchanged %u, closed %u (registry seq %llu)\n",
                c->dry_run ? "dry run: would have " : "", c->added, c->updated, c->unchanged,
                c->closed, (unsigned long long)c->seq);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return CLI_OK;
}

/* One row per record (a dimension: per option), in a table the first record makes. */
static void
s_unit_row (out_table_t **out, const socin_record_t *r)
{
    static const char *cols[] = {"code",         "level",          "name",       "parents",
                                 "kind",         "population#",    "valid_from", "valid_to",
                                 "parents_from", "earlier_parents"};
    if (!*out) *out = out_table_new (cols, 10);
    const Socin__V1__Unit *u = r->unit;
    char *parents = out_join (u->parents, u->n_parents), pop[32];
    snprintf (pop, sizeof pop, "%llu", (unsigned long long)u->population);
    socin_str_t earlier = SOCIN_STR_INIT;
    for (size_t e = 0; e < u->n_earlier_parents; e++) {
        char *set = out_join (u->earlier_parents[e]->parents, u->earlier_parents[e]->n_parents);
        socin_str_printf (&earlier, "%s%s until %s", e ? "; " : "", set,
                          u->earlier_parents[e]->valid_to);
        free (set);
    }
    char *earlier_text = socin_str_take (&earlier);
    const char *cells[] = {
        u->code,         socin_level_name (u->level),     u->name,       parents,
        u->kind,         u->population ? pop : "",        u->valid_from, u->valid_to,
        u->parents_from, earlier_text ? earlier_text : ""};
    out_table_row (*out, cells);
    free (parents);
    free (earlier_text);
}

static void
s_indicator_row (out_table_t **out, const socin_record_t *r)
{
    static const char *cols[] = {"code",       "type", "aggregation", "period",
                                 "dimensions", "area", "range",       "name"};
    if (!*out) *out = out_table_new (cols, 8);
    const Socin__V1__Indicator *ind = r->indicator;
    char *dims = out_join (ind->dimensions, ind->n_dimensions), range[128] = "";
    if (*ind->min || *ind->max) snprintf (range, sizeof range, "%s..%s", ind->min, ind->max);
    char type[160];
    if (ind->formula)
        snprintf (type, sizeof type, "derived (%s / %s * %s)", ind->formula->numerator,
                  ind->formula->denominator, ind->formula->factor);
    else
        snprintf (type, sizeof type, "%s", socin_value_type_name (ind->value_type));
    const char *cells[] = {
        ind->code,        type,  socin_aggregation_name (ind->aggregation),  ind->period_type, dims,
        ind->policy_area, range, *ind->name_en ? ind->name_en : ind->name_cs};
    out_table_row (*out, cells);
    free (dims);
}

static void
s_dataset_row (out_table_t **out, const socin_record_t *r)
{
    static const char *cols[] = {"code",      "period",  "level", "territories", "indicators",
                                 "deadline#", "timely#", "lock#", "name"};
    if (!*out) *out = out_table_new (cols, 9);
    const Socin__V1__DataSet *ds = r->dataset;
    char *inds = out_join (ds->indicators, ds->n_indicators),
         *terr = out_join (ds->territories, ds->n_territories);
    char d[16], t[16], l[16];
    snprintf (d, sizeof d, "%u", ds->deadline_days);
    snprintf (t, sizeof t, "%u", ds->timely_days);
    snprintf (l, sizeof l, "%u", ds->lock_days);
    const char *cells[] = {
        ds->code, ds->period_type, socin_level_name (ds->level), terr, inds, d, t, l, ds->name};
    out_table_row (*out, cells);
    free (inds);
    free (terr);
}

static void
s_submitter_row (out_table_t **out, const socin_record_t *r)
{
    static const char *cols[] = {"name", "public_key!", "territories", "datasets", "disabled"};
    if (!*out) *out = out_table_new (cols, 5);
    const Socin__V1__Submitter *s = r->submitter;
    char *terr = out_join (s->territories, s->n_territories),
         *ds = out_join (s->datasets, s->n_datasets);
    const char *cells[] = {s->name, s->public_key, terr, *ds ? ds : "(all)",
                           s->disabled ? "yes" : "no"};
    out_table_row (*out, cells);
    free (terr);
    free (ds);
}

static void
s_target_row (out_table_t **out, const socin_record_t *r)
{
    static const char *cols[] = {"code",   "commitment", "level", "threshold#",
                                 "window", "deadline",   "name"};
    if (!*out) *out = out_table_new (cols, 7);
    const Socin__V1__Target *t = r->target;
    char thr[16], window[64];
    snprintf (thr, sizeof thr, "%u", t->threshold);
    snprintf (window, sizeof window, "%s..%s", t->window_from, t->window_to);
    const char *cells[] = {t->code,     t->commitment, socin_level_name (t->level), thr, window,
                           t->deadline, t->name};
    out_table_row (*out, cells);
}

static void
s_group_row (out_table_t **out, const socin_record_t *r)
{
    static const char *cols[] = {"code", "kind", "members#", "name", "member_codes"};
    if (!*out) *out = out_table_new (cols, 5);
    char n[16], *members = out_join (r->group->members, r->group->n_members);
    snprintf (n, sizeof n, "%zu", r->group->n_members);
    const char *cells[] = {r->group->code, r->group->kind, n, r->group->name, members};
    out_table_row (*out, cells);
    free (members);
}

static void
s_dimension_row (out_table_t **out, const socin_record_t *r)
{
    static const char *cols[] = {"dimension", "option", "name_cs", "name_en"};
    if (!*out) *out = out_table_new (cols, 4);
    for (size_t o = 0; o < r->dimension->n_options; o++) {
        const Socin__V1__DimensionOption *opt = r->dimension->options[o];
        const char *cells[] = {r->dimension->code, opt->code, opt->name_cs, opt->name_en};
        out_table_row (*out, cells);
    }
}

/* A validation rule: its comparison on one line, as the catalogue writes it. */
static void
s_rule_row (out_table_t **out, const socin_record_t *r)
{
    static const char *cols[] = {"code", "importance", "rule", "name", "message"};
    if (!*out) *out = out_table_new (cols, 5);
    const Socin__V1__ValidationRule *v = r->rule;
    size_t len = strlen (v->left) + strlen (v->operator_) + strlen (v->right) + 3;
    char *rule = socin_malloc (len);
    snprintf (rule, len, "%s %s %s", v->left, v->operator_, v->right);
    const char *cells[] = {v->code, v->importance, rule, v->name, v->message};
    out_table_row (*out, cells);
    free (rule);
}

/* The table of each kind of record: made by its first record, one row per record. */
static const struct {
    int kind;
    void (*row) (out_table_t **out, const socin_record_t *r);
} s_record_rows[] = {
    {SOCIN__V1__RECORD__KIND_UNIT, s_unit_row},
    {SOCIN__V1__RECORD__KIND_INDICATOR, s_indicator_row},
    {SOCIN__V1__RECORD__KIND_DATASET, s_dataset_row},
    {SOCIN__V1__RECORD__KIND_SUBMITTER, s_submitter_row},
    {SOCIN__V1__RECORD__KIND_TARGET, s_target_row},
    {SOCIN__V1__RECORD__KIND_GROUP, s_group_row},
    {SOCIN__V1__RECORD__KIND_DIMENSION, s_dimension_row},
    {SOCIN__V1__RECORD__KIND_PLAN, cli_plans_row},
    {SOCIN__V1__RECORD__KIND_RULE, s_rule_row},
};

static void
s_print_records (cli_t *cli, const char *what, Socin__V1__RecordList *list)
{
    out_table_t *out = NULL;
    for (size_t i = 0; i < list->n_records; i++)
        for (size_t k = 0; k < sizeof s_record_rows / sizeof s_record_rows[0]; k++)
            if ((int)list->records[i]->kind_case == s_record_rows[k].kind)
                s_record_rows[k].row (&out, list->records[i]);
    if (!out) {
        if (cli->format == OUT_JSON)
            printf ("[]\n");
        else if (cli->format == OUT_TABLE)
            printf ("no %s\n", what);
        return;
    }
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
}

/* The bodies of the imports; the one ACTION names is filled with DATA and put in REQ. */
typedef struct {
    Socin__V1__ImportPlans plans;
    Socin__V1__ImportTerritory terr;
    Socin__V1__ImportPopulation pop;
    Socin__V1__ImportCatalogue cat;
    Socin__V1__ImportDistricts districts;
    Socin__V1__ImportGroups groups;
} s_imports_t;

static void
s_import_body (s_imports_t *b, const char *action, const cli_parsed_t *p, char *data, size_t len,
               Socin__V1__RegistryRequest *req)
{
    ProtobufCBinaryData bytes = {len, (uint8_t *)data};
    bool dry = cli_flag (p, O_DRY_RUN);
    char *valid_from = (char *)cli_opt_or_empty (p, O_VALID_FROM);
    if (!strcmp (action, "import-territory")) {
        b->terr = (Socin__V1__ImportTerritory)SOCIN__V1__IMPORT_TERRITORY__INIT;
        b->terr.csv = bytes;
        b->terr.valid_from = valid_from;
        b->terr.dry_run = dry;
        req->body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_TERRITORY;
        req->import_territory = &b->terr;
    } else if (!strcmp (action, "import-population")) {
        b->pop = (Socin__V1__ImportPopulation)SOCIN__V1__IMPORT_POPULATION__INIT;
        b->pop.csv = bytes;
        b->pop.as_of = (char *)cli_opt_or_empty (p, O_AS_OF);
        b->pop.dry_run = dry;
        req->body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_POPULATION;
        req->import_population = &b->pop;
    } else if (!strcmp (action, "import-plans")) {
        b->plans = (Socin__V1__ImportPlans)SOCIN__V1__IMPORT_PLANS__INIT;
        b->plans.data = bytes;
        /* The format by the file's name when it tells; else by its first byte. */
        const char *dot = strrchr (p->args[1], '.');
        b->plans.format = (char *)(dot && !strcmp (dot, ".json")  ? "json"
                                   : dot && !strcmp (dot, ".csv") ? "csv"
                                                                  : "");
        b->plans.dry_run = dry;
        req->body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_PLANS;
        req->import_plans = &b->plans;
    } else if (!strcmp (action, "import-districts")) {
        b->districts = (Socin__V1__ImportDistricts)SOCIN__V1__IMPORT_DISTRICTS__INIT;
        b->districts.csv = bytes;
        b->districts.valid_from = valid_from;
        b->districts.dry_run = dry;
        req->body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_DISTRICTS;
        req->import_districts = &b->districts;
    } else if (!strcmp (action, "import-groups")) {
        b->groups = (Socin__V1__ImportGroups)SOCIN__V1__IMPORT_GROUPS__INIT;
        b->groups.csv = bytes;
        b->groups.dry_run = dry;
        req->body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_GROUPS;
        req->import_groups = &b->groups;
    } else {
        b->cat = (Socin__V1__ImportCatalogue)SOCIN__V1__IMPORT_CATALOGUE__INIT;
        b->cat.text = bytes;
        b->cat.dry_run = dry;
        req->body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_CATALOGUE;
        req->import_catalogue = &b->cat;
    }
}

static int
s_import (cli_t *cli, const char *action, const cli_parsed_t *p)
{
    if (p->nargs != 2) {
        cli_error ("registry %s needs one FILE", action);
        return CLI_USAGE;
    }
    size_t len;
    char *data = cli_input_read (p->args[1], &len);
    if (!data) return CLI_FAILED;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    s_imports_t bodies;
    s_import_body (&bodies, action, p, data, len, &req);
    int rc;
    Socin__V1__RegistryReply *reply = cli_registry_call (cli, &req, &rc);
    free (data);
    if (!reply) {
        if (rc == CLI_FAILED) fprintf (stderr, "socin: %s: nothing was changed\n", p->args[1]);
        return rc;
    }
    return s_print_changes (cli, reply);
}

/* edit-unit CODE: rename, close or move one unit. */
static int
s_edit_unit (cli_t *cli, const cli_parsed_t *p)
{
    if (p->nargs != 2) {
        cli_error ("registry edit-unit needs a unit CODE");
        return CLI_USAGE;
    }
    Socin__V1__EditUnit edit = SOCIN__V1__EDIT_UNIT__INIT;
    edit.code = (char *)p->args[1];
    edit.rename = (char *)cli_opt_or_empty (p, O_RENAME);
    edit.close_on = (char *)cli_opt_or_empty (p, O_CLOSE_ON);
    edit.move_to = (char **)p->values[O_MOVE_TO];
    edit.n_move_to = (size_t)p->counts[O_MOVE_TO];
    edit.move_from = (char *)cli_opt_or_empty (p, O_MOVE_FROM);
    edit.dry_run = cli_flag (p, O_DRY_RUN);
    if (!*edit.rename && !*edit.close_on && !edit.n_move_to) {
        cli_error ("registry edit-unit needs --rename NAME, --close-on DAY or --move-to CODE... "
                   "--move-from DAY");
        return CLI_USAGE;
    }
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_EDIT_UNIT;
    req.edit_unit = &edit;
    int rc;
    Socin__V1__RegistryReply *reply = cli_registry_call (cli, &req, &rc);
    return reply ? s_print_changes (cli, reply) : rc;
}

static int
s_list (cli_t *cli, const cli_parsed_t *p)
{
    if (p->nargs != 2) {
        cli_error ("registry list needs what: units, indicators, datasets, submitters, targets, "
                   "groups, dimensions, plans, rules");
        return CLI_USAGE;
    }
    const char *what = p->args[1];
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    Socin__V1__DescendantsQuery dq = SOCIN__V1__DESCENDANTS_QUERY__INIT;
    Socin__V1__IndicatorsQuery iq = SOCIN__V1__INDICATORS_QUERY__INIT;
    Socin__V1__DataSetsQuery sq = SOCIN__V1__DATA_SETS_QUERY__INIT;
    Socin__V1__SubmittersQuery uq = SOCIN__V1__SUBMITTERS_QUERY__INIT;
    Socin__V1__TargetsQuery tq = SOCIN__V1__TARGETS_QUERY__INIT;
    Socin__V1__GroupsQuery gq = SOCIN__V1__GROUPS_QUERY__INIT;
    Socin__V1__DimensionsQuery mq = SOCIN__V1__DIMENSIONS_QUERY__INIT;
    Socin__V1__PlansQuery pq = SOCIN__V1__PLANS_QUERY__INIT;
    Socin__V1__RulesQuery rq = SOCIN__V1__RULES_QUERY__INIT;
    if (!strcmp (what, "rules")) {
        rq.importance = (char *)cli_opt_or_empty (p, O_IMPORTANCE);
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_RULES;
        req.rules = &rq;
    } else if (!strcmp (what, "plans")) {
        const char *kind = cli_opt (p, O_KIND);
        if (kind && !(pq.kind = socin_plan_kind_parse (kind))) {
            cli_error ("--kind '%s' is not one of %s", kind, socin_plan_kind_names ());
            return CLI_USAGE;
        }
        pq.owner = (char *)cli_opt_or_empty (p, O_OWNER);
        pq.policy_area = (char *)cli_opt_or_empty (p, O_AREA);
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PLANS;
        req.plans = &pq;
    } else if (!strcmp (what, "units")) {
        dq.code = (char *)(cli_opt (p, O_UNDER) ? cli_opt (p, O_UNDER) : "CZ");
        const char *level = cli_opt (p, O_LEVEL);
        if (level && !(dq.level = socin_level_parse (level))) {
            cli_error ("--level '%s' is not country, kraj, okres, orp, municipality or district",
                       level);
            return CLI_USAGE;
        }
        dq.as_of = (char *)cli_opt_or_empty (p, O_AS_OF);
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_DESCENDANTS;
        req.descendants = &dq;
    } else if (!strcmp (what, "indicators")) {
        iq.policy_area = (char *)cli_opt_or_empty (p, O_AREA);
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_INDICATORS;
        req.indicators = &iq;
    } else if (!strcmp (what, "datasets")) {
        sq.unit = (char *)cli_opt_or_empty (p, O_UNIT);
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_DATASETS;
        req.datasets = &sq;
    } else if (!strcmp (what, "submitters")) {
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_SUBMITTERS;
        req.submitters = &uq;
    } else if (!strcmp (what, "targets")) {
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_TARGETS;
        req.targets = &tq;
    } else if (!strcmp (what, "groups")) {
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_GROUPS;
        req.groups = &gq;
    } else if (!strcmp (what, "dimensions")) {
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_DIMENSIONS;
        req.dimensions = &mq;
    } else {
        cli_error ("cannot list '%s': units, indicators, datasets, submitters, targets, groups, "
                   "dimensions, plans or rules",
                   what);
        return CLI_USAGE;
    }
    int rc;
    Socin__V1__RegistryReply *reply = cli_registry_call (cli, &req, &rc);
    if (!reply) return rc;
    if (reply->records) s_print_records (cli, what, reply->records);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return CLI_OK;
}

/* socin registry show plan CODE | rule CODE: the one record REQ asks for (a plan in full, a
   rule as list rules shows it). */
static int
s_show_one (cli_t *cli, Socin__V1__RegistryRequest *req, const char *what)
{
    int rc;
    Socin__V1__RegistryReply *reply = cli_registry_call (cli, req, &rc);
    if (!reply) return rc;
    const Socin__V1__RecordList *list = reply->records;
    if (list && list->n_records == 1 && list->records[0]->kind_case == SOCIN__V1__RECORD__KIND_PLAN)
        cli_plans_show (cli, list->records[0]->plan);
    else if (list)
        s_print_records (cli, what, reply->records);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return CLI_OK;
}

static int
s_show_plan (cli_t *cli, const char *code)
{
    Socin__V1__PlansQuery q = SOCIN__V1__PLANS_QUERY__INIT;
    q.code = (char *)code;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PLANS;
    req.plans = &q;
    return s_show_one (cli, &req, "plan");
}

static int
s_show_rule (cli_t *cli, const char *code)
{
    Socin__V1__RulesQuery q = SOCIN__V1__RULES_QUERY__INIT;
    q.code = (char *)code;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_RULES;
    req.rules = &q;
    return s_show_one (cli, &req, "rule");
}

static int
s_show (cli_t *cli, const cli_parsed_t *p)
{
    if (p->nargs == 3 && !strcmp (p->args[1], "plan")) return s_show_plan (cli, p->args[2]);
    if (p->nargs == 3 && !strcmp (p->args[1], "rule")) return s_show_rule (cli, p->args[2]);
    if (p->nargs != 2) {
        cli_error ("registry show needs a UNIT code");
        return CLI_USAGE;
    }
    Socin__V1__UnitQuery q = SOCIN__V1__UNIT_QUERY__INIT;
    q.code = (char *)p->args[1];
    q.history = cli_flag (p, O_HISTORY);
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_UNIT;
    req.unit = &q;
    int rc;
    Socin__V1__RegistryReply *reply = cli_registry_call (cli, &req, &rc);
    if (!reply) return rc;
    if (reply->records) s_print_records (cli, "unit", reply->records);
    if (q.history && cli->format == OUT_TABLE) printf ("\nearlier versions, oldest first:\n");
    if (q.history) {
        Socin__V1__RecordList hist = SOCIN__V1__RECORD_LIST__INIT;
        hist.records = reply->history;
        hist.n_records = reply->n_history;
        s_print_records (cli, "earlier version", &hist);
    }
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return CLI_OK;
}

static int
s_public_key (const cli_parsed_t *p, char *key)
{
    const char *spec = cli_opt (p, O_KEY);
    if (!spec) {
        cli_error ("--key FILE is required (make one with: socin keys new NAME)");
        return -1;
    }
    char err[512];
    if (socin_keys_public (spec, key, err, sizeof err)) {
        cli_error ("%s", err);
        return -1;
    }
    return 0;
}

static int
s_add_submitter (cli_t *cli, const cli_parsed_t *p)
{
    if (p->nargs != 2) {
        cli_error ("registry add-submitter needs a NAME");
        return CLI_USAGE;
    }
    char key[SOCIN_KEY_LEN + 1];
    if (s_public_key (p, key)) return CLI_USAGE;
    if (!p->counts[O_TERRITORY]) {
        cli_error ("--territory CODE... is required: the units the submitter may report for");
        return CLI_USAGE;
    }
    Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
    sub.name = (char *)p->args[1];
    sub.public_key = key;
    sub.n_territories = cli_opt_words (p, O_TERRITORY, &sub.territories);
    sub.datasets = (char **)p->values[O_DATASET];
    sub.n_datasets = (size_t)p->counts[O_DATASET];
    Socin__V1__PutSubmitter put = SOCIN__V1__PUT_SUBMITTER__INIT;
    put.submitter = &sub;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_SUBMITTER;
    req.put_submitter = &put;
    int rc;
    Socin__V1__RegistryReply *reply = cli_registry_call (cli, &req, &rc);
    cli_words_free (sub.territories, sub.n_territories);
    return reply ? s_print_changes (cli, reply) : rc;
}

static int
s_add_peer (cli_t *cli, const cli_parsed_t *p)
{
    if (p->nargs != 2) {
        cli_error ("registry add-peer needs a NAME");
        return CLI_USAGE;
    }
    char key[SOCIN_KEY_LEN + 1];
    if (s_public_key (p, key)) return CLI_USAGE;
    const char *role = cli_opt (p, O_ROLE);
    Socin__V1__Peer peer = SOCIN__V1__PEER__INIT;
    if (!role || !(peer.role = socin_role_parse (role))) {
        cli_error ("--role must be admin, reader, ingest or reporting");
        return CLI_USAGE;
    }
    peer.name = (char *)p->args[1];
    peer.public_key = key;
    peer.n_territories = cli_opt_words (p, O_TERRITORY, &peer.territories);
    Socin__V1__PutPeer put = SOCIN__V1__PUT_PEER__INIT;
    put.peer = &peer;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_PEER;
    req.put_peer = &put;
    int rc;
    Socin__V1__RegistryReply *reply = cli_registry_call (cli, &req, &rc);
    cli_words_free (peer.territories, peer.n_territories);
    return reply ? s_print_changes (cli, reply) : rc;
}

int
cli_registry (cli_t *cli, int argc, char **argv)
{
    cli_parsed_t p;
    if (cli_parse (s_opts, argc, argv, &p, s_usage)) return CLI_USAGE;
    if (p.help || p.nargs < 1) {
        cli_usage (p.help ? stdout : stderr, s_usage, s_opts);
        return p.help ? CLI_OK : CLI_USAGE;
    }
    const char *action = p.args[0];
    if (!strcmp (action, "import-territory") || !strcmp (action, "import-population") ||
        !strcmp (action, "import-catalogue") || !strcmp (action, "import-plans") ||
        !strcmp (action, "import-districts") || !strcmp (action, "import-groups"))
        return s_import (cli, action, &p);
    if (!strcmp (action, "edit-unit")) return s_edit_unit (cli, &p);
    if (!strcmp (action, "list")) return s_list (cli, &p);
    if (!strcmp (action, "show")) return s_show (cli, &p);
    if (!strcmp (action, "add-submitter")) return s_add_submitter (cli, &p);
    if (!strcmp (action, "add-peer")) return s_add_peer (cli, &p);
    cli_error ("unknown registry action '%s'\nusage: %s", action, s_usage);
    return CLI_USAGE;
}
