/*  input: reading the files a command sends. See input.h. */
#include "input.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "file.h"

char *
cli_input_read (const char *path, size_t *len)
{
    char err[512];
    char *data = socin_file_read (path, len, err, sizeof err);
    if (!data) cli_error ("%s", err);
    return data;
}

char *
cli_input_load (const char *path, size_t *len, bool *mapped)
{
    *mapped = false;
    if (strcmp (path, "-")) {
        int fd = open (path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0) {
            void *p = mmap (NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            close (fd);
            if (p != MAP_FAILED) {
                *len = (size_t)st.st_size;
                *mapped = true;
                return p;
            }
        } else if (fd >= 0)
            close (fd);
    }
    return cli_input_read (path, len);
}

void
cli_input_release (char *data, size_t len, bool mapped)
{
    if (mapped)
        munmap (data, len);
    else
        free (data);
}
