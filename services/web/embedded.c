/*  embedded: data files compiled in with the assembler's .incbin, as services/registry does
    (the build runs from the repository root; the Makefile makes this object depend on them). */
#include "embedded.h"

#include <stdint.h>

__asm__ (".section .rodata\n"
         ".balign 16\n"
         "s_kraje_start:\n"
         ".incbin \"services/web/data/kraje.geojson\"\n"
         "s_kraje_end:\n"
         ".byte 0\n"
         ".balign 16\n"
         "s_okresy_start:\n"
         ".incbin \"services/web/data/okresy.geojson\"\n"
         "s_okresy_end:\n"
         ".byte 0\n"
         ".balign 16\n"
         "s_credits_start:\n"
         ".incbin \"services/web/data/CREDITS.md\"\n"
         "s_credits_end:\n"
         ".byte 0\n"
         ".balign 8\n"
         "s_kraje_size: .quad s_kraje_end - s_kraje_start\n"
         "s_okresy_size: .quad s_okresy_end - s_okresy_start\n"
         "s_credits_size: .quad s_credits_end - s_credits_start\n"
         ".previous\n");

extern const char s_kraje_start[], s_okresy_start[], s_credits_start[];
extern const uint64_t s_kraje_size, s_okresy_size, s_credits_size;

const char *
web_embedded_kraje (size_t *len)
{
    *len = (size_t) s_kraje_size;
    return s_kraje_start;
}

const char *
web_embedded_okresy (size_t *len)
{
    *len = (size_t) s_okresy_size;
    return s_okresy_start;
}

const char *
web_embedded_credits (size_t *len)
{
    *len = (size_t) s_credits_size;
    return s_credits_start;
}
