/*  embedded: data files compiled in with the assembler's .incbin (the build runs from the
    repository root, where these paths resolve; the Makefile makes this object depend on them). */
#include "embedded.h"

__asm__ (".section .rodata\n"
         ".balign 16\n"
         "s_catalogue_start:\n"
         ".incbin \"services/registry/data/catalogue.ini\"\n"
         "s_catalogue_end:\n"
         ".byte 0\n"
         ".balign 16\n"
         "s_territory_start:\n"
         ".incbin \"services/registry/data/sample_territory.csv\"\n"
         "s_territory_end:\n"
         ".byte 0\n"
         ".previous\n");

extern const char s_catalogue_start[], s_catalogue_end[];
extern const char s_territory_start[], s_territory_end[];

const char *
socin_embedded_catalogue (size_t *len)
{
    *len = (size_t) (s_catalogue_end - s_catalogue_start);
    return s_catalogue_start;
}

const char *
socin_embedded_territory (size_t *len)
{
    *len = (size_t) (s_territory_end - s_territory_start);
    return s_territory_start;
}
