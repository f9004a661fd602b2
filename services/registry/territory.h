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
   reopened); and for each open kraj, okres, ORP or municipality the edition lacks, a copy
   closed on the day before EDITION. Units of the first edition loaded get no first day (they
   existed before it); units added by a later one begin on its day. Takes ownership of PARSED. Counts go to the out
   parameters; the changed records to *OUT. */
void socin_territory_plan (const socin_model_t *model, socin_record_t **parsed, size_t nparsed,
                           int32_t edition, socin_record_t ***out, size_t *count, uint32_t *added,
                           uint32_t *updated, uint32_t *unchanged, uint32_t *closed);

#endif
