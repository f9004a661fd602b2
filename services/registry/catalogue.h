/*  catalogue: the analyst-editable file of dimensions, indicators, data sets, targets and
    groups (docs/catalogue.md), parsed into registry records.

    Parsing checks each entry alone (known keys, well-formed values) and reports the line;
    socin_catalogue_check then checks the references between entries and to the registry
    (dimensions of indicators, indicators of data sets and their period types, components of
    derived indicators, territories and group members), so a file is accepted whole or not
    at all.
*/
#ifndef SOCIN_REGISTRY_CATALOGUE_H
#define SOCIN_REGISTRY_CATALOGUE_H

#include <stddef.h>

#include "model.h"

/* Parses LEN bytes of TEXT. Returns 0 with a malloc'ed array of *COUNT records (free each
   with protobuf_c_message_free_unpacked and the array with free), or -1 with a message
   ("line 12: unknown aggregation 'avg' (sum, average, ...)"). */
int socin_catalogue_parse (const char *text, size_t len, socin_record_t ***out, size_t *count,
                           char *err, size_t errlen);

/* Checks the references of RECORDS against each other and MODEL (the registry as it is).
   0, or -1 with a message naming the entry and the missing or mismatched reference. */
int socin_catalogue_check (const socin_model_t *model, socin_record_t **records, size_t count,
                           char *err, size_t errlen);

/* The same, with the message opening "line N: " — the line of the setting at fault in
   TEXT (LEN bytes), the file RECORDS were parsed from. */
int socin_catalogue_check_text (const socin_model_t *model, socin_record_t **records, size_t count,
                                const char *text, size_t len, char *err, size_t errlen);

#endif
