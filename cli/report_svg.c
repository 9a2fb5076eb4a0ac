/* cli/report_svg.c — bar, stacked-bar and line charts as inline SVG.
 * Colours are the Okabe-Ito set (told apart with the common colour-vision
 * deficiencies); lines also differ by dash pattern and marker, and every
 * chart has a table beside it in the report, so nothing depends on colour. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "report_svg.h"

#define WIDTH        720.0
#define HEIGHT       280.0
#define LEFT         96.0
#define RIGHT        16.0
#define TOP          40.0
#define BOTTOM       56.0
#define HBAR_LEFT    230.0
#define HBAR_ROW     22.0
#define HBAR_TOP     12.0
#define MAX_X_LABELS 12

static const char *const colours[] = { "#0072B2", "#E69F00", "#009E73", "#D55E00",
                                       "#CC79A7", "#56B4E9", "#F0E442", "#000000" };
static const char *const dashes[] = { "", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4", "12 2" };
#define PALETTE (sizeof colours / sizeof colours[0])

void svg_escape(FILE *out, const char *text) {
    for (const char *p = text ? text : ""; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*p, out);
        }
    }
}

void svg_label_count(const void *ctx, int64_t value, char *buf, size_t size) {
    (void)ctx;
    snprintf(buf, size, "%lld", (long long)value);
}

void svg_label_hundredths(const void *ctx, int64_t value, char *buf, size_t size) {
    (void)ctx;
    archase_kpi_number n = { value, 1 };
    if (archase_kpi_number_format(n, buf, size) != 0)
        snprintf(buf, size, "%lld", (long long)value);
}

void svg_label_money(const void *ctx, int64_t value, char *buf, size_t size) {
    archase_currency cur;
    int64_t scale = 1;
    if (ctx && archase_currency_lookup((const char *)ctx, &cur) == 0)
        for (int i = 0; i < cur.minor_units; i++)
            scale *= 10;
    int64_t whole = value / scale;
    char digits[32], grouped[48];
    snprintf(digits, sizeof digits, "%lld", (long long)(whole < 0 ? -whole : whole));
    size_t len = strlen(digits), o = 0;
    if (whole < 0)
        grouped[o++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            grouped[o++] = ',';
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    snprintf(buf, size, "%s", grouped);
}

static int64_t value_at(const svg_chart *c, size_t s, size_t p) {
    return c->values[s * c->points + p];
}

static int defined_at(const svg_chart *c, size_t s, size_t p) {
    return !c->defined || c->defined[s * c->points + p];
}

/* A step of 1, 2 or 5 times a power of ten that cuts [lo, hi] into at most
 * five intervals; lo and hi are widened to multiples of it. */
static int64_t nice_scale(int64_t *lo, int64_t *hi) {
    int64_t range = *hi - *lo, step = 1;
    static const int64_t factors[] = { 1, 2, 5 };
    for (int64_t power = 1; power <= INT64_MAX / 10; power *= 10) {
        int found = 0;
        for (size_t f = 0; f < 3; f++) {
            step = factors[f] * power;
            if (range / step + (range % step != 0) <= 5) {
                found = 1;
                break;
            }
        }
        if (found)
            break;
    }
    int64_t low = *lo / step * step;
    if (low > *lo)
        low -= step;
    int64_t high = *hi / step * step;
    if (high < *hi)
        high += step;
    if (high == low)
        high = low + step;
    *lo = low;
    *hi = high;
    return step;
}

static void open_svg(FILE *out, const svg_chart *c, double height) {
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"%s\" "
                 "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
                 "aria-labelledby=\"%s-title %s-desc\">\n<title id=\"%s-title\">",
            c->id, WIDTH, height, WIDTH, height, c->id, c->id, c->id);
    svg_escape(out, c->title);
    fprintf(out, "</title>\n<desc id=\"%s-desc\">", c->id);
    svg_escape(out, c->desc);
    fputs("</desc>\n", out);
}

/* The legend along the top: a swatch (a square, or a dashed line) and the name. */
static void legend(FILE *out, const svg_chart *c, int lines) {
    double x = LEFT, y = 14;
    for (size_t s = 0; s < c->series; s++) {
        double w = 28 + 7.0 * (double)strlen(c->names[s]);
        if (x + w > WIDTH - RIGHT && x > LEFT) {
            x = LEFT;
            y += 16;
        }
        if (lines)
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                         "stroke-width=\"2.5\" stroke-dasharray=\"%s\"/>\n",
                    x, y - 4, x + 18, y - 4, colours[s % PALETTE], dashes[s % PALETTE]);
        else
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x,
                    y - 10, colours[s % PALETTE]);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"legend\">", x + (lines ? 22 : 16), y);
        svg_escape(out, c->names[s]);
        fputs("</text>\n", out);
        x += w;
    }
}

/* The y axis: grid lines and labels from lo to hi; returns the pixel scale. */
static double y_axis(FILE *out, const svg_chart *c, int64_t lo, int64_t hi, int64_t step) {
    double plot = HEIGHT - TOP - BOTTOM;
    double scale = plot / (double)(hi - lo);
    for (int64_t v = lo; v <= hi; v += step) {
        double y = HEIGHT - BOTTOM - (double)(v - lo) * scale;
        char text[48];
        c->label(c->label_ctx, v, text, sizeof text);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n", LEFT, y,
                WIDTH - RIGHT, y);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">%s</text>\n", LEFT - 6,
                y + 4, text);
        if (v > INT64_MAX - step)
            break;
    }
    return scale;
}

static void x_labels(FILE *out, const svg_chart *c, double slot) {
    size_t every = c->points / MAX_X_LABELS + 1;
    for (size_t p = 0; p < c->points; p += every) {
        double x = LEFT + slot * ((double)p + 0.5);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tick\">", x,
                HEIGHT - BOTTOM + 16);
        svg_escape(out, c->labels[p]);
        fputs("</text>\n", out);
    }
}

static void no_data(FILE *out, double height) {
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"empty\">no data in the period</text>\n",
            WIDTH / 2, height / 2);
}

void svg_stacked_bars(FILE *out, const svg_chart *c) {
    int64_t hi = 0, lo = 0;
    for (size_t p = 0; p < c->points; p++) {
        int64_t total = 0;
        for (size_t s = 0; s < c->series; s++)
            if (defined_at(c, s, p) && value_at(c, s, p) > 0)
                total += value_at(c, s, p);
        if (total > hi)
            hi = total;
    }
    open_svg(out, c, HEIGHT);
    legend(out, c, 0);
    if (!c->points || hi == 0) {
        no_data(out, HEIGHT);
        fputs("</svg>\n", out);
        return;
    }
    int64_t step = nice_scale(&lo, &hi);
    double scale = y_axis(out, c, lo, hi, step);
    double slot = (WIDTH - LEFT - RIGHT) / (double)c->points;
    double bar = slot * 0.7;
    for (size_t p = 0; p < c->points; p++) {
        double base = HEIGHT - BOTTOM;
        for (size_t s = 0; s < c->series; s++) {
            int64_t v = defined_at(c, s, p) ? value_at(c, s, p) : 0;
            if (v <= 0)
                continue;
            double h = (double)v * scale;
            char text[48];
            c->label(c->label_ctx, v, text, sizeof text);
            fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                         "<title>",
                    LEFT + slot * (double)p + (slot - bar) / 2, base - h, bar, h, colours[s % PALETTE]);
            svg_escape(out, c->labels[p]);
            fputs(", ", out);
            svg_escape(out, c->names[s]);
            fprintf(out, ": %s</title></rect>\n", text);
            base -= h;
        }
    }
    x_labels(out, c, slot);
    fputs("</svg>\n", out);
}

void svg_lines(FILE *out, const svg_chart *c) {
    int64_t hi = 0, lo = 0;
    int any = 0;
    for (size_t s = 0; s < c->series; s++)
        for (size_t p = 0; p < c->points; p++) {
            if (!defined_at(c, s, p))
                continue;
            int64_t v = value_at(c, s, p);
            if (v > hi)
                hi = v;
            if (v < lo)
                lo = v;
            any = 1;
        }
    open_svg(out, c, HEIGHT);
    legend(out, c, 1);
    if (!any) {
        no_data(out, HEIGHT);
        fputs("</svg>\n", out);
        return;
    }
    int64_t step = nice_scale(&lo, &hi);
    double scale = y_axis(out, c, lo, hi, step);
    double slot = (WIDTH - LEFT - RIGHT) / (double)c->points;
    for (size_t s = 0; s < c->series; s++) {
        int pen = 0;
        fprintf(out, "<path class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" stroke-dasharray=\"%s\" d=\"",
                colours[s % PALETTE], dashes[s % PALETTE]);
        for (size_t p = 0; p < c->points; p++) {
            if (!defined_at(c, s, p)) {
                pen = 0;
                continue;
            }
            double x = LEFT + slot * ((double)p + 0.5);
            double y = HEIGHT - BOTTOM - (double)(value_at(c, s, p) - lo) * scale;
            fprintf(out, "%s%.1f %.1f ", pen ? "L" : "M", x, y);
            pen = 1;
        }
        fputs("\"/>\n", out);
        for (size_t p = 0; p < c->points; p++) {
            if (!defined_at(c, s, p))
                continue;
            double x = LEFT + slot * ((double)p + 0.5);
            double y = HEIGHT - BOTTOM - (double)(value_at(c, s, p) - lo) * scale;
            char text[48];
            c->label(c->label_ctx, value_at(c, s, p), text, sizeof text);
            /* markers differ by shape as well: circles, squares, diamonds */
            if (s % 3 == 0)
                fprintf(out, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\">", x, y,
                        colours[s % PALETTE]);
            else if (s % 3 == 1)
                fprintf(out, "<rect class=\"point\" x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\">",
                        x - 3.5, y - 3.5, colours[s % PALETTE]);
            else
                fprintf(out, "<path class=\"point\" d=\"M%.1f %.1f l4 4 l-4 4 l-4 -4 z\" fill=\"%s\">", x,
                        y - 4, colours[s % PALETTE]);
            fputs("<title>", out);
            svg_escape(out, c->labels[p]);
            fputs(", ", out);
            svg_escape(out, c->names[s]);
            fprintf(out, ": %s</title>%s\n", text, s % 3 == 0 ? "</circle>" : s % 3 == 1 ? "</rect>" : "</path>");
        }
    }
    x_labels(out, c, slot);
    fputs("</svg>\n", out);
}

void svg_hbars(FILE *out, const svg_chart *c) {
    double height = HBAR_TOP + HBAR_ROW * (double)(c->points ? c->points : 2) + 24;
    int64_t hi = 0, lo = 0;
    for (size_t p = 0; p < c->points; p++)
        if (defined_at(c, 0, p) && value_at(c, 0, p) > hi)
            hi = value_at(c, 0, p);
    open_svg(out, c, height);
    if (!c->points || hi == 0) {
        no_data(out, height);
        fputs("</svg>\n", out);
        return;
    }
    nice_scale(&lo, &hi);
    double width = WIDTH - HBAR_LEFT - RIGHT - 70;
    for (size_t p = 0; p < c->points; p++) {
        double y = HBAR_TOP + HBAR_ROW * (double)p;
        char text[48] = "n/a";
        int64_t v = defined_at(c, 0, p) ? value_at(c, 0, p) : 0;
        if (defined_at(c, 0, p))
            c->label(c->label_ctx, v, text, sizeof text);
        double w = v > 0 ? (double)v * width / (double)hi : 0;
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">", HBAR_LEFT - 6, y + 14);
        svg_escape(out, c->labels[p]);
        fprintf(out, "</text>\n<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"%s\"><title>",
                HBAR_LEFT, y + 2, w, colours[0]);
        svg_escape(out, c->labels[p]);
        fprintf(out, ": %s</title></rect>\n<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">%s</text>\n", text,
                HBAR_LEFT + w + 6, y + 14, text);
    }
    fputs("</svg>\n", out);
}
