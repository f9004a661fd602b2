/*  embedded: data files compiled in with the assembler's .incbin (the build runs from the
    repository root, where these paths resolve; the Makefile makes this object depend on them).
    Each file's length is computed by the assembler too, so no C code subtracts pointers to
    different objects. */
#include "embedded.h"

#include <stdint.h>

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
         ".balign 8\n"
         "s_catalogue_size: .quad s_catalogue_end - s_catalogue_start\n"
         "s_territory_size: .quad s_territory_end - s_territory_start\n"
         ".previous\n");

extern const char s_catalogue_start[], s_territory_start[];
extern const uint64_t s_catalogue_size, s_territory_size;

const char *
socin_embedded_catalogue (size_t *len)
{
    *len = (size_t) s_catalogue_size;
    return s_catalogue_start;
}

const char *
socin_embedded_territory (size_t *len)
{
    *len = (size_t) s_territory_size;
    return s_territory_start;
}
