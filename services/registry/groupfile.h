/*  groupfile: groups of municipalities from a CSV — associations of municipalities (svazky
    obcí), local action groups (MAS), CASE 2021+ cohorts, LAP and RAP participants — one row
    per member: group_code,kind,name,member_code,valid_from,valid_to (docs/catalogue.md,
    "Groups from a file").

    The file is checked whole (codes, kinds, dates, members known to the registry, a group's
    kind and name the same on all its rows, no member twice) and every error names its line.
*/
#ifndef SOCIN_REGISTRY_GROUPFILE_H
#define SOCIN_REGISTRY_GROUPFILE_H

#include <stddef.h>

#include "model.h"

/* Parses LEN bytes of DATA against MODEL (members must be its municipalities or city
   districts). 0 with one group record per group in *OUT (*COUNT), in the order they first
   appear, or -1 with "line N: ...". Free the records with protobuf_c_message_free_unpacked
   and the array with free. */
int socin_groupfile_parse (const socin_model_t *model, const char *data, size_t len,
                           socin_record_t ***out, size_t *count, char *err, size_t errlen);

#endif
