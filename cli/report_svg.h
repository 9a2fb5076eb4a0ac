/* cli/report_svg.h — the report's charts: self-contained inline SVG (no
 * script, no external reference), each with a <title> and a <desc> for
 * screen readers. Values are integers (minor units, counts, hundredths of a
 * day or percent); floating point is used only to place pixels. */
#ifndef ARCHASE_CLI_REPORT_SVG_H
#define ARCHASE_CLI_REPORT_SVG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes the text of an axis value: "1,200,000" for money, "55.35", "12". */
typedef void (*svg_label_fn)(const void *ctx, int64_t value, char *buf, size_t size);

typedef struct svg_chart {
    const char         *id;           /* unique in the page; names the title and desc */
    const char         *title;
    const char         *desc;         /* what the chart shows, in words */
    size_t              points;       /* categories along the x axis */
    const char *const  *labels;       /* their labels */
    size_t              series;
    const char *const  *names;        /* series names, for the legend */
    const int64_t      *values;       /* [series * points + point] */
    const unsigned char *defined;     /* the same shape; NULL = every value defined */
    svg_label_fn        label;        /* y-axis values */
    const void         *label_ctx;
} svg_chart;

/* Escapes text for HTML and SVG (&, <, >, ", '). */
void svg_escape(FILE *out, const char *text);

/* Bars, one per category, the series stacked (values >= 0). */
void svg_stacked_bars(FILE *out, const svg_chart *c);
/* Lines, one per series; an undefined value breaks the line. */
void svg_lines(FILE *out, const svg_chart *c);
/* Horizontal bars of the first series, one per category, the value written
 * at the end of each bar. */
void svg_hbars(FILE *out, const svg_chart *c);

/* Labels for the common units. */
void svg_label_count(const void *ctx, int64_t value, char *buf, size_t size);
void svg_label_hundredths(const void *ctx, int64_t value, char *buf, size_t size);
/* ctx: the currency code; whole units with thousands separators. */
void svg_label_money(const void *ctx, int64_t value, char *buf, size_t size);

#endif
