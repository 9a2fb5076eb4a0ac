/* libarchase/io/mapping.h — a loaded mapping file, as the importer uses it. */
#ifndef AR_IO_MAPPING_H
#define AR_IO_MAPPING_H

#include "archase/io.h"
#include "io/columns.h"

#define AR_MAPPING_MAX_OUTPUTS 16
#define AR_MAPPING_MAX_CONDS 8

/* What a condition tests in a cell. */
typedef enum ar_cond_op {
    AR_COND_EQUALS = 1,
    AR_COND_NOT_EQUALS,
    AR_COND_IN,
    AR_COND_NOT_IN,
    AR_COND_EMPTY,
    AR_COND_NOT_EMPTY,
    AR_COND_GREATER_THAN, /* the cell holds a whole number; an empty cell is no number */
    AR_COND_LESS_THAN
} ar_cond_op;

/* A test of one cell of a row. */
typedef struct ar_mapping_cond {
    char    *column;   /* the file's header name */
    int      op;       /* ar_cond_op */
    char   **values;   /* equals, not_equals: one; in, not_in: nvalues */
    size_t   nvalues, cap;
    int64_t  number;   /* greater_than, less_than */
    uint32_t line;     /* where the mapping names the column */
} ar_mapping_cond;

/* Conditions that must all hold. */
typedef struct ar_mapping_conds {
    ar_mapping_cond cond[AR_MAPPING_MAX_CONDS];
    size_t          n;
} ar_mapping_conds;

/* A file's text and the native text it stands for. */
typedef struct ar_mapping_value {
    char *from, *to;
} ar_mapping_value;

/* The translated texts of a column. */
typedef struct ar_mapping_values {
    ar_mapping_value *pairs;
    size_t            n, cap;
    uint32_t          line, column; /* where the mapping names the column */
} ar_mapping_values;

/* One kind the mapping makes from each row. */
typedef struct ar_mapping_output {
    int               kind;
    char             *source[C_COUNT];    /* the file's header name feeding each column, or NULL */
    char             *constant[C_COUNT];  /* a constant value for the column, or NULL */
    uint32_t          line[C_COUNT];      /* where in the mapping the column was named */
    ar_mapping_values values[C_COUNT];    /* texts translated before they are read */
    ar_mapping_conds  when;               /* rows are used only when these hold */
    ar_mapping_conds  flag_rule[AR_FLAG_COUNT]; /* flags outputs: what sets each flag */
    int               has_flag_rule[AR_FLAG_COUNT];
    int               auto_revision;      /* revision: auto */
    int               merge;              /* merge: true */
    uint32_t          output_line;
} ar_mapping_output;

struct archase_mapping {
    archase_allocator  allocator;
    char              *source;      /* the mapping's file name */
    char               delimiter;
    uint32_t           header_line; /* the line of the header; lines above are a title */
    ar_cell_rules      rules;
    char              *date_format;
    char              *currency_symbol;
    ar_mapping_output  outputs[AR_MAPPING_MAX_OUTPUTS];
    size_t             noutputs;
};

#endif
