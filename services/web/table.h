/*  table: the tables of figures socin-web shows, and the escaping every text goes through.

    A table has an id (its name in download links and in the API), a title, columns (a name
    ending in "#" is numeric: right-aligned on the page, a JSON number) and rows of text.
    Written as an HTML table (with its CSV and JSON download links), as CSV (RFC 4180, cells
    that a spreadsheet would run as a formula prefixed with '), or as JSON. Text from units,
    indicators, comments and queries is escaped for the context it lands in; nothing reaches a
    page unescaped.
*/
#ifndef SOCIN_WEB_TABLE_H
#define SOCIN_WEB_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

typedef struct web_table_t web_table_t;

web_table_t *web_table_new (const char *id, const char *title, const char *const *columns, int ncolumns);
void web_table_destroy (web_table_t **self_p);

/* Adds a row of NCOLUMNS cells (copied; NULL is empty). HREF (may be NULL) makes the first
   cell a link on the page (a path of this site, escaped here). */
void web_table_row (web_table_t *self, const char *const *cells, const char *href);

/* Declares that the table has TOTAL rows of which only those added are kept (a page that
   shows the first rows of a long table; its downloads build it whole). */
void web_table_set_total (web_table_t *self, size_t total);

const char *web_table_id (const web_table_t *self);
size_t web_table_rows (const web_table_t *self);
/* The cell at ROW, COLUMN ("" beyond the table). */
const char *web_table_cell (const web_table_t *self, size_t row, int column);

/* Writes the table as HTML: a caption with download links (DOWNLOAD: this page's path and
   query, to which "format=csv&table=ID" is added), then at most MAX_ROWS rows (0: all) and
   a note of how many more the downloads hold. */
void web_table_html (const web_table_t *self, socin_str_t *out, const char *download, size_t max_rows);
void web_table_csv (const web_table_t *self, socin_str_t *out);
/* {"id": ..., "title": ..., "columns": [...], "rows": [{...}, ...]} */
void web_table_json (const web_table_t *self, socin_str_t *out);

/* TEXT escaped for HTML text and attribute values (& < > " '). */
void web_html (socin_str_t *out, const char *text);
/* TEXT as a JSON string, quoted. */
void web_json_string (socin_str_t *out, const char *text);
/* TEXT escaped as a URL query value (everything but unreserved characters). */
void web_url (socin_str_t *out, const char *text);

/* True when TEXT is an exact decimal number. */
bool web_is_number (const char *text);

#endif
