/*  embedded: the data files compiled into socin-registry, so a fresh machine runs with no
    other file: the default catalogue (data/catalogue.ini) and the sample territory
    (data/sample_territory.csv). */
#ifndef SOCIN_REGISTRY_EMBEDDED_H
#define SOCIN_REGISTRY_EMBEDDED_H

#include <stddef.h>

/* The bytes of each file and their length. */
const char *socin_embedded_catalogue (size_t *len);
const char *socin_embedded_territory (size_t *len);

#endif
