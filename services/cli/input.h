/*  input: the files a command sends — read whole into memory, or mapped when they are regular
    files; "-" is standard input.
*/
#ifndef SOCIN_CLI_INPUT_H
#define SOCIN_CLI_INPUT_H

#include <stdbool.h>
#include <stddef.h>

/* Reads a whole file into memory (or standard input for "-"); NULL after printing why. The
   caller frees it. */
char *cli_input_read (const char *path, size_t *len);

/* A file's bytes, mapped when it is a regular file and read otherwise (*MAPPED says which);
   NULL after printing why. Give them back with cli_input_release. */
char *cli_input_load (const char *path, size_t *len, bool *mapped);

/* Releases what cli_input_load returned. */
void cli_input_release (char *data, size_t len, bool mapped);

#endif
