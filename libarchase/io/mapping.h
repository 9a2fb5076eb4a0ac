/* libarchase/io/mapping.h — a loaded mapping file, as the importer uses it. */
#ifndef AR_IO_MAPPING_H
#define AR_IO_MAPPING_H

#include "archase/io.h"
#include "io/columns.h"

#define AR_MAPPING_MAX_OUTPUTS 16

/* One kind the mapping makes from each row. */
typedef struct ar_mapping_output {
    int      kind;
    char    *source[C_COUNT];    /* the file's header name feeding each column, or NULL */
    char    *constant[C_COUNT];  /* a constant value for the column, or NULL */
    uint32_t line[C_COUNT];      /* where in the mapping the column was named */
    char    *when_column;        /* rows are used only when this column ... */
    char    *when_equals;        /* ... holds exactly this text */
    uint32_t when_line;
    uint32_t output_line;
} ar_mapping_output;

struct archase_mapping {
    archase_allocator  allocator;
    char              *source;      /* the mapping's file name */
    char               delimiter;
    ar_cell_rules      rules;
    char              *date_format;
    ar_mapping_output  outputs[AR_MAPPING_MAX_OUTPUTS];
    size_t             noutputs;
};

#endif
