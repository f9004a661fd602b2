/*  territory: territorial units from files — the ČSÚ "Struktura území ČR" CSV as published,
    the project's sample territory, and municipal population — and the plan that turns a new
    edition into registry changes.

    A file is parsed and checked whole before anything changes: every row's codes are of their
    official form (6-digit municipality, 4-digit ORP, NUTS okres inside its kraj...), and a
    unit named on several rows (an ORP, an okres, a kraj) has the same name and parent on all
    of them. Errors name the line.
*/
#ifndef SOCIN_REGISTRY_TERRITORY_H
#define SOCIN_REGISTRY_TERRITORY_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* A new unit record of CODE, LEVEL and NAME (free with protobuf_c_message_free_unpacked). */
socin_record_t *socin_territory_unit_new (const char *code, int level, const char *name);

/* Replaces the text of a protobuf string FIELD by a copy of VALUE. */
void socin_territory_set_text (char **field, const char *value);

/* S is exactly N decimal digits (an official code: 6 for a municipality or district). */
bool socin_territory_digits (const char *s, size_t n);

/* Parses the ČSÚ CSV into unit records: the country, kraje, okresy, ORPs and municipalities.
   VALID_FROM overrides the file's platnost_datum when not empty; *EDITION receives the day
   used (for closing units the file lacks). 0, or -1 with "line N: ...". Free the records
   with protobuf_c_message_free_unpacked and the array with free. */
int socin_territory_parse_csu (const char *data, size_t len, const char *valid_from,
                               socin_record_t ***out, size_t *count, int32_t *edition, char *err,
                               size_t errlen);

/* Parses the sample format: "code,level,name,parents,kind,population" with parents separated
   by ';' and lines starting with '#' ignored. 0 or -1 as above. */
int socin_territory_parse_sample (const char *data, size_t len, socin_record_t ***out,
                                  size_t *count, char *err, size_t errlen);

/* Parses "obec_kod,pocet_obyvatel" and checks every code is a unit of MODEL. Returns 0 with
   *COUNT changed unit records (copies with population and POPULATION_DATE set; only those
   whose population differs), or -1 with "line N: ...". */
int socin_population_plan (const socin_model_t *model, const char *data, size_t len,
                           const char *population_date, socin_record_t ***out, size_t *count,
                           char *err, size_t errlen);

/* Plans what an edition changes: for each parsed unit, a record when it is new or differs from
   the registry's (population kept from the registry when the file has none; a closed unit
   reopened; a unit whose parents differ keeps the earlier ones, ending the day before
   EDITION); and for each open kraj, okres, ORP or municipality the edition lacks, a copy
   closed on the day before EDITION. The first official edition (over an empty registry or
   the embedded sample) replaces what is there: its units get no first day and no earlier
   parents. Takes ownership of PARSED. Returns 0 with the counts in the out parameters and
   the changed records in *OUT, or -1 with ERR (a move dated before the unit's last one). */
int socin_territory_plan (const socin_model_t *model, socin_record_t **parsed, size_t nparsed,
                          int32_t edition, socin_record_t ***out, size_t *count, uint32_t *added,
                          uint32_t *updated, uint32_t *unchanged, uint32_t *closed, char *err,
                          size_t errlen);

/* Gives unit U the direct PARENTS (NPARENTS) from DAY on. When they differ from U's latest,
   those become an earlier set ending the day before DAY (or are simply replaced when DAY is
   the day they took effect, when DAY is SOCIN_DAY_MIN, or with REPLACE). 0, or -1 with ERR
   when U's latest parents took effect after DAY. */
int socin_territory_reparent (Socin__V1__Unit *u, char **parents, size_t nparents, int32_t day,
                              bool replace, char *err, size_t errlen);

#endif
