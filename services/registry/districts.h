/*  districts: the city districts (městské části and městské obvody) of the divided cities,
    from RÚIAN's list "momc_kod,momc_nazev,obec_kod,obec_nazev", planned as units of level
    district beneath their municipality.

    A row whose name marks the undivided rest of a city ("Opava (nečleněná část města)",
    "Liberec (nečleněné město)") is the municipality itself, not a self-governing district:
    it is skipped. The file is checked whole; errors name the line.
*/
#ifndef SOCIN_REGISTRY_DISTRICTS_H
#define SOCIN_REGISTRY_DISTRICTS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* What a districts file changes. */
typedef struct {
    uint32_t added, updated, unchanged, closed, skipped;
} socin_districts_counts_t;

/* Plans LEN bytes of DATA against MODEL: a record for each district that is new or differs
   (a district moved to another municipality keeps its earlier parent until the day before
   VALID_FROM); with VALID_FROM (YYYY-MM-DD, may be empty) new districts begin on that day and
   open districts of the municipalities the file names that it lacks close the day before.
   0 with the records in *OUT (*COUNT) and COUNTS filled, or an ErrorCode with "line N: ...":
   MALFORMED_FILE, or TERRITORY_OUT_OF_ORDER (a move before the district's last one). */
int socin_districts_plan (const socin_model_t *model, const char *data, size_t len,
                          const char *valid_from, socin_record_t ***out, size_t *count,
                          socin_districts_counts_t *counts, char *err, size_t errlen);

#endif
